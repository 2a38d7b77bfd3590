"""Terminal output of quizzes (rich); question and bank texts are printed literally, never as markup."""
from __future__ import annotations


from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..i18n import _
from .bank import Bank
from ..results import QuestionResult, QuizResult
from .grading import message
from .variant import Variant

MARKS = {"correct": ("✔", "green"), "partial": ("◐", "yellow"), "wrong": ("✘", "red"), "unanswered": ("–", "yellow"),
         "malformed": ("✘", "red")}


def console() -> Console:
    """A console on the current stdout (so click's test runner captures it)."""
    return Console(highlight=False, emoji=False)


def points(value: float) -> str:
    return f"{value:g}"


def show_banks(out: Console, banks: list[Bank]) -> None:
    table = Table(_("bank"), _("title"), _("questions"), _("points"), box=None, header_style="bold")
    for bank in banks:
        table.add_row(Text(bank.id), Text(bank.title), str(len(bank.questions)), points(bank.max_score))
    out.print(table)
    out.print(Text(_("Take one with: dlx quiz take BANK"), style="dim"))


def show_question(out: Console, number: int, total: int, variant: Variant) -> None:
    question = variant.question
    kind = {"single": _("one answer"), "multiple": _("every right answer"), "numeric": _("a number")}[question.kind]
    out.print()
    out.print(Text(_("Question {number}/{total} · {id} · {kind} · {points} pt").format(
        number=number, total=total, id=variant.id, kind=kind, points=points(question.points)), style="bold"))
    out.print(Text(variant.text))
    if variant.options:
        options = Table.grid(padding=(0, 1))
        options.add_column(no_wrap=True)
        options.add_column()
        for label, option in zip(variant.labels, variant.options, strict=True):
            options.add_row(f"  {label})", Text(option))
        out.print(options)


def show_feedback(out: Console, variant: Variant, question: QuestionResult, reveal: bool = True) -> None:
    """The verdict; with ``reveal``, the expected answer and the explanation too."""
    mark, style = MARKS[question.outcome]
    out.print(Text(f"{mark} {message(variant, question) if reveal else question.verdict}", style=style))
    if reveal:
        out.print(Text(question.explanation, style="dim"))


def show_summary(out: Console, result: QuizResult) -> None:
    """One line per question (its mark and points), then the total."""
    out.print()
    table = Table("#", _("question"), "", _("points"), box=None, header_style="bold")
    for number, question in enumerate(result.tests, start=1):
        mark, style = MARKS[question.outcome]
        table.add_row(str(number), Text(question.name), Text(mark, style=style),
                      f"{points(question.score)}/{points(question.max_score)}")
    out.print(table)
    out.print(Text(_("{bank}: {score} / {max_score} points (variant {seed})").format(
        bank=result.item, score=points(result.score), max_score=points(result.max_score), seed=result.seed),
        style="bold"))
    if result.ignored:
        out.print(Text(_("ignored answers to unknown questions: {ids}").format(ids=", ".join(result.ignored)),
                       style="yellow"))
