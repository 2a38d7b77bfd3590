"""Benchmark: grading a realistic class with dlx, side by side with nbgrader, in one run.

    python benchmarks/bench_class.py [--students 200] [--nbgrader-sample 10] [--exercise affine]

Needs the package installed (`pip install ".[nbgrader]"`). It builds a class of submissions like a
real one (`MIX`: mostly honest attempts, right and wrong, and a few broken ones), then measures:
1. one exercise's grading latency: `dlx grade ID FILE` on the reference, from command to result (median of 5);
2. batch throughput: `dlx grade-batch ID DIR` on every submission, per submission for that mix, and the
   scores each kind of submission got (a check that the class graded as it should: the right attempts
   full marks, the mistakes fewer, the stubs and broken files none);
3. `nbgrader autograde` on the same exercise, exported by `dlx nbgrader export`, for a sample of the
   same submissions (the sample keeps the class's mix; `--nbgrader-sample 0` skips it), beside
   `dlx grade-batch` and one `dlx grade` command per file on exactly the same files;
and prints the figures and the per-submission ratios.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_cli import compile_bytecode
from grader.catalog import get

# (kind, share of the class): honest attempts dominate; broken and hostile files are rare.
MIX = [
    ("correct", 0.40),          # the reference, written another right way
    ("typical mistake", 0.30),  # one plausible bug (for affine: the mistakes of tests/test_mistakes_affine.py)
    ("half done", 0.15),        # one function still the stub's
    ("untouched stub", 0.07),
    ("syntax error", 0.04),
    ("infinite loop", 0.02),    # costs its call deadline
    ("forbidden import", 0.02),
]
AFFINE_RIGHT = [("x @ w + b", "np.dot(x, w) + b"), ("dout.sum(axis=0)", "np.sum(dout, axis=0)"),
                ("x.T @ dout,", "x.T.dot(dout),"), ("dout @ w.T", "np.matmul(dout, w.T)")]
AFFINE_MISTAKES = [("dout.sum(axis=0)", "dout.mean(axis=0)"), ("x.T @ dout,", "dout.T @ x,"),
                   ("return x @ w + b, (x, w, b)", "return x @ w, (x, w, b)"), ("dout @ w.T", "dout @ w")]


def timed(command: list[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def submission(kind: str, n: int, reference: str, stub: str, exercise_id: str) -> str:
    """One student's file of the given kind (``n`` varies it)."""
    if kind == "correct":
        rewrites = AFFINE_RIGHT if exercise_id == "affine" else []
        for old, new in rewrites[:n % (len(rewrites) + 1)]:
            reference = reference.replace(old, new, 1)
        return f"# student {n}\n" + reference
    if kind == "typical mistake":
        mistakes = AFFINE_MISTAKES if exercise_id == "affine" else [("return", "return 0.5 *")]
        old, new = mistakes[n % len(mistakes)]
        return reference.replace(old, new, 1)
    if kind == "half done":
        functions = reference.split("\ndef ")
        stub_functions = stub.split("\ndef ")
        keep = 2 + n % max(1, len(functions) - 2)  # the module's head and at least the first function done
        return "\ndef ".join(functions[:keep] + stub_functions[keep:])
    if kind == "untouched stub":
        return stub
    if kind == "syntax error":
        return reference.replace("):", ")", 1)
    if kind == "infinite loop":
        return reference.replace("\n    return", "\n    while True:\n        pass\n    return", 1)
    return "import torch\n" + reference


def make_class(exercise_id: str, folder: Path, students: int) -> tuple[dict[str, str], dict[str, str]]:
    """``students`` submissions in the proportions of ``MIX``, interleaved so any sample keeps the mix;
    returns each student's file and kind."""
    exercise = get(exercise_id)
    reference, stub = exercise.reference.read_text(), exercise.stub.read_text()
    counts = {kind: round(share * students) for kind, share in MIX}
    counts["correct"] += students - sum(counts.values())
    kinds = sorted((i / count, kind) for kind, count in counts.items() for i in range(count))
    folder.mkdir(parents=True)
    sources, kind_of = {}, {}
    for n, (_, kind) in enumerate(kinds):
        name = f"student{n:03d}"
        sources[name], kind_of[name] = submission(kind, n, reference, stub, exercise_id), kind
        (folder / f"{name}.py").write_text(sources[name])
    print("class mix: " + ", ".join(f"{count} {kind}" for kind, count in counts.items()))
    return sources, kind_of


