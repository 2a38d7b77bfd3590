"""Benchmark: how long grading takes, from command to result and inside the grader.

Run from the repository: `python benchmarks/bench_grading.py [--repeat N]`.
It prints, for the reference of every NumPy exercise, the in-process
grading time (median of N), and the end-to-end time of `dlx grade affine`.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.catalog import catalog  # noqa: E402
from grader.runner import grade_source  # noqa: E402


def median_time(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    print(f"{'exercise':<18}{'tests':>6}{'score':>10}{'grade (s)':>12}")
    total = 0.0
    for exercise in catalog().values():
        if exercise.requires != "numpy":
            continue
        source = exercise.reference.read_text()
        result = grade_source(exercise, source, 0)
        t = median_time(lambda: grade_source(exercise, source, 0), args.repeat)
        total += t
        print(f"{exercise.id:<18}{len(result.tests):>6}{result.score:>5g}/{result.max_score:<4g}{t:>12.3f}")
    print(f"{'all NumPy exercises, one after another':<40}{total:>12.3f}")

    dlx = shutil.which("dlx")
    if dlx is None:
        print("`dlx` is not on PATH: install the package (pip install .) for the end-to-end figure")
        return
    command = [dlx, "grade", "affine", str(ROOT / "solutions" / "affine.py"), "--seed", "0", "--json"]
    t = median_time(lambda: subprocess.run(command, check=True, capture_output=True), args.repeat)
    print(f"{'`dlx grade affine` command to result':<40}{t:>12.3f}")


if __name__ == "__main__":
    main()
