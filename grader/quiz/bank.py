"""Quiz banks: TOML files under ``exercises/quizzes/``, loaded and validated.

Every problem is reported as ``<file>: question '<id>': field '<field>': <problem>``
so an instructor can go straight to it. See docs/quizzes.md for the format.

The texts a student reads exist in each language: English in the bank and in each question, the
other languages in a table named after the language beside them (``[zh]`` with the bank's title and
description; ``[questions.zh]`` with a question's text, options and explanation). A bank is loaded
in one language; numbers, answers and parameters are shared by all of them.
"""
from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

from ..compat import tomllib
from ..errors import DlxError
from ..i18n import DEFAULT, LANGUAGES, _, language
from ..paths import exercises_dir
from . import template
from .expr import FUNCTIONS, Expr, ExprError, compile_expr
from .params import (
    ComputeError,
    ParamSpec,
    compute,
    corner_draws,
    draw,
    is_number,
    question_rng,
)

KINDS = ("single", "multiple", "numeric")
LETTERS = "abcdefghijklmnopqrstuvwxyz"
DEFAULT_REL_TOL = 0.01
VALIDATION_SEEDS = range(20)
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")
NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TRANSLATIONS = {lang for lang in LANGUAGES if lang != DEFAULT}  # tables of translated texts
BANK_KEYS = {"id", "title", "description", "order", "questions", *TRANSLATIONS}
COMMON_KEYS = {"id", "kind", "text", "explanation", "points", *TRANSLATIONS}
TRANSLATED_KEYS = {"bank": ("title", "description"), "question": ("text", "options", "explanation")}
KIND_KEYS = {
    "single": {"options", "answer"},
    "multiple": {"options", "answer"},
    "numeric": {"answer", "params", "derived", "rel_tol", "abs_tol"},
}


class BankError(DlxError, ValueError):
    """A bank file is invalid; the message names the file, the question and the field."""


class UnknownBank(DlxError, LookupError):
    """No quiz bank has this id."""


@dataclass(frozen=True)
class Question:
    """One question as written in the bank (for numeric ones, before parameters are drawn)."""

    id: str
    kind: str
    text: str
    explanation: str
    points: float = 1.0
    options: tuple[str, ...] = ()
    correct: tuple[str, ...] = ()  # letters of the right options (choice questions)
    keys: tuple[str, ...] = ()  # the options' stable keys, from their English text: the same in every language
    answer: Expr | None = None  # numeric questions
    params: dict[str, ParamSpec] = field(default_factory=dict)
    derived: dict[str, Expr] = field(default_factory=dict)
    rel_tol: float = DEFAULT_REL_TOL
    abs_tol: float = 0.0

    @property
    def labels(self) -> str:
        """The option letters: ``"abcd"`` for four options."""
        return LETTERS[: len(self.options)]


@dataclass(frozen=True)
class Bank:
    """A validated bank of questions."""

    id: str
    title: str
    description: str
    order: int
    path: Path
    questions: tuple[Question, ...]

    @property
    def max_score(self) -> float:
        return float(sum(q.points for q in self.questions))

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)


def _wide(character: str) -> bool:
    return unicodedata.east_asian_width(character) in "WF"


def _join(lines: list[str]) -> str:
    """Lines joined with spaces, except between two Chinese characters (Chinese has no spaces)."""
    joined = ""
    for line in filter(None, lines):
        gap = "" if not joined or _wide(joined[-1]) and _wide(line[0]) else " "
        joined += gap + line
    return joined


def option_key(text: str) -> str:
    """An option's stable key: the same for every student and variant (six hex digits of its text's hash)."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:6]


def unwrap(text: str) -> str:
    """Join the lines of each paragraph; blank lines separate paragraphs (as in Markdown)."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(_join([line.strip() for line in p.splitlines()]) for p in paragraphs)


