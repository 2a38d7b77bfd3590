"""The ``%dlx`` magic (``%load_ext dlx``): check, submit, hint and score from Jupyter or IPython.

The kernel never judges the student's code: the magic takes the source of the
cells that defined the exercise's functions and hands that text to a new dlx
process, which grades it as the CLI does (the same sandboxed worker and
suites, untouched by the kernel's state); ``submit`` records in the same
gradebook, or, logged in to a course (`dlx login`), goes to the course server
as `dlx submit` does (``--offline`` keeps it local). Output goes through dlx's
rich console, which renders HTML in JupyterLab and Notebook and text in a
terminal. Every error is one line.
"""
from __future__ import annotations

import linecache
import os
import re
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .i18n import N_, _, ngettext
from .errors import DlxError, os_error_message

if TYPE_CHECKING:
    from .catalog import Exercise
    from .course_client import CourseClient
    from .results import GradeResult

USAGE = N_("usage: %dlx check ID [--plots] | %dlx submit ID [--plots] [--offline] | %dlx hint ID | %dlx score "
           "[--offline]")

# A top-level magic or shell escape in a cell, as IPython transforms it; the sandbox has no IPython.
_IPYTHON_CALL = re.compile(r"^get_ipython\(\)\..*$", re.MULTILINE)


def cell_source(shell: Any, names: tuple[str, ...]) -> str:
    """The source of the cells that defined ``names`` in the kernel, the last run cell last.

    One cell per name comes from :func:`grader.notebook.student_source`; the cells are ordered
    by when they last ran, so a function redefined in a later cell wins as it does in the kernel.
    """
    from .notebook import student_source

    namespace = shell.user_ns
    missing = [name for name in names if name not in namespace]
    if missing:
        raise DlxError(ngettext("{names} is not defined in this kernel; run the cell with your code first",
                                "{names} are not defined in this kernel; run the cell with your code first",
                                len(missing)).format(names=", ".join(missing)))
    ran: dict[str, int] = {}  # a cell's text: when it last ran
    for filename, count in getattr(shell.compile, "_filename_map", {}).items():
        text = "".join(linecache.getlines(filename))
        ran[text] = max(count, ran.get(text, 0))
    cells: list[str] = []
    for name in names:
        text = student_source(namespace, [name])
        if not text.strip():
            raise DlxError(_("cannot find the cell that defined {name}; run the cell with your code again").format(
                name=name))
        if text not in cells:
            cells.append(text)
    cells.sort(key=lambda text: ran.get(text, 0))
    return _IPYTHON_CALL.sub("pass", "\n\n".join(cells))


def grade_in_new_process(exercise: Exercise, source: str, *, visible: bool = False) -> GradeResult:
    """Grade ``source`` as the CLI does, in a new dlx process: nothing the kernel's state touches (NumPy's error
    settings, a patched module) reaches the suite or the reference."""
    import json
    import subprocess

    from .results import GradeResult

    command = [sys.executable, "-m", "grader.jupyter", exercise.id, *(["--visible"] if visible else [])]
    done = subprocess.run(command, input=source, capture_output=True, text=True, encoding="utf-8")
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise DlxError(lines[-1].removeprefix("dlx: ") if lines else _("grading stopped (exit status {code})").format(
            code=done.returncode))
    return GradeResult.from_json(json.loads(done.stdout))


def course_client() -> CourseClient | None:
    """The course this user is logged in to (`dlx login`), or None: local mode."""
    from .course_client import CourseClient, saved_login

    login = saved_login()
    return None if login is None else CourseClient.from_login(login)


def submit_attempt(exercise: Exercise, source: str) -> tuple[GradeResult, float]:
    """Grade ``source`` with the hidden tests and record the attempt locally; returns the result and the best score."""
    from .cli import record_submission

    result = grade_in_new_process(exercise, source)
    return result, record_submission(exercise, source, result)


def submit_to_course(client: CourseClient, exercise: Exercise, source: str) -> None:
    """Send ``source`` to the course server as `dlx submit` does in course mode, and show its feedback."""
    import tempfile
    import warnings

    from .cli_course import course_submit

    with tempfile.TemporaryDirectory(prefix="dlx-notebook-") as folder, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "install \"ipywidgets\"")  # rich's spinner: none without ipywidgets
        Path(folder, exercise.filename).write_text(source, encoding="utf-8")
        course_submit(client, exercise.id, Path(folder), None)


def _check(exercise: Exercise, source: str) -> None:
    from .report import console, show_result

    result = grade_in_new_process(exercise, source, visible=True)
    with console:
        show_result(console, exercise, result, visible=True)


def _submit(exercise: Exercise, source: str, client: CourseClient | None) -> None:
    """Logged in to a course, the submission goes to the course server; otherwise it is graded and recorded here."""
    from .report import console, show_result

    if client is not None:
        submit_to_course(client, exercise, source)
        return
    result, best = submit_attempt(exercise, source)
    with console:
        show_result(console, exercise, result)
        console.print(" [dim]" + _("Recorded. Best so far: {best}/{points}. `%dlx score` shows your progress.").format(
            best=f"{best:g}", points=f"{exercise.points:g}") + "[/]")


