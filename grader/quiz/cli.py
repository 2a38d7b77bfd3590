"""``dlx quiz``: list the banks, show one, take one interactively or from a JSON file of answers."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..i18n import _, ngettext
from ..course_mode import course_aware
from ..errors import DlxError, Interrupted
from ..gradebook import Gradebook
from ..options import SEED
from ..safe_read import read_text_file
from . import display
from .answers import MalformedAnswer, answer_format, parse_answer, uses_letters
from .bank import (
    Bank,
    BankError,
    bank_files,
    get_bank,
    load_bank,
)
from ..results import QuestionResult
from .grading import grade_bank, grade_question, quiz_result, redact, revealed
from .store import REVEAL_KEY, REVEAL_POLICIES, reveal_policy, user_seed
from .variant import Variant, variants



def resolve_seed(book: Gradebook, seed: int | None, new_variant: bool = False) -> int:
    """``--seed`` if given, else the student's stored seed (renewed by ``--new-variant``)."""
    if seed is not None and new_variant:
        raise DlxError(_("give --seed or --new-variant, not both"))
    return seed if seed is not None else user_seed(book, renew=new_variant)


def read_answers(path: str) -> dict[str, Any]:
    """The JSON object of a ``--answers`` file, or a one-line error saying what is wrong with the file."""
    try:
        text = read_text_file(Path(path), _("answers file"))
    except UnicodeDecodeError:
        raise DlxError(_("answers file {path} cannot be read (not UTF-8 text)").format(path=path)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DlxError(_("answers file {path} is not valid JSON ({reason}, line {line})").format(
            path=path, reason=exc.msg, line=exc.lineno)) from None
    except (ValueError, RecursionError):
        raise DlxError(_("answers file {path} is not usable JSON (too large or too deeply nested)")
            .format(path=path)) from None
    if not isinstance(data, dict):
        raise DlxError(_('answers file {path} must hold a JSON object such as {example}').format(
            path=path, example='{"symmetry": "b"}'))
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
            click.echo(_("skipped an invalid bank: {reason}").format(reason=exc), err=True)
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
              help='Grade a JSON file of answers instead of asking: {"question id": option text, key or letter, '
                   'or a number}.')
@click.option("--json", "as_json", is_flag=True, help="With --answers: print the result as JSON.")
@course_aware("quiz_take")
def take(bank_id: str, seed: int | None, new_variant: bool, answers_file: str | None, as_json: bool) -> None:
    """Take a quiz: answer in the terminal, or grade a file with --answers. The attempt is recorded.

    Expected answers and explanations follow the reveal policy (`dlx quiz reveal`): by default, after the
    attempt is recorded, for the questions you answered.
    """
    if as_json and answers_file is None:
        raise DlxError(_("--json needs --answers FILE (the interactive quiz prints to the terminal)"))
    bank = get_bank(bank_id)
    answers = read_answers(answers_file) if answers_file is not None else None
    with Gradebook() as book:
        seed = resolve_seed(book, seed, new_variant)
        policy = reveal_policy(book)
        out = display.console()
        if answers is None:
            given: dict[str, str] = {}
            try:
                result = quiz_result(bank, seed, ask(out, bank, seed, reveal=policy != "never", given=given))
            except click.Abort as stop:  # Ctrl-C or the end of the input, at a prompt
                if not given or policy == "never":
                    raise
                record_cut_short(book, bank, seed, given, ended=isinstance(stop.__context__, EOFError))
        else:
            result = grade_bank(bank, seed, answers)
        book.record(result)
        standing = next(s for s in book.standings("quiz") if s.item == bank.id)
    shown = redact(result, policy)
    if answers is not None and any(uses_letters(v) for k, v in answers.items() if k in {q.id for q in bank.questions}):
        click.echo(_("note: letters name options in the order of your variant (options are shuffled per student); "
                     "an option's text or key means the same in every variant"), err=True)
    if as_json:
        if result.ignored:
            click.echo(_("ignored answers to unknown questions: {ids}")
                .format(ids=", ".join(result.ignored)), err=True)
        click.echo(json.dumps(shown, indent=2))
        return
    if answers is not None:
        shown_variants = variants(bank, seed)
        for number, (variant, question) in enumerate(zip(shown_variants, result.tests, strict=True), start=1):
            display.show_question(out, number, len(shown_variants), variant)
            display.show_feedback(out, variant, question, reveal=revealed(question, policy))
    display.show_summary(out, result)
    first = (_("first full marks at attempt #{n}").format(n=standing.full_marks_attempt) if standing.full_marks_attempt
             else _("no full marks yet"))
    out.print(_("Recorded as attempt #{n} at {bank} ({first}); see your standing with: dlx score").format(
        n=standing.attempts, bank=bank.id, first=first), highlight=False)


@quiz.command()
@click.argument("policy", required=False, metavar="[POLICY]", type=click.Choice(sorted(REVEAL_POLICIES)))
def reveal(policy: str | None) -> None:
    """Show or set when expected answers and explanations are shown (default: answered)."""
    with Gradebook() as book:
        if policy is not None:
            book.set_setting(REVEAL_KEY, policy)
        current = reveal_policy(book)
    for name, meaning in REVEAL_POLICIES.items():
        click.echo(f"{'*' if name == current else ' '} {name:9s} {_(meaning)}")


def record_cut_short(book: Gradebook, bank: Bank, seed: int, given: dict[str, str], ended: bool) -> None:
    """Record an interactive attempt stopped after some answers were revealed, with the answers given so far:
    quitting before the last question must not show the solutions without the attempt counting."""
    book.record(grade_bank(bank, seed, given))
    n = next(s for s in book.standings("quiz") if s.item == bank.id).attempts
    if ended:
        raise DlxError(ngettext(
            "the input ended; your answer was shown with its solution, so it is recorded as attempt #{n}",
            "the input ended; your {k} answers were shown with their solutions, so they are recorded as attempt #{n}",
            len(given)).format(k=len(given), n=n))
    raise Interrupted(ngettext(
        "interrupted; your answer was shown with its solution, so it is recorded as attempt #{n}",
        "interrupted; your {k} answers were shown with their solutions, so they are recorded as attempt #{n}",
        len(given)).format(k=len(given), n=n))


def ask(out: Any, bank: Bank, seed: int, reveal: bool = True, given: dict[str, str] | None = None,
        ) -> list[QuestionResult]:
    """Ask every question in turn with click.prompt (invalid input asks again) and show its feedback;
    ``given`` collects the answers as they come."""
    shown = variants(bank, seed)
    graded = []
    for number, variant in enumerate(shown, start=1):
        display.show_question(out, number, len(shown), variant)
        raw = click.prompt(_("Your answer, {form}: ").format(form=answer_format(variant)), prompt_suffix="",
                           value_proc=checked(variant))
        if given is not None:
            given[variant.id] = raw
        graded.append(grade_question(variant, raw))
        display.show_feedback(out, variant, graded[-1], reveal=reveal)
    return graded


def checked(variant: Variant) -> Any:
    """A click value_proc that accepts only an answer of the question's form."""

    def check(raw: str) -> str:
        try:
            answer = parse_answer(variant, raw)
        except MalformedAnswer as exc:
            raise click.BadParameter(str(exc)) from None
        if answer is None:
            raise click.BadParameter(_("type {form}").format(form=answer_format(variant)))
        return raw

    return check
