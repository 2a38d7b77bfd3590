"""Course-mode commands: `dlx serve`, `dlx login`/`logout`, `dlx course ...`, and the course branch of
`dlx list/fetch/submit/score` (taken when logged in to a course and not given ``--offline``)."""
from __future__ import annotations

import csv
import json
import re
import sys
import uuid
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Callable

import click

from .errors import DlxError
from .i18n import N_, _, ngettext

if TYPE_CHECKING:  # imported when a command runs: `dlx --version` and local mode never pay for urllib
    from .course_client import CourseClient

MAX_FILE = 2**20


class Local:
    """A course handler's answer: "do what local mode does" (with these arguments changed)."""

    def __init__(self, **overrides: Any):
        self.overrides = overrides


LOCAL = Local()
STUDENT_FILES = ("test_visible.py", "exercise.toml")  # cached for `dlx check`, not written beside the student's work


class CourseFailure(DlxError):
    """A course command failed: one line, exit 2 (dlx's convention)."""


def _console():  # type: ignore[no-untyped-def]
    from .report import console
    return console


def _staff() -> CourseClient:
    from .course_client import CourseClient, saved_login

    login = saved_login()
    if login is None:
        raise CourseFailure(_("not logged in to a course: run `dlx login URL` with your code first"))
    return CourseClient.from_login(login)


# ---- the student's commands in course mode ------------------------------------------------------------------------
def course_list(client: CourseClient, as_json: bool) -> None:
    from rich.table import Table

    info = client.call("GET", "/api/course", retry=True)
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    table = Table(title=_("{course} (course)").format(course=info["course"]), title_justify="left")
    for col in (N_("assignment"), N_("id"), N_("title"), N_("points"), N_("due"), N_("score"), N_("attempts")):
        table.add_column(_(col), justify="right" if col in ("points", "score", "attempts") else "left")
    for a in info["assignments"]:
        for e in a["exercises"]:
            s = e["standing"] or {}
            score = "-" if s.get("score") is None else f"{s['score']:g}"
            table.add_row(a["id"], e["id"], e["title"], f"{e['points']:g}", a["due"], score, str(s.get("attempts", 0)))
    _console().print(table)
    _console().print("[dim]" + _(
        "`dlx fetch <id>` takes an exercise from the course; `--offline` shows the local catalogue.")
                     + "[/]")


def course_fetch(client: CourseClient, exercise_id: str, directory: Path, force: bool) -> None:
    from .cli import _backup

    if not re.fullmatch(r"[A-Za-z0-9_]+", exercise_id):
        raise CourseFailure(_("{id} is not an exercise id").format(id=repr(exercise_id)))
    info = client.call("GET", f"/api/exercises/{exercise_id}", retry=True)
    directory.mkdir(parents=True, exist_ok=True)
    sent = info["files"]
    if info["own"]:  # only the names dlx expects are written, whatever a server sends
        cache = _own_exercise_dir(exercise_id)
        cache.mkdir(parents=True, exist_ok=True)
        for name in STUDENT_FILES:
            if name in sent:
                (cache / name).write_text(sent[name], encoding="utf-8")
    files = {name: sent[name] for name in (f"{exercise_id}.py", f"{exercise_id}.md") if name in sent}
    existing = [directory / name for name in files if (directory / name).exists()]
    if existing and not force:
        names = ", ".join(str(p) for p in existing)
        raise CourseFailure(ngettext("{names} already exists; your work is untouched (use --force to replace it; a "
                                     "backup is kept)", "{names} already exist; your work is untouched (use --force to "
                                     "replace them; a backup is kept)", len(existing)).format(names=names))
    for name, text in files.items():
        target = directory / name
        if target.exists():
            _console().print("[dim]" + _("backed up {file} to {backup}")
                .format(file=target, backup=_backup(target)) + "[/]")
        target.write_text(text, encoding="utf-8")
    stub, statement = directory / f"{exercise_id}.py", directory / f"{exercise_id}.md"
    _console().print((_("Wrote [bold]{stub}[/] and {statement} from the course.") if f"{exercise_id}.md" in files
                      else _("Wrote [bold]{stub}[/] from the course.")).format(stub=stub, statement=statement))
    _console().print(_("Next: complete the functions, then `dlx check {id}` and `dlx submit {id}`.")
        .format(id=exercise_id))


