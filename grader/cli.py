"""The `dlx` command: list, fetch, check, hint, submit, score and grade.

Start-up is kept instant by importing lazily. The pattern for every command:
- at the top of this module, import only click and the light modules (errors, options);
- import what a command needs (the catalog, the runner, rich, NumPy) inside its function;
- register a command defined in another module by name, without importing it, in
  ``LAZY_COMMANDS`` ("command name": "module:attribute"); it is imported when it is run.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from . import __version__
from .errors import INTERRUPT_EXIT, USAGE_EXIT, DlxError, Interrupted, os_error_message
from .course_mode import course_aware
from .i18n import LANGUAGES, _, choose, localise, ngettext, translate_click
from .options import SEED
from .startup import heavy_imports

if TYPE_CHECKING:
    from .catalog import Exercise
    from .results import GradeResult

DIR_OPTION = click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
                          show_default=True, help="Folder holding your exercise files.")

LAZY_COMMANDS = {
    "quiz": "grader.quiz.cli:quiz",
    "doctor": "grader.doctor:doctor",
    "grade-batch": "grader.cli_instructor:grade_batch_command",
    "nbgrader": "grader.cli_instructor:nbgrader_group",
    "gradescope": "grader.cli_instructor:gradescope",
    "watch": "grader.watch:watch_command",
    "serve": "grader.cli_course:serve",
    "worker": "grader.cli_course:worker",
    "login": "grader.cli_course:login",
    "logout": "grader.cli_course:logout",
    "course": "grader.cli_course:course",
    "config": "grader.config_cli:config", "daemon": "grader.daemon_cli:daemon",
}


def fail(message: str, code: int = USAGE_EXIT) -> NoReturn:
    """Print ``dlx: message`` on stderr, on one line (click's "Choose from:" lists span several), and exit."""
    one_line = " ".join(line.strip() for line in message.strip().splitlines())
    click.echo(f"dlx: {one_line}", err=True)
    sys.exit(code)


class DlxGroup(click.Group):
    """dlx's group: commands loaded on first use, and one error convention for all of them.

    A user's mistake is ``dlx: <one line>`` on stderr and exit 2; Ctrl-C is one line and exit 130;
    a bug in dlx is one line too (``DLX_DEBUG=1`` shows its traceback).
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        translate_click()  # before click builds a usage error, e.g. "No such command"
        if name in LAZY_COMMANDS and name not in self.commands:
            import importlib

            module, attribute = LAZY_COMMANDS[name].split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        command = super().get_command(ctx, name)
        if command is not None:
            localise(command, ctx)
        return command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        translate_click()  # click's errors about dlx's own options (`--lang fr`, `--bogus`) too
        return super().parse_args(ctx, args)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        translate_click()
        localise(self, ctx)
        super().format_help(ctx, formatter)

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        saved_language = os.environ.get("LANGUAGE")  # set by translate_click for this run only
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # `dlx` or `dlx quiz` alone: the help, as click shows it
            click.echo(exc.format_message(), err=True)
            sys.exit(USAGE_EXIT)
        except click.UsageError as exc:
            hint = _(" (see `{command} --help`)").format(command=exc.ctx.command_path) if exc.ctx is not None else ""
            fail(f"{_missing(exc) or exc.format_message()}{hint}")
        except click.ClickException as exc:
            fail(exc.format_message())
        except click.Abort as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, EOFError):
                fail(_("the input ended before the answer; nothing was recorded"))
            fail(cause.message if isinstance(cause, Interrupted) else _("interrupted; nothing was recorded"),
                 INTERRUPT_EXIT)
        except DlxError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(os_error_message(exc))
        except Exception as exc:  # noqa: BLE001 - a bug in dlx is one line, never a traceback
            if os.environ.get("DLX_DEBUG"):
                import traceback

                traceback.print_exc()
            fail(_("internal error ({error}); rerun with DLX_DEBUG=1 to see where, and please report it").format(
                error=f"{type(exc).__name__}: {exc}"), 1)
        finally:
            choose(None)  # --lang lasts one run, also in-process (tests); kept until its errors are printed
            if saved_language is None:
                os.environ.pop("LANGUAGE", None)
            else:
                os.environ["LANGUAGE"] = saved_language
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


def _missing(exc: click.UsageError) -> str | None:
    """A missing argument or option in one line of this run's language (click's own message ends in an English
    full stop and puts a choice's values on lines of their own); ``None`` for any other usage error."""
    if not isinstance(exc, click.MissingParameter) or exc.param is None or exc.ctx is None:
        return None
    name = exc.param.get_error_hint(exc.ctx)
    problem = (_("missing option {name}") if exc.param.param_type_name == "option"
               else _("missing argument {name}")).format(name=name)
    choices = getattr(exc.param.type, "choices", None)
    return _("{problem}: one of {choices}").format(problem=problem, choices=", ".join(map(str, choices))) \
        if choices else problem


@click.group(cls=DlxGroup)
@click.option("--version", is_flag=True, is_eager=True, expose_value=False, callback=lambda ctx, _param, shown:
              _show_version(ctx) if shown else None, help="Show the version and exit.")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None, is_eager=True, expose_value=False,
              callback=lambda ctx, _param, lang: _choose_language(ctx, lang),
              help="Language of statements, hints and titles (default: DLX_LANG, `dlx config lang`, the locale).")
