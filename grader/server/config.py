"""The course file (TOML): assignments, deadlines, late policy, quotas, roles; validated with line numbers."""
from __future__ import annotations

import re
from ..compat import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..catalog import Exercise, ExerciseFileError, UnknownExercise, _load, get
from ..errors import DlxError
from ..i18n import DEFAULT, LANGUAGES
from ..safe_read import read_text_file

PERMISSIONS = ("view", "rerun", "extend", "override", "roster")
QUOTA_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


class ConfigError(DlxError, ValueError):
    """A mistake in the course file; the message names the file and the line."""


@dataclass(frozen=True)
class Quota:
    """At most ``count`` submissions per ``window_s`` seconds, per student and exercise."""

    count: int
    window_s: int

    def __str__(self) -> str:
        unit = {v: k for k, v in QUOTA_UNITS.items()}.get(self.window_s, f"{self.window_s} s")
        return f"{self.count}/{unit}"


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    exercises: tuple[str, ...]
    quizzes: tuple[str, ...]
    opens: datetime
    due: datetime
    penalty_per_day: float  # fraction of the score lost per started day late
    lock: datetime | None  # no submission accepted after this (None: accepted forever, with the penalty)
    quota: Quota | None
    counts: str  # "best" or "latest"

    def late_factor(self, received: datetime, due: datetime) -> float:
        """What a score submitted at ``received`` is multiplied by, for a deadline ``due``."""
        if received <= due:
            return 1.0
        days = -(-(received - due) // timedelta(days=1))  # started days, rounded up
        return max(0.0, 1.0 - self.penalty_per_day * days)


@dataclass(frozen=True)
class CourseConfig:
    """A validated course file."""

    path: Path
    name: str
    assignments: dict[str, Assignment]
    exercises: dict[str, Exercise]  # every exercise of the course, public or the course's own
    own_exercises: frozenset[str]
    ta_permissions: frozenset[str]
    max_upload_bytes: int
    token_days: int
    supersede_queued: bool
    max_tries: int
    extensions: tuple[tuple[str, str, datetime], ...] = field(default=())  # (student, assignment, until)
    lang: str = DEFAULT  # the course's language: its pages, messages and feedback unless a student chooses theirs

    def assignment_of(self, exercise_id: str) -> Assignment | None:
        for assignment in self.assignments.values():
            if exercise_id in assignment.exercises:
                return assignment
        return None

    def assignment_of_quiz(self, bank_id: str) -> Assignment | None:
        for assignment in self.assignments.values():
            if bank_id in assignment.quizzes:
                return assignment
        return None

    def exercise(self, exercise_id: str) -> Exercise:
        try:
            return self.exercises[exercise_id]
        except KeyError:
            raise UnknownExercise(f"{exercise_id!r} is not an exercise of this course") from None


class CourseExercise(Exercise):
    """An exercise only the server has: its hidden suite and reference live in its own folder."""

    @property
    def suite(self) -> Path:
        return self.folder / f"test_{self.id}.py"

    @property
    def reference(self) -> Path:
        return self.folder / "solution.py"


def _line_of(text: str, path: tuple[Any, ...]) -> int:
    """The 1-based line of a key like ("assignment", 2, "due") in the TOML text (best effort)."""
    lines = text.splitlines()
    start, end = 0, len(lines)
    keys = list(path)
    if len(keys) >= 2 and isinstance(keys[1], int):
        header = re.compile(rf"^\s*\[\[\s*{re.escape(keys[0])}\s*\]\]")
        hits = [i for i, line in enumerate(lines) if header.match(line)]
        if keys[1] < len(hits):
            start = hits[keys[1]]
            later = [i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")]
            end = later[0] if later else len(lines)
        keys = keys[2:]
    elif keys:
        header = re.compile(rf"^\s*\[\s*{re.escape(str(keys[0]))}\s*\]")
        hits = [i for i, line in enumerate(lines) if header.match(line)]
        if hits:
            start = hits[0]
            keys = keys[1:]
    if keys:
        key = re.compile(rf"^\s*{re.escape(str(keys[0]))}\s*=")
        for i in range(start, end):
            if key.match(lines[i]):
                return i + 1
    return start + 1


class _Checker:
    """Reads values out of the parsed TOML and reports mistakes with their line."""

    def __init__(self, path: Path, text: str):
        self.path, self.text = path, text

    def fail(self, where: tuple[Any, ...], message: str) -> ConfigError:
        return ConfigError(f"{self.path}:{_line_of(self.text, where)}: {message}")

    def time(self, table: dict, where: tuple[Any, ...], key: str, required: bool = True) -> datetime | None:
        value = table.get(key)
        if value is None:
            if required:
                raise self.fail(where, f"{key} is missing (a date and time with its offset, e.g. 2026-03-01T23:59:00+01:00)")
            return None
        if not isinstance(value, datetime):
            raise self.fail(where + (key,), f"{key} must be a date and time, e.g. 2026-03-01T23:59:00+01:00")
        if value.tzinfo is None:
            raise self.fail(where + (key,), f"{key} has no time zone: write its offset, e.g. {value.isoformat()}+01:00 or Z")
        return value

    def quota(self, value: Any, where: tuple[Any, ...]) -> Quota | None:
        if value in (None, "none"):
            return None
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(minute|hour|day)\s*", str(value))
        if not match or int(match[1]) < 1:
            raise self.fail(where, f"quota {value!r} must look like \"10/hour\" (per minute, hour or day)")
        return Quota(int(match[1]), QUOTA_UNITS[match[2]])

    def counts(self, value: Any, where: tuple[Any, ...]) -> str:
        if value not in ("best", "latest"):
            raise self.fail(where, f"counts must be \"best\" or \"latest\", not {value!r}")
        return value


def _own_exercises(folder: Path) -> dict[str, Exercise]:
    found: dict[str, Exercise] = {}
    for toml_path in sorted(folder.glob("*/exercise.toml")):
        try:
            base = _load(toml_path, DEFAULT)  # a course's own exercise: its statement.md
        except ExerciseFileError as exc:  # names the file and the key
            raise ConfigError(str(exc)) from None
        exercise = CourseExercise(**{f: getattr(base, f) for f in base.__dataclass_fields__})
        for needed in (exercise.stub, exercise.suite, exercise.reference):
            if not needed.is_file():
                raise ConfigError(f"{toml_path.parent}: the course exercise {exercise.id} has no {needed.name}")
        found[exercise.id] = exercise
    return found


def load_course(path: Path) -> CourseConfig:
    """Read and validate a course file; :class:`ConfigError` names the line of the first mistake."""
    try:
        text = read_text_file(path, "the course file")  # a FIFO or device is refused, never waited on
    except DlxError as exc:
        raise ConfigError(str(exc)) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the course file is not UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    check = _Checker(path, text)
    course = data.get("course", {})
    known_top = {"course", "assignment", "extension", "roles"}
    for key in data:
        if key not in known_top:
            raise check.fail((key,), f"unknown section or key {key!r} (known: {', '.join(sorted(known_top))})")
    lang = course.get("lang", DEFAULT)
    if lang not in LANGUAGES:
        raise check.fail(("course", "lang"), f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    own_dir = path.parent / str(course.get("exercises_dir", "exercises"))
    own = _own_exercises(own_dir) if own_dir.is_dir() else {}
    default_quota = check.quota(course.get("quota"), ("course", "quota"))
    default_counts = check.counts(course.get("counts", "best"), ("course", "counts"))
    assignments: dict[str, Assignment] = {}
    exercises: dict[str, Exercise] = {}
    for i, raw in enumerate(data.get("assignment", [])):
        where = ("assignment", i)
        if "id" not in raw:
            raise check.fail(where, "this assignment has no id")
        if raw["id"] in assignments:
            raise check.fail(where + ("id",), f"the assignment id {raw['id']!r} is used twice")
        for ex_id in raw.get("exercises", []):
            if ex_id in exercises:
                raise check.fail(where + ("exercises",), f"{ex_id!r} is in two assignments")
            try:
                exercises[ex_id] = own[ex_id] if ex_id in own else get(ex_id)
            except UnknownExercise as exc:
                raise check.fail(where + ("exercises",), str(exc)) from None
        quizzes = tuple(raw.get("quizzes", []))
        if quizzes:
            from ..quiz.bank import UnknownBank, get_bank
            for bank_id in quizzes:
                if any(bank_id in a.quizzes for a in assignments.values()):
                    raise check.fail(where + ("quizzes",), f"the quiz {bank_id!r} is in two assignments")
                try:
                    get_bank(bank_id)
                except (UnknownBank, ValueError) as exc:
                    raise check.fail(where + ("quizzes",), str(exc.args[0] if exc.args else exc)) from None
        opens = check.time(raw, where, "opens")
        due = check.time(raw, where, "due")
        assert opens is not None and due is not None
        if due <= opens:
            raise check.fail(where + ("due",), "due must be after opens")
        late = raw.get("late", {})
        if not isinstance(late, dict):
            raise check.fail(where + ("late",), "late must be a table, e.g. { penalty_per_day = 0.1, lock = ... }")
        penalty = late.get("penalty_per_day", 0.0)
        if not isinstance(penalty, (int, float)) or not 0 <= penalty <= 1:
            raise check.fail(where + ("late",), "penalty_per_day must be a fraction between 0 and 1")
        lock = check.time(late, where + ("late",), "lock", required=False)
        if lock is not None and lock < due:
            raise check.fail(where + ("late",), "the lock date must not be before the due date")
        if "lock" not in late and penalty == 0:
            lock = due  # no late policy: a hard deadline
        assignments[raw["id"]] = Assignment(
            id=raw["id"], title=str(raw.get("title", raw["id"])), exercises=tuple(raw.get("exercises", [])),
            quizzes=quizzes, opens=opens, due=due, penalty_per_day=float(penalty), lock=lock,
            quota=check.quota(raw["quota"], where + ("quota",)) if "quota" in raw else default_quota,
            counts=check.counts(raw["counts"], where + ("counts",)) if "counts" in raw else default_counts)
    if not assignments:
        raise check.fail(("course",), "the course has no [[assignment]]")
    extensions = []
    for i, raw in enumerate(data.get("extension", [])):
        where = ("extension", i)
        if raw.get("assignment") not in assignments:
            raise check.fail(where + ("assignment",), f"unknown assignment {raw.get('assignment')!r}")
        if not raw.get("student"):
            raise check.fail(where, "an extension needs a student")
        until = check.time(raw, where, "until")
        extensions.append((str(raw["student"]), raw["assignment"], until))
    ta = data.get("roles", {}).get("ta", ["view"])
    unknown = [p for p in ta if p not in PERMISSIONS]
    if unknown:
        raise check.fail(("roles", "ta"), f"unknown permission {unknown[0]!r} (known: {', '.join(PERMISSIONS)})")
    return CourseConfig(
        path=path, name=str(course.get("name", path.stem)), assignments=assignments, exercises=exercises,
        own_exercises=frozenset(own), ta_permissions=frozenset(ta),
        max_upload_bytes=int(course.get("max_upload_kib", 256)) * 1024, token_days=int(course.get("token_days", 120)),
        supersede_queued=bool(course.get("supersede_queued", False)), max_tries=int(course.get("max_tries", 3)),
        extensions=tuple(extensions), lang=lang)