def _own_exercise_dir(exercise_id: str) -> Path:
    from .paths import data_dir
    return data_dir() / "course-exercises" / exercise_id


def course_check(client: CourseClient, exercise_id: str, directory: Path, watch: bool) -> object:
    """The visible tests run locally: the catalogue's, or those of a course exercise saved by `dlx fetch`."""
    from .catalog import _load, catalog
    from .cli import _student_file, grade_and_show
    from .i18n import language

    cached = _own_exercise_dir(exercise_id) / "exercise.toml"
    if exercise_id in catalog() or not cached.is_file():
        return LOCAL
    exercise = _load(cached, language())
    path = _student_file(exercise, directory)
    if watch:
        from .watch import watch_exercise

        watch_exercise(exercise, path)
        return None
    grade_and_show(exercise, path, visible=True)
    return None


def course_submit(client: CourseClient, exercise_id: str, directory: Path, seed: int | None) -> None:
    from .report import show_result
    from .results import GradeResult

    if seed is not None:
        raise CourseFailure(_("in a course the server chooses the seed; --seed works only with --offline"))
    from .safe_read import read_bytes_file

    path = directory / f"{exercise_id}.py"
    if not path.exists():
        raise CourseFailure(_("{path} not found; run `dlx fetch {id}` first (or pass --dir)")
            .format(path=path, id=exercise_id))
    try:
        data = read_bytes_file(path, limit=MAX_FILE, follow_links=False)
    except DlxError as exc:
        raise CourseFailure(str(exc)) from None
    console = _console()
    submission_id = str(uuid.uuid4())
    receipt = client.submit(exercise_id, data, submission_id)
    console.print("[dim]" + _("Received by the course at {time} (submission {submission}, sha256 {sha256}…, seed {seed}).")
                  .format(time=receipt["received_at"], submission=submission_id, sha256=receipt["sha256"][:12],
                          seed=receipt["seed"]) + "[/]")
    try:
        with console.status(_("waiting for the grader…")) as status:
            def progress(state: dict) -> None:
                ahead = state.get("position")
                status.update(_("grading…") if state.get("job") == "running" or not ahead
                              else ngettext("queued: {n} submission ahead of yours…",
                                            "queued: {n} submissions ahead of yours…", ahead).format(n=ahead))
            state = client.wait(submission_id, progress)
    except KeyboardInterrupt:
        raise CourseFailure(_("stopped waiting; your submission {submission} is recorded and will be graded: "
                              "`dlx score` shows it").format(submission=submission_id)) from None
    if state["status"] == "queued":
        raise CourseFailure(_("still queued; your submission {submission} is recorded: `dlx score` shows it later")
            .format(
            submission=submission_id))
    if state["status"] == "superseded":
        console.print("[yellow]" + _("A newer submission of yours replaced this one before it was graded.") + "[/]")
        return
    if state["status"] == "failed":
        raise CourseFailure(state.get("error", _("the grader failed; this attempt does not count")))
    result = GradeResult.from_json(state["feedback"])
    show_result(console, SimpleNamespace(id=exercise_id), result)  # type: ignore[arg-type]
    if state["late_factor"] < 1:
        console.print(" [yellow]" + _("Late: counts as {score} ({percent} of the score).").format(
            score=f"{state['counted_score']:g}", percent=f"{state['late_factor']:.0%}") + "[/]")
    console.print(" [dim]" + _("Recorded by the course. `dlx score` shows your standing.") + "[/]")


def course_score(client: CourseClient, as_json: bool) -> None:
    from rich.table import Table

    info = client.call("GET", "/api/standing", retry=True)
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    table = Table(title=_("course record of {student}").format(student=info["student"]), title_justify="left")
    for col in (N_("assignment"), N_("item"), N_("counts"), N_("best"), N_("latest"), N_("max"), N_("attempts"),
                N_("pending")):
        table.add_column(_(col), justify="left" if col in ("assignment", "item") else "right")
    fmt = lambda x: "-" if x is None else f"{x:g}"  # noqa: E731
    for s in info["items"]:
        table.add_row(s["assignment"], s["item"] + (_(" (override)") if s["overridden"] else ""), fmt(s["score"]),
                      fmt(s["best"]), fmt(s["latest"]), fmt(s["max_score"]), str(s["attempts"]), str(s["pending"]))
    table.add_section()
    table.add_row(_("total"), "", fmt(info["total"]), "", "", fmt(info["max_total"]), "", "", style="bold")
    _console().print(table)


