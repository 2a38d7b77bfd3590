"""Where things live: the exercise catalogue (installed or in a checkout) and the user's data."""
from __future__ import annotations

import os
from pathlib import Path

import platformdirs

PACKAGE_DIR = Path(__file__).resolve().parent
SUITES_DIR = PACKAGE_DIR / "suites"


def catalog_root() -> Path:
    """The folder holding ``exercises/`` and ``solutions/``.

    An installed package carries them inside ``grader/``; a source checkout has
    them at the top level, beside ``grader/``.
    """
    if (PACKAGE_DIR / "exercises").is_dir():
        return PACKAGE_DIR
    return PACKAGE_DIR.parent


def exercises_dir() -> Path:
    return catalog_root() / "exercises"


def solutions_dir() -> Path:
    """The references' folder (``solutions/``, as ``DESIGN.md`` lays the repository out)."""
    return catalog_root() / "solutions"


def hidden_from_workers() -> tuple[str, ...]:
    """The folders a grading worker must not see: the hidden suites, the references, the gradebook's."""
    return str(SUITES_DIR), str(solutions_dir()), str(_data_path())


def _data_path() -> Path:
    home = os.environ.get("DLX_HOME")
    return Path(home).expanduser() if home else Path(platformdirs.user_data_dir("dlx", appauthor=False))


def data_dir() -> Path:
    """The gradebook's and settings' folder: ``$DLX_HOME`` or the platform's user data directory."""
    path = _data_path()
    path.mkdir(parents=True, exist_ok=True)
    return path
