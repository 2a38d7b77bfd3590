"""Reading a student's answer: a letter, a set of letters, or a number.

Accepted forms (case and surrounding spaces do not matter):

- single choice: one option letter, ``"b"``;
- multiple choice: a list of letters ``["a", "c"]`` or one string ``"a,c"`` / ``"a c"`` / ``"ac"``;
- numeric: a number ``0.125`` or a numeric string ``"0.125"``, ``"1.25e-1"``.

``None``, an empty string and an empty list are "no answer". Anything else that
does not fit raises :class:`MalformedAnswer`, which grading counts as wrong.
"""
from __future__ import annotations

import math
import re
from typing import Any

from .bank import Question

Answer = str | tuple[str, ...] | float
SEPARATORS = re.compile(r"[\s,;]+")


class MalformedAnswer(ValueError):
    """The answer does not have the form the question asks for; the message says which form."""


def answer_format(question: Question) -> str:
    """How to write an answer to this question, for prompts and for ``quiz show``."""
    letters = f"{question.labels[0]}-{question.labels[-1]}" if question.options else ""
    if question.kind == "single":
        return f"one letter ({letters})"
    if question.kind == "multiple":
        return f"every right letter ({letters}), e.g. a,c"
    return "a number, e.g. 0.125 or 1.25e-3"


def brief(raw: Any, limit: int = 60) -> str:
    """A short, safe rendering of whatever the student sent."""
    try:
        text = repr(raw)
    except RecursionError:
        return "a deeply nested value"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def parse_answer(question: Question, raw: Any) -> Answer | None:
    """The answer in canonical form, ``None`` if there is none, or :class:`MalformedAnswer`."""
    if raw is None or raw == [] or (isinstance(raw, str) and not raw.strip()):
        return None
    if question.kind == "single":
        return _letters(question, [raw] if isinstance(raw, str) else None, raw)[0]
    if question.kind == "multiple":
        if isinstance(raw, str):
            return _letters(question, list(SEPARATORS.sub("", raw)), raw)
        return _letters(question, raw if isinstance(raw, list) else None, raw)
    return _number(raw)


def _letters(question: Question, items: list[Any] | None, raw: Any) -> tuple[str, ...]:
    wanted = MalformedAnswer(f"expected {answer_format(question)}, got {brief(raw)}")
    if items is None or not all(isinstance(i, str) for i in items):
        raise wanted
    letters = [i.strip().lower() for i in items]
    if not all(len(x) == 1 and x in question.labels for x in letters):
        raise wanted
    return tuple(sorted(set(letters)))


def _number(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise MalformedAnswer(f"expected a number, got {brief(raw)}")
    try:
        value = float(raw.strip() if isinstance(raw, str) else raw)
    except (ValueError, OverflowError):
        raise MalformedAnswer(f"expected a number, got {brief(raw)}") from None
    if not math.isfinite(value):
        raise MalformedAnswer(f"expected a finite number, got {brief(raw)}")
    return value
