"""Pictures of the student's own functions beside the reference's (``dlx check/submit --plots``).

Every value drawn is observed through the sandbox proxy, exactly as the hidden
suites observe it, on fixed demonstration inputs of this package (never a
hidden test's inputs); matplotlib runs only here, in the grading process, and
only once :func:`build_figures` draws.  Grading never imports this package.

For other front ends (a course dashboard, nbgrader feedback) use
:func:`build_figures`: one :class:`Figure` per picture, with its PNG bytes
(or a note saying why it is missing) and the observations it was drawn from.
:func:`write_report` is the HTML front end of the command line.  In nbgrader
feedback, a cell can show each ``Figure.png`` with ``IPython.display.Image``:
the picture becomes an ``image/png`` output and nothing is written to stderr.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.markup import escape

from ..catalog import Exercise
from ..errors import DlxError, os_reason
from ..i18n import _, language
from ..proxy import RemoteModule
from ..safe_read import output_file
from ..runner import _reference_for, _require_torch, worker_spec
from .figure import Figure, FigureSpec, Side, draw_figure, matplotlib_available, observe_figure
from .fonts import missing_font_note
from .html import render_html
from .registry import FIGURES, figures_for

__all__ = ["Figure", "PlotsUnavailable", "build_figures", "missing_font_note", "observe_figures", "report_path",
           "require_plots", "write_report"]


class PlotsUnavailable(DlxError):
    """matplotlib is not installed (or the exercise has no pictures); the message is one line."""


def require_plots(exercise: Exercise) -> None:
    """A one-line :class:`PlotsUnavailable` unless ``exercise`` has pictures and matplotlib is installed."""
    if not figures_for(exercise.id):
        with_pictures = ", ".join(FIGURES)
        raise PlotsUnavailable(_("{id} has no pictures; --plots works for {exercises}").format(
            id=exercise.id, exercises=with_pictures))
    if not matplotlib_available():
        raise PlotsUnavailable(_('--plots needs matplotlib; install it with: pip install "dlx[plots]"'))


def _specs(exercise: Exercise, only: str | None) -> list[FigureSpec]:
    return [spec for spec in figures_for(exercise.id) if only is None or spec.name == only]


def observe_figures(exercise: Exercise, source: str, only: str | None = None) -> list[Figure]:
    """Observe the student's file and the reference on the demonstration inputs; nothing is drawn.

    ``only`` keeps the one figure with that English title (:attr:`FigureSpec.name`).
    """
    specs = _specs(exercise, only)
    if not specs:
        raise PlotsUnavailable(_("{id} has no pictures").format(id=exercise.id))
    _require_torch(exercise)
    with RemoteModule(worker_spec(exercise, source), exercise.filename) as submission, \
            _reference_for(exercise) as reference:
        student_side, reference_side = Side(submission), Side(reference)
        return [observe_figure(spec, student_side, reference_side) for spec in specs]


def build_figures(exercise: Exercise, source: str, only: str | None = None) -> list[Figure]:
    """The exercise's figures for ``source``, observed then drawn (PNG bytes in ``Figure.png``), in this run's
    language (the labels in English where no font has its letters: :func:`missing_font_note` says so)."""
    require_plots(exercise)
    figures = observe_figures(exercise, source, only)
    return [draw_figure(spec, figure) for spec, figure in zip(_specs(exercise, only), figures)]


def report_path(student_file: Path) -> Path:
    """Where the report of ``student_file`` goes: beside it, ``<stem>_plots.html``."""
    return student_file.with_name(f"{student_file.stem}_plots.html")


def write_report(exercise: Exercise, source: str, student_file: Path) -> Path:
    """Write the HTML report beside the student's file and return its path (and print the missing font's note)."""
    figures = build_figures(exercise, source)
    intro = _("Your {file} as of {time} (red, solid) beside the reference solution (black, dashed), on fixed "
              "demonstration inputs that are not the hidden tests' inputs. Each picture was computed from values your "
              "functions returned in the sandbox.").format(file=exercise.filename,
                                                           time=f"{datetime.now():%Y-%m-%d %H:%M}")
    note = missing_font_note()
    if note:
        from ..report import console

        console.print("[dim]" + escape(note) + "[/]")
        intro += " " + note
    path = output_file(report_path(student_file))  # a FIFO there would hang the write
    try:
        path.write_text(render_html(f"dlx: {exercise.id} ({exercise.title})", intro, figures, language()),
                        encoding="utf-8")
    except OSError as exc:
        raise DlxError(_("cannot write {path}: {reason}").format(path=path, reason=os_reason(exc))) from None
    return path