def main() -> None:
    """dlx: implement deep-learning foundations by hand, graded by hidden tests.

    The loop: `dlx list`, `dlx fetch affine`, edit affine.py, `dlx check affine`,
    `dlx hint affine`, `dlx submit affine`, `dlx score`.
    """


def _show_version(ctx: click.Context) -> None:
    """--version (`dlx --version` alone is answered by grader.launch), in the language of the run so far."""
    from .i18n import language, version_line

    click.echo(version_line(__version__, language()))
    ctx.exit()


def _choose_language(ctx: click.Context, lang: str | None) -> None:
    """--lang, chosen while the command line is read (before a subcommand's help is shown); lasts one run."""
    choose(lang)


def _exercise(exercise_id: str) -> Exercise:
    from .catalog import get

    return get(exercise_id)


def _student_file(exercise: Exercise, directory: Path) -> Path:
    path = directory / exercise.filename
    if path.is_dir():
        raise DlxError(_("{path} is a folder, not your solution file; rename it and run `dlx fetch {id}`").format(
            path=path, id=exercise.id))
    if not path.exists():
        raise DlxError(_("{path} not found; run `dlx fetch {id}` first (or pass --dir)")
            .format(path=path, id=exercise.id))
    return path


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@course_aware("list")
def list_command(as_json: bool) -> None:
    """Every exercise with its unit, title, points and your best score."""
    from .listing import exercise_list

    click.echo(exercise_list(as_json))


def _backup(path: Path) -> Path:
    import shutil
    from datetime import datetime

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.bak-{stamp}")
    n = 1
    while backup.exists():
        backup = path.with_name(f"{path.name}.bak-{stamp}-{n}")
        n += 1
    shutil.copy2(path, backup)
    return backup


def write_exercise_files(exercise: Exercise, directory: Path, force: bool = False) -> list[Path]:
    """Copy the stub and the statement into ``directory`` (never over existing work without ``force``)."""
    import shutil

    from .report import console

    directory.mkdir(parents=True, exist_ok=True)
    targets = [(exercise.stub, directory / exercise.filename), (exercise.statement, directory / f"{exercise.id}.md")]
    existing = [dst for _, dst in targets if dst.exists()]
    if existing and not force:
        names = ", ".join(str(p) for p in existing)
        raise DlxError(ngettext("{names} already exists; your work is untouched (use --force to replace it; a backup is "
                                "kept)", "{names} already exist; your work is untouched (use --force to replace them; "
                                "a backup is kept)", len(existing)).format(names=names))
    for src, dst in targets:
        if dst.exists():
            console.print("[dim]" + _("backed up {file} to {backup}").format(file=dst, backup=_backup(dst)) + "[/]")
        shutil.copyfile(src, dst)
    return [dst for _, dst in targets]


