"""The course server end to end: the real `dlx serve` on 127.0.0.1 driven by the real `dlx` client."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import time
import uuid
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the course server needs the server extra: pip install 'dlx[server]'")
pytest.importorskip("uvicorn", reason="the course server needs the server extra: pip install 'dlx[server]'")

from tests.course_server import REPO, CourseServer, Person, Postgres, api, set_clock  # noqa: E402

START = "2026-02-01T09:00:00+00:00"
COURSE = """\
[course]
name = "Test course"
quota = "3/hour"
counts = "best"
max_upload_kib = 64
max_tries = 2

[roles]
ta = ["view"]

[[assignment]]
id = "hw1"
exercises = ["affine", "dense"]
quizzes = ["init"]
opens = 2026-01-01T00:00:00Z
due = 2026-03-01T12:00:00+01:00
late = { penalty_per_day = 0.25, lock = 2026-03-05T12:00:00+01:00 }

[[assignment]]
id = "hw2"
exercises = ["gates", "broken"]
opens = 2026-01-01T00:00:00Z
due = 2026-02-10T12:00:00Z
counts = "latest"
"""


def _course_exercise(root: Path, new_id: str, broken: bool = False) -> None:
    """A course-own copy of affine under another id: its suite and reference exist only in the course folder."""
    folder = root / "exercises" / new_id
    shutil.copytree(REPO / "exercises" / "affine", folder)
    (folder / "affine.py").rename(folder / f"{new_id}.py")
    toml = (folder / "exercise.toml").read_text().replace('id = "affine"', f'id = "{new_id}"')
    (folder / "exercise.toml").write_text(toml)
    suite = (REPO / "grader" / "suites" / "test_affine.py").read_text()
    (folder / f"test_{new_id}.py").write_text("raise RuntimeError('suite bug')\n" if broken else suite)
    shutil.copy(REPO / "solutions" / "affine.py", folder / "solution.py")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request):
    """Where the course database lives: None (SQLite, the default) or a function making a PostgreSQL URL."""
    if request.param == "sqlite":
        yield None
        return
    postgres = Postgres()
    reason = postgres.unavailable()
    if reason:
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    postgres.start()
    yield postgres.new_database
    postgres.stop()


def query(server: CourseServer, sql: str, *params: object) -> list[tuple]:
    """Read the server's database directly (SQLite file or PostgreSQL)."""
    from sqlalchemy import create_engine, text

    url = server.database or f"sqlite:///{server.data_dir / 'course.sqlite3'}"
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            names = {f"p{i}": p for i, p in enumerate(params)}
            for i in range(len(params)):
                sql = sql.replace("?", f":p{i}", 1)
            return [tuple(row) for row in connection.execute(text(sql), names)]
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def course(tmp_path_factory, backend):
    root = tmp_path_factory.mktemp("course")
    (root / "course.toml").write_text(COURSE)
    _course_exercise(root, "dense")
    _course_exercise(root, "broken", broken=True)
    clock = root / "clock"
    set_clock(clock, START)
    server = CourseServer(root / "course.toml", root / "data", clock, workers=1,
                          database=backend() if backend else None).start()
    instructor = Person(root / "homes" / "instructor", root / "work" / "instructor")
    instructor.dlx("login", server.url, "--code", server.instructor_code)
    roster = root / "students.csv"
    roster.write_text("login,name\nalice,Alice\nbob,Bob\ncarol,Carol\ndave,Dave\nerin,Erin\n")
    codes_file = root / "codes.csv"
    instructor.dlx("course", "roster", "import", str(roster), "--codes", str(codes_file))
    (root / "tas.csv").write_text("login,name\nted,Ted\n")
    ta_codes = instructor.dlx("course", "roster", "import", str(root / "tas.csv"), "--role", "ta").stdout
    codes = {row["login"]: row["code"] for row in csv.DictReader(codes_file.open())}
    codes["ted"] = ta_codes.strip().split(",")[2]
    people = {"instructor": instructor}
    for login, code in codes.items():
        people[login] = Person(root / "homes" / login, root / "work" / login)
        people[login].dlx("login", server.url, "--code", code)
    yield {"root": root, "server": server, "clock": clock, "people": people, "codes": codes}
    server.stop()


