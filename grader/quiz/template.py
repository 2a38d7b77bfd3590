"""Placeholders in question texts: ``{name}`` or ``{name:.3f}``; ``{{`` and ``}}`` are literal braces."""
from __future__ import annotations

import re
from typing import Callable, Mapping

PATTERN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}")


class TemplateError(ValueError):
    """A placeholder names an unknown value or has an invalid format."""


def placeholders(text: str) -> list[tuple[str, str | None]]:
    """The ``(name, format spec)`` pairs used in ``text``, in order."""
    return [(m.group(1), m.group(2)) for m in PATTERN.finditer(text) if m.group(1)]


def check(text: str, names: set[str]) -> None:
    """Raise :class:`TemplateError` if a placeholder is unknown or its format is invalid."""
    for name, spec in placeholders(text):
        if name not in names:
            known = ", ".join(sorted(names)) or "none here"
            raise TemplateError(f"unknown placeholder {{{name}}} (known: {known}; "
                                "write {{ and }} for literal braces)")
        if spec is not None:
            try:
                format(1.5, spec)
            except ValueError as exc:
                raise TemplateError(f"invalid format {{{name}:{spec}}} ({exc})") from None


def render(text: str, values: Mapping[str, object], default: Callable[[str, object], str]) -> str:
    """Fill the placeholders; ``default(name, value)`` formats a value without a format spec."""

    def replace(match: re.Match[str]) -> str:
        token, name, spec = match.group(0), match.group(1), match.group(2)
        if name is None:
            return token[0]
        value = values[name]
        return format(value, spec) if spec is not None else default(name, value)

    return PATTERN.sub(replace, text)