class _Reader:
    """Validation of one file, with the location of every problem."""

    def __init__(self, path: Path, lang: str = DEFAULT):
        self.path = path
        self.lang = lang

    def translated(self, raw: dict[str, Any], what: str, where: str | None) -> dict[str, Any]:
        """``raw`` with its texts replaced by those of this reader's language (English when there are none)."""
        if self.lang == DEFAULT or self.lang not in raw:
            return raw
        table = raw[self.lang]
        if not isinstance(table, dict) or set(table) - set(TRANSLATED_KEYS[what]):
            self.fail(where, self.lang, f"must be a table of {', '.join(TRANSLATED_KEYS[what])}")
        if "options" in table and len(table["options"]) != len(raw.get("options", ())):
            self.fail(where, f"{self.lang}.options", "must have as many options, in the same order, as the English")
        return {**raw, **table}

    def fail(self, where: str | None, name: str | None, problem: str) -> NoReturn:
        parts = [str(self.path)]
        if where:
            parts.append(where)
        if name:
            parts.append(f"field {name!r}")
        raise BankError(": ".join([*parts, problem]))

    def text(self, raw: dict[str, Any], key: str, where: str | None, required: bool = True) -> str:
        value = raw.get(key, None if required else "")
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(where, key, "missing" if value is None else "must be a non-empty string")
        return unwrap(value)

    def bank(self) -> Bank:
        try:
            raw = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            self.fail(None, None, f"cannot be read ({exc})")
        except tomllib.TOMLDecodeError as exc:
            self.fail(None, None, f"invalid TOML ({exc})")
        unknown = set(raw) - BANK_KEYS
        if unknown:
            self.fail(None, sorted(unknown)[0], f"unknown key (allowed: {', '.join(sorted(BANK_KEYS))})")
        raw = self.translated(raw, "bank", None)
        bank_id = self.text(raw, "id", None)
        if bank_id != self.path.stem:
            self.fail(None, "id", f"is {bank_id!r} but must match the file name {self.path.stem!r}")
        order = raw.get("order", 0)
        if not isinstance(order, int) or isinstance(order, bool):
            self.fail(None, "order", "must be a whole number")
        questions = raw.get("questions")
        if not isinstance(questions, list) or not questions:
            self.fail(None, "questions", "missing: add at least one [[questions]] table")
        parsed: list[Question] = []
        for number, item in enumerate(questions, start=1):
            question = self.question(item, number, bank_id)
            if any(q.id == question.id for q in parsed):
                self.fail(f"question {question.id!r}", "id", "is used by an earlier question")
            parsed.append(question)
        return Bank(bank_id, self.text(raw, "title", None), self.text(raw, "description", None, required=False),
                    order, self.path, tuple(parsed))

    def question(self, raw: Any, number: int, bank_id: str) -> Question:
        where = f"question #{number}"
        if not isinstance(raw, dict):
            self.fail(where, None, "must be a table ([[questions]])")
        qid = raw.get("id")
        if not isinstance(qid, str) or not ID_PATTERN.fullmatch(qid):
            self.fail(where, "id", "must be lower-case letters, digits, '-' or '_' (e.g. \"xavier-bound\")")
        where = f"question {qid!r}"
        kind = raw.get("kind")
        if kind not in KINDS:
            self.fail(where, "kind", f"must be one of {', '.join(KINDS)}, not {kind!r}")
        unknown = set(raw) - COMMON_KEYS - KIND_KEYS[kind]
        if unknown:
            allowed = ", ".join(sorted(COMMON_KEYS | KIND_KEYS[kind]))
            self.fail(where, sorted(unknown)[0], f"unknown for a {kind} question (allowed: {allowed})")
        english_options = raw.get("options")
        raw = self.translated(raw, "question", where)
        points = raw.get("points", 1)
        if not is_number(points) or not 0 < points < math.inf:
            self.fail(where, "points", "must be a positive number")
        common = dict(id=qid, kind=kind, text=self.text(raw, "text", where),
                      explanation=self.text(raw, "explanation", where), points=float(points))
        if kind == "numeric":
            return self.numeric(raw, where, bank_id, common)
        return self.choice(raw, where, common, english_options)

    def check_template(self, text: str, names: set[str], where: str, key: str) -> None:
        try:
            template.check(text, names)
        except template.TemplateError as exc:
            self.fail(where, key, str(exc))

    def choice(self, raw: dict[str, Any], where: str, common: dict[str, Any], english: list[str]) -> Question:
        options = raw.get("options")
        if (not isinstance(options, list) or not 2 <= len(options) <= len(LETTERS)
                or not all(isinstance(o, str) and o.strip() for o in options)):
            self.fail(where, "options", f"must be a list of 2 to {len(LETTERS)} non-empty strings")
        if len({o.strip() for o in options}) != len(options):
            self.fail(where, "options", "two options are the same")
        labels = LETTERS[: len(options)]
        answer = raw.get("answer")
        letters = [answer] if common["kind"] == "single" else answer
        shape = 'one letter, e.g. "b"' if common["kind"] == "single" else 'a list of letters, e.g. ["a", "c"]'
        if (not isinstance(letters, list) or not letters
                or not all(isinstance(a, str) and len(a.strip()) == 1 and a.strip().lower() in labels
                           for a in letters)):
            self.fail(where, "answer", f"must be {shape}, from {', '.join(labels)}")
        correct = tuple(sorted({a.strip().lower() for a in letters}))
        if len(correct) != len(letters):
            self.fail(where, "answer", "a letter is repeated")
        for key in ("text", "explanation"):
            self.check_template(common[key], set(), where, key)
        return Question(**common, options=tuple(unwrap(o) for o in options), correct=correct,
                        keys=tuple(option_key(unwrap(o)) for o in english))

    def numeric(self, raw: dict[str, Any], where: str, bank_id: str, common: dict[str, Any]) -> Question:
        params: dict[str, ParamSpec] = {}
        raw_params = raw.get("params", {})
        if not isinstance(raw_params, dict):
            self.fail(where, "params", "must be a table of name = {choices = [...]} or {range = [...], digits = n}")
        for name, spec in raw_params.items():
            self.check_name(name, where, f"params.{name}")
            try:
                params[name] = ParamSpec.from_toml(name, spec)
            except ValueError as exc:
                self.fail(where, f"params.{name}", str(exc))
        derived: dict[str, Expr] = {}
        raw_derived = raw.get("derived", {})
        if not isinstance(raw_derived, dict):
            self.fail(where, "derived", 'must be a table of name = "expression"')
        for name, source in raw_derived.items():
            self.check_name(name, where, f"derived.{name}")
            if name in params:
                self.fail(where, f"derived.{name}", "is already a parameter")
            derived[name] = self.expression(source, {*params, *derived}, where, f"derived.{name}")
        if "answer" not in raw:
            self.fail(where, "answer", 'missing: a number or an expression such as "sqrt(6 / (fan_in + fan_out))"')
        answer = self.expression(raw["answer"], {*params, *derived}, where, "answer")
        tolerances = {key: self.tolerance(raw, key, default, where)
                      for key, default in (("rel_tol", DEFAULT_REL_TOL), ("abs_tol", 0.0))}
        names = {*params, *derived}
        self.check_template(common["text"], names, where, "text")
        self.check_template(common["explanation"], names | {"answer"}, where, "explanation")
        shown = {name for name, _ in template.placeholders(common["text"])}
        hidden = [name for name in params if name not in shown]
        if hidden:
            self.fail(where, "text", f"does not show the parameter {{{hidden[0]}}}, so students cannot use it")
        question = Question(**common, answer=answer, params=params, derived=derived,
                            rel_tol=tolerances["rel_tol"], abs_tol=tolerances["abs_tol"])
        self.try_values(question, where, bank_id)
        return question

    def tolerance(self, raw: dict[str, Any], key: str, default: float, where: str) -> float:
        value = raw.get(key, default)
        if not is_number(value) or not 0 <= value < math.inf:
            self.fail(where, key, "must be a number >= 0")
        return float(value)

    def check_name(self, name: str, where: str, key: str) -> None:
        if not NAME_PATTERN.fullmatch(name) or name in FUNCTIONS or name == "answer":
            self.fail(where, key, "must be a plain name (letters, digits, _), not a function name nor 'answer'")

    def expression(self, source: Any, names: set[str], where: str, key: str) -> Expr:
        if is_number(source):
            source = repr(float(source))
        try:
            return compile_expr(source, names)
        except ExprError as exc:
            self.fail(where, key, str(exc))

    def try_values(self, question: Question, where: str, bank_id: str) -> None:
        """Compute the answer for the parameters' extremes and for several seeds: no errors, no exact zero."""
        trials = [*corner_draws(question.params),
                  *(draw(question.params, question_rng(bank_id, question.id, s)) for s in VALIDATION_SEEDS)]
        assert question.answer is not None
        for drawn in trials:
            try:
                values = compute(drawn, question.derived, question.answer)
            except ComputeError as exc:
                self.fail(where, exc.field, exc.problem)
            if values["answer"] == 0 and question.abs_tol == 0:
                self.fail(where, "abs_tol", "the answer can be exactly 0, so set abs_tol "
                                            "(rel_tol alone accepts only 0)")


