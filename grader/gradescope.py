"""Gradescope: build an autograder bundle, and the entry point that runs inside it.

The bundle holds `setup.sh` (Python, dlx's dependencies, torch's CPU build if
an exercise needs it), `run_autograder`, a `config.json` naming the exercises,
and a copy of the `grader` package with those exercises only (suites, folders,
references). On Gradescope, `run_autograder` grades
`/autograder/submission/<id>.py` for each exercise, with a seed drawn from the
student and the assignment, and always writes `/autograder/results/results.json`.
"""
from __future__ import annotations

import json
import shlex
import sys
import time
import zipfile
from dataclasses import replace
from pathlib import Path

from . import TORCH_VERSION
from .batch import student_seed
from .catalog import Exercise, get
from .errors import DlxError, GradingError
from .i18n import DEFAULT, _, language, speaking
from .paths import PACKAGE_DIR
from .results import TestResult
from .runner import grade_source, read_source
from .safe_read import output_file

TORCH_INSTALL = f"torch=={TORCH_VERSION} --index-url https://download.pytorch.org/whl/cpu"  # the CPU build, pinned

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when the autograder image is built (Ubuntu 22.04: Python 3.10).
set -euo pipefail
apt-get update -qq && apt-get install -y -qq python3 python3-pip > /dev/null
{torch}python3 -m pip install --quiet {requirements}
"""

# Writes results.json whatever happens: a grader that cannot start still gives the student its reason.
RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission; AUTOGRADER_ROOT lets it run anywhere for testing.
root="${AUTOGRADER_ROOT:-/autograder}"
results="$root/results/results.json"
errors="$(mktemp)"
mkdir -p "$root/results" && rm -f "$results"
(cd "$root/source" && python3 -m grader.gradescope "$root") 2> "$errors"
status=$?
cat "$errors" >&2
if [ ! -s "$results" ]; then
  python3 -c 'import json, sys
reason = open(sys.argv[2], errors="replace").read().strip().splitlines()[-1:] or ["exit status " + sys.argv[3]]
json.dump({"score": 0, "output": "dlx could not grade this submission: " + reason[0][-500:],
           "visibility": "visible", "stdout_visibility": "hidden", "tests": []}, open(sys.argv[1], "w"))' \\
    "$results" "$errors" "$status" \\
  || printf '%s\\n' '{"score": 0, "output": "dlx could not grade this submission: python3 did not run.", "tests": []}' \\
    > "$results"
fi
rm -f "$errors"
exit 0
"""

HIDDEN_VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


def requirements() -> list[str]:
    """What the grader needs installed (dlx's own dependencies, without the optional extras)."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        return [r for r in requires("dlx") or [] if "extra ==" not in r]
    except PackageNotFoundError:
        raise DlxError("dlx is not installed (pip install -e .): cannot tell what the bundle needs") from None


def setup_script(exercises: list[Exercise]) -> str:
    """setup.sh: Python, dlx's dependencies, and torch (CPU build) when an exercise needs it."""
    torch = f"python3 -m pip install --quiet {TORCH_INSTALL}\n" if any(e.requires == "torch" for e in exercises) else ""
    return SETUP_SH.format(torch=torch, requirements=" ".join(shlex.quote(r) for r in requirements()))


