"""Benchmark: grading a class with dlx, side by side with nbgrader, in one run.

    python benchmarks/bench_class.py [--students 200] [--nbgrader-sample 10] [--exercise affine]

Needs the package installed (`pip install ".[nbgrader]"`). It builds a class of
submissions (correct, untouched and typical mistakes, in rotation), then measures:
1. one exercise's grading latency: `dlx grade ID FILE` from command to result (median of 5);
2. batch throughput: `dlx grade-batch ID DIR` on every submission;
3. `nbgrader autograde` on the same exercise, exported by `dlx nbgrader export`, for a
   sample of the same submissions (nbgrader takes seconds per notebook; `--nbgrader-sample`
   sets how many; 0 skips it);
and prints the figures and the per-submission ratio.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.catalog import get


def timed(command: list[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def make_class(exercise_id: str, folder: Path, students: int) -> dict[str, str]:
    """Rotating through the reference, the untouched stub and two broken variants."""
    exercise = get(exercise_id)
    reference, stub = exercise.solution.read_text(), exercise.stub.read_text()
    variants = [reference, stub, reference.replace("return", "return 0.5 *", 1), "def broken(:\n"]
    folder.mkdir(parents=True)
    sources = {}
    for i in range(students):
        sources[f"student{i:03d}"] = variants[i % len(variants)]
        (folder / f"student{i:03d}.py").write_text(sources[f"student{i:03d}"])
    return sources


def nbgrader_autograde(dlx: str, exercise_id: str, sources: dict[str, str], work: Path) -> float:
    """Seconds `nbgrader autograde` takes for these submissions (after export and generate_assignment)."""
    import nbformat

    course = work / "course"
    subprocess.run([dlx, "nbgrader", "export", str(course), "--assignment", "bench", exercise_id], check=True,
                   capture_output=True)
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", "bench"], cwd=course, check=True,
                   capture_output=True)
    released = nbformat.read(course / "release" / "bench" / f"{exercise_id}.ipynb", 4)
    for student, source in sources.items():
        nb = nbformat.from_dict(json.loads(json.dumps(released)))
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == f"{exercise_id}-solution":
                cell.source = source
        folder = course / "submitted" / student / "bench"
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{exercise_id}.ipynb")
    return timed([sys.executable, "-m", "nbgrader", "autograde", "bench"], cwd=course)


def main() -> None:
    parser = argparse.ArgumentParser(description="dlx class grading benchmark")
    parser.add_argument("--exercise", default="affine")
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--nbgrader-sample", type=int, default=10)
    args = parser.parse_args()
    dlx = shutil.which("dlx")
    if dlx is None:
        sys.exit("install dlx first: pip install '.[nbgrader]'")

    with tempfile.TemporaryDirectory(prefix="dlx-bench-") as tmp:
        work = Path(tmp)
        sources = make_class(args.exercise, work / "subs", args.students)
        one = work / "subs" / "student000.py"
        latency = statistics.median(timed([dlx, "grade", args.exercise, str(one), "--seed", "0"]) for _ in range(5))
        batch = timed([dlx, "grade-batch", args.exercise, str(work / "subs"), "--out", str(work / "grades.csv")])
        per_dlx = batch / args.students
        print(f"exercise {args.exercise}, {args.students} submissions, machine with {_cores()} cores")
        print(f"  dlx grade, one submission, command to result : {latency:8.3f} s")
        print(f"  dlx grade-batch, {args.students} submissions           : {batch:8.3f} s"
              f"  ({per_dlx * 1000:.0f} ms per submission, {args.students / batch:.1f} per second)")
        if args.nbgrader_sample > 0:
            sample = dict(list(sources.items())[:args.nbgrader_sample])
            seconds = nbgrader_autograde(dlx, args.exercise, sample, work)
            per_nb = seconds / len(sample)
            print(f"  nbgrader autograde, {len(sample)} of the same submissions  : {seconds:8.3f} s"
                  f"  ({per_nb * 1000:.0f} ms per submission)")
            print(f"  per submission, dlx grade-batch is {per_nb / per_dlx:.0f}x faster than nbgrader autograde"
                  f" and {latency / per_dlx:.0f}x faster than one `dlx grade` command")


def _cores() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    main()
