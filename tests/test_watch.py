"""Watch mode, in a pseudo-terminal as a student runs it: clear screen, keys, course order."""
import os
import time

import pytest

from grader.catalog import catalog
from grader.gradebook import Gradebook
from grader.results import GradeResult, TestResult
from tests.helpers import reference_text, stub_text

pexpect = pytest.importorskip("pexpect")


@pytest.fixture()
def env(tmp_path):
    return {**os.environ, "DLX_HOME": str(tmp_path / "home"), "COLUMNS": "120", "TERM": "xterm"}


def spawn(args, env, cwd):
    return pexpect.spawn("dlx", args, env=env, cwd=str(cwd), encoding="utf-8", timeout=60)


def save(path, text):
    path.write_text(text)
    stamp = time.time() + 1
    os.utime(path, (stamp, stamp))  # a new modification time even within the file system's granularity


def test_check_watch_clears_reruns_on_save_and_answers_keys(tmp_path, env):
    (tmp_path / "affine.py").write_text(stub_text("affine"))
    child = spawn(["check", "affine", "--watch"], env, tmp_path)
    child.expect("visible tests passed")
    child.expect("next hint")
    child.expect("quit")
    save(tmp_path / "affine.py", reference_text("affine"))
    child.expect("\x1b\\[2J|\x1b\\[H")  # the screen is cleared for the new run
    child.expect("all visible tests pass: `dlx submit affine`")
    child.send("h")
    child.expect("Hint 1 of")
    child.send("s")
    child.expect("affine")  # the statement, rendered
    child.send("q")
    child.expect("stopped watching")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    with Gradebook() as book:  # watching records nothing but the hint level
        assert book.standings() == []


def test_dlx_watch_follows_the_course_from_the_first_unfinished_exercise(tmp_path, env, monkeypatch):
    monkeypatch.setenv("DLX_HOME", env["DLX_HOME"])
    ordered = list(catalog())
    with Gradebook() as book:  # the first three exercises already have full marks
        for exercise_id in ordered[:3]:
            points = catalog()[exercise_id].points
            book.record(GradeResult(exercise_id, 0, [TestResult("all", points, points, "passed")]))
    current, following = ordered[3], ordered[4]
    child = spawn(["watch"], env, tmp_path)
    child.expect(f"{current} · ")
    child.expect("visible tests passed")
    assert (tmp_path / f"{current}.py").read_text() == stub_text(current)  # fetched for the student
    save(tmp_path / f"{current}.py", reference_text(current))
    child.expect("all visible tests pass")
    child.expect(f"{current}: full marks")
    child.expect(f"{following} · ")
    child.expect(f"{current}: full marks, recorded")  # the cleared screen still says the last one is done
    child.expect("visible tests passed")
    assert (tmp_path / f"{following}.py").is_file()
    child.send("q")
    child.expect(pexpect.EOF)
    with Gradebook() as book:
        [attempt] = list(book.attempts("exercise", current))
    assert attempt["score"] == catalog()[current].points
