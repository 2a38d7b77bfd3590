"""A question as one student sees it: parameters drawn from the seed, placeholders filled."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import template
from .answers import answer_format
from .bank import Bank, BankError, Question
from .params import ComputeError, Number, compute, draw, question_rng


@dataclass(frozen=True)
class Variant:
    """One question for one seed: the text to show and the expected answer."""

    question: Question
    text: str
    explanation: str
    expected: float | tuple[str, ...]  # a number, or the letters of the right options
    values: dict[str, Number]

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def kind(self) -> str:
        return self.question.kind

    def public(self) -> dict[str, Any]:
        """What a student may see before answering: no answer, no explanation."""
        shown: dict[str, Any] = {"id": self.id, "kind": self.kind, "points": self.question.points, "text": self.text}
        if self.kind != "numeric":
            shown["options"] = list(self.question.options)
            shown["labels"] = list(self.question.labels)
        shown["answer_format"] = answer_format(self.question)
        return shown


def make_variant(bank: Bank, question: Question, seed: int) -> Variant:
    """The variant of ``question`` for ``seed`` (the same seed always gives the same variant)."""
    if question.kind != "numeric":
        return Variant(question, template.render(question.text, {}, _show),
                       template.render(question.explanation, {}, _show), question.correct, {})
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
