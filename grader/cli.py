"""The `dlx` command: list, fetch, check, hint, submit, score and grade."""
from __future__ import annotations

import json
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import click

from . import __version__
from .catalog import Exercise, UnknownExercise, catalog, get
from .cli_course import COMMANDS as COURSE_COMMANDS, course_aware
from .cli_instructor import grade_batch_command, gradescope, nbgrader_group
from .doctor import doctor
from .gradebook import Gradebook, GradebookError, file_hash
from .quiz import BankError, UnknownBank
from .quiz.cli import quiz
from .report import console, exercise_table, progress_table, show_result
from .runner import GradingError, grade_source, read_source

DIR_OPTION = click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
                          show_default=True, help="Folder holding your exercise files.")


class DlxGroup(click.Group):
    """Turns dlx's own errors into one-line messages and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (GradingError, UnknownExercise, GradebookError, UnknownBank, BankError) as exc:
            click.echo(f"dlx: {exc.args[0] if exc.args else exc}", err=True)
            sys.exit(2)


@click.group(cls=DlxGroup)
@click.version_option(__version__, prog_name="dlx")
def main() -> None:
    """dlx: implement deep-learning foundations by hand, graded by hidden tests.

    The loop: `dlx list`, `dlx fetch affine`, edit affine.py, `dlx check affine`,
    `dlx hint affine`, `dlx submit affine`, `dlx score`.
    """


def _exercise(exercise_id: str) -> Exercise:
    return get(exercise_id)


def _student_file(exercise: Exercise, directory: Path) -> Path:
    path = directory / exercise.filename
    if not path.is_file():
        raise GradingError(f"{path} not found; run `dlx fetch {exercise.id}` first (or pass --dir)")
    return path


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@course_aware("list")
def list_command(as_json: bool) -> None:
    """Every exercise with its unit, title, points and your best score."""
    with Gradebook() as book:
        best = {s.item: s for s in book.standings("exercise")}
    exercises = list(catalog().values())
    if as_json:
        click.echo(json.dumps([
            {"id": e.id, "unit": e.unit, "title": e.title, "points": e.points, "requires": e.requires,
             "best": best[e.id].best if e.id in best else None}
            for e in exercises
        ], indent=2))
        return
    console.print(exercise_table(exercises, best))
    console.print("[dim]Start with `dlx fetch <id>`.[/]")


def _backup(path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.bak-{stamp}")
    n = 1
    while backup.exists():
        backup = path.with_name(f"{path.name}.bak-{stamp}-{n}")
        n += 1
    shutil.copy2(path, backup)
    return backup


@main.command()
@click.argument("exercise_id")
@DIR_OPTION
@click.option("--force", is_flag=True, help="Replace existing files (a backup copy is kept).")
@course_aware("fetch")
def fetch(exercise_id: str, directory: Path, force: bool) -> None:
    """Write the stub EXERCISE_ID.py and its statement EXERCISE_ID.md into --dir."""
    exercise = _exercise(exercise_id)
    directory.mkdir(parents=True, exist_ok=True)
    targets = [(exercise.stub, directory / exercise.filename), (exercise.statement, directory / f"{exercise.id}.md")]
    existing = [dst for _, dst in targets if dst.exists()]
    if existing and not force:
        names = ", ".join(str(p) for p in existing)
        verb = "exists" if len(existing) == 1 else "exist"
        raise GradingError(f"{names} already {verb}; your work is untouched (use --force to replace it; a backup is kept)")
    for src, dst in targets:
        if dst.exists():
            console.print(f"[dim]backed up {dst} to {_backup(dst)}[/]")
        shutil.copyfile(src, dst)
    console.print(f"Wrote [bold]{targets[0][1]}[/] and {targets[1][1]}.")
    console.print(f"Next: complete the functions, then `dlx check {exercise.id}` and `dlx submit {exercise.id}`.")


def _grade_and_show(exercise: Exercise, path: Path, visible: bool, seed: int | None = None) -> Any:
    source = read_source(path)
    result = grade_source(exercise, source, seed, visible=visible)
    show_result(console, exercise, result, visible=visible)
    return source, result


@main.command()
@click.argument("exercise_id")
@DIR_OPTION
@click.option("--watch", is_flag=True, help="Re-run the visible tests every time the file is saved.")
@course_aware("check")
def check(exercise_id: str, directory: Path, watch: bool) -> None:
    """Run the visible tests on your file (quick; records nothing)."""
    exercise = _exercise(exercise_id)
    path = _student_file(exercise, directory)
    _grade_and_show(exercise, path, visible=True)
    if watch:
        _watch(path, lambda: _grade_and_show(exercise, path, visible=True))


def _watch(path: Path, action: Callable[[], Any], interval: float = 0.5) -> None:
    """Call ``action`` whenever ``path`` changes, until Ctrl-C."""
    console.print(f"[dim]Watching {path}; press Ctrl-C to stop.[/]")
    last = path.stat().st_mtime_ns
    try:
        while True:
            time.sleep(interval)
            try:
                now = path.stat().st_mtime_ns
            except FileNotFoundError:
                continue
            if now != last:
                last = now
                console.rule(datetime.now().strftime("%H:%M:%S"))
                try:
                    action()
                except GradingError as exc:
                    console.print(f"[red]dlx: {exc}[/]")
    except KeyboardInterrupt:
        console.print("[dim]stopped watching[/]")


@main.command()
@click.argument("exercise_id")
@click.option("--all", "show_all", is_flag=True, help="Show every hint up to the next one.")
@click.option("--reset", is_flag=True, help="Start the hints again from the first.")
def hint(exercise_id: str, show_all: bool, reset: bool) -> None:
    """Show the next hint for an exercise, one level at a time."""
    exercise = _exercise(exercise_id)
    key = f"hint_level:{exercise.id}"
    with Gradebook() as book:
        seen = 0 if reset else int(book.get_setting(key) or 0)
        level = min(seen + 1, len(exercise.hints))
        book.set_setting(key, str(level))
    for i in range(1 if show_all else level, level + 1):
        console.print(f"[bold]Hint {i} of {len(exercise.hints)}[/] for {exercise.id}:")
        console.print(f"  {exercise.hints[i - 1]}\n")
    if level == len(exercise.hints):
        console.print("[dim]That is the last hint. The statement (`dlx fetch` wrote it beside your file) has the maths.[/]")


@main.command()
@click.argument("exercise_id")
@DIR_OPTION
@click.option("--seed", type=int, default=None, help="Reproduce an earlier attempt's inputs.")
@course_aware("submit")
def submit(exercise_id: str, directory: Path, seed: int | None) -> None:
    """Grade your file with the hidden tests and record the attempt."""
    exercise = _exercise(exercise_id)
    path = _student_file(exercise, directory)
    source, result = _grade_and_show(exercise, path, visible=False, seed=seed)
    with Gradebook() as book:
        book.record("exercise", exercise.id, result.score, result.max_score, result.seed, result.to_json(),
                    file_hash(source))
        best = max(s.best for s in book.standings("exercise") if s.item == exercise.id)
    console.print(f" [dim]Recorded. Best so far: {best:g}/{exercise.points:g}. `dlx score` shows your progress.[/]")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@course_aware("score")
def score(as_json: bool) -> None:
    """Your best and latest score for every exercise and quiz, and the total."""
    with Gradebook() as book:
        standings = book.standings()
    exercises = list(catalog().values())
    if as_json:
        items = [{"kind": s.kind, "id": s.item, "best": s.best, "latest": s.latest, "max_score": s.max_score,
                  "attempts": s.attempts} for s in standings]
        total = sum(s.best for s in standings)
        maximum = sum(e.points for e in exercises) + sum(s.max_score for s in standings if s.kind == "quiz")
        click.echo(json.dumps({"items": items, "total": total, "max_total": maximum}, indent=2))
        return
    console.print(progress_table(exercises, standings))


@main.command()
@click.argument("exercise_id")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--seed", type=int, default=None, help="The seed for the test inputs (default: a new one).")
@click.option("--json", "as_json", is_flag=True, help="Print a Gradescope-style results.json object.")
def grade(exercise_id: str, file: Path, seed: int | None, as_json: bool) -> None:
    """Grade any FILE against EXERCISE_ID's hidden tests; records nothing.

    Exits 0 whenever grading happened, whatever the score.
    """
    exercise = _exercise(exercise_id)
    source = read_source(file)
    result = grade_source(exercise, source, seed)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        show_result(console, exercise, result)


main.add_command(quiz)
main.add_command(doctor)
main.add_command(grade_batch_command)
main.add_command(nbgrader_group)
main.add_command(gradescope)
for _command in COURSE_COMMANDS:
    main.add_command(_command)