def _reference(person: Person, exercise: str = "affine") -> None:
    shutil.copy(REPO / "solutions" / "affine.py", person.workdir / f"{exercise}.py")


def _grades(person: Person) -> dict[str, dict[str, str]]:
    text = person.dlx("course", "grades", "--csv").stdout
    return {row["student"]: row for row in csv.DictReader(io.StringIO(text))}


def test_submit_right_and_wrong_code(course):
    alice = course["people"]["alice"]
    alice.dlx("fetch", "affine")
    assert "NotImplementedError" in (alice.workdir / "affine.py").read_text()
    wrong = alice.dlx("submit", "affine")
    assert "affine: score 0/10" in wrong.stdout
    assert "Received by the course" in wrong.stdout
    _reference(alice)
    right = alice.dlx("submit", "affine")
    assert "affine: score 10/10" in right.stdout
    score = json.loads(alice.dlx("score", "--json").stdout)
    affine = next(i for i in score["items"] if i["item"] == "affine")
    assert (affine["score"], affine["attempts"]) == (10, 2)
    assert _grades(course["people"]["instructor"])["alice"]["affine"] == "10.0"


def test_course_own_exercise_never_sends_suite_or_reference(course):
    bob = course["people"]["bob"]
    status, info = api(course["server"].url, "GET", "/api/exercises/dense", bob.token)
    assert status == 200 and set(info["files"]) == {"dense.py", "dense.md", "test_visible.py", "exercise.toml"}
    bob.dlx("fetch", "dense")
    assert sorted(p.name for p in bob.workdir.iterdir()) == ["dense.md", "dense.py"]
    assert "0/" in bob.dlx("check", "dense").stdout  # the visible tests, run locally from the fetched copy
    _reference(bob, "dense")
    assert "visible tests passed" in bob.dlx("check", "dense").stdout
    assert "dense: score 10/10" in bob.dlx("submit", "dense").stdout


def test_seed_chosen_by_server_and_rerun_keeps_previous(course):
    alice, instructor = course["people"]["alice"], course["people"]["instructor"]
    status, before = api(course["server"].url, "GET", "/api/submissions?student=alice&exercise=affine", alice.token)
    assert status == 200 and len(before) == 2
    instructor.dlx("course", "rerun", "hw1", "--student", "alice")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        _, jobs = api(course["server"].url, "GET", "/api/jobs", instructor.token)
        if not any(j["state"] in ("queued", "running") for j in jobs["jobs"]):
            break
        time.sleep(0.5)
    _, after = api(course["server"].url, "GET", "/api/submissions?student=alice&exercise=affine", alice.token)
    assert [(s["seed"], s["score"]) for s in after] == [(s["seed"], s["score"]) for s in before]
    per_submission = dict(query(course["server"], "SELECT submission_id, count(*) FROM results GROUP BY submission_id"))
    assert all(per_submission[s["id"]] == 2 for s in before)  # the earlier result is kept beside the new one
    audit = json.loads(instructor.dlx("course", "audit", "--json").stdout)
    assert any(a["action"] == "rerun" and a["target"] == "hw1/alice" and a["actor"] == "instructor" for a in audit)


def test_forged_token_and_no_login(course):
    mallory = Person(course["root"] / "homes" / "mallory", course["root"] / "work" / "mallory")
    (mallory.home / "course.json").write_text(json.dumps(
        {"url": course["server"].url, "token": "forged-" + uuid.uuid4().hex, "login": "alice", "role": "instructor",
         "course": "Test course"}))
    done = mallory.dlx("list", check=False)
    assert done.returncode == 2 and "invalid, expired or revoked" in done.stderr and "Traceback" not in done.stderr
    done = mallory.dlx("course", "grades", check=False)
    assert done.returncode == 2 and "HTTP 401" in done.stderr
    assert mallory.dlx("list", "--offline").stdout.count("affine") >= 1  # local mode unchanged
    status, _ = api(course["server"].url, "GET", "/api/standing")
    assert status == 401