def course_quiz_show(client: CourseClient, bank_id: str, seed: int | None, as_json: bool) -> Local:
    """The student's own variant is the one the server chose."""
    if seed is not None:
        return LOCAL
    return Local(seed=client.call("GET", f"/api/quizzes/{bank_id}", retry=True)["seed"])


def course_quiz_take(client: CourseClient, bank_id: str, seed: int | None, new_variant: bool,
                     answers_file: str | None, as_json: bool) -> None:
    """Send the answers to the course, which grades and records them."""
    from .quiz import display
    from .quiz.cli import read_answers
    from .results import QuizResult

    if seed is not None or new_variant:
        raise CourseFailure(_("in a course the server keeps your variant; --seed and --new-variant work only with --offline"))
    if answers_file is None:
        raise CourseFailure(_("in a course, answer with --answers FILE (JSON: question id -> answer); "
                              "`dlx quiz show {bank}` shows your variant").format(bank=bank_id))
    reply = client.call("POST", f"/api/quizzes/{bank_id}/attempts", body={"answers": read_answers(answers_file)})
    if as_json:
        click.echo(json.dumps(reply, indent=2))
        return
    result = QuizResult.from_json(reply)
    out = display.console()
    for test in result.tests:
        click.echo(f" {'✓' if test.passed else '✗'} {test.name} ({test.score:g}/{test.max_score:g})")
    display.show_summary(out, result)
    if reply["late_factor"] < 1:
        out.print(_("Late: counts as {score} ({percent} of the score).").format(
            score=f"{reply['counted_score']:g}", percent=f"{reply['late_factor']:.0%}"))
    out.print(_("Recorded by the course; `dlx score` shows your standing."), highlight=False)


HANDLERS: dict[str, Callable] = {"quiz_show": course_quiz_show, "quiz_take": course_quiz_take, "list": course_list, "fetch": course_fetch, "check": course_check,
                                 "submit": course_submit, "score": course_score}


# ---- login ---------------------------------------------------------------------------------------------------------
@click.command()
@click.argument("url")
@click.option("--code", help="The one-time login code (asked for when not given).")
def login(url: str, code: str | None) -> None:
    """Log in to a course server at URL with the one-time code you were given."""
    from .course_client import CourseClient, save_login

    client = CourseClient(url)
    code = code or click.prompt(_("Login code: "), prompt_suffix="", hide_input=True)
    who = client.login(code)
    path = save_login(who)
    _console().print(_("Logged in to [bold]{course}[/] as {login} ({role}); token kept in {path}.").format(
        course=who.course, login=who.login, role=_(who.role), path=path))
    _console().print("[dim]" + _("`dlx list`, `fetch`, `submit` and `score` now use the course; `--offline` or "
                                 "`dlx logout` for local mode.") + "[/]")


@click.command()
def logout() -> None:
    """Forget the course login (the token is revoked on the server) and return to local mode."""
    from .course_client import CourseClient, CourseError, forget_login, saved_login

    login = saved_login()
    if login is None:
        _console().print(_("Not logged in to a course; dlx is in local mode."))
        return
    try:
        CourseClient.from_login(login).call("POST", "/api/logout")
    except CourseError as exc:
        _console().print("[yellow]" + _("the server did not confirm the logout ({reason}); the token is forgotten here")
                         .format(reason=exc) + "[/]")
    forget_login()
    _console().print(_("Logged out of {course}; dlx is in local mode.").format(course=login.course))


# ---- the server ----------------------------------------------------------------------------------------------------
@click.command()
@click.argument("course_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where submissions and the SQLite database live (default: dlx-course-data beside the course file).")
@click.option("--database", help="A database URL, e.g. postgresql+psycopg://user@host/course (default: SQLite).")
@click.option("--workers", default=None, type=click.IntRange(0, 64),
              help="Grading processes run by the server (default 2, or 0 with --queue; 0: only external workers grade).")
