"""The exercise bank: one folder per exercise under ``exercises/``, described by ``exercise.toml``."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .compat import tomllib
from .errors import DlxError
from .paths import SUITES_DIR, exercises_dir, solutions_dir


class UnknownExercise(DlxError, LookupError):
    """No exercise has this id."""


@dataclass(frozen=True)
class Exercise:
    """One exercise: its metadata and where its files are."""

    id: str
    unit: int
    order: int
    title: str
    points: float
    requires: str  # "numpy" or "torch"
    functions: tuple[str, ...]
    hints: tuple[str, ...]
    folder: Path
    limits: dict = field(default_factory=dict)  # overrides of grader.sandbox.client.Limits, e.g. call_timeout_s

    @property
    def filename(self) -> str:
        return f"{self.id}.py"

    @property
    def stub(self) -> Path:
        return self.folder / self.filename

    @property
    def statement(self) -> Path:
        return self.folder / "statement.md"

    @property
    def visible_tests(self) -> Path:
        return self.folder / "test_visible.py"

    @property
    def suite(self) -> Path:
        return SUITES_DIR / f"test_{self.id}.py"

    @property
    def solution(self) -> Path:
        return solutions_dir() / self.filename


def _load(toml_path: Path) -> Exercise:
    data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    return Exercise(
        id=data["id"], unit=int(data["unit"]), order=int(data.get("order", 0)), title=data["title"],
        points=float(data["points"]), requires=data.get("requires", "numpy"),
        functions=tuple(data["functions"]), hints=tuple(data.get("hints", ())), folder=toml_path.parent,
        limits=dict(data.get("limits", {})),
    )


@lru_cache(maxsize=1)
def catalog() -> dict[str, Exercise]:
    """Every exercise, in teaching order (unit, then order within the unit)."""
    found = [_load(p) for p in exercises_dir().glob("*/exercise.toml")]
    return {e.id: e for e in sorted(found, key=lambda e: (e.unit, e.order, e.id))}


def get(exercise_id: str) -> Exercise:
    """The exercise with this id, or :class:`UnknownExercise` with the list of ids."""
    try:
        return catalog()[exercise_id]
    except KeyError:
        known = ", ".join(catalog())
        raise UnknownExercise(f"unknown exercise {exercise_id!r}; known: {known}") from None