def bundle_files(exercises: list[Exercise]) -> dict[str, Path]:
    """Name in the bundle -> file: the grader package, and only these exercises' suites, folders and references."""
    wanted_suites = {e.suite.name for e in exercises}
    files: dict[str, Path] = {}
    for path in sorted(PACKAGE_DIR.rglob("*")):
        rel = path.relative_to(PACKAGE_DIR)
        if not path.is_file() or "__pycache__" in rel.parts or rel.parts[0] in ("exercises", "solutions"):
            continue
        if rel.parts[0] == "suites" and rel.name.startswith("test_") and rel.name not in wanted_suites:
            continue
        files[f"grader/{rel.as_posix()}"] = path
    for exercise in exercises:
        for path in sorted(exercise.folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                files[f"grader/exercises/{exercise.id}/{path.relative_to(exercise.folder).as_posix()}"] = path
        if exercise.reference.is_file():
            files[f"grader/solutions/{exercise.filename}"] = exercise.reference
    return files


def build(exercise_ids: list[str], out: Path, hidden_visibility: str = "after_due_date",
          lang: str | None = None) -> list[str]:
    """Write the bundle (its feedback in ``lang``, default: the run's language); returns the names of its files."""
    exercises = [get(i) for i in exercise_ids]
    if hidden_visibility not in HIDDEN_VISIBILITIES:
        raise DlxError(_("--hidden-visibility must be one of {choices}")
            .format(choices=", ".join(HIDDEN_VISIBILITIES)))
    config = {"exercises": [e.id for e in exercises], "hidden_visibility": hidden_visibility,
              "points": {e.id: e.points for e in exercises},  # for an exercise the bundle then cannot grade
              "lang": lang or language()}
    with zipfile.ZipFile(output_file(out), "w", zipfile.ZIP_DEFLATED) as bundle:
        _write_script(bundle, "setup.sh", setup_script(exercises))
        _write_script(bundle, "run_autograder", RUN_AUTOGRADER)
        bundle.writestr("config.json", json.dumps(config, indent=2))
        for name, path in bundle_files(exercises).items():
            bundle.write(path, name)
        return bundle.namelist()


def _write_script(bundle: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o755 << 16
    bundle.writestr(info, text)


def submission_key(root: Path) -> str:
    """Who submitted to which assignment, from Gradescope's submission_metadata.json ("" if it cannot tell).

    The same student (or group) on the same assignment gets the same key, so a
    rerun draws the same test inputs and gives the same score.
    """
    try:
        metadata = json.loads((root / "submission_metadata.json").read_text(encoding="utf-8"))
        users = sorted(str(u.get("id") or u.get("email") or "") for u in metadata.get("users") or [])
        assignment = (metadata.get("assignment") or {}).get("id", "")
        return f"{assignment}:{','.join(users)}"
    except (OSError, ValueError, AttributeError, TypeError):
        return ""


def _find_submission(submission_dir: Path, exercise: Exercise) -> Path | None:
    direct = submission_dir / exercise.filename
    if direct.is_file():
        return direct
    return next(iter(sorted(submission_dir.rglob(exercise.filename))), None)


def grade_submission(root: Path) -> dict:
    """Grade every configured exercise in ``root/submission``; the results.json object, in the bundle's language."""
    config = json.loads((root / "source" / "config.json").read_text())
    with speaking(config.get("lang", DEFAULT)):
        return _grade_submission(root, config)


def _grade_submission(root: Path, config: dict) -> dict:
    key = submission_key(root)
    start = time.perf_counter()
    tests: list[TestResult] = []
    lines = []
    for exercise in (get(i) for i in config["exercises"]):
        path = _find_submission(root / "submission", exercise)
        if path is None:
            tests.append(_failed(exercise, config, _("{file} submitted").format(file=exercise.filename),
                                 _("{file} was not found in your submission.").format(file=exercise.filename)))
            lines.append(_("{id}: missing").format(id=exercise.id))
            continue
        try:
            source = read_source(path, root / "submission")
        except GradingError as exc:
            source = ""
            lines.append(f"{exercise.id}: {exc}")
        seed = student_seed(exercise.id, key, None)
        try:
            hidden = grade_source(exercise, source, seed)
            visible = grade_source(exercise, source, seed, visible=True)
        except GradingError as exc:
            tests.append(_failed(exercise, config, _("graded"), _("dlx could not grade {file}: {reason}").format(
                file=exercise.filename, reason=exc)))
            lines.append(_("{id}: not graded: {reason}").format(id=exercise.id, reason=exc))
            continue
        tests += [replace(t, name=f"[{exercise.id}] " + _("visible: {test}").format(test=_(t.name)), score=0.0, max_score=0.0,
                          visibility="visible", test_id="")
                  for t in visible.tests]
        tests += [replace(t, name=f"[{exercise.id}] {_(t.name)}", visibility=config["hidden_visibility"],
                          test_id=f"{exercise.id}.{t.test_id}") for t in hidden.tests]
        lines.append(_("{id}: {score}/{max_score} (seed {seed})").format(
            id=exercise.id, score=f"{hidden.score:g}", max_score=f"{hidden.max_score:g}", seed=hidden.seed))
    return results_json(tests, "\n".join(lines), time.perf_counter() - start)


def results_json(tests: list[TestResult], output: str, execution_time: float | None = None) -> dict:
    """Gradescope's results.json: the tests (a test's id becomes its tag), their total, dlx's summary."""
    entries = []
    for test in tests:
        entry = {k: v for k, v in test.to_json().items() if k != "id"}
        entries.append({**entry, "tags": [test.test_id]} if test.test_id else entry)
    timing = {} if execution_time is None else {"execution_time": round(execution_time, 3)}
    return {"score": round(sum((t.score for t in tests), 0.0), 6), **timing, "output": output, "visibility": "visible",
            "stdout_visibility": "hidden", "tests": entries}


def _failed(exercise: Exercise, config: dict, what: str, why: str) -> TestResult:
    points = config.get("points", {}).get(exercise.id)  # a bundle's own record: its suite may be what failed
    return TestResult(f"[{exercise.id}] {what}", 0.0, exercise.points if points is None else points, "failed", why)


def main(argv: list[str] | None = None) -> None:
    """`python -m grader.gradescope ROOT`: grade and write ROOT/results/results.json, even if grading fails."""
    root = Path((argv or sys.argv[1:] or ["/autograder"])[0])
    try:
        results = grade_submission(root)
    except Exception as exc:  # noqa: BLE001 - the student must still get a result, with the reason
        results = results_json([], f"dlx could not grade this submission: {type(exc).__name__}: {exc}")
        print(results["output"], file=sys.stderr)
    (root / "results").mkdir(parents=True, exist_ok=True)
    (root / "results" / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