@click.option("--queue", "queue_url", help="Send jobs to `dlx worker`s through Redis, e.g. redis://host:6379/0.")
@click.option("--lease", "lease_s", default=60.0, show_default=True, type=click.FloatRange(1, 3600),
              help="Seconds a grading job is held before it is given to another worker if its worker stops.")
@click.option("--log-level", default="warning", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
def serve(course_file: Path, host: str, port: int, data_dir: Path | None, database: str | None, workers: int | None,
          queue_url: str | None, lease_s: float, log_level: str) -> None:
    """Run the course server for COURSE_FILE (a TOML course file)."""
    try:
        import uvicorn

        from .server.app import Settings, create_app, first_instructor_code
        from .server.config import load_course
        from .server.db import database_url, migrate
    except ImportError as exc:
        raise CourseFailure(_("the course server needs the server extra ({module} is missing): pip install "
                              "'dlx[server]'").format(module=exc.name)) from None
    if queue_url:
        _check_queue(queue_url)
    workers = (0 if queue_url else 2) if workers is None else workers
    course = load_course(course_file.resolve())
    data_dir = (data_dir or course_file.resolve().parent / "dlx-course-data").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    url = database_url(database, data_dir)
    _check_database(url)
    migrate(url)
    _check_address(host, port)
    settings = Settings(course=course, data_dir=data_dir, database=url, workers=workers, lease_s=lease_s,
                        queue=queue_url)
    code = first_instructor_code(settings)
    where = f"http://{host}:{port}"
    click.echo(_("dlx course server for {course}: listening on {url} (API docs at {url}/docs)").format(
        course=repr(course.name), url=where))
    click.echo(ngettext("database: {database}; submissions in {folder}; {n} grading worker",
                        "database: {database}; submissions in {folder}; {n} grading workers", workers).format(
        database=url.split("@")[-1], folder=data_dir / "submissions", n=workers)
        + (_("; jobs sent to {queue}").format(queue=queue_url.split("@")[-1]) if queue_url else ""))
    if code:
        click.echo(_("instructor's first login code: {code}  (dlx login {url} --code {code})")
            .format(code=code, url=where))
    sys.stdout.flush()
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level)


def _check_database(url: str) -> None:
    """One line and exit 2 when the database URL names no usable database (unknown driver, unreachable, ...)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    try:
        engine = create_engine(url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except (SQLAlchemyError, ImportError, ValueError) as exc:  # ImportError: the URL's driver is not installed
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CourseFailure(_("cannot use the database {database}: {reason}").format(
            database=url.split("@")[-1], reason=reason)) from None


def _check_address(host: str, port: int) -> None:
    """One line and exit 2 when the server could not listen on ``host:port`` (unknown host, port taken)."""
    import socket

    try:
        family, kind, protocol, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds it
            probe.bind(address)
    except OSError as exc:
        raise CourseFailure(_("cannot listen on {host}:{port}: {reason}").format(
            host=host, port=port, reason=exc.strerror or exc)) from None


def _check_queue(url: str, reach: bool = False) -> None:
    """One line and exit 2 when the scale extra is missing or the queue URL is not Redis's (or, with ``reach``,
    Redis does not answer there: a worker would only log tracebacks)."""
    try:
        from .server.queue import QueueURLError, make_huey
        huey = make_huey(url)
        if reach:
            huey.storage.conn.ping()
    except ImportError as exc:
        raise CourseFailure(_("--queue needs the scale extra ({module} is missing): pip install 'dlx[scale]'").format(
            module=exc.name)) from None
    except (QueueURLError, ValueError) as exc:
        raise CourseFailure(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - redis's ConnectionError, TimeoutError, AuthenticationError, ...
        raise CourseFailure(_("cannot reach the queue {queue}: {reason}").format(
            queue=url.split("@")[-1], reason=exc)) from None


@click.command()
@click.option("--queue", "queue_url", required=True, help="The server's --queue, e.g. redis://host:6379/0.")
@click.option("--database", required=True, help="The server's database URL (postgresql+psycopg://... across machines).")
@click.option("--course", "course_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The course file; its folder holds the course's own hidden suites.")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 256),
              help="Grading processes on this machine.")
@click.option("--lease", "lease_s", default=60.0, show_default=True, type=click.FloatRange(1, 3600),
              help="The server's --lease: seconds a job is held between renewals.")
@click.option("--name", default=None, help="This worker's name in `dlx course queue` (default: the host name).")
def worker(queue_url: str, database: str, course_file: Path, processes: int, lease_s: float, name: str | None) -> None:
    """Grade a course's jobs sent by `dlx serve --queue` (needs no inbound port)."""
    _check_queue(queue_url, reach=True)
    _check_database(database)
    from .server.config import load_course
    from .server.queue import run_worker

    load_course(course_file.resolve())  # a broken course file is one line here, not an error in every task
    click.echo(ngettext("dlx worker: {n} grading process for {course}, jobs from {queue}",
                        "dlx worker: {n} grading processes for {course}, jobs from {queue}", processes).format(
        n=processes, course=course_file, queue=queue_url.split("@")[-1]))
    sys.stdout.flush()
    run_worker(queue_url, course_file.resolve(), database, processes=processes, lease_s=lease_s, name=name)


