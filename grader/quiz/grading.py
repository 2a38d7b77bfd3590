"""Grading a quiz: each answer against its variant, into a :class:`~grader.results.QuizResult`
(the exercises' result type, whose tests are the questions)."""
from __future__ import annotations

import math
from typing import Any, Mapping

from ..i18n import _
from ..results import QuestionResult, QuizResult
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


def show_answer(answer: Answer, variant: Variant | None = None) -> str:
    """An answer as text: ``b``, ``a, c`` or ``0.0883883``; with the variant, each letter with its option."""
    if isinstance(answer, tuple):
        if variant is not None and variant.options:
            return _("; ").join(f"{a}) {variant.options[variant.labels.index(a)]}" for a in answer) or _("nothing")
        return ", ".join(answer) or _("nothing")
    return f"{answer:.6g}" if isinstance(answer, float) else answer


def expected_json(variant: Variant) -> float | str | list[str]:
    """The expected answer as JSON: a number, one letter (single choice) or a list of letters."""
    key = variant.expected
    return key if isinstance(key, float) else (key[0] if variant.kind == "single" else list(key))


def message(variant: Variant, question: QuestionResult) -> str:
    """The verdict with the expected answer (and its options' texts): shown only when the reveal policy allows."""
    answer = show_answer(variant.expected, variant)
    return (_("correct: {answer}").format(answer=answer) if question.correct
            else _("{verdict}; the answer is {answer}").format(verdict=question.verdict, answer=answer))


def _graded(variant: Variant, outcome: str, given: Answer | str | None, verdict: str,
            credit: float = 0.0) -> QuestionResult:
    points = variant.question.points
    question = QuestionResult(variant.id, round(points * credit, 6), points,
                              "passed" if outcome == "correct" else "failed", test_id=variant.id, kind=variant.kind,
                              outcome=outcome, given=list(given) if isinstance(given, tuple) else given,
                              verdict=verdict, expected=expected_json(variant),
                              explanation=variant.explanation)
    question.output = f"{message(variant, question)}\n{variant.explanation}"
    return question


def grade_question(variant: Variant, raw: Any) -> QuestionResult:
    """Grade one raw answer (from a prompt or a JSON file); malformed answers are wrong, never errors."""
    try:
        given = parse_answer(variant, raw)
    except MalformedAnswer as exc:
        return _graded(variant, "malformed", brief(raw), _("unreadable answer ({reason})").format(reason=exc))
    if given is None:
        return _graded(variant, "unanswered", None, _("no answer"))
    if variant.kind == "numeric":
        assert isinstance(given, float) and isinstance(variant.expected, float)
        q = variant.question
        credit = float(math.isclose(given, variant.expected, rel_tol=q.rel_tol, abs_tol=q.abs_tol))
    else:
        credit = choice_credit(variant, given if isinstance(given, tuple) else (given,))  # type: ignore[arg-type]
    if credit == 1.0:
        return _graded(variant, "correct", given, _("correct"), 1.0)
    shown = show_answer(given)
    if credit > 0:
        points = f"{variant.question.points * credit:g}/{variant.question.points:g}"
        return _graded(variant, "partial", given, _("partly right ({points} points): you answered {answer}")
                       .format(points=points, answer=shown), credit)
    return _graded(variant, "wrong", given, _("wrong: you answered {answer}").format(answer=shown))


def revealed(question: QuestionResult, reveal: str) -> bool:
    """Whether the reveal policy (``attempt``, ``answered`` or ``never``) shows this question's answer."""
    return reveal == "attempt" or (reveal == "answered" and question.outcome != "unanswered")


def redact(result: QuizResult, reveal: str) -> dict[str, Any]:
    """The result's JSON as the student may see it under a reveal policy: the expected answer and the
    explanation of a hidden question are left out."""
    shown = result.to_json()
    for question, test in zip(result.tests, shown["tests"], strict=True):
        if not revealed(question, reveal):
            del test["expected"], test["explanation"]
            test["output"] = question.verdict
    return {**shown, "reveal": reveal}


def grade_bank(bank: Bank, seed: int, answers: Mapping[str, Any]) -> QuizResult:
    """Grade a mapping of question ids to raw answers; ids the bank lacks are listed under ``ignored``."""
    graded = [grade_question(v, answers.get(v.id)) for v in variants(bank, seed)]
    ignored = [str(k) for k in answers if k not in {q.id for q in bank.questions}]
    return quiz_result(bank, seed, graded, ignored)


def quiz_result(bank: Bank, seed: int, graded: list[QuestionResult], ignored: list[str] | None = None) -> QuizResult:
    """The attempt's result: one test per question."""
    return QuizResult(bank.id, seed, list(graded), title=bank.title, ignored=sorted(ignored or []))


def bank_questions(bank_id: str, seed: int) -> list[dict[str, Any]]:
    """The questions of a bank for one seed, without answers: id, kind, points, text, options, answer_format."""
    return [v.public() for v in variants(get_bank(bank_id), seed)]


def grade_answers(bank_id: str, seed: int, answers: Mapping[str, Any]) -> QuizResult:
    """Grade ``{question id: answer}`` for one seed: the result ``dlx quiz take --answers`` prints as JSON."""
    return grade_bank(get_bank(bank_id), seed, answers)