def scores_by_kind(grades_csv: Path, results: Path, kind_of: dict[str, str]) -> None:
    """Print each kind's scores (mean, lowest, highest), flagging what a correct grader never gives, and the
    grading time of each (the worker's start, the student's code and the suite: ``duration_s``)."""
    by_kind: dict[str, list[tuple[float, float]]] = {}
    with grades_csv.open(newline="") as f:
        rows = list(csv.DictReader(f))
    full = float(rows[0]["max_score"])
    for row in rows:
        seconds = json.loads((results / f"{row['student']}.json").read_text())["duration_s"]
        by_kind.setdefault(kind_of[row["student"]], []).append((float(row["score"]), seconds))
    for kind, _ in MIX:
        if kind not in by_kind:
            continue
        scores, seconds = zip(*by_kind[kind])
        wrong = {"correct": min(scores) < full, "typical mistake": max(scores) >= full,
                 "half done": max(scores) >= full}.get(kind, max(scores) > 0)
        print(f"    {kind:17s} {len(scores):4d} files  score mean {statistics.mean(scores):5.2f}, "
              f"min {min(scores):g}, max {max(scores):g} of {full:g}; {statistics.mean(seconds) * 1000:5.0f} ms "
              f"grading each" + ("   <- UNEXPECTED" if wrong else ""))


def nbgrader_autograde(dlx: str, exercise_id: str, sources: dict[str, str], work: Path) -> tuple[float, dict]:
    """Seconds `nbgrader autograde` takes for these submissions (after export and generate_assignment), and the
    score nbgrader gave each."""
    import nbformat
    from nbgrader.api import Gradebook

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
    seconds = timed([sys.executable, "-m", "nbgrader", "autograde", "bench"], cwd=course)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as book:
        scores = {student: book.find_submission("bench", student).score for student in sources}
    return seconds, scores


def main() -> None:
    parser = argparse.ArgumentParser(description="dlx class grading benchmark")
    parser.add_argument("--exercise", default="affine")
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--nbgrader-sample", type=int, default=10)
    args = parser.parse_args()
    dlx = shutil.which("dlx")
    if dlx is None:
        sys.exit("install dlx first: pip install '.[nbgrader]'")
    compile_bytecode()

    with tempfile.TemporaryDirectory(prefix="dlx-bench-") as tmp:
        work = Path(tmp)
        sources, kind_of = make_class(args.exercise, work / "subs", args.students)
        one = work / "one.py"
        one.write_text(get(args.exercise).reference.read_text())
        latency = statistics.median(timed([dlx, "grade", args.exercise, str(one), "--seed", "0"]) for _ in range(5))
        batch = timed([dlx, "grade-batch", args.exercise, str(work / "subs"), "--out", str(work / "grades.csv"),
                       "--json-dir", str(work / "results")])
        per_dlx = batch / args.students
        print(f"exercise {args.exercise}, {args.students} submissions, machine with {_cores()} cores")
        print(f"  dlx grade, the reference, command to result  : {latency:8.3f} s")
        print(f"  dlx grade-batch, {args.students} submissions (the mix)  : {batch:8.3f} s"
              f"  ({per_dlx * 1000:.0f} ms per submission, {args.students / batch:.1f} per second)")
        scores_by_kind(work / "grades.csv", work / "results", kind_of)
        if args.nbgrader_sample > 0:
            step = max(1, len(sources) // args.nbgrader_sample)  # evenly spaced: the sample keeps the mix
            sample = dict(list(sources.items())[step // 2::step][:args.nbgrader_sample])
            kinds = sorted({kind_of[name] for name in sample})
            print(f"  the same {len(sample)} files for both ({', '.join(kinds)}):")
            folder = work / "sample"
            folder.mkdir()
            for name, source in sample.items():
                (folder / f"{name}.py").write_text(source)
            sample_batch = timed([dlx, "grade-batch", args.exercise, str(folder), "--out", str(work / "sample.csv")])
            commands = [timed([dlx, "grade", args.exercise, str(folder / f"{name}.py")]) for name in sample]
            seconds, nb_scores = nbgrader_autograde(dlx, args.exercise, sample, work)
            per_nb = seconds / len(sample)
            with (work / "sample.csv").open(newline="") as f:
                dlx_scores = {row["student"]: float(row["score"]) for row in csv.DictReader(f)}
            same = sum(abs(nb_scores[name] - dlx_scores[name]) < 1e-9 for name in sample)
            print(f"    nbgrader gave {same} of the {len(sample)} files dlx's score"
                  + ("" if same == len(sample) else f" (nbgrader: {nb_scores}; dlx: {dlx_scores})"))
            for what, total in (("dlx grade-batch", sample_batch), ("dlx grade, one command per file", sum(commands)),
                                ("nbgrader autograde", seconds)):
                print(f"    {what:32s}: {total:8.3f} s  ({total / len(sample) * 1000:.0f} ms per submission)")
            print(f"  per submission, nbgrader autograde takes {per_nb / (sample_batch / len(sample)):.0f}x "
                  f"dlx grade-batch's time on the same files ({per_nb / per_dlx:.0f}x on the whole class) and "
                  f"{per_nb / statistics.mean(commands):.1f}x one `dlx grade` command's")
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _cores() -> int:
    return os.cpu_count() or 1


if __name__ == "__main__":
    main()
