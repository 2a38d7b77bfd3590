"""Grading a class: every submission in a folder, in parallel, resumable, to CSV and results.json files."""
from __future__ import annotations

import csv
import json
import multiprocessing
import os
import signal
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from .catalog import Exercise, get
from .errors import DlxError, GradingError, Interrupted
from .gradebook import file_hash
from .i18n import _, ngettext
from .results import GradeResult, TestResult
from .runner import grade_source, read_source
from .safe_read import output_file
from .sandbox.spawn import use_fork_servers


@dataclass(frozen=True)
class Entry:
    """One student's submission file."""

    student: str
    path: Path
    folder: Path  # the submissions folder: nothing is read from outside it


def discover(exercise: Exercise, folder: Path) -> list[Entry]:
    """Submissions laid out as ``<student>.py`` or ``<student>/<id>.py``, sorted by student."""
    if not folder.is_dir():
        raise DlxError(_("{folder} is not a folder").format(folder=folder))
    entries = {p.stem: Entry(p.stem, p, folder) for p in folder.glob("*.py") if not p.name.startswith(".")}
    for path in folder.glob(f"*/{exercise.filename}"):
        entries[path.parent.name] = Entry(path.parent.name, path, folder)
    if not entries:
        raise DlxError(_("no submissions in {folder}: expected <student>.py or <student>/{file}").format(
            folder=folder, file=exercise.filename))
    return [entries[k] for k in sorted(entries)]


def student_seed(exercise_id: str, student: str, base: int | None) -> int:
    """A reproducible seed per student (or the same ``base`` seed for everyone)."""
    return base if base is not None else zlib.crc32(f"{exercise_id}:{student}".encode()) & 0x7FFFFFFF


