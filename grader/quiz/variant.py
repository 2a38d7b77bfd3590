"""A question as one student sees it: parameters drawn from the seed, placeholders filled, options shuffled."""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from . import template
from .bank import LETTERS, Bank, BankError, Question
from .params import ComputeError, Number, compute, draw, question_rng


@dataclass(frozen=True)
class Variant:
    """One question for one seed: the text to show, the options in this student's order, the expected answer."""

    question: Question
    text: str
    explanation: str
    expected: float | tuple[str, ...]  # a number, or the letters (as shown to this student) of the right options
    values: dict[str, Number]
    options: tuple[str, ...] = ()  # in the order shown, labelled a, b, c, ...

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def labels(self) -> str:
        return LETTERS[: len(self.options)]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.question.keys[self.question.options.index(o)] for o in self.options)

    def public(self) -> dict[str, Any]:
        """What a student may see before answering: no answer, no explanation."""
        from .answers import answer_format

        shown: dict[str, Any] = {"id": self.id, "kind": self.kind, "points": self.question.points, "text": self.text}
        if self.kind != "numeric":
            shown["options"] = list(self.options)
            shown["labels"] = list(self.labels)
            shown["keys"] = list(self.keys)
        shown["answer_format"] = answer_format(self)
        return shown


def option_order(bank: Bank, question: Question, seed: int) -> list[int]:
    """The bank positions of the options in the order this seed shows them (a fair shuffle per student)."""
    order = list(range(len(question.options)))
    random.Random(f"dlx-quiz-options/{bank.id}/{question.id}/{seed}").shuffle(order)
    return order


def make_variant(bank: Bank, question: Question, seed: int) -> Variant:
    """The variant of ``question`` for ``seed`` (the same seed always gives the same variant)."""
    if question.kind != "numeric":
        order = option_order(bank, question, seed)
        options = tuple(question.options[i] for i in order)
        bank_letters = [question.labels[i] for i in order]
        expected = tuple(sorted(LETTERS[shown] for shown, letter in enumerate(bank_letters) if letter in question.correct))
        return Variant(question, template.render(question.text, {}, _show),
                       template.render(question.explanation, {}, _show), expected, {}, options)
    assert question.answer is not None
    drawn = draw(question.params, question_rng(bank.id, question.id, seed))
    try:
        values = compute(drawn, question.derived, question.answer)
    except ComputeError as exc:  # validation tries many seeds, so this is rare
        raise BankError(f"{bank.path}: question {question.id!r}: {exc} (seed {seed})") from None

    def show(name: str, value: object) -> str:
        spec = question.params.get(name)
        return spec.show(value) if spec else _show(name, value)  # type: ignore[arg-type]

    return Variant(question, template.render(question.text, values, show),
                   template.render(question.explanation, values, show), float(values["answer"]) + 0.0, values)


def variants(bank: Bank, seed: int) -> list[Variant]:
    """Every question of the bank for one seed, in the bank's order."""
    return [make_variant(bank, q, seed) for q in bank.questions]


def _show(name: str, value: object) -> str:
    """Derived values and the answer, to six significant figures."""
    return f"{value + 0.0:.6g}" if isinstance(value, float) else str(value)  # + 0.0 turns -0.0 into 0.0
