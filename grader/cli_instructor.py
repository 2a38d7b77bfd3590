"""The instructors' commands: grade a folder of submissions, export to nbgrader, build for Gradescope."""
from __future__ import annotations

from pathlib import Path

import click

from .catalog import catalog, get
from .i18n import LANGUAGES, _, language, speaking
from .options import SEED
from .report import console


@click.command("grade-batch")
@click.argument("exercise_id")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Parallel graders (default: one per core).")
@click.option("--out", "out_csv", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The CSV to write (default: <id>-grades.csv).")
@click.option("--json-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also write one results.json per student here.")
@click.option("--seed", type=SEED, default=None, help="One seed for everyone (default: a fixed seed per student).")
def grade_batch_command(exercise_id: str, folder: Path, workers: int | None, out_csv: Path | None,
                        json_dir: Path | None, seed: int | None) -> None:
    """Grade every submission in FOLDER (<student>.py or <student>/<id>.py) to a CSV.

    A rerun resumes: submissions already graded with the same file and seed are not graded again.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from .batch import discover, grade_batch
    from .safe_read import output_file

    exercise = get(exercise_id)
    out_csv = out_csv or Path(f"{exercise.id}-grades.csv")
    discover(exercise, folder)  # no submissions, or an --out that is a FIFO: one line before the progress bar
    output_file(out_csv)
    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(_("grading {id}").format(id=exercise.id), total=None)
        rows = grade_batch(exercise, folder, out_csv, workers=workers, json_dir=json_dir, seed=seed,
                           on_progress=lambda done, total: progress.update(task, completed=done, total=total))
    scores = [r.result.score if r.result else 0.0 for r in rows]
    errors = sum(1 for r in rows if r.error)
    mean = sum(scores) / len(scores) if scores else 0.0
    not_graded = _(", {n} not graded (see the error column)").format(n=errors) if errors else ""
    console.print(_("Graded {n} submissions of {id}: mean {mean}/{points}{not_graded}. Wrote {csv}.").format(
        n=len(rows), id=exercise.id, mean=f"{mean:.2f}", points=f"{exercise.points:g}", not_graded=not_graded,
        csv=out_csv))


@click.group("nbgrader")
def nbgrader_group() -> None:
    """nbgrader: export the exercises as source notebooks that grade like dlx."""


@nbgrader_group.command("export")
@click.argument("course_dir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("exercise_ids", nargs=-1)
@click.option("--assignment", required=True, help="The nbgrader assignment name (folder under source/).")
@click.option("--seed", type=SEED, default=0, show_default=True,
              help="The seed of the hidden tests' inputs (`dlx grade --seed` with it gives the same scores).")
@click.option("--force", is_flag=True, help="Overwrite existing notebooks.")
@click.option("--quiz", "quizzes", multiple=True, metavar="BANK",
              help="Also export this quiz bank as auto-graded cells (repeatable; with no exercise id, quizzes only).")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="The notebooks' language: statements, instructions and feedback (default: dlx's language).")
def nbgrader_export(course_dir: Path, exercise_ids: tuple[str, ...], assignment: str, seed: int, force: bool,
                    quizzes: tuple[str, ...], lang: str | None) -> None:
    """Write COURSE_DIR/source/ASSIGNMENT/<id>.ipynb for each exercise (all when none is given)."""
    from .nbexport import export
    from .quiz import get_bank

    with speaking(lang or language()):
        for bank in quizzes:
            get_bank(bank)  # an unknown bank is a one-line error before anything is written
        exercises = [get(i) for i in exercise_ids] or ([] if quizzes else list(catalog().values()))
        written = export(course_dir, assignment, exercises, seed, force, quizzes)
    for path in written:
        console.print(_("wrote {path}").format(path=path))
    console.print(_("Next: cd {course_dir} && nbgrader generate_assignment {assignment}").format(
        course_dir=course_dir, assignment=assignment))


@click.group()
def gradescope() -> None:
    """Gradescope autograder bundles."""


@gradescope.command("build")
@click.argument("exercise_ids", nargs=-1, required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("autograder.zip"),
              show_default=True)
@click.option("--hidden-visibility", default="after_due_date", show_default=True,
              help="Gradescope visibility of the hidden tests (hidden, after_due_date, after_published, visible).")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="The language of the feedback students read (default: dlx's language).")
def gradescope_build(exercise_ids: tuple[str, ...], out: Path, hidden_visibility: str, lang: str | None) -> None:
    """Write an autograder.zip that grades EXERCISE_IDS on Gradescope."""
    from .gradescope import build

    names = build(list(exercise_ids), out, hidden_visibility, lang)
    console.print(_("Wrote {out} ({n} files) for {ids}. Upload it as the assignment's autograder on Gradescope.")
        .format(
        out=out, n=len(names), ids=", ".join(exercise_ids)))