@dataclass(frozen=True)
class Graded:
    """One student's grading: the result, or why dlx could not grade."""

    student: str
    seed: int
    hash: str | None = None  # the graded file's content hash; None when it could not be read
    error: str | None = None
    result: GradeResult | None = None

    def to_json(self) -> dict[str, Any]:
        return {"student": self.student, "hash": self.hash, "seed": self.seed, "error": self.error,
                "result": None if self.result is None else self.result.to_json()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Graded":
        result = data.get("result")
        return cls(data["student"], data["seed"], data.get("hash"), data.get("error"),
                   None if result is None else GradeResult.from_json(result))


def _grade_task(task: tuple[str, str, str, str, int]) -> Graded:
    """Grade one submission (runs in a pool process); never raises."""
    exercise_id, student, path, folder, seed = task
    try:
        source = read_source(Path(path), Path(folder))
    except GradingError as exc:
        return Graded(student, seed, error=str(exc))
    try:
        result = grade_source(get(exercise_id), source, seed)
    except Exception as exc:  # noqa: BLE001 - one broken submission must never stop the batch
        return Graded(student, seed, file_hash(source), _("not graded: {error}").format(error=exc))
    return Graded(student, seed, file_hash(source), result=result)


def _init_pool_process() -> None:
    use_fork_servers(True)


def _init_pool_child() -> None:
    """A pool process leaves Ctrl-C to the parent, which stops the batch with one line."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _init_pool_process()


def why(row: Graded) -> str:
    """The CSV's ``error`` cell: why dlx could not grade, or the most common reason tests failed."""
    if row.error or row.result is None:
        return row.error or ""
    lost = [t for t in row.result.tests if t.score < t.max_score]
    reasons = Counter(t.output.splitlines()[0] for t in lost if t.output.strip())
    if not reasons:
        return ""
    reason, count = reasons.most_common(1)[0]
    failed = len(lost)
    others = failed - count
    if not others:
        return reason
    return reason + ngettext(" (and {n} other failing test)", " (and {n} other failing tests)", others).format(n=others)


def csv_cell(value: object) -> object:
    """A cell a spreadsheet will not run as a formula (text starting with =, +, -, @, tab or CR gets a quote)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class ResultCache:
    """An append-only JSON-lines file of finished gradings, so an interrupted batch resumes."""

    def __init__(self, path: Path):
        self.path = path
        self.done: dict[str, Graded] = {}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.open("a", encoding="utf-8").close()  # a read-only --out folder fails now, before any grading
        except OSError as exc:
            raise DlxError(_("cannot write the grades beside {folder}: {reason}").format(
                folder=path.parent, reason=exc.strerror)) from None
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    row = Graded.from_json(json.loads(line))
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue  # a line cut short by an interruption
                self.done[row.student] = row

    def fresh(self, entry: Entry, seed: int) -> Graded | None:
        """The cached grading of this exact file and seed, if any."""
        row = self.done.get(entry.student)
        if row is None or row.seed != seed:
            return None
        try:
            current = file_hash(read_source(entry.path, entry.folder))
        except GradingError:
            return None
        return row if row.hash == current else None

    def add(self, row: Graded) -> None:
        self.done[row.student] = row
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row.to_json()) + "\n")


def grade_batch(exercise: Exercise, folder: Path, out_csv: Path, *, workers: int | None = None,
                json_dir: Path | None = None, seed: int | None = None,
                on_progress: Callable[[int, int], None] | None = None) -> list[Graded]:
    """Grade every submission in ``folder``; write the CSV (and results.json files); return the rows."""
    entries = discover(exercise, folder)
    output_file(out_csv)  # before grading: a FIFO or device as --out would hang or be replaced at the end
    cache = ResultCache(output_file(out_csv.with_name(out_csv.name + ".cache.jsonl")))
    rows: dict[str, Graded] = {}
    todo = []
    for entry in entries:
        s = student_seed(exercise.id, entry.student, seed)
        cached = cache.fresh(entry, s)
        if cached is not None:
            rows[entry.student] = cached
        else:
            todo.append((exercise.id, entry.student, str(entry.path), str(entry.folder), s))
    done = len(rows)
    if on_progress:
        on_progress(done, len(entries))
    try:
        for row in _run(todo, workers or os.cpu_count() or 1):
            cache.add(row)
            rows[row.student] = row
            done += 1
            if on_progress:
                on_progress(done, len(entries))
    except KeyboardInterrupt:
        raise Interrupted(_("interrupted; {done} of {total} submissions are graded and kept in {cache}; run the same "
                            "command again to resume").format(done=done, total=len(entries), cache=cache.path)
                          ) from None
    ordered = [rows[e.student] for e in entries]
    write_csv(ordered, out_csv, exercise)
    if json_dir is not None:
        write_json(ordered, json_dir, exercise)
    return ordered


def _run(todo: list[tuple], workers: int) -> Iterator[Graded]:
    if not todo:
        return
    if workers <= 1 or len(todo) == 1:
        _init_pool_process()
        yield from map(_grade_task, todo)
        return
    with multiprocessing.get_context("fork").Pool(min(workers, len(todo)), _init_pool_child) as pool:
        yield from pool.imap_unordered(_grade_task, todo)


def write_csv(rows: list[Graded], path: Path, exercise: Exercise) -> None:
    """``student, score, max_score, seed, error`` and one column per test (its score), headed by the test's id."""
    test_ids: list[str] = []
    for row in rows:
        for test in row.result.tests if row.result else []:
            if _column(test) not in test_ids:
                test_ids.append(_column(test))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = output_file(path.with_name(path.name + ".tmp"))
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "score", "max_score", "seed", "error", *map(csv_cell, test_ids)])
        for row in rows:
            result = row.result
            scores = {_column(t): t.score for t in result.tests} if result else {}
            writer.writerow([csv_cell(row.student), result.score if result else 0,
                             result.max_score if result else exercise.points, row.seed, csv_cell(why(row)),
                             *(scores.get(n, 0) for n in test_ids)])
    tmp.replace(path)


def _column(test: TestResult) -> str:
    """A test's CSV column: its stable id (the name, for results cached before ids existed)."""
    return test.test_id or test.name


def write_json(rows: list[Graded], folder: Path, exercise: Exercise) -> None:
    """One Gradescope-style results.json per student: ``<folder>/<student>.json``; an ungraded one scores 0 of
    the exercise's points, with the reason as its output."""
    folder.mkdir(parents=True, exist_ok=True)
    for row in rows:
        if row.result is not None:
            result = row.result.to_json()
        else:
            result = {**GradeResult(exercise.id, row.seed, output=row.error or "").to_json(), "max_score": exercise.points}
        output_file(folder / f"{row.student}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