def _plots(shell: Any, exercise: Exercise, source: str) -> None:
    """The pictures of ``source`` beside the reference's: inline in a notebook, else an HTML report here."""
    from .plots import build_figures, missing_font_note, write_report
    from .report import console

    if getattr(shell, "kernel", None) is None:  # a terminal IPython shows no images: the CLI's report
        report = write_report(exercise, source, Path.cwd() / exercise.filename)
        console.print(_("Pictures: [bold]{report}[/]").format(report=report))
        return
    from html import escape

    from IPython.display import Image, display

    for figure in build_figures(exercise, source):
        display({"text/html": f"<h4>{escape(figure.title)}</h4>", "text/plain": figure.title}, raw=True)
        if figure.png is not None:
            display(Image(data=figure.png, format="png"))
        lines = ([_("Not drawn: {reason}").format(reason=figure.note or _("no data"))] if figure.png is None
                 else [figure.caption, *figure.notes])
        text = "\n".join(line for line in lines if line)
        if text:
            display({"text/html": "".join(f"<p>{escape(line)}</p>" for line in text.splitlines()),
                     "text/plain": text}, raw=True)
    note = missing_font_note()  # the labels were drawn in English
    if note:
        display({"text/html": f"<p><small>{escape(note)}</small></p>", "text/plain": note}, raw=True)


def _hint(exercise: Exercise) -> None:
    from .cli import show_hint
    from .report import console

    with console:
        show_hint(exercise)


def _score(client: CourseClient | None) -> None:
    from .catalog import catalog
    from .gradebook import Gradebook
    from .report import console, progress_table

    if client is not None:
        from .cli_course import course_score

        course_score(client, False)
        return
    with Gradebook() as book:
        standings = book.standings()
    with console:
        console.print(progress_table(list(catalog().values()), standings))


FLAGS = {"check": {"--plots"}, "submit": {"--plots", "--offline"}, "hint": set(), "score": {"--offline"}}


def run(shell: Any, line: str) -> None:
    """Run one ``%dlx`` line."""
    from .catalog import get

    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise DlxError(f"{exc}; {_(USAGE)}") from None
    command = words[0] if words else ""
    flags = {w for w in words[1:] if w.startswith("--")}
    args = [w for w in words[1:] if not w.startswith("--")]
    if command not in FLAGS or flags - FLAGS[command] or len(args) != (command != "score"):
        raise DlxError(_(USAGE))
    plots = "--plots" in flags
    client = None if "--offline" in flags or command not in ("submit", "score") else course_client()
    if command == "score":
        _score(client)
        return
    exercise = get(args[0])
    if command == "hint":
        _hint(exercise)
        return
    if plots and client is not None:
        raise DlxError(_("--{flag} works only in local mode for now: add --offline").format(flag="plots"))
    if plots:
        from .plots import require_plots

        require_plots(exercise)
    source = cell_source(shell, exercise.functions)
    if command == "check":
        _check(exercise, source)
    else:
        _submit(exercise, source, client)
    if plots:
        _plots(shell, exercise, source)


def _error(message: str) -> None:
    print(f"dlx: {message}", file=sys.stderr)


def dlx_magic(line: str) -> None:
    """dlx in a notebook: ``%dlx check ID``, ``%dlx submit ID``, ``%dlx hint ID``, ``%dlx score``."""
    from IPython import get_ipython

    try:
        run(get_ipython(), line)
    except DlxError as exc:  # the course's errors (CourseFailure) too
        _error(str(exc))
    except OSError as exc:
        _error(os_error_message(exc))
    except KeyboardInterrupt:
        _error(_("interrupted; nothing was recorded"))
    except Exception as exc:  # noqa: BLE001 - a bug in dlx is one line, never a traceback in the notebook
        if os.environ.get("DLX_DEBUG"):
            raise
        _error(_("internal error ({error}); set DLX_DEBUG=1 to see where, and please report it").format(
            error=f"{type(exc).__name__}: {exc}"))


def load_ipython_extension(shell: Any) -> None:
    """Register ``%dlx`` (IPython calls this for ``%load_ext dlx``)."""
    shell.register_magic_function(dlx_magic, "line", "dlx")


def _grade_main(argv: list[str]) -> int:
    """``python -m grader.jupyter ID [--visible]``: grade the source on stdin; the result as JSON on stdout."""
    import contextlib
    import json

    from .catalog import get
    from .runner import grade_source

    try:
        exercise = get(argv[0])
        source = sys.stdin.read()
        with contextlib.redirect_stdout(sys.stderr):
            result = grade_source(exercise, source, visible="--visible" in argv[1:])
    except DlxError as exc:
        _error(str(exc))
        return 2
    print(json.dumps(result.to_json()))
    return 0


if __name__ == "__main__":
    sys.exit(_grade_main(sys.argv[1:]))
