"""Rendering results for people: the terminal view of a graded attempt, the list and the progress table."""
from __future__ import annotations

import io
import re

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .catalog import Exercise
from .gradebook import Standing
from .i18n import _
from .results import GradeResult

console = Console(highlight=False)


# C0 and C1 controls but newline and tab, DEL, and the bidirectional overrides that reorder what follows them.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text the student controls, with terminal control characters (ANSI escapes, carriage returns, ...) shown
    escaped, so that it cannot move the cursor, erase or overwrite what dlx prints."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def warm() -> None:
    """Do the first rendering's one-off work (rich's lazy imports, e.g. the emoji codes) now, on a throwaway console."""
    Console(file=io.StringIO(), highlight=False).print(" [green]✓[/] :x: [dim](1/1)[/]")


def _points(x: float) -> str:
    return f"{x:g}"


def show_result(console: Console, exercise: Exercise, result: GradeResult, *, visible: bool = False) -> None:
    """Per-test lines, the failure messages, the total and where to get help."""
    shown: set[str] = set()
    for test in result.tests:
        mark = "[green]✓[/]" if test.passed else "[red]✗[/]"
        pts = "" if visible else f" [dim]({_points(test.score)}/{_points(test.max_score)})[/]"
        console.print(f" {mark} {escape(_(test.name))}{pts}")  # the stored name is English
        if not test.passed and test.output in shown:
            console.print("     [dim]" + _("(the same reason as above)") + "[/]")
        elif not test.passed and test.output:
            shown.add(test.output)
            for line in printable(test.output).splitlines()[:8]:
                console.print(f"     [yellow]{escape(line)}[/]")
    if result.output.strip():
        console.print("\n [dim]" + _("Your code printed:") + "[/]")
        for line in printable(result.output.strip()).splitlines()[:10]:
            console.print(f"   [dim]{escape(line)}[/]")
    passed = sum(t.passed for t in result.tests)
    if visible:
        summary = _("{passed}/{total} visible tests passed").format(passed=passed, total=len(result.tests))
    else:
        summary = _("score {score}/{max_score}").format(score=_points(result.score), max_score=_points(result.max_score))
    colour = "green" if passed == len(result.tests) else "yellow"
    seed = _("(seed {seed}, {seconds} s)").format(seed=result.seed, seconds=f"{result.duration_s:.2f}")
    console.print(f"\n [bold {colour}]{exercise.id}: {summary}[/] [dim]{seed}[/]")
    if passed < len(result.tests):
        console.print(" [dim]" + _("Stuck? `dlx hint {id}` gives the next hint; the statement is in {id}.md.").format(
            id=exercise.id) + "[/]")


def exercise_table(exercises: list[Exercise], best: dict[str, Standing]) -> Table:
    """The `dlx list` table."""
    table = Table(title=_("dlx exercises"), title_justify="left")
    for col, justify in ((_("id"), "left"), (_("unit"), "right"), (_("title"), "left"), (_("points"), "right"),
                         (_("best"), "right")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for e in exercises:
        s = best.get(e.id)
        table.add_row(e.id, str(e.unit), e.title, _points(e.points), "-" if s is None else _points(s.best))
    return table


def _first_full(s: Standing) -> str:
    """Which attempt first scored full marks: "#3", or "-"."""
    return "-" if s.full_marks_attempt is None else f"#{s.full_marks_attempt}"


def progress_table(exercises: list[Exercise], standings: list[Standing]) -> Table:
    """The `dlx score` table: best and latest per exercise and quiz, and the total."""
    by_item = {(s.kind, s.item): s for s in standings}
    table = Table(title=_("dlx progress"), title_justify="left")
    for i, col in enumerate((_("item"), _("best"), _("latest"), _("max"), _("attempts"), _("full marks at"))):
        table.add_column(col, justify="left" if i == 0 else "right")
    total = maximum = 0.0
    for e in exercises:
        s = by_item.get(("exercise", e.id))
        maximum += e.points
        if s is None:
            table.add_row(e.id, "-", "-", _points(e.points), "0", "-")
            continue
        total += s.best
        style = "green" if s.best >= e.points else ""
        table.add_row(e.id, _points(s.best), _points(s.latest), _points(e.points), str(s.attempts), _first_full(s),
                      style=style)
    quizzes = [s for s in standings if s.kind == "quiz"]
    if quizzes:
        table.add_section()
        for s in sorted(quizzes, key=lambda s: s.item):
            total += s.best
            maximum += s.max_score
            table.add_row(_("quiz {id}")
                .format(id=s.item), _points(s.best), _points(s.latest), _points(s.max_score), str(s.attempts),
                          _first_full(s))
    table.add_section()
    table.add_row(_("total"), _points(round(total, 4)), "", _points(maximum), "", "", style="bold")
    return table


def rebind_console() -> None:
    """Set :data:`console` up afresh, in place, for this process's standard output and environment (terminal,
    width, colours): a warm grader's child runs each command for another terminal (see :mod:`grader.daemon`)."""
    console.__init__(highlight=False)  # type: ignore[misc]  # as it was made above
