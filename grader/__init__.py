__version__ = "0.1.0"

# The PyTorch that dlx is tested and graded with (its CPU build): the one place this version is written in code.
# The `torch` extra in pyproject.toml admits nothing newer, .ci/run installs it, and README.md quotes it
# (tests/test_torch_pin.py keeps them in agreement).
TORCH_VERSION = "2.13.0"
