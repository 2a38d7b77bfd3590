"""The job ledger in the course database: the source of truth for grading.

A job is queued, then running under a lease held by one worker, then done (with exactly one
result row, enforced by a unique key), failed (the grader's own failure, after bounded tries)
or superseded. A job whose lease expired (its worker died) is put back in the queue by
:meth:`Ledger.reap`. Any engine that runs :func:`grader.server.worker.grade_job` (the embedded
worker pool today, a task queue tomorrow) goes through these calls.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..results import GradeResult
from . import clock
from .db import Job, Result, Submission

LANE_STUDENTS, LANE_BATCH = 0, 1


@dataclass(frozen=True)
class Claim:
    """A job a worker holds: what to grade."""

    job_id: int
    submission_id: str
    kind: str
    tries: int


class Ledger:
    def __init__(self, sessions: sessionmaker, *, lease_s: float = 60.0, max_tries: int = 3):
        self.sessions, self.lease_s, self.max_tries = sessions, lease_s, max_tries

    def _lease(self) -> datetime:
        return clock.wall() + timedelta(seconds=self.lease_s)

    @staticmethod
    def enqueue(session: Session, submission_id: str, *, kind: str = "submit", lane: int = LANE_STUDENTS,
                requested_by: int | None = None) -> Job:
        """Add a job in the caller's transaction (so a submission and its job are recorded together)."""
        job = Job(submission_id=submission_id, kind=kind, lane=lane, state="queued", created_at=clock.wall(),
                  requested_by=requested_by)
        session.add(job)
        return job

    def claim(self, worker: str, job_id: int | None = None) -> Claim | None:
        """Take the next queued job (students' lane first), or the queued job ``job_id`` (a task engine's
        message names it); None if there is none or another worker has it."""
        now = clock.wall()
        with self.sessions.begin() as session:
            nxt = (select(Job.id).where(Job.state == "queued", or_(Job.not_before.is_(None), Job.not_before <= now))
                   .order_by(Job.lane, Job.id).limit(1))
            if job_id is not None:
                nxt = nxt.where(Job.id == job_id)
            if session.get_bind().dialect.name == "postgresql":
                nxt = nxt.with_for_update(skip_locked=True)
            row = session.execute(
                update(Job).where(Job.id == nxt.scalar_subquery(), Job.state == "queued")
                .values(state="running", worker=worker, lease_until=self._lease(), started_at=now, tries=Job.tries + 1)
                .returning(Job.id, Job.submission_id, Job.kind, Job.tries)).first()
        return None if row is None else Claim(*row)

    def renew(self, job_id: int, worker: str) -> bool:
        """Extend the lease; False if the job is no longer this worker's."""
        with self.sessions.begin() as session:
            done = session.execute(update(Job).where(Job.id == job_id, Job.state == "running", Job.worker == worker)
                                   .values(lease_until=self._lease()))
        return done.rowcount == 1

    def finish(self, claim: Claim, worker: str, result: GradeResult) -> bool:
        """Record the result and close the job in one transaction; False if the lease was lost meanwhile."""
        now = clock.wall()
        with self.sessions.begin() as session:
            closed = session.execute(update(Job).where(Job.id == claim.job_id, Job.state == "running",
                                                       Job.worker == worker)
                                     .values(state="done", finished_at=now, lease_until=None, error=None))
            if closed.rowcount != 1:
                return False
            session.execute(update(Result).where(Result.submission_id == claim.submission_id).values(current=False))
            session.add(Result(job_id=claim.job_id, submission_id=claim.submission_id, score=result.score,
                               max_score=result.max_score, seed=result.seed, feedback=result.to_json(),
                               created_at=now, current=True))
            session.execute(update(Submission).where(Submission.id == claim.submission_id).values(status="graded"))
        return True

    def fail(self, claim: Claim, worker: str, error: str) -> str:
        """A failure of the grader's own: retry later, or give up after max_tries. Returns the new state."""
        now = clock.wall()
        with self.sessions.begin() as session:
            job = session.get(Job, claim.job_id)
            if job is None or job.state != "running" or job.worker != worker:
                return "lost"
            self._retry_or_fail(session, job, error, now)
            return job.state

    def _retry_or_fail(self, session: Session, job: Job, error: str, now: datetime) -> None:
        job.error, job.worker, job.lease_until = error[:2000], None, None
        if job.tries < self.max_tries:
            job.state, job.not_before = "queued", now + timedelta(seconds=2 ** job.tries)
            return
        job.state, job.finished_at = "failed", now
        has_result = session.scalar(select(func.count()).select_from(Result)
                                    .where(Result.submission_id == job.submission_id)) or 0
        if not has_result:  # a failed rerun leaves the earlier result standing
            session.execute(update(Submission).where(Submission.id == job.submission_id).values(status="failed"))

    def reap(self) -> list[int]:
        """Requeue (or fail, after max_tries) the running jobs whose lease expired; the ids requeued
        (a task engine sends them again)."""
        now = clock.wall()
        with self.sessions.begin() as session:
            stale = session.scalars(select(Job).where(Job.state == "running", Job.lease_until < now)).all()
            for job in stale:
                self._retry_or_fail(session, job, f"the worker {job.worker} stopped (its lease expired)", now)
            return [job.id for job in stale if job.state == "queued"]

    def supersede(self, session: Session, user_id: int, exercise: str, newer: str) -> int:
        """Drop the queued (not running) jobs of older submissions of this exercise; in the caller's transaction."""
        older = select(Submission.id).where(Submission.user_id == user_id, Submission.exercise == exercise,
                                            Submission.id != newer, Submission.status == "queued")
        jobs = session.scalars(select(Job).where(Job.submission_id.in_(older), Job.state == "queued",
                                                 Job.kind == "submit")).all()
        for job in jobs:
            job.state, job.finished_at = "superseded", clock.wall()
            session.execute(update(Submission).where(Submission.id == job.submission_id).values(status="superseded"))
        return len(jobs)

    def position(self, session: Session, submission_id: str) -> int | None:
        """How many queued jobs are ahead of this submission's, or None if it is not queued."""
        job = session.scalars(select(Job).where(Job.submission_id == submission_id, Job.state == "queued")
                              .order_by(Job.id.desc())).first()
        if job is None:
            return None
        return session.scalar(select(func.count()).select_from(Job).where(
            Job.state == "queued", or_(Job.lane < job.lane, (Job.lane == job.lane) & (Job.id < job.id)))) or 0

    @staticmethod
    def counts(session: Session) -> dict[str, int]:
        rows = session.execute(select(Job.state, func.count()).group_by(Job.state)).all()
        return {state: n for state, n in rows}
