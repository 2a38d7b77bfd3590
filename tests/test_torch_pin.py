"""One PyTorch version: ``grader.TORCH_VERSION``. Every other place that names one agrees with it, and no
requirement admits a newer torch (a newer one would pull gigabytes of CUDA)."""
from __future__ import annotations

import re
from pathlib import Path

from packaging.requirements import Requirement

from grader import TORCH_VERSION
from grader.compat import tomllib

ROOT = Path(__file__).resolve().parents[1]
NEWER = ("2.13.1", "2.14.0", "3.0.0")
PINNED = re.compile(r"torch\s*(?:==|<=|~=)\s*(\d[\w.]*)")


def test_no_requirement_admits_a_torch_newer_than_the_pin():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    groups = [project["dependencies"], *project["optional-dependencies"].values()]
    torch = [r for r in map(Requirement, (r for group in groups for r in group)) if r.name == "torch"]
    assert torch, "pyproject.toml has no torch extra"
    for requirement in torch:
        assert requirement.specifier.contains(TORCH_VERSION), requirement
        assert not any(requirement.specifier.contains(v) for v in NEWER), requirement


def test_every_torch_version_named_in_the_repository_is_the_pin():
    files = [ROOT / "README.md", ROOT / ".ci" / "run", *(ROOT / "docs").rglob("*.md"),
             *(ROOT / "grader").rglob("*.py"), *(ROOT / "grader").rglob("*.sh"), *(ROOT / "benchmarks").rglob("*.py")]
    named = {(path.relative_to(ROOT).as_posix(), version) for path in files if path.is_file()
             for version in PINNED.findall(path.read_text(encoding="utf-8", errors="replace"))}
    assert {version for _, version in named} <= {TORCH_VERSION}, sorted(named)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"pip install torch=={TORCH_VERSION}" in readme and f"CPU build ({TORCH_VERSION})" in readme


def test_ci_installs_the_pin_without_writing_it_again():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert not PINNED.search(ci) and "TORCH_VERSION" in ci and '"torch==$torch_version"' in ci
