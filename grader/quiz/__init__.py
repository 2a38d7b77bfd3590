"""Quizzes: TOML question banks under ``exercises/quizzes/``, per-student variants, grading, the ``dlx quiz`` commands.

For other tools (the nbgrader export): :func:`bank_questions` gives a bank's
questions for a seed without their answers, :func:`grade_answers` grades a
``{question id: answer}`` mapping exactly as ``dlx quiz take --answers`` does, into
a :class:`~grader.results.QuizResult` (the exercises' result type; its tests are the questions).
The click group :data:`quiz` is imported on first use, so the grading API does
not load click's and rich's terminal machinery.
"""
from typing import Any

from .bank import Bank, BankError, Question, UnknownBank, get_bank, load_bank
from .grading import bank_questions, grade_answers

__all__ = ["Bank", "BankError", "Question", "UnknownBank", "bank_questions", "get_bank", "grade_answers",
           "load_bank", "quiz"]


def __getattr__(name: str) -> Any:
    if name == "quiz":
        from .cli import quiz

        return quiz
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
