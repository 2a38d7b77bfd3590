"""Grading past one machine, with real parts: `dlx serve --queue` on a real Redis and a real PostgreSQL,
and two `dlx worker` processes standing in for two machines.

Each test states its bound: every accepted submission ends with exactly one result within BOUND_S
(a lease of LEASE_S, the reaper's round, the grading itself and a loaded 2-core machine's slack).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the course server needs the server extra: pip install 'dlx[server]'")
pytest.importorskip("huey", reason="grading on many machines needs the scale extra: pip install 'dlx[scale]'")
pytest.importorskip("redis", reason="grading on many machines needs the scale extra: pip install 'dlx[scale]'")

from tests.course_server import DLX, REPO, CourseServer, Person, Postgres, Redis, api, set_clock  # noqa: E402

LEASE_S = 4.0
BOUND_S = 150.0
COURSE = """\
[course]
name = "Scale course"
max_tries = 3

[roles]
ta = ["view"]

[[assignment]]
id = "hw1"
exercises = ["affine", "slow", "broken"]
opens = 2026-01-01T00:00:00Z
due = 2026-03-01T12:00:00Z
"""


class Worker:
    """One `dlx worker` (its own session, so that killing it kills its grading processes too)."""

    def __init__(self, name: str, redis_url: str, course: Path, database: str, log: Path):
        self.cmd = [*DLX, "worker", "--queue", redis_url, "--database", database, "--course", str(course),
                    "--processes", "1", "--lease", str(LEASE_S), "--name", name]
        self.name, self.log, self.proc = name, log, None

    def start(self) -> "Worker":
        self.proc = subprocess.Popen(self.cmd, stdout=open(self.log, "a"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def _course_exercise(root: Path, new_id: str, suite_prefix: str) -> None:
    """A course-own copy of affine whose hidden suite starts with suite_prefix: "slow" sleeps (a job long enough
    to be killed mid-way), "broken" raises (the grader's own failure)."""
    folder = root / "exercises" / new_id
    shutil.copytree(REPO / "exercises" / "affine", folder)
    (folder / "affine.py").rename(folder / f"{new_id}.py")
    toml = (folder / "exercise.toml").read_text().replace('id = "affine"', f'id = "{new_id}"')
    (folder / "exercise.toml").write_text(toml)
    suite = (REPO / "grader" / "suites" / "test_affine.py").read_text()
    (folder / f"test_{new_id}.py").write_text(suite_prefix + suite)
    shutil.copy(REPO / "solutions" / "affine.py", folder / "solution.py")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Redis, PostgreSQL, the server with --queue and two workers; yields a namespace of them."""
    if shutil.which("redis-server") is None:
        pytest.skip("Redis is not installed (apt-get install redis-server)")
    postgres = Postgres()
    reason = postgres.unavailable()
    if reason:
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    root = tmp_path_factory.mktemp("scale")
    (root / "course.toml").write_text(COURSE)
    _course_exercise(root, "slow", "import time\ntime.sleep(4)\n")
    _course_exercise(root, "broken", "raise RuntimeError('suite bug')\n")
    clock = root / "clock"
    set_clock(clock, "2026-02-01T09:00:00+00:00")
    redis = Redis(root).start()
    postgres.start()
    database = postgres.new_database()
    server = CourseServer(root / "course.toml", root / "data", clock, database=database, workers=0, lease_s=LEASE_S)
    server.extra_args = ["--queue", redis.url]
    workers = [Worker(f"w{i}", redis.url, root / "course.toml", database, root / f"worker{i}.log") for i in (1, 2)]
    try:
        server.start()
        for w in workers:
            w.start()
        _, out = api(server.url, "POST", "/api/login", json_body={"code": server.instructor_code})
        staff = out["token"]
        _, out = api(server.url, "POST", "/api/roster", staff,
                     json_body={"people": [{"login": f"s{i}"} for i in range(40)]})
        tokens = [api(server.url, "POST", "/api/login", json_body={"code": c["code"]})[1]["token"] for c in out["codes"]]
        yield type("Cluster", (), dict(root=root, redis=redis, server=server, workers=workers, staff=staff,
                                       tokens=tokens, database=database))
    finally:
        for w in workers:
            w.kill()
        server.stop()
        redis.stop()
        postgres.stop()
        print(*(p.read_text()[-3000:] for p in sorted(root.glob("*.log"))), sep="\n----\n")


def submit(cluster, student: int, exercise: str = "affine") -> str:
    sid = str(uuid.uuid4())
    body = (REPO / "solutions" / "affine.py").read_bytes()
    status, out = api(cluster.server.url, "PUT", f"/api/submissions/{sid}?exercise={exercise}",
                      cluster.tokens[student], body=body)
    assert status in (200, 201, 202), (status, out)
    return sid


def sql(cluster, text: str, **params: object) -> list[tuple]:
    from sqlalchemy import create_engine
    from sqlalchemy import text as sql_text

    engine = create_engine(cluster.database)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sql_text(text), params)]
    finally:
        engine.dispose()


def wait_graded(cluster, ids: list[str], bound_s: float = BOUND_S) -> None:
    """Every submission in ids has exactly one result within bound_s, and its job is done."""
    deadline = time.monotonic() + bound_s
    while True:
        rows = dict(sql(cluster, "SELECT s.id, count(r.id) FROM submissions s LEFT JOIN results r "
                                 "ON r.submission_id = s.id WHERE s.id = ANY(:ids) GROUP BY s.id", ids=ids))
        if all(rows.get(i) == 1 for i in ids):
            break
        assert time.monotonic() < deadline, f"not graded within {bound_s} s: " + \
            str({i: rows.get(i) for i in ids if rows.get(i) != 1})
        time.sleep(0.5)
    states = sql(cluster, "SELECT j.state, r.score, r.max_score FROM jobs j JOIN results r ON r.job_id = j.id "
                          "WHERE j.submission_id = ANY(:ids)", ids=ids)
    assert len(states) == len(ids) and all(s == "done" and score == full for s, score, full in states), states


def running_job(cluster, submission: str, timeout: float = 60.0) -> str:
    """The worker name holding this submission's job, once it is running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = sql(cluster, "SELECT worker FROM jobs WHERE submission_id = :s AND state = 'running'", s=submission)
        if rows:
            return rows[0][0]
        time.sleep(0.1)
    raise AssertionError(f"the job of {submission} was not claimed within {timeout} s")


def test_grading_process_killed_mid_job(cluster):
    """SIGKILL the grading process holding a job: its lease expires and another try grades it, once."""
    sid = submit(cluster, 0, "slow")
    holder = running_job(cluster, sid)
    os.kill(int(holder.rsplit("-", 1)[1]), signal.SIGKILL)
    wait_graded(cluster, [sid])
    (tries,), = sql(cluster, "SELECT tries FROM jobs WHERE submission_id = :s", s=sid)
    assert tries >= 2


def test_whole_worker_killed(cluster):
    """A whole worker (consumer and grading processes) killed while a burst waits: the other one grades it all."""
    ids = [submit(cluster, i, "slow" if i == 1 else "affine") for i in range(1, 9)]
    holder = running_job(cluster, ids[0])
    victim = next(w for w in cluster.workers if w.name == holder.rsplit("-", 1)[0])
    victim.kill()
    wait_graded(cluster, ids)
    victim.start()


def test_redis_restarted_during_burst(cluster):
    """Redis loses every queued message in a restart: the ledger sends them again; nothing is lost."""
    with ThreadPoolExecutor(8) as pool:
        first = list(pool.map(lambda i: submit(cluster, i), range(10, 25)))
        cluster.redis.stop()
        second = list(pool.map(lambda i: submit(cluster, i), range(25, 35)))  # accepted while Redis is away
        cluster.redis.start()
    wait_graded(cluster, first + second)


def test_server_restarted_while_workers_grade(cluster):
    ids = [submit(cluster, i) for i in range(35, 40)] + [submit(cluster, 0, "slow")]
    running_job(cluster, ids[-1])
    cluster.server.kill()
    cluster.server.start()
    ids += [submit(cluster, 1)]
    wait_graded(cluster, ids)


def test_duplicate_messages_never_grade_twice(cluster):
    """Every job sent many times over (as after resends and restarts): two workers still record one result each."""
    from grader.server.queue import make_huey, send

    ids = [submit(cluster, i) for i in range(2, 8)]
    huey = make_huey(cluster.redis.url)
    jobs = sql(cluster, "SELECT id, lane FROM jobs WHERE submission_id = ANY(:ids)", ids=ids)
    for _ in range(5):
        for job_id, lane in jobs:
            send(huey, job_id, lane)
    wait_graded(cluster, ids)
    time.sleep(2 * LEASE_S)  # the duplicates are consumed meanwhile
    dup = sql(cluster, "SELECT job_id FROM results GROUP BY job_id HAVING count(*) > 1")
    assert dup == []
    per_submission = sql(cluster, "SELECT submission_id FROM results GROUP BY submission_id HAVING count(*) > 1")
    assert per_submission == []


def test_course_queue_shows_running_jobs_per_worker(cluster, tmp_path):
    _, out = api(cluster.server.url, "POST", "/api/roster", cluster.staff,
                 json_body={"people": [{"login": "ta1", "role": "ta"}]})
    ta = Person(tmp_path / "home", tmp_path / "work")
    ta.dlx("login", cluster.server.url, "--code", out["codes"][0]["code"])
    sid = submit(cluster, 3, "slow")
    holder = running_job(cluster, sid)
    shown = ta.dlx("course", "queue").stdout
    assert "running" in shown and holder in shown, shown
    wait_graded(cluster, [sid])
    assert holder not in ta.dlx("course", "queue").stdout


@pytest.mark.parametrize("command", [["serve", "{course}", "--queue", "http://127.0.0.1:1/0"],
                                     ["worker", "--queue", "amqp://x", "--database", "sqlite:///x.db",
                                      "--course", "{course}"]])
def test_a_queue_that_is_not_redis_is_one_line(tmp_path, command):
    (tmp_path / "course.toml").write_text(COURSE.split("[roles]")[0] + COURSE.split('ta = ["view"]')[1])
    done = subprocess.run([*DLX, *(a.format(course=tmp_path / "course.toml") for a in command)],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 2, done
    assert done.stderr.count("\n") == 1 and "redis://" in done.stderr, done.stderr


def test_grader_failure_retried_then_failed_with_reason(cluster):
    """A suite that cannot run is the grader's failure: tried max_tries (3) times, then failed with the reason."""
    sid = submit(cluster, 4, "broken")
    deadline = time.monotonic() + 90
    while not sql(cluster, "SELECT 1 FROM jobs WHERE submission_id = :s AND state = 'failed'", s=sid):
        assert time.monotonic() < deadline, sql(cluster, "SELECT state, tries, error FROM jobs WHERE submission_id = :s",
                                                s=sid)
        time.sleep(0.5)
    (tries, error), = sql(cluster, "SELECT tries, error FROM jobs WHERE submission_id = :s", s=sid)
    assert tries == 3 and "test_broken.py could not be run" in error, (tries, error)
    assert sql(cluster, "SELECT count(*) FROM results WHERE submission_id = :s", s=sid) == [(0,)]


def test_students_lane_before_reruns(cluster):
    """Reruns queued first still wait: the one worker grades the students' submissions sent after them first."""
    earlier = [submit(cluster, 11) for _ in range(2)]
    wait_graded(cluster, earlier)
    for w in cluster.workers:
        w.kill()
    try:
        status, out = api(cluster.server.url, "POST", "/api/reruns", cluster.staff,
                          json_body={"assignment": "hw1", "student": "s11"})
        assert status == 200 and out["queued"] >= 2, out
        ids = [submit(cluster, i) for i in (8, 9, 10)]
        time.sleep(2)  # the dispatcher sends all of them before a worker is up
        cluster.workers[0].start()
        wait_graded(cluster, ids)
        deadline = time.monotonic() + BOUND_S
        while sql(cluster, "SELECT 1 FROM jobs WHERE kind = 'rerun' AND state != 'done'"):
            assert time.monotonic() < deadline, "the reruns were not graded"
            time.sleep(0.5)
        (last_student,), = sql(cluster, "SELECT max(started_at) FROM jobs WHERE submission_id = ANY(:ids)", ids=ids)
        (first_rerun,), = sql(cluster, "SELECT min(started_at) FROM jobs WHERE kind = 'rerun'")
        assert last_student < first_rerun
    finally:
        for w in cluster.workers:
            if w.proc is None or w.proc.poll() is not None:
                w.start()
