"""Points that lazy and gaming submissions earn, per exercise and family (issue 11): should all be 0.

    python benchmarks/lazy_scores.py [--seeds 0 1] [--json out.json] [exercise ...]

Prints, per exercise, the most points each lazy family of ``tests/lazy.py`` earns over the seeds
(and which tests paid them), then what the gaming files of ``tests/gaming.py`` score.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.catalog import catalog  # noqa: E402
from grader.sandbox.spawn import use_fork_servers  # noqa: E402
from tests.gaming import FILES  # noqa: E402
from tests.helpers import grade  # noqa: E402
from tests.lazy import FAMILIES, lazy_source  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    use_fork_servers(True)
    table: dict = {}
    for exercise_id in args.exercises or list(catalog()):
        row = table[exercise_id] = {}
        for family in FAMILIES:
            results = [grade(exercise_id, lazy_source(exercise_id, family), seed) for seed in args.seeds]
            best = max(results, key=lambda r: r.score)
            row[family] = {"points": best.score, "max": best.max_score,
                           "paid": sorted({t.name for r in results for t in r.tests if t.score > 0})}
        print(f"{exercise_id:16s} " + " ".join(f"{f}={row[f]['points']:g}" for f in FAMILIES), flush=True)
    gaming = {}
    for exercise_id, files in FILES.items():
        for name, source in files.items():
            scores = [grade(exercise_id, source, seed).score for seed in args.seeds]
            gaming[f"{exercise_id}/{name}"] = scores
            print(f"{exercise_id} gaming file {name}: {scores}", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"lazy": table, "gaming": gaming}, indent=1))


if __name__ == "__main__":
    main()
