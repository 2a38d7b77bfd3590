"""Benchmark: the deadline rush graded by `dlx worker` processes through Redis, against the embedded default.

    python benchmarks/bench_scale.py [--students 300] [--window 60] [--setups embedded,1,2,4]

For each set-up, a fresh course: ``embedded`` is `dlx serve` alone (SQLite, its pool of 2 workers);
``N`` is `dlx serve --queue redis://... --database postgresql://...` (a throw-away Redis and
PostgreSQL cluster on 127.0.0.1, as in tests/test_scale.py) with N `dlx worker` processes. Every
student submits once at a random moment within --window seconds (70% the reference, 30% the stub)
with dlx's own client. Reports per set-up: accepted / graded once, throughput, median and 95th
percentile from submit to result, and each worker's peak memory (RSS of its whole process tree:
the consumer, its grading process and the sandbox). Needs redis-server and PostgreSQL's binaries.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.catalog import get  # noqa: E402
from grader.course_client import CourseClient, CourseError  # noqa: E402
from tests.course_server import DLX, CourseServer, Postgres, Redis  # noqa: E402

from benchmarks.bench_server import COURSE, percentile  # noqa: E402  (the same course and statistics)

def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            status = (entry / "status").read_text()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        rss[int(entry.name)] = next((int(line.split()[1]) for line in status.splitlines()
                                     if line.startswith("VmRSS:")), 0)
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def rush(url: str, code: str, students: int, window: float, exercise: str) -> tuple[list[float], int, list[str], float]:
    ex = get(exercise)
    right, wrong = ex.reference.read_bytes(), ex.stub.read_bytes()
    staff = CourseClient(url)
    staff.token = staff.login(code).token
    codes = staff.call("POST", "/api/roster", body={"people": [{"login": f"s{i:04d}"} for i in range(students)]})["codes"]
    clients = [CourseClient(url, CourseClient(url).login(c["code"]).token) for c in codes]
    plan = sorted((random.Random(0).uniform(0, window), i) for i in range(students))
    latencies: list[float] = []
    errors: list[str] = []
    graded = [0]
    lock = threading.Lock()
    start = time.monotonic()

    def student(at: float, i: int) -> None:
        time.sleep(max(0.0, start + at - time.monotonic()))
        t0 = time.monotonic()
        try:
            receipt = clients[i].submit(exercise, right if i % 10 < 7 else wrong, str(uuid.uuid4()))
            state = clients[i].wait(receipt["id"])
        except CourseError as exc:
            with lock:
                errors.append(str(exc))
            return
        with lock:
            latencies.append(time.monotonic() - t0)
            graded[0] += state["status"] == "graded"

    threads = [threading.Thread(target=student, args=(at, i)) for at, i in plan]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, graded[0], errors, time.monotonic() - start


def one_result_each(database: str) -> tuple[int, int]:
    from sqlalchemy import create_engine, text
    engine = create_engine(database)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM submissions")).scalar()
        once = conn.execute(text("SELECT count(*) FROM (SELECT submission_id FROM results GROUP BY submission_id "
                                 "HAVING count(*) = 1) AS once")).scalar()
    engine.dispose()
    return rows, once


def run(setup: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "course.toml").write_text(COURSE.format(exercise=args.exercise))
        clock = root / "clock"
        clock.write_text("")
        redis = postgres = None
        workers: list[subprocess.Popen] = []
        if setup == "embedded":
            server = CourseServer(root / "course.toml", root / "data", clock, workers=2)
            database = f"sqlite:///{root / 'data' / 'course.sqlite3'}"
        else:
            redis, postgres = Redis(root).start(), Postgres().start()
            database = postgres.new_database()
            server = CourseServer(root / "course.toml", root / "data", clock, database=database, workers=0)
            server.extra_args = ["--queue", redis.url]
        peaks: dict[int, int] = {}
        sampling = threading.Event()
        try:
            server.start()
            if redis is not None:
                workers = [subprocess.Popen([*DLX, "worker", "--queue", redis.url, "--database", database, "--course",
                                             str(root / "course.toml"), "--name", f"w{i}"],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                            start_new_session=True) for i in range(int(setup))]
            measured = workers or [server.proc]

            def sample() -> None:
                while not sampling.wait(1.0):
                    for i, proc in enumerate(measured):
                        peaks[i] = max(peaks.get(i, 0), tree_rss_kib(proc.pid))

            threading.Thread(target=sample, daemon=True).start()
            latencies, graded, errors, elapsed = rush(server.url, server.instructor_code, args.students, args.window,
                                                      args.exercise)
        finally:
            sampling.set()
            for proc in workers:
                os.killpg(proc.pid, 9)
                proc.wait()
            server.stop()
            if redis:
                redis.stop()
        rows, once = one_result_each(database)
        if postgres:
            postgres.stop()
    who = "server with its 2 embedded workers" if setup == "embedded" else f"{setup} worker(s)"
    print(f"[{setup}] accepted {rows}/{args.students}, graded {graded}, exactly one result {once}, "
          f"client errors {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    if latencies:
        print(f"[{setup}] {len(latencies) / elapsed:.2f} results/s; submit -> result median "
              f"{statistics.median(latencies):.1f} s, p95 {percentile(latencies, 0.95):.1f} s; all done after "
              f"{elapsed:.0f} s")
    print(f"[{setup}] peak memory ({who}, whole process trees): "
          + ", ".join(f"{kib / 1024:.0f} MiB" for _, kib in sorted(peaks.items())))
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--setups", default="embedded,1,2,4", help="comma-separated: embedded and/or worker counts")
    parser.add_argument("--exercise", default="affine")
    args = parser.parse_args()
    print(f"students {args.students}, window {args.window:g} s, exercise {args.exercise}, cpus {os.cpu_count()}, "
          f"load {os.getloadavg()[0]:.1f}")
    for setup in args.setups.split(","):
        run(setup.strip(), args)


if __name__ == "__main__":
    main()
