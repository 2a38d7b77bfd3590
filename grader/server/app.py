"""The course server's HTTP API (FastAPI; OpenAPI at /docs and /openapi.json).

Every error is an HTTP 4xx whose ``detail`` is one line the `dlx` client prints as is.
"""

import asyncio
import csv
import hashlib
import io
import os
import re
import subprocess
import sys
import threading
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Iterator

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import __version__
from ..catalog import in_language
from ..i18n import _, language
from ..runner import new_seed
from . import auth, clock
from .config import CourseConfig
from .db import (Audit, Extension, Job, Override, QuizAttempt, QuizVariant, Result, Submission, User, make_engine,
                 sessions)
from .grades import deadline, gradebook, standings
from .language import LanguageMiddleware
from .ledger import LANE_BATCH, Ledger

SUBMISSION_ID = re.compile(r"^[A-Za-z0-9-]{8,36}$")
LOGIN = re.compile(r"^[A-Za-z0-9._@-]{1,100}$")


@dataclass
class Settings:
    """How one server runs."""

    course: CourseConfig
    data_dir: Path
    database: str
    workers: int = 2
    lease_s: float = 60.0
    queue: str | None = None  # a Redis URL: jobs go to `dlx worker`s through Huey (grader.server.queue)


class WorkerPool:
    """The embedded grading pool: worker processes that die with the server; a crashed one is restarted."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.procs: list[subprocess.Popen] = []
        self.stopping = threading.Event()
        self.supervisor = threading.Thread(target=self._supervise, daemon=True)

    def _spawn(self, i: int) -> subprocess.Popen:
        s = self.settings
        return subprocess.Popen([sys.executable, "-m", "grader.server.worker", "--parent", str(os.getpid()), "--course", str(s.course.path),
                                 "--database", s.database, "--name", f"embedded-{os.getpid()}-{i}",
                                 "--lease", str(s.lease_s)])

    def start(self) -> None:
        self.procs = [self._spawn(i) for i in range(self.settings.workers)]
        self.supervisor.start()

    def _supervise(self) -> None:
        while not self.stopping.wait(1.0):
            for i, proc in enumerate(self.procs):
                if proc.poll() is not None and not self.stopping.is_set():
                    self.procs[i] = self._spawn(i)

    def stop(self) -> None:
        self.stopping.set()
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


class Waiters:
    """Clients waiting for their submission's result (long polls): one database query a tick serves them all."""

    def __init__(self, reader: Any, tick_s: float = 0.25):
        self.reader, self.tick_s = reader, tick_s
        self.pending: dict[str, list[asyncio.Future]] = {}

    async def wait(self, submission_id: str, timeout: float) -> None:
        future = asyncio.get_running_loop().create_future()
        self.pending.setdefault(submission_id, []).append(future)
        try:
            await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            waiting = self.pending.get(submission_id, [])
            if future in waiting:
                waiting.remove(future)
            if not waiting:
                self.pending.pop(submission_id, None)

    def _settled(self, ids: list[str]) -> set[str]:
        with self.reader.begin() as session:
            return set(session.scalars(select(Submission.id).where(Submission.id.in_(ids),
                                                                   Submission.status != "queued")))

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.tick_s)
            if not self.pending:
                continue
            try:
                settled = await run_in_threadpool(self._settled, list(self.pending))
            except Exception:  # noqa: BLE001 - a busy database now and then: the next tick tries again
                continue
            for submission_id in settled:
                for future in self.pending.get(submission_id, []):
                    if not future.done():
                        future.set_result(None)


def _reaper(ledger: Ledger, stop: threading.Event) -> None:
    while not stop.wait(max(0.5, ledger.lease_s / 3)):
        try:
            ledger.reap()
        except Exception:  # noqa: BLE001 - a busy database now and then must not stop the reaper
            pass


# ---- request bodies -------------------------------------------------------------------------------------------
class LoginBody(BaseModel):
    code: str = Field(max_length=100)


class Person(BaseModel):
    login: str = Field(max_length=100)
    name: str = Field("", max_length=200)
    email: str = Field("", max_length=200)
    role: str = "student"


