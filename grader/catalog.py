"""The exercise catalogue: one folder per exercise under ``exercises/``, described by ``exercise.toml``.

Every text a student reads exists in each language: the English title and hints at the top of
``exercise.toml`` and the other languages' in a table named after the language (``[zh]``), the
statement in ``statement.md`` (English) and ``statement.<lang>.md``, the stub in ``<id>.py`` and
``<id>.<lang>.py`` (the same code, its docstrings and comments translated).

An exercise's points are declared once, by the ``@points(n, id=...)`` of its hidden suite; the
catalogue adds them up from the suite's text (see :func:`suite_points`), without importing pytest.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

from .catalog_cache import cached
from .errors import DlxError
from .i18n import DEFAULT, LANGUAGES, _, language
from .paths import SUITES_DIR, exercises_dir, solutions_dir


class UnknownExercise(DlxError, LookupError):
    """No exercise has this id."""


class ExerciseFileError(DlxError, ValueError):
    """An ``exercise.toml`` (or its suite's points) is invalid; the message names the file and the key."""


@dataclass(frozen=True)
class Exercise:
    """One exercise: its metadata and where its files are."""

    id: str
    unit: int
    order: int
    title: str
    requires: str  # "numpy" or "torch"
    functions: tuple[str, ...]
    hints: tuple[str, ...]
    folder: Path
    limits: dict = field(default_factory=dict)  # overrides of grader.sandbox.spec.Limits, e.g. call_timeout_s
    lang: str = DEFAULT  # the language of title, hints and statement

    @property
    def points(self) -> float:
        """The most a submission can score: the sum of the suite's ``@points``."""
        return suite_points(self.suite)

    @property
    def filename(self) -> str:
        return f"{self.id}.py"

    @property
    def stub(self) -> Path:
        """The file the student completes, its docstrings in the exercise's language: ``<id>.<lang>.py``, else
        the English ``<id>.py`` (a course may translate only some of its exercises)."""
        translated = self.folder / f"{self.id}.{self.lang}.py"
        return translated if self.lang != DEFAULT and translated.is_file() else self.folder / self.filename

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
    def reference(self) -> Path:
        return solutions_dir() / self.filename


def statement_path(folder: Path, lang: str) -> Path:
    """The statement in ``lang``: ``statement.md`` for English, ``statement.<lang>.md`` otherwise."""
    return folder / ("statement.md" if lang == DEFAULT else f"statement.{lang}.md")


def texts(data: dict, lang: str) -> dict:
    """The title and hints of a parsed ``exercise.toml`` in ``lang`` (English when a text is missing there)."""
    english = {"title": data["title"], "hints": data.get("hints", [])}
    return english if lang == DEFAULT else {**english, **data.get(lang, {})}


ID_PATTERN = re.compile(r"[a-z0-9_]+")
REQUIRES = ("numpy", "torch")
KEYS = {"id", "unit", "order", "title", "requires", "functions", "hints", "limits", *LANGUAGES} - {DEFAULT}


class _Reader:
    """Validation of one ``exercise.toml``: every problem is one line, ``<file>: field '<key>': <problem>``."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str | None, problem: str) -> NoReturn:
        raise ExerciseFileError(": ".join([str(self.path), *([f"field {key!r}"] if key else []), problem]))

    def read(self) -> dict[str, Any]:
        from .compat import tomllib  # only when the cache is stale: `dlx list` must start instantly

        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            self.fail(None, f"cannot be read ({exc})")
        except tomllib.TOMLDecodeError as exc:
            self.fail(None, f"invalid TOML ({exc})")
        if "points" in data:
            self.fail("points", "no longer read: an exercise's points are the sum of its suite's @points")
        unknown = set(data) - KEYS
        if unknown:
            self.fail(sorted(unknown)[0], f"unknown key (allowed: {', '.join(sorted(KEYS))})")
        if not isinstance(data.get("id"), str) or not ID_PATTERN.fullmatch(data["id"]):
            self.fail("id", "missing" if "id" not in data else "must be lower-case letters, digits or '_'")
        for key, required in (("unit", True), ("order", False)):
            value = data.get(key, None if required else 0)
            if not isinstance(value, int) or isinstance(value, bool):
                self.fail(key, "missing" if value is None else "must be a whole number")
        if data.get("requires", "numpy") not in REQUIRES:
            self.fail("requires", f"must be one of {', '.join(REQUIRES)}, not {data['requires']!r}")
        self.strings(data, "functions", required=True)
        limits = data.get("limits", {})
        if not isinstance(limits, dict) or not all(_is_number(v) and v > 0 for v in limits.values()):
            self.fail("limits", "must be a table of positive numbers, e.g. call_timeout_s = 60")
        for lang in LANGUAGES:
            table = data if lang == DEFAULT else data.get(lang, {})
            prefix = "" if lang == DEFAULT else f"{lang}."
            if lang != DEFAULT and (not isinstance(table, dict) or set(table) - {"title", "hints"}):
                self.fail(lang, "must be a table of title and hints")
            if (lang == DEFAULT or "title" in table) and not (isinstance(table.get("title"), str)
                                                                and table["title"].strip()):
                self.fail(prefix + "title", "missing" if "title" not in table else "must be a non-empty string")
            self.strings(table, "hints", prefix=prefix)
        return data

    def strings(self, table: dict[str, Any], key: str, required: bool = False, prefix: str = "") -> None:
        value = table.get(key, None if required else [])
        if not isinstance(value, list) or (required and not value) or not all(
                isinstance(v, str) and v.strip() for v in value):
            self.fail(prefix + key, "missing" if value is None else "must be a list of non-empty strings")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _load(toml_path: Path, lang: str = DEFAULT) -> Exercise:
    """The exercise described by ``toml_path``, in ``lang``; :class:`ExerciseFileError` if the file is invalid."""
    data = _Reader(toml_path).read()
    text = texts(data, lang)
    if not statement_path(toml_path.parent, lang).is_file():
        lang = DEFAULT  # tests/test_i18n.py keeps every language complete; never fail a student for it
    return Exercise(
        id=data["id"], unit=data["unit"], order=data.get("order", 0), title=text["title"],
        requires=data.get("requires", "numpy"), functions=tuple(data["functions"]), hints=tuple(text["hints"]),
        folder=toml_path.parent, limits=dict(data.get("limits", {})), lang=lang,
    )


# A test's points: ``@points(n, ...)`` (with its indentation) or ``test_... = graded(n, ...)``, and n.
_POINTS_LINE = re.compile(r"^(?:([ \t]*)@points\(|test_\w+[ \t]*=[ \t]*graded\()\s*([^,)\s]*)", re.MULTILINE)
_FUNCTION_LINE = re.compile(r"^def (\w+)\(", re.MULTILINE)  # a module-level function and its name


def suite_points(suite: Path) -> float:
    """The sum of the points of a suite's tests (``@points(n, ...)`` and ``graded(n, ...)`` of
    ``grader/checks.py``): the exercise's points, declared once.

    Read from the suite's text (importing it would import pytest, too slow for ``dlx list``) and
    cached while the file is unchanged. A ``@points`` inside a function that makes tests counts once
    for each ``test_... = <that function>(...)``. ``tests/test_suite_ids.py`` checks the sum against
    pytest's collection of every suite.
    """
    try:
        stat = suite.stat()
    except OSError:
        raise ExerciseFileError(f"{suite}: missing; an exercise's points are the sum of its suite's @points") from None
    return _suite_points(suite, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=None)
def _suite_points(suite: Path, mtime_ns: int, size: int) -> float:
    text = suite.read_text(encoding="utf-8")
    total = 0.0
    for match in _POINTS_LINE.finditer(text):
        points = _number(suite, match[2])
        if not match[1]:  # a module-level test: @points on a function, or a graded(...) row
            total += points
            continue
        # inside a function that makes tests (a factory): once for each ``test_... = factory(...)``
        factories = _FUNCTION_LINE.findall(text, 0, match.start())
        if not factories:
            raise ExerciseFileError(f"{suite}: an indented @points outside a function; the catalogue cannot count it")
        made = re.findall(rf"^test_\w+[ \t]*=[ \t]*{factories[-1]}\(", text, re.MULTILINE)
        total += points * len(made)
    return total


def _number(suite: Path, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise ExerciseFileError(f"{suite}: a test's points ({text!r}) must be a positive number written out "
                                "(the catalogue reads them without running the suite)")
    return value


def catalog(lang: str | None = None) -> dict[str, Exercise]:
    """Every exercise in ``lang`` (default: the student's language), in teaching order."""
    return _catalog(lang or language())


@lru_cache(maxsize=len(LANGUAGES))
def _catalog(lang: str) -> dict[str, Exercise]:
    found = cached(f"catalog.{lang}", [exercises_dir(), SUITES_DIR, Path(__file__)], Exercise,
                   lambda: [_load(p, lang) for p in exercises_dir().glob("*/exercise.toml")])
    return {e.id: e for e in sorted(found, key=lambda e: (e.unit, e.order, e.id))}


def in_language(exercise: Exercise, lang: str) -> Exercise:
    """``exercise`` (a course's own one too) with its title, hints and statement in ``lang``: a server loads its
    exercises once and answers each request in the request's language."""
    if exercise.lang == lang:
        return exercise
    title, hints, found = _texts(exercise.folder, lang)
    return replace(exercise, title=title, hints=hints, lang=found)


@lru_cache(maxsize=256)
def _texts(folder: Path, lang: str) -> tuple[str, tuple[str, ...], str]:
    """The title, hints and statement language of the exercise in ``folder``, in ``lang``."""
    other = _load(folder / "exercise.toml", lang)
    return other.title, other.hints, other.lang


def get(exercise_id: str) -> Exercise:
    """The exercise with this id, or :class:`UnknownExercise` with the list of ids."""
    try:
        return catalog()[exercise_id]
    except KeyError:
        known = ", ".join(catalog())
        raise UnknownExercise(_("unknown exercise {id}; known: {known}").format(id=repr(exercise_id), known=known)) from None
