"""Grading a class: batch grading to CSV and results.json, resuming, and the Gradescope bundle."""
import csv
import json
import os
import subprocess
import zipfile

from click.testing import CliRunner

from grader.cli import main
from tests.helpers import mutate, reference_text, stub_text

SOLUTION = reference_text("affine")


def _class_folder(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.py").write_text(SOLUTION)
    (subs / "ben.py").write_text(stub_text("affine"))
    (subs / "cy.py").write_text(mutate(SOLUTION, "dout.sum(axis=0)", "dout.mean(axis=0)"))
    (subs / "dee").mkdir()
    (subs / "dee" / "affine.py").write_text("def affine_forward(x, w, b):\n    while True:\n        pass\n")
    (subs / "eve.py").write_text("import os\nos._exit(1)\n")
    (subs / "fay.py").write_text("def affine_forward(:\n")
    return subs


def _read_csv(path):
    with path.open() as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def test_batch_grades_everyone_and_survives_bad_submissions(tmp_path, monkeypatch):
    monkeypatch.setenv("DLX_HOME", str(tmp_path / "home"))
    subs = _class_folder(tmp_path)
    out = tmp_path / "grades.csv"
    result = CliRunner().invoke(main, ["grade-batch", "affine", str(subs), "--out", str(out), "--json-dir",
                                       str(tmp_path / "json"), "--workers", "2"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = _read_csv(out)
    assert set(rows) == {"ana", "ben", "cy", "dee", "eve", "fay"}
    scores = {k: float(v["score"]) for k, v in rows.items()}
    assert scores == {"ana": 10, "ben": 0, "cy": 9, "dee": 0, "eve": 0, "fay": 0}
    assert rows["cy"]["backward_db"] == "0.0"  # columns are the tests' stable ids
    assert all(float(r["max_score"]) == 10 for r in rows.values())
    ana = json.loads((tmp_path / "json" / "ana.json").read_text())
    assert ana["score"] == 10 and len(ana["tests"]) == 7
    assert [t["id"] for t in ana["tests"]][:3] == ["forward_values", "forward_other_shapes", "backward_dx"]

    (subs / "ben.py").write_text(SOLUTION)  # only ben changed: the rerun grades ben alone
    cache = out.with_name(out.name + ".cache.jsonl")
    before = len(cache.read_text().splitlines())
    CliRunner().invoke(main, ["grade-batch", "affine", str(subs), "--out", str(out)], catch_exceptions=False)
    assert len(cache.read_text().splitlines()) == before + 1
    assert float(_read_csv(out)["ben"]["score"]) == 10


def test_batch_of_an_empty_folder_is_an_error_not_a_class_of_zero(tmp_path):
    (tmp_path / "none").mkdir()
    result = CliRunner().invoke(main, ["grade-batch", "affine", str(tmp_path / "none"), "--out", str(tmp_path / "g.csv")])
    assert result.exit_code == 2 and "dlx: no submissions in" in result.output
    assert not (tmp_path / "g.csv").exists()


def test_gradescope_bundle_runs_like_on_gradescope(tmp_path):
    bundle = tmp_path / "autograder.zip"
    result = CliRunner().invoke(main, ["gradescope", "build", "affine", "--out", str(bundle)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as z:
        names = set(z.namelist())
        assert {"setup.sh", "run_autograder", "config.json", "grader/suites/test_affine.py",
                "grader/exercises/affine/exercise.toml", "grader/solutions/affine.py"} <= names
        z.extractall(root / "source")
    (root / "submission").mkdir()
    (root / "submission" / "affine.py").write_text(mutate(SOLUTION, "dout.sum(axis=0)", "dout.mean(axis=0)"))
    assert subprocess.run(["bash", "-n", str(root / "source" / "setup.sh")]).returncode == 0
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DLX_HOME")}
    env["AUTOGRADER_ROOT"] = str(root)
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 9
    hidden = [t for t in results["tests"] if t["max_score"] > 0]
    visible = [t for t in results["tests"] if t["max_score"] == 0]
    assert len(hidden) == 7 and all(t["visibility"] == "after_due_date" for t in hidden)
    assert visible and all(t["visibility"] == "visible" for t in visible)
    assert any(t["status"] == "failed" and "db" in t["output"] for t in hidden)
    assert [t["tags"] for t in hidden if t["status"] == "failed"] == [["affine.backward_db"]]


def test_gradescope_missing_file_is_a_failed_test(tmp_path):
    from grader.gradescope import grade_submission

    root = tmp_path / "ag"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    (root / "source" / "config.json").write_text(json.dumps({"exercises": ["affine"], "hidden_visibility": "hidden"}))
    results = grade_submission(root)
    assert results["score"] == 0
    assert results["tests"][0]["output"] == "affine.py was not found in your submission."
    assert results["tests"][0]["max_score"] == 10
