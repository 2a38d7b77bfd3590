"""Plain-text tables for commands that must start instantly (rich takes longer to import than they run)."""
from __future__ import annotations

import shutil
import unicodedata
from typing import Sequence


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: 2 for each wide (Chinese, Japanese, Korean) character."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def fit(text: str, columns: int) -> str:
    """``text`` cut with "…" to at most ``columns`` terminal columns."""
    if width(text) <= columns:
        return text
    while text and width(text) > columns - 1:
        text = text[:-1]
    return text + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[int] = (), fill: int = -1) -> str:
    """Columns aligned with two spaces; column ``fill`` is cut with "…" so the table fits the terminal width."""
    widths = [max(width(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    available = shutil.get_terminal_size((100, 24)).columns - 2 * (len(headers) - 1)
    if fill >= 0 and sum(widths) > available:
        widths[fill] = max(len(headers[fill]), widths[fill] - (sum(widths) - available))

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(map(str, cells)):
            cell = fit(cell, widths[i])
            padding = " " * (widths[i] - width(cell))
            out.append(padding + cell if i in right else cell + padding)
        return "  ".join(out).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])