def test_another_students_data(course):
    alice, bob = course["people"]["alice"], course["people"]["bob"]
    _, mine = api(course["server"].url, "GET", "/api/submissions", alice.token)
    status, body = api(course["server"].url, "GET", f"/api/submissions/{mine[0]['id']}", bob.token)
    assert status == 403 and "another student" in body["detail"]
    status, body = api(course["server"].url, "GET", "/api/standing?student=alice", bob.token)
    assert status == 403
    status, body = api(course["server"].url, "GET", "/api/grades", bob.token)
    assert status == 403 and "may not view" in body["detail"]


def test_oversized_upload(course):
    carol = course["people"]["carol"]
    (carol.workdir / "affine.py").write_text("# padding\n" * 8000)  # 80 KB > the course's 64 KiB
    done = carol.dlx("submit", "affine", check=False)
    assert done.returncode == 2 and "larger than the course's limit of 64 KiB" in done.stderr


def test_quota_and_window(course):
    dave = course["people"]["dave"]
    dave.dlx("fetch", "gates")
    for _ in range(3):
        dave.dlx("submit", "gates")
    done = dave.dlx("submit", "gates", check=False)
    assert done.returncode == 2 and "quota reached: at most 3/hour submissions of gates" in done.stderr
    set_clock(course["clock"], "2026-02-01T10:01:00+00:00")
    assert "gates: score 0/" in dave.dlx("submit", "gates").stdout


def test_quiz_through_the_course(course):
    from grader.quiz.bank import get_bank
    from grader.quiz.variant import variants

    dave = course["people"]["dave"]
    shown = json.loads(dave.dlx("quiz", "show", "init", "--json").stdout)
    assert json.loads(dave.dlx("quiz", "show", "init", "--json").stdout)["seed"] == shown["seed"]  # kept
    answers = {}
    for v in variants(get_bank("init"), shown["seed"]):
        key = v.expected
        answers[v.id] = key if isinstance(key, float) else (key[0] if v.kind == "single" else list(key))
    (dave.workdir / "answers.json").write_text(json.dumps(answers))
    result = json.loads(dave.dlx("quiz", "take", "init", "--answers", "answers.json", "--json").stdout)
    assert result["score"] == result["max_score"] > 0 and result["seed"] == shown["seed"]
    assert float(_grades(course["people"]["instructor"])["dave"]["quiz:init"]) == result["max_score"]
    done = dave.dlx("quiz", "take", "init", check=False)
    assert done.returncode == 2 and "answer with --answers FILE" in done.stderr


def test_grader_failure_costs_no_attempt(course):
    erin = course["people"]["erin"]
    erin.dlx("fetch", "broken")
    done = erin.dlx("submit", "broken", check=False)
    assert done.returncode == 2 and "the grader failed (not your code)" in done.stderr
    score = json.loads(erin.dlx("score", "--json").stdout)
    assert next(i for i in score["items"] if i["item"] == "broken")["attempts"] == 0
    _, jobs = api(course["server"].url, "GET", "/api/jobs", course["people"]["instructor"].token)
    failed = [j for j in jobs["jobs"] if j["state"] == "failed"]
    assert len(failed) == 1 and failed[0]["tries"] == 2 and "test_broken.py could not be run" in failed[0]["error"]


