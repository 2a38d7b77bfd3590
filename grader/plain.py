"""Plain-text tables for commands that must start instantly (rich takes longer to import than they run)."""
from __future__ import annotations

import shutil
from typing import Sequence


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[int] = (), fill: int = -1) -> str:
    """Columns aligned with two spaces; column ``fill`` is cut with "…" so the table fits the terminal width."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    available = shutil.get_terminal_size((100, 24)).columns - 2 * (len(headers) - 1)
    if fill >= 0 and sum(widths) > available:
        widths[fill] = max(len(headers[fill]), widths[fill] - (sum(widths) - available))

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(map(str, cells)):
            if len(cell) > widths[i]:
                cell = cell[: widths[i] - 1] + "…"
            out.append(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])
