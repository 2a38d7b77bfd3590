"""Gradescope: build an autograder bundle, and the entry point that runs inside it.

The bundle holds `setup.sh`, `run_autograder`, a `config.json` naming the
exercises, and a copy of the `grader` package with its exercise bank. On
Gradescope, `run_autograder` grades `/autograder/submission/<id>.py` for each
exercise and writes `/autograder/results/results.json`.
"""
from __future__ import annotations

import json
import sys
import time
import zipfile
from pathlib import Path

from .catalog import Exercise, get
from .paths import PACKAGE_DIR, exercises_dir, solutions_dir
from .runner import GradingError, grade_source, read_source

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when the autograder image is built.
set -euo pipefail
apt-get update -qq && apt-get install -y -qq python3 python3-pip > /dev/null
python3 -m pip install --quiet "numpy>=1.24" "click>=8.1" "pytest>=7.4" "rich>=13" "platformdirs>=3"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission; AUTOGRADER_ROOT lets it run anywhere for testing.
root="${AUTOGRADER_ROOT:-/autograder}"
cd "$root/source" && exec python3 -m grader.gradescope "$root"
"""

HIDDEN_VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


def build(exercise_ids: list[str], out: Path, hidden_visibility: str = "after_due_date") -> list[str]:
    """Write the bundle; returns the names of the files in it."""
    exercises = [get(i) for i in exercise_ids]
    if hidden_visibility not in HIDDEN_VISIBILITIES:
        raise GradingError(f"--hidden-visibility must be one of {', '.join(HIDDEN_VISIBILITIES)}")
    config = {"exercises": [e.id for e in exercises], "hidden_visibility": hidden_visibility}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        _write_script(bundle, "setup.sh", SETUP_SH)
        _write_script(bundle, "run_autograder", RUN_AUTOGRADER)
        bundle.writestr("config.json", json.dumps(config, indent=2))
        for path in sorted(PACKAGE_DIR.rglob("*")):
            rel = path.relative_to(PACKAGE_DIR)
            if path.is_file() and "__pycache__" not in rel.parts and rel.parts[0] != "bank":
                bundle.write(path, f"grader/{rel.as_posix()}")
        for folder, name in ((exercises_dir(), "exercises"), (solutions_dir(), "solutions")):
            for path in sorted(folder.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    bundle.write(path, f"grader/bank/{name}/{path.relative_to(folder).as_posix()}")
        return bundle.namelist()


def _write_script(bundle: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o755 << 16
    bundle.writestr(info, text)


def _find_submission(submission_dir: Path, exercise: Exercise) -> Path | None:
    direct = submission_dir / exercise.filename
    if direct.is_file():
        return direct
    return next(iter(sorted(submission_dir.rglob(exercise.filename))), None)


def grade_submission(root: Path) -> dict:
    """Grade every configured exercise in ``root/submission``; the results.json object."""
    config = json.loads((root / "source" / "config.json").read_text())
    start = time.perf_counter()
    tests, lines = [], []
    for exercise in (get(i) for i in config["exercises"]):
        path = _find_submission(root / "submission", exercise)
        if path is None:
            tests.append({"name": f"[{exercise.id}] {exercise.filename} submitted", "score": 0.0,
                          "max_score": exercise.points, "status": "failed", "visibility": "visible",
                          "output": f"{exercise.filename} was not found in your submission."})
            lines.append(f"{exercise.id}: missing")
            continue
        try:
            source = read_source(path, root / "submission")
        except GradingError as exc:
            source = ""
            lines.append(f"{exercise.id}: {exc}")
        hidden = grade_source(exercise, source)
        visible = grade_source(exercise, source, hidden.seed, visible=True)
        for test in visible.tests:
            tests.append({"name": f"[{exercise.id}] visible: {test.name}", "score": 0.0, "max_score": 0.0,
                          "status": test.status, "output": test.output, "visibility": "visible"})
        for test in hidden.tests:
            tests.append({"name": f"[{exercise.id}] {test.name}", "score": test.score, "max_score": test.max_score,
                          "status": test.status, "output": test.output, "visibility": config["hidden_visibility"],
                          "tags": [f"{exercise.id}.{test.test_id}"]})
        lines.append(f"{exercise.id}: {hidden.score:g}/{hidden.max_score:g} (seed {hidden.seed})")
    return {
        "score": round(sum(t["score"] for t in tests), 6),
        "execution_time": round(time.perf_counter() - start, 3),
        "output": "\n".join(lines),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def main(argv: list[str] | None = None) -> None:
    """`python -m grader.gradescope ROOT`: grade and write ROOT/results/results.json."""
    root = Path((argv or sys.argv[1:] or ["/autograder"])[0])
    results = grade_submission(root)
    (root / "results").mkdir(parents=True, exist_ok=True)
    (root / "results" / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