def test_roles(course):
    ted, bob = course["people"]["ted"], course["people"]["bob"]
    assert "bob" in _grades(ted)  # a TA may view
    done = ted.dlx("course", "extend", "bob", "hw2", "--until", "2026-03-01T00:00:00Z", check=False)
    assert done.returncode == 2 and "your role (ta) may not extend" in done.stderr
    done = ted.dlx("course", "override", "bob", "dense", "3", "--reason", "x", check=False)
    assert done.returncode == 2 and "may not override" in done.stderr
    done = bob.dlx("course", "grades", check=False)
    assert done.returncode == 2 and "your role (student) may not view" in done.stderr
    done = ted.dlx("course", "roster", "import", str(course["root"] / "tas.csv"), "--role", "ta", check=False)
    assert done.returncode == 2 and "may not roster" in done.stderr
    instructor = course["people"]["instructor"]
    instructor.dlx("course", "override", "bob", "dense", "7", "--reason", "regrade request")
    assert _grades(ted)["bob"]["dense"] == "7.0"
    audit = json.loads(instructor.dlx("course", "audit", "--json").stdout)
    assert any(a["action"] == "override" and a["target"] == "bob/dense" and a["detail"]["before"] is None
               and a["detail"]["reason"] == "regrade request" for a in audit)


def test_deadlines_late_penalty_and_extension(course):
    bob, carol, instructor = course["people"]["bob"], course["people"]["carol"], course["people"]["instructor"]
    set_clock(course["clock"], "2026-02-11T09:00:00+00:00")  # after hw2's hard deadline
    bob.dlx("fetch", "gates")
    done = bob.dlx("submit", "gates", check=False)
    assert done.returncode == 2 and "hw2 closed at 2026-02-10T12:00:00+00:00" in done.stderr
    instructor.dlx("course", "extend", "bob", "hw2", "--until", "2026-02-12T12:00:00+01:00")
    assert "gates: score" in bob.dlx("submit", "gates").stdout
    done = instructor.dlx("course", "extend", "bob", "hw2", "--until", "2026-02-12T12:00:00", check=False)
    assert done.returncode == 2 and "has no time zone" in done.stderr
    # hw1 is due 2026-03-01T11:00Z with 0.25 off per started day; 1.5 days late counts half
    set_clock(course["clock"], "2026-03-02T23:00:00+00:00")
    carol.dlx("fetch", "affine", "--force")
    _reference(carol)
    late = carol.dlx("submit", "affine").stdout
    assert "affine: score 10/10" in late and "Late: counts as 5" in late
    assert _grades(instructor)["carol"]["affine"] == "5.0"
    set_clock(course["clock"], "2026-03-06T00:00:00+00:00")  # after the lock
    done = carol.dlx("submit", "affine", check=False)
    assert done.returncode == 2 and "hw1 closed" in done.stderr
    audit = json.loads(instructor.dlx("course", "audit", "--json").stdout)
    assert any(a["action"] == "extension" and a["target"] == "bob/hw2" for a in audit)


def test_idempotent_retry(course):
    alice = course["people"]["alice"]
    submission_id = str(uuid.uuid4())
    data = (REPO / "solutions" / "affine.py").read_bytes()
    set_clock(course["clock"], "2026-02-20T00:00:00+00:00")
    first = api(course["server"].url, "PUT", f"/api/submissions/{submission_id}?exercise=affine", alice.token, data)
    again = api(course["server"].url, "PUT", f"/api/submissions/{submission_id}?exercise=affine", alice.token, data)
    assert (first[0], again[0]) == (201, 200) and first[1]["seed"] == again[1]["seed"]
    other = api(course["server"].url, "PUT", f"/api/submissions/{submission_id}?exercise=affine", alice.token, b"x")
    assert other[0] == 409
    assert query(course["server"], "SELECT count(*) FROM submissions WHERE id = ?", submission_id) == [(1,)]


def test_logout(course):
    erin = course["people"]["erin"]
    token = erin.token
    erin.dlx("logout")
    assert api(course["server"].url, "GET", "/api/me", token)[0] == 401
    listed = erin.dlx("list").stdout  # back to local mode: the whole catalogue, not the course
    assert "(course)" not in listed and all(re.search(rf"^{e}\s", listed, re.M) for e in ("gates", "affine", "train_torch"))


CRASH_COURSE = """\
[course]
name = "Crash course"

[[assignment]]
id = "hw"
exercises = ["affine"]
opens = 2026-01-01T00:00:00Z
due = 2026-12-01T00:00:00Z
"""