# ---- the instructor's commands ------------------------------------------------------------------------------------
@click.group()
def course() -> None:
    """Run a course: roster, grades, reruns, extensions (through the course server you are logged in to)."""


@course.command("check")
@click.argument("course_file", type=click.Path(dir_okay=False, path_type=Path))
def check_config(course_file: Path) -> None:
    """Validate a course file without starting the server."""
    from .server.config import load_course

    config = load_course(course_file)
    click.echo(_("{file}: {assignments} assignment(s), {exercises} exercise(s) ({own} of the course's own); valid.")
        .format(
        file=course_file, assignments=len(config.assignments), exercises=len(config.exercises),
        own=len(config.own_exercises)))


@course.group()
def roster() -> None:
    """The course's people."""


@roster.command("import")
@click.argument("csv_file", type=click.File("r", encoding="utf-8"))
@click.option("--role", type=click.Choice(["student", "ta", "instructor"]), default=None,
              help="Role for every row (default: the file's role column, else student).")
@click.option("--codes", "codes_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write login,role,code to this CSV instead of printing the codes.")
def roster_import(csv_file: Any, role: str | None, codes_out: Path | None) -> None:
    """Add the people of CSV_FILE (columns: login, and optionally name, email, role); one login code each."""
    reader = csv.DictReader(csv_file)
    if not reader.fieldnames or "login" not in reader.fieldnames:
        raise CourseFailure(_("{file}: the first line must name the columns, with at least 'login'")
            .format(file=csv_file.name))
    people = []
    for line, row in enumerate(reader, start=2):
        if not (row.get("login") or "").strip():
            raise CourseFailure(_("{file}:{line}: no login").format(file=csv_file.name, line=line))
        people.append({"login": row["login"].strip(), "name": (row.get("name") or "").strip(),
                       "email": (row.get("email") or "").strip(),
                       "role": role or (row.get("role") or "").strip() or "student"})
    codes = _staff().call("POST", "/api/roster", body={"people": people})["codes"]
    if codes_out:
        with open(codes_out, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, ["login", "role", "code"])
            writer.writeheader()
            writer.writerows(codes)
        click.echo(_("{n} login code(s) written to {file}; each works once.").format(n=len(codes), file=codes_out))
        return
    for row in codes:
        click.echo(f"{row['login']},{row['role']},{row['code']}")