@main.command()
@click.argument("exercise_id")
@DIR_OPTION
@click.option("--force", is_flag=True, help="Replace existing files (a backup copy is kept).")
@click.option("--notebook", is_flag=True, help="Write a Jupyter notebook EXERCISE_ID.ipynb instead (see %dlx).")
@course_aware("fetch")
def fetch(exercise_id: str, directory: Path, force: bool, notebook: bool) -> None:
    """Write the stub EXERCISE_ID.py and its statement EXERCISE_ID.md into --dir."""
    from .report import console

    exercise = _exercise(exercise_id)
    if notebook:
        from .practice_notebook import write_notebook

        path = write_notebook(exercise, directory, force)
        console.print(_("Wrote [bold]{path}[/]. Open it in Jupyter; its cells check and submit with `%dlx`.").format(
            path=path))
        return
    stub, statement = write_exercise_files(exercise, directory, force)
    console.print(_("Wrote [bold]{stub}[/] and {statement}.").format(stub=stub, statement=statement))
    console.print(_("Next: complete the functions, then `dlx check {id}` and `dlx submit {id}`.")
        .format(id=exercise.id))


def grade_and_show(exercise: Exercise, path: Path, visible: bool, seed: int | None = None) -> tuple[str, GradeResult]:
    """Read, grade and print one file; returns its text and the result."""
    with heavy_imports():
        from .runner import grade_source, read_source

    source = read_source(path)
    result = grade_source(exercise, source, seed, visible=visible, meanwhile=_load_report)
    from .report import console, show_result

    show_result(console, exercise, result, visible=visible)
    return source, result


def _load_report() -> None:
    """Import rich and render once while the worker starts (grading waits for it anyway): not after the tests."""
    with heavy_imports():
        from .report import warm

    warm()


def record_submission(exercise: Exercise, source: str, result: GradeResult) -> float:
    """Store a hidden-test attempt in the gradebook; returns the best score so far."""
    from .gradebook import Gradebook, file_hash

    with Gradebook() as book:
        book.record(result, file_hash(source))
        return max(s.best for s in book.standings("exercise") if s.item == exercise.id)


PLOTS_OPTION = click.option("--plots", is_flag=True, help="Also write an HTML report with pictures beside your file.")
OPEN_OPTION = click.option("--open", "open_report", is_flag=True, help="Open the --plots report in a browser.")


def _plots_possible(exercise: Exercise, plots: bool) -> None:
    """Before grading: a one-line error if --plots cannot work (matplotlib missing, no pictures)."""
    if plots:
        from .plots import require_plots

        require_plots(exercise)


def _plots(exercise: Exercise, path: Path, source: str, open_report: bool) -> None:
    """Write the pictures report of ``source`` (read from ``path``) beside it and print where it is."""
    from .plots import write_report
    from .report import console

    report = write_report(exercise, source, path)
    console.print(_("Pictures: [bold]{report}[/]").format(report=report))
    if open_report and click.launch(report.resolve().as_uri()) != 0:
        console.print("[dim]" + _("No browser could be started; open the file above yourself.") + "[/]")


@main.command()
@click.argument("exercise_id")
@DIR_OPTION
@click.option("--watch", is_flag=True, help="Re-run the visible tests on every save; keys: h hint, s statement, q quit.")
@PLOTS_OPTION
@OPEN_OPTION
@course_aware("check")
def check(exercise_id: str, directory: Path, watch: bool, plots: bool, open_report: bool) -> None:
    """Run the visible tests on your file (quick; records nothing)."""
    exercise = _exercise(exercise_id)
    path = _student_file(exercise, directory)
    _plots_possible(exercise, plots)
    if watch:
        from .watch import watch_exercise

        watch_exercise(exercise, path)
        return
    source, _ = grade_and_show(exercise, path, visible=True)
    if plots:
        _plots(exercise, path, source, open_report)


