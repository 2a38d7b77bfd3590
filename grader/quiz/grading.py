"""Grading a quiz: each answer against its variant, then a result shaped like the exercises' results."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from .. import __version__
from .answers import Answer, MalformedAnswer, brief, parse_answer
from .bank import Bank, get_bank
from .variant import Variant, variants

OUTCOMES = ("correct", "wrong", "unanswered", "malformed")


@dataclass(frozen=True)
class QuestionResult:
    """One graded answer."""

    variant: Variant
    outcome: str  # one of OUTCOMES
    given: Answer | str | None  # the canonical answer, or a brief rendering of a malformed one
    message: str

    @property
    def correct(self) -> bool:
        return self.outcome == "correct"

    @property
    def score(self) -> float:
        return self.variant.question.points if self.correct else 0.0

    def to_json(self) -> dict[str, Any]:
        """A Gradescope-style test entry, plus the quiz's own fields."""
        key = self.variant.expected
        expected: float | str | list[str] = key if isinstance(key, float) else (
            key[0] if self.variant.kind == "single" else list(key))  # one letter, or a list of letters
        return {
            "name": self.variant.id,
            "kind": self.variant.kind,
            "score": self.score,
            "max_score": self.variant.question.points,
            "status": "passed" if self.correct else "failed",
            "outcome": self.outcome,
            "given": list(self.given) if isinstance(self.given, tuple) else self.given,
            "expected": expected,
            "output": f"{self.message}\n{self.variant.explanation}",
            "explanation": self.variant.explanation,
            "visibility": "visible",
        }


def show_answer(answer: Answer) -> str:
    """An answer as text: ``b``, ``a, c`` or ``0.0883883``."""
    if isinstance(answer, tuple):
        return ", ".join(answer) or "nothing"
    return f"{answer:.6g}" if isinstance(answer, float) else answer


def grade_question(variant: Variant, raw: Any) -> QuestionResult:
    """Grade one raw answer (from a prompt or a JSON file); malformed answers are wrong, never errors."""
    expected = show_answer(variant.expected)
    try:
        given = parse_answer(variant.question, raw)
    except MalformedAnswer as exc:
        return QuestionResult(variant, "malformed", brief(raw), f"unreadable answer ({exc}); the answer is {expected}")
    if given is None:
        return QuestionResult(variant, "unanswered", None, f"no answer; the answer is {expected}")
    if _matches(variant, given):
        return QuestionResult(variant, "correct", given, f"correct: {expected}")
    message = f"wrong: you answered {show_answer(given)}; the answer is {expected}"
    return QuestionResult(variant, "wrong", given, message)


def _matches(variant: Variant, given: Answer) -> bool:
    question, expected = variant.question, variant.expected
    if question.kind == "numeric":
        assert isinstance(given, float) and isinstance(expected, float)
        return math.isclose(given, expected, rel_tol=question.rel_tol, abs_tol=question.abs_tol)
    chosen = given if isinstance(given, tuple) else (given,)
    return chosen == expected


def build_result(bank: Bank, seed: int, graded: list[QuestionResult],
                 ignored: list[str] | None = None) -> dict[str, Any]:
    """The attempt's result: ``score``, ``max_score`` and one entry per question under ``tests``."""
    return {
        "kind": "quiz",
        "bank": bank.id,
        "title": bank.title,
        "seed": seed,
        "score": round(sum(r.score for r in graded), 6),
        "max_score": round(sum(r.variant.question.points for r in graded), 6),
        "dlx_version": __version__,
        "ignored": sorted(ignored or []),
        "tests": [r.to_json() for r in graded],
    }


def grade_bank(bank: Bank, seed: int, answers: Mapping[str, Any]) -> tuple[dict[str, Any], list[QuestionResult]]:
    """Grade a mapping of question ids to raw answers; ids the bank lacks are listed under ``ignored``."""
    graded = [grade_question(v, answers.get(v.id)) for v in variants(bank, seed)]
    ignored = [str(k) for k in answers if k not in {q.id for q in bank.questions}]
    return build_result(bank, seed, graded, ignored), graded


def bank_questions(bank_id: str, seed: int) -> list[dict[str, Any]]:
    """The questions of a bank for one seed, without answers: id, kind, points, text, options, answer_format."""
    return [v.public() for v in variants(get_bank(bank_id), seed)]


def grade_answers(bank_id: str, seed: int, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Grade ``{question id: answer}`` for one seed: the same result ``dlx quiz take --answers`` prints."""
    return grade_bank(get_bank(bank_id), seed, answers)[0]
