"""A grading worker: claims jobs from the ledger and grades them with dlx's own grader and sandbox.

`dlx serve` runs a pool of these as child processes; the same loop can run on another machine
against a shared database (``python -m grader.server.worker --database URL --course FILE``).
"""
from __future__ import annotations

import argparse
import ctypes
import hashlib
import os
import signal
import socket
import sys
import threading
from pathlib import Path

from sqlalchemy.exc import OperationalError

from ..results import GradeResult
from ..i18n import speaking
from ..runner import grade_source
from ..sandbox.spawn import use_fork_servers
from .config import CourseConfig, load_course
from .db import Submission, make_engine, sessions
from .ledger import Claim, Ledger


class InfrastructureError(Exception):
    """The grader itself failed (not the student's code): the job is retried and costs no attempt."""


def grade_job(course: CourseConfig, session_factory, claim: Claim) -> GradeResult:  # type: ignore[no-untyped-def]
    """Grade one claimed job: the stored file, with the seed recorded at submission."""
    with session_factory() as session:
        submission = session.get(Submission, claim.submission_id)
    if submission is None:
        raise InfrastructureError(f"submission {claim.submission_id} is not in the database")
    try:
        data = Path(submission.path).read_bytes()
    except OSError as exc:
        raise InfrastructureError(f"cannot read the stored file {submission.path}: {exc.strerror}") from None
    if hashlib.sha256(data).hexdigest() != submission.sha256:
        raise InfrastructureError(f"the stored file {submission.path} does not match its recorded hash")
    with speaking(submission.lang or course.lang):  # the feedback in the language the student submitted in
        exercise = course.exercise(submission.exercise)
        result = grade_source(exercise, data.decode("utf-8", errors="replace"), submission.seed)
    return result


class _Heartbeat(threading.Thread):
    """Renews the lease while a job is graded."""

    def __init__(self, ledger: Ledger, claim: Claim, worker: str):
        super().__init__(daemon=True)
        self.ledger, self.claim, self.worker = ledger, claim, worker
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.ledger.lease_s / 3):
            try:
                if not self.ledger.renew(self.claim.job_id, self.worker):
                    return
            except OperationalError:  # busy now; the next beat renews it
                continue


def work(course: CourseConfig, url: str, name: str, *, lease_s: float, poll_s: float = 0.2,
         stop: threading.Event | None = None) -> None:
    """Claim and grade jobs until ``stop`` is set (or forever)."""
    use_fork_servers(True)
    factory = sessions(make_engine(url))
    ledger = Ledger(factory, lease_s=lease_s, max_tries=course.max_tries)
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            claim = ledger.claim(name)
        except OperationalError:  # the database is busy or away: try again shortly
            stop.wait(poll_s * 5)
            continue
        if claim is None:
            stop.wait(poll_s)
            continue
        grade_claimed(course, factory, ledger, claim, name, stop)


def grade_claimed(course: CourseConfig, factory, ledger: Ledger, claim: Claim, name: str,  # type: ignore[no-untyped-def]
                  stop: threading.Event | None = None) -> str:
    """Grade a claimed job under a renewed lease and record its result (or the grader's failure)."""
    stop = stop or threading.Event()
    heartbeat = _Heartbeat(ledger, claim, name)
    heartbeat.start()
    try:
        result = grade_job(course, factory, claim)
    except Exception as exc:  # noqa: BLE001 - anything raised here is the grader's failure, never the student's
        reason = f"{type(exc).__name__}: {exc}"
        _persist(lambda: ledger.fail(claim, name, reason), stop)
        return "failed"
    else:
        _persist(lambda: ledger.finish(claim, name, result), stop)
        return "done"
    finally:
        heartbeat.stopped.set()


def _persist(write, stop: threading.Event, tries: int = 10) -> None:  # type: ignore[no-untyped-def]
    """Retry a ledger write while the database is busy (the lease covers the job meanwhile)."""
    for attempt in range(tries):
        try:
            write()
            return
        except OperationalError:
            if stop.wait(min(2 ** attempt * 0.1, 5)):
                return


def _die_with_parent() -> None:
    """On Linux, the kernel kills this worker when the server that started it dies."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except OSError:
            pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--course", required=True, type=Path)
    parser.add_argument("--database", required=True)
    parser.add_argument("--name", default=f"{socket.gethostname()}-{os.getpid()}")
    parser.add_argument("--lease", type=float, default=60.0)
    parser.add_argument("--parent", type=int, default=None, help="exit with this process (the embedded pool's server)")
    args = parser.parse_args(argv)
    if args.parent is not None:
        _die_with_parent()
        if os.getppid() != args.parent:  # the server died before the signal was armed
            return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        work(load_course(args.course), args.database, args.name, lease_s=args.lease, stop=stop)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
