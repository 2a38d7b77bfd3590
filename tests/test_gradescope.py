"""The Gradescope bundle: what it carries, what setup.sh installs, and run_autograder as Gradescope runs it.

Gradescope's default image is Ubuntu 22.04 with Python 3.10: the bundle is also
run with a Python 3.10 interpreter when one is given (``DLX_PYTHON310``, a
Python 3.10 with dlx's dependencies installed; .ci/run makes one).
"""
from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from grader import TORCH_VERSION
from grader.catalog import get
from grader.gradescope import build, grade_submission
from tests.helpers import mutate, reference_text

SOLUTION = reference_text("affine")
WRONG_DB = mutate(SOLUTION, "dout.sum(axis=0)", "dout.mean(axis=0)")


def _bundle(tmp_path: Path, *exercise_ids: str) -> tuple[Path, set[str]]:
    """Build the bundle and unpack it as Gradescope does, into ROOT/source; returns ROOT and the file names."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    out = tmp_path / "autograder.zip"
    build(list(exercise_ids), out)
    root = tmp_path / "autograder"
    with zipfile.ZipFile(out) as bundle:
        names = set(bundle.namelist())
        bundle.extractall(root / "source")
    (root / "submission").mkdir()
    return root, names


def _metadata(root: Path, user_id: int, assignment_id: int = 4242) -> None:
    """What Gradescope writes beside the submission (the fields dlx reads)."""
    (root / "submission_metadata.json").write_text(json.dumps({
        "id": 123456, "created_at": "2026-11-29T03:00:00Z",
        "assignment": {"id": assignment_id, "title": "Affine layer"},
        "users": [{"email": f"student{user_id}@example.edu", "id": user_id, "name": f"Student {user_id}"}],
    }))


def _run_autograder(root: Path, python_dir: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DLX_HOME")}
    env["AUTOGRADER_ROOT"] = str(root)
    if python_dir:
        env["PATH"] = f"{python_dir}{os.pathsep}{env.get('PATH', '')}"
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_the_bundle_carries_only_the_exercises_asked_for(tmp_path):
    _, names = _bundle(tmp_path, "affine", "gates")
    suites = {n for n in names if n.startswith("grader/suites/test_")}
    assert suites == {"grader/suites/test_affine.py", "grader/suites/test_gates.py"}
    folders = {n.split("/")[2] for n in names if n.startswith("grader/exercises/")}
    assert folders == {"affine", "gates"}
    references = {n for n in names if n.startswith("grader/solutions/")}
    assert references == {"grader/solutions/affine.py", "grader/solutions/gates.py"}
    assert "grader/sandbox/worker.py" in names and "grader/suites/__init__.py" in names


def _setup(tmp_path: Path, exercise_id: str) -> str:
    root, _ = _bundle(tmp_path / exercise_id, exercise_id)
    script = root / "source" / "setup.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    return script.read_text()


def test_setup_installs_the_cpu_build_of_torch_only_where_an_exercise_needs_it(tmp_path):
    torch_setup, numpy_setup = _setup(tmp_path, "train_torch"), _setup(tmp_path, "affine")
    assert f"pip install --quiet torch=={TORCH_VERSION} --index-url https://download.pytorch.org/whl/cpu\n" in torch_setup
    assert "torch" not in numpy_setup
    for script in (torch_setup, numpy_setup):  # dlx's own dependencies, with tomllib's stand-in for Python 3.10
        assert "'numpy>=1.24'" in script and "'tomli>=1.1; python_version < \"3.11\"'" in script


def test_a_rerun_draws_the_same_inputs_and_gives_the_same_results(tmp_path):
    """The seed comes from the student and the assignment, not from the clock."""
    root, _ = _bundle(tmp_path, "affine")
    (root / "submission" / "affine.py").write_text(WRONG_DB)
    _metadata(root, user_id=17)
    first, second = grade_submission(root), grade_submission(root)
    _metadata(root, user_id=18)
    other = grade_submission(root)
    for result in (first, second, other):
        result.pop("execution_time")
    assert first == second
    assert first["output"] != other["output"]  # another student, another seed: "affine: 9/10 (seed N)"
    assert "seed" in first["output"]


def test_results_json_is_written_when_the_grader_cannot_run(tmp_path):
    """No importable grader at all: run_autograder still writes results.json, with the reason."""
    root, _ = _bundle(tmp_path, "affine")
    (root / "submission" / "affine.py").write_text(SOLUTION)
    (root / "source" / "grader" / "__init__.py").write_text("raise ImportError('the grader is broken')\n")
    results = _run_autograder(root)
    assert results["score"] == 0 and results["tests"] == []
    assert results["output"] == "dlx could not grade this submission: ImportError: the grader is broken"


def test_results_json_is_written_when_grading_fails(tmp_path):
    """The grader starts but cannot grade (a bad config.json): a result with the reason, from Python itself."""
    root, _ = _bundle(tmp_path, "affine")
    (root / "submission" / "affine.py").write_text(SOLUTION)
    (root / "source" / "config.json").write_text("{not json")
    results = _run_autograder(root)
    assert results["score"] == 0 and results["tests"] == []
    assert results["output"].startswith("dlx could not grade this submission: JSONDecodeError: ")


def test_an_exercise_that_cannot_be_graded_does_not_cost_the_others(tmp_path):
    root, _ = _bundle(tmp_path, "affine", "gates")
    (root / "submission" / "affine.py").write_text(SOLUTION)
    (root / "submission" / "gates.py").write_text(reference_text("gates"))
    (root / "source" / "grader" / "suites" / "test_gates.py").unlink()
    results = _run_autograder(root)
    assert results["score"] == get("affine").points
    assert "gates: not graded: no hidden suite for gates in this installation" in results["output"]
    assert any(t["name"] == "[gates] graded" and t["max_score"] == get("gates").points for t in results["tests"])


PYTHON310 = os.environ.get("DLX_PYTHON310")


@pytest.mark.skipif(not PYTHON310, reason="no Python 3.10 given (DLX_PYTHON310: a Python 3.10 with dlx's "
                    "dependencies, as .ci/run makes)")
def test_the_bundle_runs_on_python_3_10(tmp_path):
    """Gradescope's default image has Python 3.10: the bundle grades there exactly as here."""
    version = subprocess.run([PYTHON310, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert version == "(3, 10)"
    root, _ = _bundle(tmp_path, "affine")
    (root / "submission" / "affine.py").write_text(WRONG_DB)
    _metadata(root, user_id=17)
    here = grade_submission(root)
    python_dir = tmp_path / "python310"  # `python3` is Python 3.10 there, as on Gradescope
    python_dir.mkdir()
    (python_dir / "python3").write_text(f'#!/bin/sh\nexec "{PYTHON310}" "$@"\n')
    (python_dir / "python3").chmod(0o755)
    there = _run_autograder(root, str(python_dir))
    assert "dlx could not grade" not in there["output"], there["output"]
    assert there["score"] == here["score"] == get("affine").points - 1
    strip = lambda r: {k: v for k, v in r.items() if k != "execution_time"}  # noqa: E731
    assert strip(there) == strip(here)
