"""The exercise bank: one folder per exercise under ``exercises/``, described by ``exercise.toml``.

Every text a student reads exists in each language: the English title and hints at the top of
``exercise.toml`` and the other languages' in a table named after the language (``[zh]``), the
statement in ``statement.md`` (English) and ``statement.<lang>.md``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .compat import tomllib
from .errors import DlxError
from .i18n import DEFAULT, LANGUAGES, language
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
    limits: dict = field(default_factory=dict)  # overrides of grader.sandbox.spec.Limits, e.g. call_timeout_s
    lang: str = DEFAULT  # the language of title, hints and statement

    @property
    def filename(self) -> str:
        return f"{self.id}.py"

    @property
    def stub(self) -> Path:
        return self.folder / self.filename

    @property
    def statement(self) -> Path:
        return statement_path(self.folder, self.lang)

    @property
    def visible_tests(self) -> Path:
        return self.folder / "test_visible.py"

    @property
    def suite(self) -> Path:
        return SUITES_DIR / f"test_{self.id}.py"

    @property
    def solution(self) -> Path:
        return solutions_dir() / self.filename


def statement_path(folder: Path, lang: str) -> Path:
    """The statement in ``lang``: ``statement.md`` for English, ``statement.<lang>.md`` otherwise."""
    return folder / ("statement.md" if lang == DEFAULT else f"statement.{lang}.md")


def texts(data: dict, lang: str) -> dict:
    """The title and hints of a parsed ``exercise.toml`` in ``lang`` (English when a text is missing there)."""
    english = {"title": data["title"], "hints": data.get("hints", [])}
    return english if lang == DEFAULT else {**english, **data.get(lang, {})}


def _load(toml_path: Path, lang: str = DEFAULT) -> Exercise:
    data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    text = texts(data, lang)
    if not statement_path(toml_path.parent, lang).is_file():
        lang = DEFAULT  # tests/test_i18n.py keeps every language complete; never fail a student for it
    return Exercise(
        id=data["id"], unit=int(data["unit"]), order=int(data.get("order", 0)), title=text["title"],
        points=float(data["points"]), requires=data.get("requires", "numpy"),
        functions=tuple(data["functions"]), hints=tuple(text["hints"]), folder=toml_path.parent,
        limits=dict(data.get("limits", {})), lang=lang,
    )


def catalog(lang: str | None = None) -> dict[str, Exercise]:
    """Every exercise in ``lang`` (default: the student's language), in teaching order."""
    return _catalog(lang or language())


@lru_cache(maxsize=len(LANGUAGES))
def _catalog(lang: str) -> dict[str, Exercise]:
    found = [_load(p, lang) for p in exercises_dir().glob("*/exercise.toml")]
    return {e.id: e for e in sorted(found, key=lambda e: (e.unit, e.order, e.id))}


def get(exercise_id: str) -> Exercise:
    """The exercise with this id, or :class:`UnknownExercise` with the list of ids."""
    try:
        return catalog()[exercise_id]
    except KeyError:
        known = ", ".join(catalog())
        raise UnknownExercise(f"unknown exercise {exercise_id!r}; known: {known}") from None
