"""Benchmark: a deadline rush on the embedded course server.

    python benchmarks/bench_server.py [--students 300] [--window 60] [--workers 2] [--exercise affine]

Starts `dlx serve` (SQLite, the embedded worker pool) on 127.0.0.1 with a throw-away course,
adds the students, logs each in, then has every student submit one file at a random moment
within --window seconds (70% the reference, 30% the untouched stub) with dlx's own client
(`CourseClient.submit` + `wait`, as `dlx submit` does). Reports: accepted submissions, time from
submit to result (median and 95th percentile), throughput, and checks in the database that
nothing was lost (one submission row and exactly one result per accepted upload).
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import datetime
from pathlib import Path

from grader.catalog import get
from grader.course_client import CourseClient, CourseError

COURSE = """\
[course]
name = "Benchmark course"

[[assignment]]
id = "rush"
exercises = ["{exercise}"]
opens = 2020-01-01T00:00:00Z
due = 2099-01-01T00:00:00Z
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root: Path, workers: int) -> tuple[subprocess.Popen, str, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(root / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-c", "from grader.cli import main; main()", "serve", str(root / "course.toml"), "--port",
                             str(port), "--workers", str(workers)], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/api/health", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    code = (root / "serve.log").read_text().split("instructor's first login code: ")[1].split()[0]
    return proc, url, code


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--exercise", default="affine")
    args = parser.parse_args()
    exercise = get(args.exercise)
    right, wrong = exercise.reference.read_bytes(), exercise.stub.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "course.toml").write_text(COURSE.format(exercise=args.exercise))
        proc, url, code = start_server(root, args.workers)
        try:
            staff = CourseClient(url)
            staff.token = staff.login(code).token
            people = [{"login": f"s{i:04d}"} for i in range(args.students)]
            codes = staff.call("POST", "/api/roster", body={"people": people})["codes"]
            clients = [CourseClient(url, CourseClient(url).login(c["code"]).token) for c in codes]
            rng = random.Random(0)
            plan = sorted((rng.uniform(0, args.window), i) for i in range(args.students))
            latencies: list[float] = []
            outcomes: dict[str, str] = {}
            errors: list[str] = []
            lock = threading.Lock()
            start = time.monotonic()

            def student(at: float, i: int) -> None:
                time.sleep(max(0.0, start + at - time.monotonic()))
                data = right if i % 10 < 7 else wrong
                t0 = time.monotonic()
                try:
                    receipt = clients[i].submit(args.exercise, data, str(uuid.uuid4()))
                    state = clients[i].wait(receipt["id"])
                except CourseError as exc:
                    with lock:
                        errors.append(str(exc))
                    return
                with lock:
                    latencies.append(time.monotonic() - t0)
                    outcomes[receipt["id"]] = state["status"]

            threads = [threading.Thread(target=student, args=(at, i)) for at, i in plan]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - start
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
        db = sqlite3.connect(root / "dlx-course-data" / "course.sqlite3")
        rows = db.execute("SELECT count(*) FROM submissions").fetchone()[0]
        one_result = db.execute("SELECT count(*) FROM (SELECT submission_id FROM results GROUP BY submission_id "
                                "HAVING count(*) = 1)").fetchone()[0]
        graded = sum(s == "graded" for s in outcomes.values())
        spans = [(datetime.fromisoformat(f) - datetime.fromisoformat(b)).total_seconds() for b, f in
                 db.execute("SELECT started_at, finished_at FROM jobs WHERE state = 'done'")]
        print(f"students {args.students}, window {args.window:g} s, embedded workers {args.workers}, "
              f"exercise {args.exercise}, cpus {os.cpu_count()}")
        print(f"accepted {len(outcomes)}/{args.students}; graded {graded}; client errors {len(errors)}"
              + (f" (first: {errors[0]})" if errors else ""))
        print(f"submit -> result: median {statistics.median(latencies):.2f} s, p95 {percentile(latencies, 0.95):.2f} s, "
              f"max {max(latencies):.2f} s; all done after {elapsed:.1f} s "
              f"({len(latencies) / elapsed:.2f} results/s overall)")
        print(f"grading in a worker (claim to result): median {statistics.median(spans):.2f} s, "
              f"p95 {percentile(spans, 0.95):.2f} s")
        print(f"database: {rows} submissions, {one_result} with exactly one result; "
              f"nothing lost: {rows == len(outcomes) == one_result == graded}")


if __name__ == "__main__":
    main()
