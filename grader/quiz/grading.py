"""Grading a quiz: each answer against its variant, then a result shaped like the exercises' results."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from ..i18n import _
from .. import __version__
from .answers import Answer, MalformedAnswer, brief, parse_answer
from .bank import Bank, get_bank
from .variant import Variant, variants

OUTCOMES = ("correct", "partial", "wrong", "unanswered", "malformed")


def choice_credit(variant: Variant, chosen: tuple[str, ...]) -> float:
    """The fraction of a question's points a choice earns.

    Single choice: 1 for the right option, else 0. Multiple choice (partial credit): the share of the
    right options chosen minus the share of the wrong options chosen, never below 0. So every right
    option and nothing else earns 1, half of the right ones and no wrong one earn 0.5, and choosing
    every option (or none) earns 0: guessing gains nothing on average.
    """
    right = set(variant.expected)  # type: ignore[arg-type]
    if variant.kind == "single":
        return 1.0 if set(chosen) == right else 0.0
    wrong_options = len(variant.options) - len(right)
    hits = len(right & set(chosen)) / len(right)
    false_alarms = len(set(chosen) - right) / wrong_options if wrong_options else 0.0
    return max(0.0, hits - false_alarms)


@dataclass(frozen=True)
class QuestionResult:
    """One graded answer."""

    variant: Variant
    outcome: str  # one of OUTCOMES
    given: Answer | str | None  # the canonical answer, or a brief rendering of a malformed one
    verdict: str  # what the student may always see: "wrong: you answered b"
    credit: float = 0.0  # the fraction of the points earned

    @property
    def correct(self) -> bool:
        return self.outcome == "correct"

    @property
    def score(self) -> float:
        return round(self.variant.question.points * self.credit, 6)

    @property
    def answer(self) -> str:
        """The expected answer as text, with the options' texts: shown only when the reveal policy allows."""
        return show_answer(self.variant.expected, self.variant)

    @property
    def message(self) -> str:
        if self.correct:
            return _("correct: {answer}").format(answer=self.answer)
        return _("{verdict}; the answer is {answer}").format(verdict=self.verdict, answer=self.answer)

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
            "verdict": self.verdict,
            "expected": expected,
            "output": f"{self.message}\n{self.variant.explanation}",
            "explanation": self.variant.explanation,
            "visibility": "visible",
        }


def show_answer(answer: Answer, variant: Variant | None = None) -> str:
    """An answer as text: ``b``, ``a, c`` or ``0.0883883``; with the variant, each letter with its option."""
    if isinstance(answer, tuple):
        if variant is not None and variant.options:
            return "; ".join(f"{a}) {variant.options[variant.labels.index(a)]}" for a in answer) or _("nothing")
        return ", ".join(answer) or _("nothing")
    return f"{answer:.6g}" if isinstance(answer, float) else answer


def grade_question(variant: Variant, raw: Any) -> QuestionResult:
    """Grade one raw answer (from a prompt or a JSON file); malformed answers are wrong, never errors."""
    try:
        given = parse_answer(variant, raw)
    except MalformedAnswer as exc:
        return QuestionResult(variant, "malformed", brief(raw), _("unreadable answer ({reason})").format(reason=exc))
    if given is None:
        return QuestionResult(variant, "unanswered", None, _("no answer"))
    if variant.kind == "numeric":
        assert isinstance(given, float) and isinstance(variant.expected, float)
        q = variant.question
        credit = float(math.isclose(given, variant.expected, rel_tol=q.rel_tol, abs_tol=q.abs_tol))
    else:
        credit = choice_credit(variant, given if isinstance(given, tuple) else (given,))  # type: ignore[arg-type]
    if credit == 1.0:
        return QuestionResult(variant, "correct", given, _("correct"), 1.0)
    shown = show_answer(given)
    if credit > 0:
        points = f"{variant.question.points * credit:g}/{variant.question.points:g}"
        return QuestionResult(variant, "partial", given, _("partly right ({points} points): you answered {answer}")
            .format(
            points=points, answer=shown), credit)
    return QuestionResult(variant, "wrong", given, _("wrong: you answered {answer}").format(answer=shown))


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


def redact(result: dict[str, Any], reveal: str) -> dict[str, Any]:
    """The result as the student may see it under a reveal policy (``attempt``, ``answered`` or ``never``):
    the expected answer and the explanation of a hidden question are left out."""
    tests = []
    for test in result["tests"]:
        shown = reveal == "attempt" or (reveal == "answered" and test["outcome"] != "unanswered")
        if not shown:
            test = {k: v for k, v in test.items() if k not in ("expected", "explanation")}
            test["output"] = test["verdict"]
        tests.append(test)
    return {**result, "reveal": reveal, "tests": tests}


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