def load_bank(path: Path, lang: str | None = None) -> Bank:
    """Load and validate one bank file in ``lang`` (default: the student's language);
    :class:`BankError` names the file, question and field."""
    path = Path(path)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise BankError(f"{path}: cannot be read ({exc.strerror})") from None
    return _load_cached(path, stamp, lang or language())


@lru_cache(maxsize=64)
def _load_cached(path: Path, stamp: int, lang: str) -> Bank:
    return _Reader(path, lang).bank()


def quizzes_dir() -> Path:
    """Where the banks live: ``exercises/quizzes/`` (installed or in a checkout)."""
    return exercises_dir() / "quizzes"


def bank_files(folder: Path | None = None) -> list[Path]:
    """Every bank file, sorted by name."""
    return sorted((folder or quizzes_dir()).glob("*.toml"))


def get_bank(bank_id: str, folder: Path | None = None, lang: str | None = None) -> Bank:
    """The bank with this id, or :class:`UnknownBank` listing the ids there are."""
    path = (folder or quizzes_dir()) / f"{bank_id}.toml"
    if not ID_PATTERN.fullmatch(bank_id) or not path.is_file():
        known = ", ".join(p.stem for p in bank_files(folder)) or "none"
        raise UnknownBank(_("unknown quiz bank {id}; known: {known}").format(id=repr(bank_id), known=known))
    return load_bank(path, lang)