class RosterBody(BaseModel):
    people: list[Person] = Field(max_length=10000)


class ExtensionBody(BaseModel):
    student: str
    assignment: str
    until: datetime


class RerunBody(BaseModel):
    assignment: str
    student: str | None = None


class OverrideBody(BaseModel):
    student: str
    item: str
    score: float
    reason: str = Field(min_length=1, max_length=2000)


def create_app(settings: Settings) -> FastAPI:
    """The ASGI app; its lifespan starts the embedded worker pool and the lease reaper."""
    course = settings.course
    engine, read_engine = make_engine(settings.database), make_engine(settings.database, writer=False)
    factory, reader = sessions(engine), sessions(read_engine)
    ledger = Ledger(factory, lease_s=settings.lease_s, max_tries=course.max_tries)
    uploads = settings.data_dir / "submissions"
    waiters = Waiters(reader)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):  # type: ignore[no-untyped-def]
        ledger.reap()
        stop = threading.Event()
        dispatcher = None
        if settings.queue:  # the dispatcher reaps too, and sends the requeued jobs
            from .queue import Dispatcher, make_huey
            dispatcher = Dispatcher(make_huey(settings.queue), ledger)
            dispatcher.start()
        else:
            threading.Thread(target=_reaper, args=(ledger, stop), daemon=True).start()
        pool = WorkerPool(settings) if settings.workers > 0 else None
        if pool:
            pool.start()
        watcher = asyncio.create_task(waiters.run())
        try:
            yield
        finally:
            watcher.cancel()
            stop.set()
            if dispatcher:
                dispatcher.close()
            if pool:
                pool.stop()
            engine.dispose()
            read_engine.dispose()

    app = FastAPI(title=f"dlx course server: {course.name}", version=__version__, lifespan=lifespan,
                  description="The course's API: the `dlx` client, the dashboard and scripts use it. "
                              "Authenticate with `Authorization: Bearer <token>` (POST /api/login trades a "
                              "one-time code for a token). Errors are 4xx with a one-line `detail`.")
    app.add_middleware(LanguageMiddleware, default=course.lang)  # ?lang=, its cookie, else the course's language

    def db(request: Request) -> Iterator[Session]:
        """The request's transaction: a reader for GET, a writer otherwise."""
        with (reader if request.method == "GET" else factory).begin() as session:
            yield session

    DB = Annotated[Session, Depends(db, scope="function")]  # committed before the client hears back

    def user(request: Request) -> User:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer ") or not header[7:].strip():
            raise HTTPException(401, _("not logged in: run `dlx login URL` with the code your instructor gave you"))
        with reader.begin() as session:  # a short read of its own
            found = auth.authenticate(session, header[7:].strip())
        if found is None:
            raise HTTPException(401, _("your login token is invalid, expired or revoked: run `dlx login URL` again"))
        return found

    Me = Annotated[User, Depends(user)]

    def require(me: User, permission: str) -> None:
        if permission not in auth.permissions(me, course.ta_permissions):
            raise HTTPException(403, _("your role ({role}) may not {permission} in this course").format(
                role=_(me.role), permission=permission))

    def student_named(session: Session, login: str) -> User:
        found = session.scalars(select(User).where(User.login == login)).first()
        if found is None:
            raise HTTPException(404, _("no one called {login} in this course").format(login=repr(login)))
        return found

    def own_or_view(me: User, owner_id: int) -> None:
        if me.id != owner_id and "view" not in auth.permissions(me, course.ta_permissions):
            raise HTTPException(403, _("that belongs to another student; you can only see your own work"))

    def audit(session: Session, me: User, action: str, target: str, **detail: Any) -> None:
        session.add(Audit(at=clock.now(), actor=me.login, action=action, target=target, detail=detail))

    # ---- login ------------------------------------------------------------------------------------------------
    @app.post("/api/login", tags=["auth"], summary="Trade a one-time login code for a session token")
    def login(body: LoginBody, session: DB) -> dict:
        found = auth.redeem(session, body.code, course.token_days)
        if found is None:
            raise HTTPException(401, _("that login code is unknown, used or expired; ask your instructor for a new one"))
        person, token = found
        return {"token": token, "login": person.login, "role": person.role, "course": course.name}

    @app.post("/api/logout", tags=["auth"], summary="Revoke the token of this request")
    def logout(request: Request, me: Me, session: DB) -> dict:
        auth.revoke(session, me, request.headers["authorization"][7:].strip())
        return {"ok": True}

    @app.get("/api/me", tags=["auth"])
    def whoami(me: Me) -> dict:
        return {"login": me.login, "name": me.name, "role": me.role,
                "permissions": sorted(auth.permissions(me, course.ta_permissions))}

    # ---- the course, for students -----------------------------------------------------------------------------
    @app.get("/api/course", tags=["student"], summary="Assignments with their dates and the caller's standing")
    def course_info(me: Me, session: DB) -> dict:
        mine = {s.item: s.to_json() for s in standings(course, session, me)} if me.role == "student" else {}
        out = []
        for a in course.assignments.values():
            due, lock = deadline(course, session, me, a.id)
            out.append({"id": a.id, "title": a.title, "opens": a.opens.isoformat(), "due": due.isoformat(),
                        "lock": lock.isoformat() if lock else None, "penalty_per_day": a.penalty_per_day,
                        "counts": a.counts, "quota": str(a.quota) if a.quota else None, "quizzes": list(a.quizzes),
                        "exercises": [{"id": e, "title": in_language(course.exercises[e], language()).title,
                                       "points": course.exercises[e].points, "standing": mine.get(e)}
                                      for e in a.exercises]})
        return {"course": course.name, "now": clock.now().isoformat(), "assignments": out}

    @app.get("/api/exercises/{exercise_id}", tags=["student"],
             summary="The stub, statement and visible tests of an exercise (never its suite or reference)")
    def exercise_files(exercise_id: str, me: Me) -> dict:
        exercise = course.exercises.get(exercise_id)
        if exercise is None:
            raise HTTPException(404, _("{id} is not an exercise of this course").format(id=repr(exercise_id)))
        assignment = course.assignment_of(exercise_id)
        assert assignment is not None
        if me.role == "student" and clock.now() < assignment.opens:
            raise HTTPException(403, _("{id} opens at {time}")
                .format(id=exercise_id, time=assignment.opens.isoformat()))
        exercise = in_language(exercise, language())
        files = {exercise.filename: exercise.stub, f"{exercise.id}.md": exercise.statement,
                 "test_visible.py": exercise.visible_tests, "exercise.toml": exercise.folder / "exercise.toml"}
        return {"id": exercise.id, "title": exercise.title, "points": exercise.points, "requires": exercise.requires,
                "hints": list(exercise.hints), "own": exercise.id in course.own_exercises,
                "files": {name: p.read_text(encoding="utf-8") for name, p in files.items() if p.is_file()}}

    # ---- submissions ------------------------------------------------------------------------------------------
    def store(me: User, submission_id: str, exercise_id: str, data: bytes) -> tuple[int, dict]:
        """Write the file (fsync) before taking the database's write lock; record it; then answer."""
        if exercise_id not in course.exercises or course.assignment_of(exercise_id) is None:
            raise HTTPException(404, _("{id} is not an exercise of this course").format(id=repr(exercise_id)))
        digest = hashlib.sha256(data).hexdigest()
        folder = uploads / me.login / exercise_id
        folder.mkdir(parents=True, exist_ok=True)
        path, staged = folder / f"{submission_id}.py", folder / f".{submission_id}.{os.getpid()}.tmp"
        with open(staged, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            return record(me, submission_id, exercise_id, digest, len(data), staged, path)
        finally:
            staged.unlink(missing_ok=True)

    def record(me: User, submission_id: str, exercise_id: str, digest: str, size: int, staged: Path,
               path: Path) -> tuple[int, dict]:
        with factory.begin() as session:
            me = session.get(User, me.id)  # type: ignore[assignment]
            existing = session.get(Submission, submission_id)
            if existing is not None:
                if existing.user_id != me.id or existing.sha256 != digest or existing.exercise != exercise_id:
                    raise HTTPException(409, _("this submission id was already used for a different upload"))
                return 200, describe(session, existing)
            assignment = course.assignment_of(exercise_id)
            if assignment is None or exercise_id not in course.exercises:
                raise HTTPException(404, _("{id} is not an exercise of this course").format(id=repr(exercise_id)))
            now = clock.now()
            if now < assignment.opens:
                raise HTTPException(403, _("{id} opens at {time}; not accepted yet").format(
                    id=exercise_id, time=assignment.opens.isoformat()))
            due, lock = deadline(course, session, me, assignment.id)
            if lock is not None and now > lock:
                raise HTTPException(403, _("{assignment} closed at {time}; no more submissions").format(
                    assignment=assignment.id, time=lock.isoformat()))
            if assignment.quota is not None:
                since = now - timedelta(seconds=assignment.quota.window_s)
                used = session.scalar(select(func.count()).select_from(Submission).where(
                    Submission.user_id == me.id, Submission.exercise == exercise_id,
                    Submission.received_at > since, Submission.status != "failed")) or 0
                if used >= assignment.quota.count:
                    raise HTTPException(429, _("quota reached: at most {quota} submissions of {id}; try again later")
                                        .format(quota=assignment.quota, id=exercise_id))
            os.replace(staged, path)
            directory = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)  # the rename itself survives a crash
            finally:
                os.close(directory)
            submission = Submission(id=submission_id, user_id=me.id, exercise=exercise_id, assignment=assignment.id,
                                    sha256=digest, size=size, path=str(path), seed=new_seed(), received_at=now,
                                    status="queued", lang=language())
            session.add(submission)
            session.flush()
            if course.supersede_queued:
                ledger.supersede(session, me.id, exercise_id, submission_id)
            ledger.enqueue(session, submission_id)
            session.flush()
            return 201, describe(session, submission)

    def describe(session: Session, s: Submission) -> dict:
        result = session.scalars(select(Result).where(Result.submission_id == s.id, Result.current.is_(True))).first()
        job = session.scalars(select(Job).where(Job.submission_id == s.id).order_by(Job.id.desc())).first()
        owner = session.get(User, s.user_id)
        assert owner is not None
        due, _ = deadline(course, session, owner, s.assignment)
        factor = course.assignments[s.assignment].late_factor(s.received_at, due)
        out: dict[str, Any] = {
            "id": s.id, "student": owner.login, "exercise": s.exercise, "assignment": s.assignment,
            "sha256": s.sha256, "received_at": s.received_at.isoformat(), "seed": s.seed, "status": s.status,
            "job": job.state if job else None, "position": ledger.position(session, s.id), "late_factor": factor,
        }
        if result is not None:
            out.update(score=result.score, max_score=result.max_score, counted_score=round(result.score * factor, 6),
                       feedback=result.feedback)
        if s.status == "failed" and job is not None:
            out["error"] = "the grader failed (not your code); this attempt does not count, please submit again"
        return out

    @app.put("/api/submissions/{submission_id}", tags=["student"], status_code=201,
             summary="Upload a file (the body) for grading; idempotent: a retry with the same id is recorded once")
    async def submit(submission_id: str, exercise: str, request: Request, me: Me) -> JSONResponse:
        if not SUBMISSION_ID.match(submission_id):
            raise HTTPException(400, _("a submission id is 8 to 36 letters, digits or dashes"))
        limit = course.max_upload_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise HTTPException(413, _("the file is larger than the course's limit of {size} KiB")
                .format(size=limit // 1024))
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise HTTPException(413, _("the file is larger than the course's limit of {size} KiB")
                    .format(size=limit // 1024))
        status, out = await run_in_threadpool(store, me, submission_id, exercise, bytes(body))
        return JSONResponse(out, status_code=status)

    def read_submission(submission_id: str, me: User) -> dict:
        with reader.begin() as session:
            s = session.get(Submission, submission_id)
            if s is None:
                raise HTTPException(404, _("no submission {id}").format(id=submission_id))
            own_or_view(me, s.user_id)
            return describe(session, s)

    @app.get("/api/submissions/{submission_id}", tags=["student"],
             summary="A submission's state and feedback; `wait` (s) holds the answer until it is graded")
    async def submission_status(submission_id: str, me: Me,
                                wait: Annotated[float, Query(ge=0, le=30)] = 0) -> dict:
        state = await run_in_threadpool(read_submission, submission_id, me)
        if wait and state["status"] == "queued":
            await waiters.wait(submission_id, wait)
            state = await run_in_threadpool(read_submission, submission_id, me)
        return state

    @app.get("/api/submissions", tags=["student"], summary="Submissions of one student (default: the caller)")
    def submission_list(me: Me, session: DB, student: str | None = None, exercise: str | None = None) -> list[dict]:
        who = me if student is None or student == me.login else student_named(session, student)
        own_or_view(me, who.id)
        query = select(Submission).where(Submission.user_id == who.id).order_by(Submission.received_at)
        if exercise:
            query = query.where(Submission.exercise == exercise)
        return [describe(session, s) for s in session.scalars(query)]

    @app.get("/api/standing", tags=["student"], summary="A student's record per exercise (default: the caller)")
    def standing(me: Me, session: DB, student: str | None = None) -> dict:
        who = me if student is None or student == me.login else student_named(session, student)
        own_or_view(me, who.id)
        rows = standings(course, session, who)
        return {"student": who.login, "items": [r.to_json() for r in rows],
                "total": round(sum(r.score or 0 for r in rows), 6), "max_total": sum(r.max_score for r in rows)}

    # ---- quizzes (graded in the request: no student code runs) ---------------------------------------------------
    def quiz_assignment(bank_id: str, me: User) -> Any:
        assignment = course.assignment_of_quiz(bank_id)
        if assignment is None:
            raise HTTPException(404, _("{id} is not a quiz of this course").format(id=repr(bank_id)))
        if me.role == "student" and clock.now() < assignment.opens:
            raise HTTPException(403, _("the quiz {id} opens at {time}")
                .format(id=bank_id, time=assignment.opens.isoformat()))
        return assignment

    def variant_seed(session: Session, me: User, bank_id: str) -> int:
        found = session.scalars(select(QuizVariant).where(QuizVariant.user_id == me.id,
                                                          QuizVariant.bank == bank_id)).first()
        if found is None:
            found = QuizVariant(user_id=me.id, bank=bank_id, seed=new_seed())
            session.add(found)
            session.flush()
        return found.seed

    @app.get("/api/quizzes/{bank_id}", tags=["student"], summary="The caller's variant of a quiz (no answers)")
    def quiz_questions(bank_id: str, me: Me) -> dict:
        from ..quiz.grading import bank_questions

        quiz_assignment(bank_id, me)
        with factory.begin() as session:  # the first look records the variant's seed
            seed = variant_seed(session, me, bank_id)
        return {"bank": bank_id, "seed": seed, "questions": bank_questions(bank_id, seed)}

    @app.post("/api/quizzes/{bank_id}/attempts", tags=["student"], summary="Answer a quiz; graded at once")
    def quiz_attempt(bank_id: str, body: dict[str, Any], me: Me, session: DB) -> dict:
        from ..quiz.grading import grade_answers

        assignment = quiz_assignment(bank_id, me)
        answers = body.get("answers")
        if not isinstance(answers, dict) or len(answers) > 500:
            raise HTTPException(400, _("send {example}").format(example='{"answers": {"question id": answer, ...}}'))
        now = clock.now()
        due, lock = deadline(course, session, me, assignment.id)
        if lock is not None and now > lock:
            raise HTTPException(403, _("{assignment} closed at {time}; no more answers").format(
                assignment=assignment.id, time=lock.isoformat()))
        if assignment.quota is not None:
            used = session.scalar(select(func.count()).select_from(QuizAttempt).where(
                QuizAttempt.user_id == me.id, QuizAttempt.bank == bank_id,
                QuizAttempt.received_at > now - timedelta(seconds=assignment.quota.window_s))) or 0
            if used >= assignment.quota.count:
                raise HTTPException(429, _("quota reached: at most {quota} attempts of {id}").format(
                    quota=assignment.quota, id=bank_id))
        seed = variant_seed(session, me, bank_id)
        result = grade_answers(bank_id, seed, answers)
        session.add(QuizAttempt(user_id=me.id, bank=bank_id, assignment=assignment.id, seed=seed,
                                score=result.score, max_score=result.max_score, result=result.to_json(),
                                received_at=now))
        factor = assignment.late_factor(now, due)
        return {**result.to_json(), "received_at": now.isoformat(), "late_factor": factor,
                "counted_score": round(result.score * factor, 6)}

    # ---- staff ------------------------------------------------------------------------------------------------
    @app.post("/api/roster", tags=["staff"], summary="Add people; returns a one-time login code for each")
    def roster(body: RosterBody, me: Me, session: DB) -> dict:
        require(me, "roster")
        codes = []
        for person in body.people:
            if not LOGIN.match(person.login):
                raise HTTPException(400, f"{person.login!r} is not a valid login (letters, digits, . _ @ -)")
            if person.role not in ("student", "ta", "instructor"):
                raise HTTPException(400, f"unknown role {person.role!r} for {person.login} (student, ta, instructor)")
            if person.role != "student" and me.role != "instructor":
                raise HTTPException(403, "only an instructor may add TAs or instructors")
            found = session.scalars(select(User).where(User.login == person.login)).first()
            if found is None:
                found = User(login=person.login, name=person.name, email=person.email, role=person.role)
                session.add(found)
                session.flush()
            else:
                found.name, found.email = person.name or found.name, person.email or found.email
                if found.role != person.role and me.role != "instructor":
                    raise HTTPException(403, "only an instructor may change a role")
                found.role = person.role
            codes.append({"login": found.login, "role": found.role, "code": auth.new_code(session, found)})
            audit(session, me, "roster", found.login, role=found.role)
        return {"codes": codes}

    @app.post("/api/users/{login}/revoke", tags=["staff"], summary="Revoke every token and code of a person")
    def revoke_user(login: str, me: Me, session: DB) -> dict:
        require(me, "roster")
        who = student_named(session, login)
        if who.role != "student" and me.role != "instructor":
            raise HTTPException(403, "only an instructor may revoke a TA's or instructor's tokens")
        audit(session, me, "revoke", login)
        return {"revoked": auth.revoke(session, who)}

    @app.get("/api/grades", tags=["staff"], summary="The gradebook after late policy, extensions and overrides")
    def grades(me: Me, session: DB, format: Annotated[str, Query(pattern="^(json|csv)$")] = "json") -> Any:
        require(me, "view")
        columns, rows = gradebook(course, session)
        if format == "json":
            return {"columns": columns, "rows": rows}
        out = io.StringIO()
        writer = csv.DictWriter(out, columns)
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in rows)
        return PlainTextResponse(out.getvalue(), media_type="text/csv")

    @app.post("/api/extensions", tags=["staff"], summary="Give a student until a date for an assignment")
    def extend(body: ExtensionBody, me: Me, session: DB) -> dict:
        require(me, "extend")
        if body.assignment not in course.assignments:
            raise HTTPException(404, f"no assignment {body.assignment!r}")
        if body.until.tzinfo is None:
            raise HTTPException(400, "the date needs its time zone, e.g. 2026-03-01T23:59:00+01:00")
        who = student_named(session, body.student)
        found = session.scalars(select(Extension).where(Extension.user_id == who.id,
                                                        Extension.assignment == body.assignment)).first()
        before = found.until.isoformat() if found else None
        if found is None:
            found = Extension(user_id=who.id, assignment=body.assignment, until=body.until, granted_by=me.id,
                              granted_at=clock.now())
            session.add(found)
        else:
            found.until, found.granted_by, found.granted_at = body.until, me.id, clock.now()
        audit(session, me, "extension", f"{who.login}/{body.assignment}", until=body.until.isoformat(), before=before)
        return {"student": who.login, "assignment": body.assignment, "until": body.until.isoformat()}

    @app.post("/api/reruns", tags=["staff"], summary="Regrade an assignment's submissions with their recorded seeds")
    def rerun(body: RerunBody, me: Me, session: DB) -> dict:
        require(me, "rerun")
        if body.assignment not in course.assignments:
            raise HTTPException(404, f"no assignment {body.assignment!r}")
        query = select(Submission).where(Submission.assignment == body.assignment,
                                         Submission.status.in_(("graded", "failed")))
        if body.student:
            query = query.where(Submission.user_id == student_named(session, body.student).id)
        subs = session.scalars(query).all()
        for s in subs:
            ledger.enqueue(session, s.id, kind="rerun", lane=LANE_BATCH, requested_by=me.id)
        audit(session, me, "rerun", body.assignment + (f"/{body.student}" if body.student else ""), jobs=len(subs))
        return {"queued": len(subs)}

    @app.post("/api/overrides", tags=["staff"], summary="Set a student's grade for an item by hand, with a reason")
    def override(body: OverrideBody, me: Me, session: DB) -> dict:
        require(me, "override")
        quiz = body.item.startswith("quiz:") and course.assignment_of_quiz(body.item[5:]) is not None
        if body.item not in course.exercises and not quiz:
            raise HTTPException(404, f"{body.item!r} is not an exercise or quiz (quiz:BANK) of this course")
        who = student_named(session, body.student)
        found = session.scalars(select(Override).where(Override.user_id == who.id, Override.item == body.item)).first()
        before = found.score if found else None
        if found is None:
            session.add(Override(user_id=who.id, item=body.item, score=body.score, reason=body.reason, by=me.id,
                                 at=clock.now()))
        else:
            found.score, found.reason, found.by, found.at = body.score, body.reason, me.id, clock.now()
        audit(session, me, "override", f"{who.login}/{body.item}", score=body.score, before=before, reason=body.reason)
        return {"student": who.login, "item": body.item, "score": body.score}

    @app.get("/api/audit", tags=["staff"], summary="Grade changes: who, when, what")
    def audit_log(me: Me, session: DB) -> list[dict]:
        require(me, "view")
        return [{"at": a.at.isoformat(), "actor": a.actor, "action": a.action, "target": a.target, "detail": a.detail}
                for a in session.scalars(select(Audit).order_by(Audit.id))]

    @app.get("/api/jobs", tags=["staff"], summary="The job ledger: counts per state and the unfinished jobs")
    def jobs(me: Me, session: DB) -> dict:
        require(me, "view")
        open_jobs = session.scalars(select(Job).where(Job.state.in_(("queued", "running", "failed")))
                                    .order_by(Job.id)).all()
        now = clock.wall()

        def age_s(job: Job) -> float:  # running: since its claim; queued and failed: since it was created
            since = job.started_at if job.state == "running" and job.started_at else job.created_at
            return round((now - since).total_seconds(), 1)

        return {"counts": ledger.counts(session),
                "jobs": [{"id": j.id, "submission": j.submission_id, "kind": j.kind, "lane": j.lane, "state": j.state,
                          "tries": j.tries, "worker": j.worker, "created_at": j.created_at.isoformat(),
                          "age_s": age_s(j), "error": j.error} for j in open_jobs]}

    @app.get("/api/health", tags=["auth"])
    def health() -> dict:
        return {"ok": True, "course": course.name, "version": __version__}

    from .pages import mount_pages  # the browser pages; they read and act through the API above
    mount_pages(app, course, reader)
    return app


def first_instructor_code(settings: Settings) -> str | None:
    """A login code for the instructor while none has ever logged in (created with the course)."""
    from .db import Token

    engine = make_engine(settings.database)
    with sessions(engine).begin() as session:
        instructor = session.scalars(select(User).where(User.role == "instructor").order_by(User.id)).first()
        if instructor is None:
            instructor = User(login="instructor", name="Instructor", role="instructor")
            session.add(instructor)
            session.flush()
        logged_in = session.scalar(select(func.count()).select_from(Token).where(
            Token.user_id == instructor.id, Token.kind == "session")) or 0
        code = None if logged_in else auth.new_code(session, instructor)
    engine.dispose()
    return code
