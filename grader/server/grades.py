"""Standings and the gradebook: results after late policy, extensions, best-or-latest and overrides."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .config import CourseConfig
from .db import Extension, Override, QuizAttempt, Result, Submission, User


@dataclass
class Standing:
    """One student's record for one exercise."""

    item: str
    assignment: str
    score: float | None  # what counts, after late policy and override
    max_score: float
    attempts: int
    best: float | None
    latest: float | None
    pending: int
    overridden: bool = False

    def to_json(self) -> dict:
        return dict(self.__dict__)


def deadline(course: CourseConfig, session: Session, user: User, assignment_id: str) -> tuple[datetime, datetime | None]:
    """The (due, lock) for this student: an extension moves both to its date when later."""
    assignment = course.assignments[assignment_id]
    due, lock = assignment.due, assignment.lock
    ext = session.scalars(select(Extension).where(Extension.user_id == user.id,
                                                  Extension.assignment == assignment_id)).first()
    granted = [until for login, a, until in course.extensions if login == user.login and a == assignment_id]
    if ext is not None:
        granted.append(ext.until)
    if granted and max(granted) > due:
        due = max(granted)
        lock = None if lock is None else max(lock, due)
    return due, lock


def standings(course: CourseConfig, session: Session, user: User) -> list[Standing]:
    """Every exercise of the course for one student."""
    subs = session.scalars(select(Submission).where(Submission.user_id == user.id)
                           .order_by(Submission.received_at)).all()
    results = {r.submission_id: r for r in session.scalars(
        select(Result).where(Result.current.is_(True), Result.submission_id.in_([s.id for s in subs])))}
    overrides = {o.item: o for o in session.scalars(select(Override).where(Override.user_id == user.id))}
    rows = []
    for assignment in course.assignments.values():
        due, _ = deadline(course, session, user, assignment.id)
        for ex_id in assignment.exercises:
            mine = [s for s in subs if s.exercise == ex_id]
            scored = [(s, results[s.id].score * assignment.late_factor(s.received_at, due))
                      for s in mine if s.id in results]
            best = max((score for _, score in scored), default=None)
            latest = scored[-1][1] if scored else None
            counted = best if assignment.counts == "best" else latest
            override = overrides.get(ex_id)
            rows.append(Standing(
                item=ex_id, assignment=assignment.id,
                score=override.score if override else (None if counted is None else round(counted, 6)),
                max_score=course.exercises[ex_id].points, attempts=sum(s.status != "failed" for s in mine),
                best=None if best is None else round(best, 6), latest=None if latest is None else round(latest, 6),
                pending=sum(s.status == "queued" for s in mine), overridden=override is not None))
    attempts = session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id)
                               .order_by(QuizAttempt.received_at)).all()
    for assignment in course.assignments.values():
        due, _ = deadline(course, session, user, assignment.id)
        for bank_id in assignment.quizzes:
            item = f"quiz:{bank_id}"
            scored = [a.score * assignment.late_factor(a.received_at, due) for a in attempts if a.bank == bank_id]
            best, latest = max(scored, default=None), (scored[-1] if scored else None)
            counted = best if assignment.counts == "best" else latest
            override = overrides.get(item)
            rows.append(Standing(
                item=item, assignment=assignment.id,
                score=override.score if override else (None if counted is None else round(counted, 6)),
                max_score=quiz_points(bank_id), attempts=len(scored), best=None if best is None else round(best, 6),
                latest=None if latest is None else round(latest, 6), pending=0, overridden=override is not None))
    return rows


def quiz_points(bank_id: str) -> float:
    from ..quiz.bank import get_bank
    return float(sum(q.points for q in get_bank(bank_id).questions))


def gradebook(course: CourseConfig, session: Session) -> tuple[list[str], list[dict]]:
    """One row per student, one column per exercise (and quiz), and the total."""
    items = [ex for a in course.assignments.values() for ex in a.exercises]
    quizzes = [f"quiz:{q}" for a in course.assignments.values() for q in a.quizzes]
    columns = ["student", "name", *items, *quizzes, "total"]
    rows = []
    for user in session.scalars(select(User).where(User.role == "student").order_by(User.login)):
        row: dict = {"student": user.login, "name": user.name}
        total = 0.0
        for standing in standings(course, session, user):
            row[standing.item] = standing.score
            total += standing.score or 0.0
        row["total"] = round(total, 6)
        rows.append(row)
    return columns, rows
