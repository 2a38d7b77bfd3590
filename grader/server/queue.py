"""Grading on many machines: Huey carries job ids from the server to `dlx worker` processes.

Huey delivers at most once (a worker that dies mid-task loses its message), so the job ledger in the
course database stays the truth and Huey is only the doorbell:

- the server's :class:`Dispatcher` sends one task (the job id alone) per due queued job, students'
  lane at a higher priority than reruns and batch work, and sends again a job still queued after
  ``resend_s`` whose message is no longer in the queue (lost with a Redis restart, or due again after
  the ledger's back-off); it also runs the lease reaper (:meth:`Ledger.reap`: an expired lease is
  retried at most ``max_tries`` times, then the job is failed with the reason);
- a worker's task claims exactly that job (:meth:`Ledger.claim` with the id: a duplicate or stale
  message claims nothing), renews its lease while grading and records the result or the failure.

A student's time-out or memory blow-up is decided in dlx's sandbox and is a graded result; only the
grader's own failures (and dead workers) are retried.

The embedded default (``dlx serve`` without ``--queue``) keeps its pool of worker processes polling
the ledger: on one machine the ledger already is a durable queue in the same database, and a second
store (Huey's SQLite) would add a copy to keep consistent without adding a guarantee.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from . import clock
from .db import Job
from .ledger import LANE_STUDENTS, Ledger

log = logging.getLogger("dlx.queue")
PRIORITY = {LANE_STUDENTS: 10}  # any other lane (reruns, batch): 0
TASK = "dlx.grade"


class QueueURLError(ValueError):
    """A --queue URL dlx cannot use."""


def make_huey(url: str) -> Any:
    """The Huey instance for a queue URL (``redis://HOST:PORT/DB`` or ``unix:///path.sock?db=0``), with the grading
    task registered under a fixed name so that the server and the workers agree on it."""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise QueueURLError(f"--queue {url}: expected redis://HOST:PORT/DB (or unix:///PATH)")
    from huey import PriorityRedisHuey

    huey = PriorityRedisHuey("dlx", url=url, results=False, blocking=True, read_timeout=1)
    huey.grade = huey.task(name=TASK)(_grade_task)
    return huey


def send(huey: Any, job_id: int, lane: int) -> None:
    """Enqueue one job's task (the id only)."""
    huey.enqueue(huey.grade.s(job_id, priority=PRIORITY.get(lane, 0)))


def pending_ids(huey: Any) -> set[int]:
    """The job ids whose messages are waiting in the queue."""
    return {task.args[0] for task in huey.pending() if task.args}


class Dispatcher:
    """The server's side: reap expired leases and send due queued jobs to the workers (a daemon thread)."""

    def __init__(self, huey: Any, ledger: Ledger, *, interval_s: float = 0.25, resend_s: float = 10.0):
        self.huey, self.ledger, self.interval_s, self.resend_s = huey, ledger, interval_s, resend_s
        self.sent: dict[int, float] = {}  # job id -> when its message was last sent (monotonic)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="dlx-dispatcher", daemon=True)
        self._next_reap = 0.0
        self._first = True

    def start(self) -> None:
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        while not self.stop.wait(self.interval_s):
            try:
                self.tick()
            except Exception as exc:  # noqa: BLE001 - Redis or the database away now and then: try again next tick
                log.warning("dispatcher: %s: %s", type(exc).__name__, exc)

    def tick(self) -> int:
        """One round; returns how many messages were sent."""
        now = time.monotonic()
        if now >= self._next_reap:
            self._next_reap = now + max(0.5, self.ledger.lease_s / 3)
            for job_id in self.ledger.reap():
                self.sent.pop(job_id, None)
        with self.ledger.sessions() as session:
            due = session.execute(select(Job.id, Job.lane).where(
                Job.state == "queued", or_(Job.not_before.is_(None), Job.not_before <= clock.wall()))
                .order_by(Job.lane, Job.id)).all()
        due_ids = {job_id for job_id, _ in due}
        self.sent = {job_id: at for job_id, at in self.sent.items() if job_id in due_ids}
        stale = any(now - at > self.resend_s for at in self.sent.values())
        # messages still in the queue (checked when some were sent long ago, and at start: a restarted server)
        waiting = pending_ids(self.huey) if stale or self._first else set()
        self._first = False
        count = 0
        for job_id, lane in due:
            if job_id in waiting or (job_id in self.sent and now - self.sent[job_id] <= self.resend_s):
                self.sent[job_id] = now if job_id in waiting else self.sent[job_id]
                continue
            send(self.huey, job_id, lane)
            self.sent[job_id] = now
            count += 1
        return count


# ---- the worker's side ------------------------------------------------------------------------------------------
_context: dict[str, Any] = {}


def _grade_task(job_id: int) -> str:
    """Grade one job by id through the ledger (runs inside a Huey worker process)."""
    from .worker import grade_claimed

    ledger, course, factory, name = _worker_context()
    claim = ledger.claim(name, job_id)
    if claim is None:  # taken by another worker, done, superseded, or not due yet: nothing to do
        return "skipped"
    return grade_claimed(course, factory, ledger, claim, name)


def _worker_context() -> tuple:
    """Per process (Huey forks its worker processes): the ledger, course and a name holding the pid."""
    if _context.get("pid") != os.getpid():
        from ..sandbox.spawn import use_fork_servers
        from .config import load_course
        from .db import make_engine, sessions

        use_fork_servers(True)
        course = load_course(Path(os.environ["DLX_WORKER_COURSE"]))
        factory = sessions(make_engine(os.environ["DLX_WORKER_DATABASE"]))
        ledger = Ledger(factory, lease_s=float(os.environ.get("DLX_WORKER_LEASE", "60")), max_tries=course.max_tries)
        name = f"{os.environ.get('DLX_WORKER_NAME') or socket.gethostname()}-{os.getpid()}"
        _context.update(pid=os.getpid(), value=(ledger, course, factory, name))
    return _context["value"]


def run_worker(queue_url: str, course_file: Path, database: str, *, processes: int = 1, lease_s: float = 60.0,
               name: str | None = None) -> None:
    """Consume grading tasks until SIGINT/SIGTERM: Huey's consumer with ``processes`` forked grading processes
    (a dead one is restarted by the consumer; its job comes back through the lease reaper)."""
    os.environ.update(DLX_WORKER_COURSE=str(course_file), DLX_WORKER_DATABASE=database, DLX_WORKER_LEASE=str(lease_s),
                      DLX_WORKER_NAME=name or "")
    huey = make_huey(queue_url)
    consumer = huey.create_consumer(workers=processes, worker_type="process", periodic=False,
                                    check_worker_health=True, health_check_interval=1, max_delay=1.0)
    consumer.run()
