"""The course database: SQLAlchemy 2 models, the engine (SQLite in WAL mode or PostgreSQL) and migrations."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import (JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, create_engine,
                        event)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

MIGRATIONS = Path(__file__).with_name("migrations")


class UTCDateTime(TypeDecorator):
    """Aware datetimes, stored in UTC (SQLite keeps no offset), read back aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the course database")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime()}


class User(Base):
    """A student, TA or instructor of the course."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))  # student, ta, instructor


class Token(Base):
    """A one-time login code or a session token; only its SHA-256 is stored."""

    __tablename__ = "tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "code" (one use) or "session"
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Submission(Base):
    """An accepted upload: the file on disk, its hash, who, when (server clock) and the seed the server chose."""

    __tablename__ = "submissions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # chosen by the client: retries are idempotent
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    exercise: Mapped[str] = mapped_column(String(100), index=True)
    assignment: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    path: Mapped[str] = mapped_column(Text)
    seed: Mapped[int]
    received_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued, graded, failed, superseded
    lang: Mapped[str | None] = mapped_column(String(5))  # the student's language when submitting: the feedback's


class Job(Base):
    """One grading job of the ledger: queued -> running (with a lease) -> done | failed | superseded."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="submit")  # submit or rerun
    lane: Mapped[int] = mapped_column(Integer, default=0, index=True)  # 0: students first; 1: reruns
    state: Mapped[str] = mapped_column(String(12), default="queued", index=True)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    not_before: Mapped[datetime | None]  # backoff after a failure of the grader's own
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Result(Base):
    """A graded result; one per job (the unique job_id is what makes "exactly once" hold)."""

    __tablename__ = "results"
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), unique=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    seed: Mapped[int]
    feedback: Mapped[dict] = mapped_column(JSON)  # GradeResult.to_json()
    created_at: Mapped[datetime]
    current: Mapped[bool] = mapped_column(default=True)  # a rerun's result replaces the previous one, which is kept


class QuizVariant(Base):
    """The seed of a student's variant of a quiz bank, chosen by the server on first sight."""

    __tablename__ = "quiz_variants"
    __table_args__ = (UniqueConstraint("user_id", "bank"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    bank: Mapped[str] = mapped_column(String(100))
    seed: Mapped[int]


class QuizAttempt(Base):
    """A graded quiz attempt (quizzes grade in the request: no sandbox, no job)."""

    __tablename__ = "quiz_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    bank: Mapped[str] = mapped_column(String(100))
    assignment: Mapped[str] = mapped_column(String(100))
    seed: Mapped[int]
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    result: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime]


class Extension(Base):
    __tablename__ = "extensions"
    __table_args__ = (UniqueConstraint("user_id", "assignment"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assignment: Mapped[str] = mapped_column(String(100))
    until: Mapped[datetime]
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime]


class Override(Base):
    """A grade set by hand for one student and exercise, with its reason."""

    __tablename__ = "overrides"
    __table_args__ = (UniqueConstraint("user_id", "item"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    item: Mapped[str] = mapped_column(String(100))
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]


class Audit(Base):
    """Who changed a grade, when, and how (rerun, override, extension, roster)."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(30))
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


def database_url(url: str | None, data_dir: Path) -> str:
    """The given URL, or the course's SQLite file in its data folder."""
    return url or f"sqlite:///{(data_dir / 'course.sqlite3').resolve()}"


def make_engine(url: str, *, writer: bool = True) -> Engine:
    """An engine; SQLite gets WAL mode, a busy timeout and foreign keys.

    On SQLite a ``writer`` engine starts every transaction with BEGIN IMMEDIATE (it takes the
    single write lock first, so a read-then-write transaction never fails on a stale snapshot);
    a reader engine's transactions never block on it (WAL).
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=20,
                               max_overflow=40, pool_timeout=60)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")  # an accepted submission survives a power cut
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(connection) -> None:  # type: ignore[no-untyped-def]
            # Take the write lock at the start: a read-then-write transaction never fails on a stale WAL snapshot.
            connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def migrate(url: str) -> None:
    """Bring the schema up to date with Alembic."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


def sessions(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)
