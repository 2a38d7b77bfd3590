"""Benchmark: the cold path students use, idle and under load.

Run from the repository: `python benchmarks/bench_cold.py [--repeat N] [--load 4] [EXERCISE ...]`.
For each exercise (default: every PyTorch exercise and affine), it runs
`dlx grade --json EXERCISE solutions/EXERCISE.py` in a fresh process (no warm
template), first alone, then ``--load`` copies at once, and prints the wall
time from command to result and the score each run got.  A correct reference
must score full marks in every run; the times are for reading, not asserting.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.catalog import catalog  # noqa: E402


def dlx_command() -> list[str]:
    found = shutil.which("dlx")
    return [found] if found else [sys.executable, "-c", "from grader.cli import main; main()"]


def grade_once(exercise_id: str, seed: int) -> tuple[float, str]:
    """Wall seconds and "score/max" of one cold `dlx grade`."""
    solution = catalog()[exercise_id].reference
    start = time.perf_counter()
    done = subprocess.run([*dlx_command(), "grade", "--json", "--seed", str(seed), exercise_id, str(solution)],
                          capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    seconds = time.perf_counter() - start
    try:
        result = json.loads(done.stdout)
        return seconds, f"{result['score']:g}/{result['max_score']:g}"
    except (json.JSONDecodeError, KeyError):
        return seconds, f"error (exit {done.returncode}): {done.stderr.strip()[-200:]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*")
    parser.add_argument("--repeat", type=int, default=2, help="runs alone per exercise")
    parser.add_argument("--load", type=int, default=4, help="how many gradings at once under load")
    args = parser.parse_args()
    ids = args.exercises or [e.id for e in catalog().values() if e.requires == "torch"] + ["affine"]

    print(f"{os.cpu_count()} cores; each row: median wall seconds (max), and the scores of the runs")
    print(f"{'exercise':<16}{'alone (s)':>18}  scores{'':<14}{f'{args.load} at once (s)':>20}  scores")
    for exercise_id in ids:
        alone = [grade_once(exercise_id, seed) for seed in range(args.repeat)]
        with ThreadPoolExecutor(args.load) as pool:
            loaded = list(pool.map(lambda seed: grade_once(exercise_id, seed), range(args.load)))
        cells = []
        for runs in (alone, loaded):
            times = [t for t, _ in runs]
            cells += [f"{statistics.median(times):.2f} ({max(times):.2f})", " ".join(s for _, s in runs)]
        print(f"{exercise_id:<16}{cells[0]:>18}  {cells[1]:<20}{cells[2]:>20}  {cells[3]}")


if __name__ == "__main__":
    main()
