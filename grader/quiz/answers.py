"""Reading a student's answer: options named by letter, key or text, or a number.

Accepted forms (case and surrounding spaces do not matter):

- single choice: the option's text, its key (``"3fa2c1"``, stable for every student; ``dlx quiz show
  --json`` lists them) or the letter it has in this student's variant (``"b"``; options are shuffled
  per student, so a letter means nothing in another variant);
- multiple choice: a list of those, ``["a", "c"]``, or one string ``"a,c"`` / ``"a c"`` / ``"ac"``;
- numeric: a number ``0.125`` or a numeric string ``"0.125"``, ``"1.25e-1"``.

``None``, an empty string and an empty list are "no answer". Anything else that
does not fit raises :class:`MalformedAnswer`, which grading counts as wrong.
"""
from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from ..i18n import _

if TYPE_CHECKING:
    from .variant import Variant

Answer = str | tuple[str, ...] | float
SEPARATORS = re.compile(r"[\s,;]+")


class MalformedAnswer(ValueError):
    """The answer does not have the form the question asks for; the message says which form."""


def answer_format(variant: Variant) -> str:
    """How to write an answer to this question, for prompts and for ``quiz show``."""
    letters = f"{variant.labels[0]}-{variant.labels[-1]}" if variant.options else ""
    if variant.kind == "single":
        return _("one letter ({letters}), or the option's key or text").format(letters=letters)
    if variant.kind == "multiple":
        return _("every right letter ({letters}), e.g. a,c (or a list of keys or texts)").format(letters=letters)
    return _("a number, e.g. 0.125 or 1.25e-3")


def brief(raw: Any, limit: int = 60) -> str:
    """A short, safe rendering of whatever the student sent."""
    try:
        text = repr(raw)
    except RecursionError:
        return _("a deeply nested value")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def parse_answer(variant: Variant, raw: Any) -> Answer | None:
    """The answer in canonical form (the variant's letters, sorted; or a number), ``None`` if there is none,
    or :class:`MalformedAnswer`."""
    if raw is None or raw == [] or (isinstance(raw, str) and not raw.strip()):
        return None
    if variant.kind == "single":
        if not isinstance(raw, str):
            raise MalformedAnswer(_("expected {form}, got {answer}")
                .format(form=answer_format(variant), answer=brief(raw)))
        return _option(variant, raw)
    if variant.kind == "multiple":
        if isinstance(raw, str):
            try:
                return (_option(variant, raw),)  # one option's text or key
            except MalformedAnswer:
                items: list[Any] = list(SEPARATORS.sub("", raw))  # letters: "a,c", "a c", "ac"
        elif isinstance(raw, list):
            items = raw
        else:
            raise MalformedAnswer(_("expected {form}, got {answer}")
                .format(form=answer_format(variant), answer=brief(raw)))
        if not all(isinstance(i, str) for i in items):
            raise MalformedAnswer(_("expected {form}, got {answer}")
                .format(form=answer_format(variant), answer=brief(raw)))
        return tuple(sorted({_option(variant, i) for i in items}))
    return _number(raw)


def _option(variant: Variant, item: str) -> str:
    """The letter of the option named by ``item``: a letter, a key or the option's text."""
    wanted = _normal(item)
    if len(wanted) == 1 and wanted in variant.labels:
        return wanted
    for label, key, text in zip(variant.labels, variant.keys, variant.options, strict=True):
        if wanted in (key, _normal(text)):
            return label
    raise MalformedAnswer(_("{answer} is not one of the options: give a letter ({letters}), an option's key or its "
                            "text").format(answer=brief(item), letters=f"{variant.labels[0]}-{variant.labels[-1]}"))


def uses_letters(raw: Any) -> bool:
    """Whether a raw answer names options by letter (which only mean something in one variant)."""
    items = raw if isinstance(raw, list) else [raw]
    return any(isinstance(i, str) and 0 < len(SEPARATORS.sub("", i)) <= 3 and SEPARATORS.sub("", i).isalpha()
               for i in items)


def _number(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise MalformedAnswer(_("expected a number, got {answer}").format(answer=brief(raw)))
    try:
        value = float(raw.strip() if isinstance(raw, str) else raw)
    except (ValueError, OverflowError):
        raise MalformedAnswer(_("expected a number, got {answer}").format(answer=brief(raw))) from None
    if not math.isfinite(value):
        raise MalformedAnswer(_("expected a finite number, got {answer}").format(answer=brief(raw)))
    return value
