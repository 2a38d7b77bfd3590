"""Watch mode, like rustlings': re-run the visible tests on every save, keys for a hint, the statement, quit.

``dlx check ID --watch`` watches one exercise. ``dlx watch`` follows the course order: it starts at
the first exercise without full marks and, once the visible tests pass, runs the hidden tests, records
the attempt, and moves on when they give full marks.
"""
from __future__ import annotations

import contextlib
import os
import select
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import click

from .errors import DlxError
from .i18n import N_, _

if TYPE_CHECKING:
    from .catalog import Exercise

POLL_S = 0.05  # how often the file's modification stamp is checked: save to result stays well under 0.3 s
KEYS = N_("[bold]h[/] next hint · [bold]s[/] statement · [bold]r[/] run again · [bold]q[/] quit")


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


@contextlib.contextmanager
def _keys() -> Iterator[int | None]:
    """stdin's descriptor in cbreak mode (one key at a time, no echo) while watching, or None without stdin."""
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):
        yield None
        return
    if not os.isatty(fd):
        yield fd
        return
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield fd
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


class Watcher:
    """Waits for a save or a key; shows results, hints and the statement."""

    def __init__(self, fd: int | None):
        self.fd = fd

    def next_event(self, path: Path, last: tuple[int, int] | None) -> str:
        """"save" when ``path`` changed, or the key pressed ("h", "s", "r", "q")."""
        while True:
            ready = []
            if self.fd is not None:
                ready, _, _ = select.select([self.fd], [], [], POLL_S)
            else:
                time.sleep(POLL_S)
            if ready:
                data = os.read(self.fd, 64)  # type: ignore[arg-type]
                if not data:
                    self.fd = None  # stdin closed: keep watching the file
                for key in data.decode("ascii", "ignore").lower():
                    if key in "hsrq":
                        return key
                    if key == "\n":
                        return "r"
            if _stamp(path) != last:
                return "save"


def _run(exercise: Exercise, path: Path, course: bool, notice: str = "") -> bool:
    """Clear the screen, show ``notice``, run the visible tests (and, in course mode, the hidden ones); True when
    done."""
    from .cli import grade_and_show, record_submission
    from .report import console

    console.clear()
    console.rule(f"{exercise.id} · {path}")
    if notice:
        console.print(notice)
    try:
        _source, result = grade_and_show(exercise, path, visible=True)
    except DlxError as exc:  # an unreadable or missing file, say: say it and keep watching
        console.print(f"[red]dlx: {exc}[/]")
        return False
    if not all(t.passed for t in result.tests):
        return False
    if not course:
        console.print("\n [bold green]" + _("all visible tests pass: `dlx submit {id}`").format(id=exercise.id) + "[/]")
        return False
    console.print("\n " + _("[bold green]all visible tests pass[/]; running the hidden tests and recording the attempt:"))
    source, hidden = grade_and_show(exercise, path, visible=False)
    best = record_submission(exercise, source, hidden)
    if hidden.score >= hidden.max_score:
        return True
    console.print(" [dim]" + _("Recorded; best so far {best}/{points}. Fix what the hidden tests found.").format(
        best=f"{best:g}", points=f"{exercise.points:g}") + "[/]")
    return False


def watch_exercise(exercise: Exercise, path: Path, course: bool = False, fd: int | None = None,
                   notice: str = "") -> bool:
    """Watch one exercise until q or Ctrl-C (False) or, in course mode, until its hidden tests pass (True);
    ``notice`` heads its first run (the previous exercise's full marks, which the cleared screen no longer shows)."""
    from .cli import show_hint
    from .report import console
    from .sandbox.spawn import use_fork_servers

    use_fork_servers(True)  # each run forks a warm worker instead of starting Python and NumPy again
    try:
        with _keys() if fd is None else contextlib.nullcontext(fd) as keys:
            watcher = Watcher(keys)
            event = "save"
            while True:
                if event in ("save", "r"):
                    last = _stamp(path)
                    if _run(exercise, path, course, notice):
                        return True
                    notice = ""
                    console.print("\n [dim]" + _("Watching {path} for saves · {keys} · Ctrl-C stops")
                        .format(path=path, keys=_(KEYS))
                                  + "[/]")
                elif event == "h":
                    show_hint(exercise)
                elif event == "s":
                    from rich.markdown import Markdown

                    console.print(Markdown(exercise.statement.read_text(encoding="utf-8")))
                elif event == "q":
                    console.print("[dim]" + _("stopped watching") + "[/]")
                    return False
                event = watcher.next_event(path, last)
    except KeyboardInterrupt:
        console.print("\n[dim]" + _("stopped watching") + "[/]")
        return False


def first_unfinished() -> list[Exercise]:
    """The exercises, in course order, from the first one without full marks."""
    from .catalog import catalog
    from .gradebook import Gradebook

    with Gradebook() as book:
        best = {s.item: s.best for s in book.standings("exercise")}
    ordered = list(catalog().values())
    for index, exercise in enumerate(ordered):
        if best.get(exercise.id, 0.0) < exercise.points:
            return ordered[index:]
    return []


@click.command("watch")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder holding your exercise files.")
def watch_command(directory: Path) -> None:
    """Follow the course: watch the first exercise without full marks, move on when its hidden tests pass.

    Missing exercise files are fetched (existing work is never touched). Keys: h hint, s statement, q quit.
    """
    from .cli import write_exercise_files
    from .report import console

    notice = ""
    for exercise in first_unfinished():
        path = directory / exercise.filename
        if not path.exists():
            write_exercise_files(exercise, directory)
        elif path.is_dir():
            raise DlxError(_("{path} is a folder, not your solution file").format(path=path))
        if not watch_exercise(exercise, path, course=True, notice=notice):
            return
        console.print("\n " + _("[bold green]{id}: full marks.[/] Moving on...").format(id=exercise.id))
        notice = " " + _("[bold green]✓ {id}: full marks, recorded.[/] Next in the course:").format(id=exercise.id)
    console.print(_("[bold green]Every exercise has full marks. Well done![/] `dlx score` shows your progress."))
