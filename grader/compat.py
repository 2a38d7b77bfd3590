"""What differs between the Python versions dlx supports (3.10 and newer)."""
from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10, e.g. Gradescope's default image
    import tomli as tomllib

__all__ = ["tomllib"]
