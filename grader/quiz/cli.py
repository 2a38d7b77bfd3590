"""``dlx quiz``: list the banks, show one, take one interactively or from a JSON file of answers."""
from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import click

from ..cli_course import course_aware
from ..gradebook import Gradebook, GradebookError
from . import display
from .answers import MalformedAnswer, answer_format, parse_answer
from .bank import (
    Bank,
    BankError,
    Question,
    UnknownBank,
    bank_files,
    get_bank,
    load_bank,
)
from .grading import QuestionResult, build_result, grade_bank, grade_question
from .store import record_attempt, user_seed
from .variant import variants

SEED = click.IntRange(min=0)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Turn the quiz's expected failures into click's one-line ``Error: ...`` and a non-zero exit."""
    try:
        yield
    except (UnknownBank, BankError, GradebookError) as exc:
        raise click.ClickException(str(exc)) from None


def resolve_seed(book: Gradebook, seed: int | None, new_variant: bool = False) -> int:
    """``--seed`` if given, else the student's stored seed (renewed by ``--new-variant``)."""
    if seed is not None and new_variant:
        raise click.ClickException("give --seed or --new-variant, not both")
    return seed if seed is not None else user_seed(book, renew=new_variant)


def read_answers(path: str) -> dict[str, Any]:
    """The JSON object of a ``--answers`` file, or a one-line error saying what is wrong with the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise click.ClickException(f"answers file {path} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise click.ClickException(f"answers file {path} cannot be read ({reason})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"answers file {path} is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except (ValueError, RecursionError):
        raise click.ClickException(f"answers file {path} is not usable JSON (too large or too deeply nested)") from None
    if not isinstance(data, dict):
        raise click.ClickException(f'answers file {path} must hold a JSON object such as {{"symmetry": "b"}}')
    return data


@click.group()
def quiz() -> None:
    """Quizzes on the course's ideas: choice and numeric questions, graded and recorded."""


@quiz.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the banks as JSON.")
def list_banks(as_json: bool) -> None:
    """List the quiz banks."""
    banks: list[Bank] = []
    for path in bank_files():
        try:
            banks.append(load_bank(path))
        except BankError as exc:
            click.echo(f"skipped an invalid bank: {exc}", err=True)
    banks.sort(key=lambda b: (b.order, b.id))
    if as_json:
        click.echo(json.dumps([{"id": b.id, "title": b.title, "description": b.description,
                                "questions": len(b.questions), "max_score": b.max_score} for b in banks], indent=2))
    else:
        display.show_banks(display.console(), banks)


@quiz.command()
@click.argument("bank_id", metavar="BANK")
@click.option("--seed", type=SEED, help="Show this variant instead of your own.")
@click.option("--json", "as_json", is_flag=True, help="Print the questions as JSON (never the answers).")
@course_aware("quiz_show")
def show(bank_id: str, seed: int | None, as_json: bool) -> None:
    """Show a bank's questions, without their answers."""
    with one_line_errors():
        bank = get_bank(bank_id)
        if seed is None:
            with Gradebook() as book:
                seed = resolve_seed(book, None)
        shown = variants(bank, seed)
    if as_json:
        click.echo(json.dumps({"bank": bank.id, "title": bank.title, "seed": seed,
                               "questions": [v.public() for v in shown]}, indent=2))
        return
    out = display.console()
    for number, variant in enumerate(shown, start=1):
        display.show_question(out, number, len(shown), variant)


@quiz.command()
@click.argument("bank_id", metavar="BANK")
@click.option("--seed", type=SEED, help="Take this variant instead of your own.")
@click.option("--new-variant", is_flag=True, help="Draw a new variant and keep it as your own from now on.")
@click.option("--answers", "answers_file", metavar="FILE",
              help='Grade a JSON file of answers instead of asking, e.g. {"symmetry": "b", "xavier": 0.088}.')
@click.option("--json", "as_json", is_flag=True, help="With --answers: print the result as JSON.")
@course_aware("quiz_take")
def take(bank_id: str, seed: int | None, new_variant: bool, answers_file: str | None, as_json: bool) -> None:
    """Take a quiz: answer in the terminal, or grade a file with --answers. The attempt is recorded."""
    if as_json and answers_file is None:
        raise click.ClickException("--json needs --answers FILE (the interactive quiz prints to the terminal)")
    with one_line_errors():
        bank = get_bank(bank_id)
        answers = read_answers(answers_file) if answers_file is not None else None
        with Gradebook() as book:
            seed = resolve_seed(book, seed, new_variant)
            out = display.console()
            if answers is None:
                result = build_result(bank, seed, ask(out, bank, seed))
            else:
                result, graded = grade_bank(bank, seed, answers)
                if not as_json:
                    for number, item in enumerate(graded, start=1):
                        display.show_question(out, number, len(graded), item.variant)
                        display.show_feedback(out, item)
            attempt = record_attempt(book, result)
    if as_json:
        if result["ignored"]:
            click.echo(f"ignored answers to unknown questions: {', '.join(result['ignored'])}", err=True)
        click.echo(json.dumps(result, indent=2))
        return
    display.show_summary(out, result)
    out.print(f"Recorded as attempt {attempt}; see your standing with: dlx score", highlight=False)


def ask(out: Any, bank: Bank, seed: int) -> list[QuestionResult]:
    """Ask every question in turn with click.prompt (invalid input asks again) and show its feedback."""
    shown = variants(bank, seed)
    graded = []
    for number, variant in enumerate(shown, start=1):
        display.show_question(out, number, len(shown), variant)
        raw = click.prompt(f"Your answer, {answer_format(variant.question)}", value_proc=checked(variant.question))
        graded.append(grade_question(variant, raw))
        display.show_feedback(out, graded[-1])
    return graded


def checked(question: Question) -> Any:
    """A click value_proc that accepts only an answer of the question's form."""

    def check(raw: str) -> str:
        try:
            answer = parse_answer(question, raw)
        except MalformedAnswer as exc:
            raise click.BadParameter(str(exc)) from None
        if answer is None:
            raise click.BadParameter(f"type {answer_format(question)}")
        return raw

    return check
