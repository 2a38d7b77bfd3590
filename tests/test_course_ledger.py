"""The job ledger on its own: leases, exactly one result, bounded retries, lanes, superseding."""
from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

pytest.importorskip("sqlalchemy", reason="the course server needs the server extra: pip install 'dlx[server]'")
pytest.importorskip("alembic", reason="the course server needs the server extra: pip install 'dlx[server]'")

from sqlalchemy import func, select  # noqa: E402

from grader.results import GradeResult, TestResult  # noqa: E402
from grader.server.db import Job, Result, Submission, User, make_engine, migrate, sessions  # noqa: E402
from grader.server.ledger import LANE_BATCH, Ledger  # noqa: E402

FEEDBACK = GradeResult("affine", 7, [TestResult("forward", 3.0, 10.0, "failed", test_id="forward")])


@pytest.fixture
def ledger(tmp_path):
    url = f"sqlite:///{tmp_path / 'course.sqlite3'}"
    migrate(url)
    engine = make_engine(url)
    yield Ledger(sessions(engine), lease_s=0.2, max_tries=2)
    engine.dispose()


def _submit(ledger: Ledger, sid: str, lane: int = 0, login: str = "ann") -> None:
    with ledger.sessions.begin() as session:
        user = session.scalars(select(User).where(User.login == login)).first()
        if user is None:
            user = User(login=login, role="student")
            session.add(user)
            session.flush()
        session.add(Submission(id=sid, user_id=user.id, exercise="affine", assignment="hw", sha256="0" * 64, size=1,
                               path="/dev/null", seed=7, received_at=datetime.now(timezone.utc), status="queued"))
        session.flush()
        ledger.enqueue(session, sid, lane=lane, kind="submit" if lane == 0 else "rerun")


def _results(ledger: Ledger, sid: str) -> int:
    with ledger.sessions() as session:
        return session.scalar(select(func.count()).select_from(Result).where(Result.submission_id == sid))


def test_a_job_is_finished_once(ledger):
    _submit(ledger, "sub-00001")
    claim = ledger.claim("w1")
    assert claim is not None and ledger.claim("w2") is None
    assert ledger.finish(claim, "w1", FEEDBACK) is True
    assert ledger.finish(claim, "w1", FEEDBACK) is False
    assert _results(ledger, "sub-00001") == 1


def test_an_expired_lease_goes_to_another_worker_and_the_first_result_is_refused(ledger):
    _submit(ledger, "sub-00002")
    first = ledger.claim("dead")
    time.sleep(0.3)
    assert ledger.reap() == [first.job_id]
    time.sleep(2.1)  # the back-off before the retry
    second = ledger.claim("alive")
    assert second is not None and second.job_id == first.job_id and second.tries == 2
    assert ledger.finish(first, "dead", FEEDBACK) is False
    assert ledger.finish(second, "alive", FEEDBACK) is True
    assert _results(ledger, "sub-00002") == 1


def test_grader_failures_are_retried_then_marked_failed(ledger):
    _submit(ledger, "sub-00003")
    claim = ledger.claim("w1")
    assert ledger.fail(claim, "w1", "boom") == "queued"
    assert ledger.claim("w1") is None  # backing off
    time.sleep(2.1)
    claim = ledger.claim("w1")
    assert ledger.fail(claim, "w1", "boom again") == "failed"
    with ledger.sessions() as session:
        assert session.get(Submission, "sub-00003").status == "failed"
        assert session.scalars(select(Job)).one().error == "boom again"


def test_students_lane_goes_first(ledger):
    _submit(ledger, "sub-rerun1", lane=LANE_BATCH)
    _submit(ledger, "sub-00004", login="bob")
    assert ledger.claim("w").submission_id == "sub-00004"
    assert ledger.claim("w").submission_id == "sub-rerun1"


def test_supersede_drops_only_queued_older_jobs(ledger):
    _submit(ledger, "sub-old-01")
    _submit(ledger, "sub-que-01")
    running = ledger.claim("w")
    assert running.submission_id == "sub-old-01"
    _submit(ledger, "sub-mid-01")
    _submit(ledger, "sub-new-01")
    with ledger.sessions.begin() as session:
        user = session.scalars(select(User)).one()
        assert ledger.supersede(session, user.id, "affine", "sub-new-01") == 2  # sub-que-01 and sub-mid-01
    with ledger.sessions() as session:
        states = {s.id: s.status for s in session.scalars(select(Submission))}
    assert states == {"sub-old-01": "queued", "sub-que-01": "superseded", "sub-mid-01": "superseded",
                      "sub-new-01": "queued"}