@course.command()
@click.option("--csv", "fmt", flag_value="csv", default=True, help="CSV (the default).")
@click.option("--json", "fmt", flag_value="json", help="JSON.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def grades(fmt: str, output: Path | None) -> None:
    """The gradebook: one row per student, one column per exercise and quiz, after late policy."""
    client = _staff()
    if fmt == "csv":
        text = client.call("GET", "/api/grades", query={"format": "csv"}, raw=True, retry=True)
    else:
        text = json.dumps(client.call("GET", "/api/grades", retry=True), indent=2) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(_("wrote {path}").format(path=output))
    else:
        click.echo(text, nl=False)


@course.command()
@click.argument("assignment")
@click.option("--student", help="Only this student's submissions.")
def rerun(assignment: str, student: str | None) -> None:
    """Regrade ASSIGNMENT's submissions with their recorded seeds (the previous results are kept)."""
    reply = _staff().call("POST", "/api/reruns", body={"assignment": assignment, "student": student})
    click.echo(_("{n} submission(s) queued for regrading.").format(n=reply["queued"]))


def _aware(text: str) -> str:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise CourseFailure(_("{text} is not a date and time like 2026-03-01T23:59:00+01:00")
            .format(text=repr(text))) from None
    if when.tzinfo is None:
        raise CourseFailure(_("{quoted} has no time zone; add its offset, e.g. {text}+01:00 or {text}Z").format(
            quoted=repr(text), text=text))
    return when.isoformat()


@course.command()
@click.argument("student")
@click.argument("assignment")
@click.option("--until", required=True, help="The new deadline, with its time zone: 2026-03-01T23:59:00+01:00.")
def extend(student: str, assignment: str, until: str) -> None:
    """Give STUDENT until --until for ASSIGNMENT (recorded in the audit log)."""
    reply = _staff().call("POST", "/api/extensions", body={"student": student, "assignment": assignment,
                                                           "until": _aware(until)})
    click.echo(_("{student} has until {until} for {assignment}.").format(
        student=reply["student"], until=reply["until"], assignment=reply["assignment"]))


@course.command()
@click.argument("student")
@click.argument("item")
@click.argument("score", type=float)
@click.option("--reason", required=True, help="Why; kept in the audit log.")
def override(student: str, item: str, score: float, reason: str) -> None:
    """Set STUDENT's grade for ITEM by hand."""
    reply = _staff().call("POST", "/api/overrides", body={"student": student, "item": item, "score": score,
                                                          "reason": reason})
    click.echo(_("{student}: {item} is now {score}.").format(student=reply["student"], item=reply["item"],
                                                             score=f"{reply['score']:g}"))


@course.command()
@click.argument("login")
def revoke(login: str) -> None:
    """Revoke every token and unused code of LOGIN."""
    reply = _staff().call("POST", f"/api/users/{login}/revoke")
    click.echo(_("{n} token(s) of {login} revoked.").format(n=reply["revoked"], login=login))


@course.command("audit")
@click.option("--json", "as_json", is_flag=True)
def audit_command(as_json: bool) -> None:
    """Grade changes: reruns, overrides, extensions, roster changes; who and when."""
    rows = _staff().call("GET", "/api/audit", retry=True)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        click.echo(f"{r['at']}  {r['actor']:<12} {r['action']:<10} {r['target']}  {json.dumps(r['detail'])}")


@course.command("queue")
@click.option("--json", "as_json", is_flag=True)
def queue_command(as_json: bool) -> None:
    """Queued, running and failed grading jobs, per worker, with their ages."""
    ledger = _staff().call("GET", "/api/jobs", retry=True)
    if as_json:
        click.echo(json.dumps(ledger, indent=2))
        return
    counts = ledger["counts"]
    click.echo(_("jobs: {counts}").format(counts=", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
                                          or _("none")))
    groups: dict[tuple[str, str], list[dict]] = {}
    for job in ledger["jobs"]:
        groups.setdefault((job["state"], job["worker"] or "-"), []).append(job)
    order = {"running": 0, "queued": 1, "failed": 2}
    click.echo(f"{'state':<8} {'worker':<28} {'jobs':>5} {'oldest':>9} {'newest':>9}")
    for (state, name), jobs in sorted(groups.items(), key=lambda kv: (order.get(kv[0][0], 3), kv[0][1])):
        ages = [job["age_s"] for job in jobs]
        click.echo(f"{state:<8} {name:<28} {len(jobs):>5} {max(ages):>8.1f}s {min(ages):>8.1f}s")
    for job in ledger["jobs"]:
        if job["state"] == "failed":
            click.echo(_("failed job {id} (submission {submission}, {tries} tries): {reason}").format(
                id=job["id"], submission=job["submission"], tries=job["tries"], reason=job["error"]))


COMMANDS = (serve, login, logout, course, worker)