def show_hint(exercise: Exercise, show_all: bool = False, reset: bool = False) -> None:
    """Print the next hint (advancing the student's hint level), or every hint up to it."""
    from .gradebook import Gradebook
    from .report import console

    key = f"hint_level:{exercise.id}"
    with Gradebook() as book:
        seen = 0 if reset else int(book.get_setting(key) or 0)
        level = min(seen + 1, len(exercise.hints))
        book.set_setting(key, str(level))
    for i in range(1 if show_all else level, level + 1):
        console.print(_("[bold]Hint {n} of {total}[/] for {id}:")
            .format(n=i, total=len(exercise.hints), id=exercise.id))
        console.print(f"  {exercise.hints[i - 1]}\n")
    if level == len(exercise.hints):
        console.print("[dim]" + _("That is the last hint. The statement (`dlx fetch` wrote it beside your file) has the "
                                  "maths.") + "[/]")


@main.command()
@click.argument("exercise_id")
@click.option("--all", "show_all", is_flag=True, help="Show every hint up to the next one.")
@click.option("--reset", is_flag=True, help="Start the hints again from the first.")
def hint(exercise_id: str, show_all: bool, reset: bool) -> None:
    """Show the next hint for an exercise, one level at a time."""
    show_hint(_exercise(exercise_id), show_all, reset)


@main.command()
@click.argument("exercise_id")
@DIR_OPTION
@click.option("--seed", type=SEED, default=None, help="Reproduce an earlier attempt's inputs.")
@PLOTS_OPTION
@OPEN_OPTION
@course_aware("submit")
def submit(exercise_id: str, directory: Path, seed: int | None, plots: bool, open_report: bool) -> None:
    """Grade your file with the hidden tests and record the attempt."""
    exercise = _exercise(exercise_id)
    path = _student_file(exercise, directory)
    _plots_possible(exercise, plots)
    source, result = grade_and_show(exercise, path, visible=False, seed=seed)
    best = record_submission(exercise, source, result)
    from .report import console  # loaded while the worker started

    console.print(" [dim]" + _("Recorded. Best so far: {best}/{points}. `dlx score` shows your progress.").format(
        best=f"{best:g}", points=f"{exercise.points:g}") + "[/]")
    if plots:
        _plots(exercise, path, source, open_report)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@course_aware("score")
def score(as_json: bool) -> None:
    """Your best and latest score for every exercise and quiz, the attempt that first scored full marks, the total."""
    from .catalog import catalog
    from .gradebook import Gradebook

    with Gradebook() as book:
        standings = book.standings()
    exercises = list(catalog().values())
    if as_json:
        items = [{"kind": s.kind, "id": s.item, "best": s.best, "latest": s.latest, "max_score": s.max_score,
                  "attempts": s.attempts, "full_marks_attempt": s.full_marks_attempt} for s in standings]
        total = sum(s.best for s in standings)
        maximum = sum(e.points for e in exercises) + sum(s.max_score for s in standings if s.kind == "quiz")
        click.echo(json.dumps({"items": items, "total": total, "max_total": maximum}, indent=2))
        return
    from .report import console, progress_table

    console.print(progress_table(exercises, standings))


@main.command()
@click.argument("exercise_id")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--seed", type=SEED, default=None, help="The seed for the test inputs (default: a new one).")
@click.option("--json", "as_json", is_flag=True, help="Print a Gradescope-style results.json object.")
def grade(exercise_id: str, file: Path, seed: int | None, as_json: bool) -> None:
    """Grade any FILE against EXERCISE_ID's hidden tests; records nothing.

    Exits 0 whenever grading happened, whatever the score.
    """
    with heavy_imports():
        from .runner import grade_source, read_source

    exercise = _exercise(exercise_id)
    source = read_source(file)
    result = grade_source(exercise, source, seed, meanwhile=None if as_json else _load_report)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        from .report import console, show_result

        show_result(console, exercise, result)
