"""Parameters of numeric questions: drawn per student from a seed, then the derived values and the answer."""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from .expr import Expr, ExprError

Number = int | float
MAX_DIGITS = 10


class ComputeError(ValueError):
    """A derived value or the answer cannot be computed; ``field`` says which."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"field {field!r}: {problem}")
        self.field = field
        self.problem = problem


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class ParamSpec:
    """One parameter: a list of ``choices``, or a uniform ``range`` rounded to ``digits`` decimals."""

    name: str
    choices: tuple[Number, ...] = ()
    low: float = 0.0
    high: float = 0.0
    digits: int = 2

    @classmethod
    def from_toml(cls, name: str, raw: Any) -> "ParamSpec":
        """Build from ``{choices = [...]}`` or ``{range = [lo, hi], digits = d}``; ValueError says what is wrong."""
        if not isinstance(raw, dict):
            raise ValueError("must be a table: {choices = [...]} or {range = [low, high], digits = 2}")
        unknown = set(raw) - {"choices", "range", "digits"}
        if unknown:
            raise ValueError(f"unknown key(s) {', '.join(sorted(unknown))} (allowed: choices, or range and digits)")
        if ("choices" in raw) == ("range" in raw):
            raise ValueError("give exactly one of 'choices' or 'range'")
        if "choices" in raw:
            choices = raw["choices"]
            if "digits" in raw:
                raise ValueError("'digits' goes with 'range', not with 'choices'")
            if not isinstance(choices, list) or not choices or not all(is_number(c) for c in choices):
                raise ValueError("'choices' must be a non-empty list of numbers")
            return cls(name, choices=tuple(choices))
        bounds, digits = raw["range"], raw.get("digits", 2)
        if not isinstance(bounds, list) or len(bounds) != 2 or not all(is_number(b) for b in bounds):
            raise ValueError("'range' must be two numbers [low, high]")
        if not isinstance(digits, int) or isinstance(digits, bool) or not 0 <= digits <= MAX_DIGITS:
            raise ValueError(f"'digits' must be a whole number from 0 to {MAX_DIGITS}")
        low, high = float(bounds[0]), float(bounds[1])
        if not low < high:
            raise ValueError(f"'range' must have low < high, got [{bounds[0]}, {bounds[1]}]")
        if round(low, digits) != low or round(high, digits) != high:
            raise ValueError(f"the bounds of 'range' must have at most {digits} decimal(s) (the 'digits')")
        return cls(name, low=low, high=high, digits=digits)

    def draw(self, rng: random.Random) -> Number:
        """One value; a range value is rounded to ``digits`` decimals (a whole number if 0)."""
        if self.choices:
            return rng.choice(self.choices)
        value = round(rng.uniform(self.low, self.high), self.digits)
        return int(value) if self.digits == 0 else value

    def extremes(self) -> tuple[Number, ...]:
        """Values worth checking when a bank is validated: every choice, or both ends of the range."""
        return self.choices or (self.low, self.high)

    def show(self, value: Number) -> str:
        """The value as the student reads it in the question."""
        return str(value) if self.choices else f"{value:.{self.digits}f}"


def question_rng(bank_id: str, question_id: str, seed: int) -> random.Random:
    """The generator of one question's parameters: stable across runs, platforms and bank edits."""
    return random.Random(f"dlx-quiz/{bank_id}/{question_id}/{seed}")


def draw(params: Mapping[str, ParamSpec], rng: random.Random) -> dict[str, Number]:
    """Draw every parameter, in the order they are declared."""
    return {name: spec.draw(rng) for name, spec in params.items()}


def compute(drawn: Mapping[str, Number], derived: Mapping[str, Expr], answer: Expr) -> dict[str, Number]:
    """The drawn parameters, then each derived value in order, then ``answer``."""
    values: dict[str, Number] = dict(drawn)
    for name, expr in [*derived.items(), ("answer", answer)]:
        try:
            values[name] = expr.evaluate(values)
        except ExprError as exc:
            field = "answer" if name == "answer" else f"derived.{name}"
            shown = ", ".join(f"{k} = {v}" for k, v in drawn.items())
            raise ComputeError(field, f"{exc} when {shown or 'no parameters'}") from None
    return values


def corner_draws(params: Mapping[str, ParamSpec], limit: int = 512) -> Iterator[dict[str, Number]]:
    """Combinations of every parameter's extremes (at most ``limit``), for validation."""
    names = list(params)
    for combo in itertools.islice(itertools.product(*(params[n].extremes() for n in names)), limit):
        yield dict(zip(names, combo, strict=True))