def test_kill9_during_grading_then_restart(tmp_path, backend):
    """Every accepted submission ends with exactly one result after the server is SIGKILLed mid-grading."""
    (tmp_path / "course.toml").write_text(CRASH_COURSE)
    clock = tmp_path / "clock"
    set_clock(clock, START)
    server = CourseServer(tmp_path / "course.toml", tmp_path / "data", clock, workers=1, lease_s=3,
                          database=backend() if backend else None).start()
    try:
        instructor = Person(tmp_path / "homes" / "instructor", tmp_path / "work")
        instructor.dlx("login", server.url, "--code", server.instructor_code)
        (tmp_path / "s.csv").write_text("login\nzoe\n")
        code = instructor.dlx("course", "roster", "import", str(tmp_path / "s.csv")).stdout.strip().split(",")[2]
        zoe = Person(tmp_path / "homes" / "zoe", tmp_path / "work")
        zoe.dlx("login", server.url, "--code", code)
        files = [(REPO / "solutions" / "affine.py").read_bytes(), (REPO / "exercises" / "affine" / "affine.py").read_bytes()]
        accepted = []
        for i in range(6):
            status, body = api(server.url, "PUT", f"/api/submissions/{uuid.uuid4()}?exercise=affine", zoe.token,
                               files[i % 2])
            assert status == 201
            accepted.append(body["id"])
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            _, jobs = api(server.url, "GET", "/api/jobs", instructor.token)
            if any(j["state"] == "running" for j in jobs["jobs"]):
                break
            time.sleep(0.05)
        else:
            pytest.fail("no job started grading within 120 s")
        server.kill()
        assert query(server, "SELECT count(*) FROM jobs WHERE state = 'running'") == [(1,)]
        server.start()
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            states = [api(server.url, "GET", f"/api/submissions/{s}", zoe.token)[1]["status"] for s in accepted]
            if all(s == "graded" for s in states):
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"not all graded within 180 s of the restart: {states}")
        per_submission = dict(query(server, "SELECT submission_id, count(*) FROM results GROUP BY submission_id"))
        assert per_submission == {s: 1 for s in accepted}
        assert query(server, "SELECT count(*) FROM jobs WHERE state != 'done'") == [(0,)]
        assert query(server, "SELECT max(tries) FROM jobs") == [(2,)]  # the killed job was tried again
        scores = [api(server.url, "GET", f"/api/submissions/{s}", zoe.token)[1]["score"] for s in accepted]
        assert scores == [10, 0] * 3
    finally:
        server.stop()


def test_course_file_mistakes_name_the_line(tmp_path):
    person = Person(tmp_path / "home", tmp_path)
    bad = CRASH_COURSE.replace("due = 2026-12-01T00:00:00Z", "due = 2026-12-01T00:00:00")
    (tmp_path / "course.toml").write_text(bad)
    done = person.dlx("course", "check", str(tmp_path / "course.toml"), check=False)
    assert done.returncode == 2 and f"{tmp_path / 'course.toml'}:8: due has no time zone" in done.stderr
    (tmp_path / "course.toml").write_text(CRASH_COURSE.replace('["affine"]', '["afine"]'))
    done = person.dlx("serve", str(tmp_path / "course.toml"), check=False)
    assert done.returncode == 2 and "course.toml:6: unknown exercise 'afine'" in done.stderr
    (tmp_path / "course.toml").write_text(CRASH_COURSE + '\n[[assignment]]\nid = "hw"\n')
    done = person.dlx("course", "check", str(tmp_path / "course.toml"), check=False)
    assert done.returncode == 2 and "course.toml:11: the assignment id 'hw' is used twice" in done.stderr
    (tmp_path / "course.toml").write_text(CRASH_COURSE.replace('[course]', '[course]\nquota = "lots"'))
    done = person.dlx("course", "check", str(tmp_path / "course.toml"), check=False)
    assert done.returncode == 2 and "course.toml:2: quota 'lots' must look like" in done.stderr
