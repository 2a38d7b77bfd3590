"""The `dlx` command, end to end, with a temporary DLX_HOME."""
import json
import multiprocessing
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.gradebook import Gradebook
from grader.results import GradeResult, TestResult
from tests.helpers import reference_text


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DLX_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def dlx(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_list_json_has_ids_and_points():
    result = dlx("list", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.output)
    affine = next(r for r in rows if r["id"] == "affine")
    assert affine["points"] == 10 and affine["best"] is None


def test_fetch_never_destroys_work(tmp_path):
    assert dlx("fetch", "affine", "--dir", str(tmp_path)).exit_code == 0
    stub = tmp_path / "affine.py"
    assert "NotImplementedError" in stub.read_text() and (tmp_path / "affine.md").is_file()
    stub.write_text("# my work\n")
    again = dlx("fetch", "affine", "--dir", str(tmp_path))
    assert again.exit_code == 2 and "untouched" in again.output
    assert stub.read_text() == "# my work\n"
    forced = dlx("fetch", "affine", "--dir", str(tmp_path), "--force")
    assert forced.exit_code == 0
    backups = list(tmp_path.glob("affine.py.bak-*"))
    assert len(backups) == 1 and backups[0].read_text() == "# my work\n"
    dlx("fetch", "affine", "--dir", str(tmp_path), "--force")
    assert len(list(tmp_path.glob("affine.py.bak-*"))) == 2


def test_submit_records_and_score_shows_best_and_latest(tmp_path):
    dlx("fetch", "affine", "--dir", str(tmp_path))
    first = dlx("submit", "affine", "--dir", str(tmp_path))
    assert first.exit_code == 0 and "score 0/10" in first.output and "not implemented yet" in first.output
    (tmp_path / "affine.py").write_text(reference_text("affine"))
    second = dlx("submit", "affine", "--dir", str(tmp_path))
    assert "score 10/10" in second.output
    (tmp_path / "affine.py").write_text(reference_text("affine").replace("dout.sum(axis=0)", "dout.mean(axis=0)"))
    dlx("submit", "affine", "--dir", str(tmp_path))
    score = json.loads(dlx("score", "--json").output)
    affine = next(i for i in score["items"] if i["id"] == "affine")
    assert (affine["best"], affine["latest"], affine["attempts"]) == (10, 9, 3)
    assert "affine" in dlx("score").output


def test_submit_without_file_is_a_clear_error(tmp_path):
    result = dlx("submit", "affine", "--dir", str(tmp_path))
    assert result.exit_code == 2
    assert "dlx fetch affine" in result.output


def test_check_runs_visible_tests(tmp_path):
    (tmp_path / "affine.py").write_text(reference_text("affine"))
    result = dlx("check", "affine", "--dir", str(tmp_path))
    assert result.exit_code == 0 and "visible tests passed" in result.output


def test_hints_one_level_at_a_time():
    first, second = dlx("hint", "affine").output, dlx("hint", "affine").output
    assert "Hint 1 of 3" in first and "Hint 2 of 3" in second and "Hint 1" not in second
    assert "Hint 3 of 3" in dlx("hint", "affine").output
    assert "Hint 3 of 3" in dlx("hint", "affine").output
    assert "Hint 1 of 3" in dlx("hint", "affine", "--reset").output


def test_grade_json_is_gradescope_shaped_and_records_nothing(tmp_path, home):
    stub = tmp_path / "affine.py"
    dlx("fetch", "affine", "--dir", str(tmp_path))
    result = dlx("grade", "affine", str(stub), "--seed", "7", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["score"] == 0 and data["max_score"] == 10 and data["seed"] == 7 and data["exercise"] == "affine"
    assert {"duration_s", "dlx_version"} <= set(data)
    for test in data["tests"]:
        assert {"name", "score", "max_score", "status", "output"} <= set(test)
    assert json.loads(dlx("score", "--json").output)["items"] == []


@pytest.mark.parametrize("args, message", [
    (["grade", "nope", "x.py"], "unknown exercise 'nope'"),
    (["grade", "affine", "missing.py"], "missing.py does not exist"),
    (["fetch", "nope"], "unknown exercise"),
])
def test_cannot_grade_gives_one_line_and_nonzero_exit(args, message):
    result = dlx(*args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_damaged_gradebook_is_a_clear_message(home):
    home.mkdir(parents=True)
    (home / "gradebook.sqlite3").write_bytes(b"this is not a database" * 100)
    result = dlx("score")
    assert result.exit_code == 2
    assert "damaged" in result.output and "Traceback" not in result.output


def _record_many(args):
    path, n = args
    with Gradebook(Path(path)) as book:
        for i in range(n):
            book.record(GradeResult("affine", i, [TestResult("forward", i, 10, "failed")]))


def test_concurrent_recording_loses_nothing(tmp_path):
    path = tmp_path / "book.sqlite3"
    Gradebook(path).close()
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        pool.map(_record_many, [(str(path), 25)] * 4)
    with Gradebook(path) as book:
        assert len(list(book.attempts("exercise", "affine"))) == 100


def test_installed_command_works_outside_the_checkout(tmp_path, home):
    """The installed `dlx` carries the exercise catalogue: fetch, submit and score from any folder."""
    dlx_path = shutil.which("dlx")
    assert dlx_path, "install the package first (pip install .)"
    env = {**os.environ, "DLX_HOME": str(home)}

    def run(*args):
        return subprocess.run([dlx_path, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    assert run("fetch", "affine").returncode == 0
    (tmp_path / "affine.py").write_text(reference_text("affine"))
    submitted = run("submit", "affine")
    assert submitted.returncode == 0 and "score 10/10" in submitted.stdout
    assert json.loads(run("score", "--json").stdout)["total"] == 10


def test_check_watch_reruns_on_every_save(tmp_path, home):
    import queue
    import signal
    import threading
    import time

    target = tmp_path / "affine.py"
    target.write_text(reference_text("affine").replace("dout.sum(axis=0)", "dout.mean(axis=0)"))
    env = {**os.environ, "DLX_HOME": str(home)}
    proc = subprocess.Popen([shutil.which("dlx"), "check", "affine", "--dir", str(tmp_path), "--watch"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()

    def wait_for(text, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if text in lines.get(timeout=1):
                    return True
            except queue.Empty:
                pass
        return False

    try:
        assert wait_for("1/2 visible tests passed")
        time.sleep(0.1)
        target.write_text(reference_text("affine"))
        assert wait_for("2/2 visible tests passed")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
    assert proc.returncode == 0
