"""The course in a browser: the staff dashboard and the student's page (Jinja2 templates, plain JavaScript).

A page logs in with the same codes and tokens as the CLI: the session cookie (HttpOnly, SameSite=Strict)
holds the API token, and every page reads and changes the course through the JSON API itself (called in
process), so who may see or change what is decided in one place, ``app.py``. Class-wide statistics that
the API has no endpoint for are read here, after the API has said the caller has ``view``.
Every form carries a CSRF token derived from the session (double-submit cookie on the login form).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

import httpx
from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import select

from ..results import GradeResult, QuizResult
from ..i18n import LANGUAGES, N_, _, language, ngettext
from .config import CourseConfig
from .db import QuizAttempt, Result, Submission, User
from .grades import deadline

SESSION, LOGIN_CSRF = "dlx_session", "dlx_login_csrf"
HERE = Path(__file__).parent


# a submission's status in words, where the page shows it (a graded one shows its score instead)
SUBMISSION_STATUSES = {"queued": N_("waiting to be graded"), "failed": N_("could not be graded"),
                       "superseded": N_("replaced by a regrade")}
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}  # each language in its own words, for the switch on every page

def csrf_token(token: str) -> str:
    """The session's form token: unguessable without the session token, which the page's script cannot read."""
    return hashlib.sha256(f"dlx-csrf:{token}".encode()).hexdigest()


def highlight(source: str) -> Markup:
    """Python source as syntax-highlighted HTML (inline styles: no stylesheet to ship)."""
    from pygments import highlight as render
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    return Markup(render(source, PythonLexer(), HtmlFormatter(noclasses=True, linenos="inline")))


def histogram_svg(fractions: list[float], bins: int = 10, width: int = 360, height: int = 140) -> Markup:
    """Bars of how many scores fall in each tenth of the maximum."""
    counts = [0] * bins
    for f in fractions:
        counts[min(bins - 1, max(0, int(f * bins)))] += 1
    top, bar = max(counts + [1]), width / bins
    parts = [f'<svg class="chart" role="img" aria-label="score histogram" width="{width}" height="{height + 20}">']
    for i, n in enumerate(counts):
        h = (height - 10) * n / top
        parts.append(f'<rect x="{i * bar + 1:.1f}" y="{height - h:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" '
                     f'fill="#4a7bd0"><title>{i * 10}-{(i + 1) * 10}%: {n}</title></rect>')
        if n:
            parts.append(f'<text x="{(i + 0.5) * bar:.1f}" y="{height - h - 2:.1f}" font-size="10" '
                         f'text-anchor="middle">{n}</text>')
    parts.append(f'<text x="0" y="{height + 14}" font-size="10">0%</text>'
                 f'<text x="{width}" y="{height + 14}" font-size="10" text-anchor="end">100%</text></svg>')
    return Markup("".join(parts))


def timeline_svg(times: list[datetime], due: datetime, bins: int = 24, width: int = 360, height: int = 140) -> Markup:
    """Submissions over time as bars, with the deadline as a red line."""
    if not times:
        return Markup('<p class="muted">no submissions yet</p>')
    start, end = min(min(times), due), max(max(times), due)
    span = max((end - start).total_seconds(), 1.0)
    counts = [0] * bins
    for t in times:
        counts[min(bins - 1, int((t - start).total_seconds() / span * bins))] += 1
    top, bar = max(counts), width / bins
    x_due = (due - start).total_seconds() / span * width
    parts = [f'<svg class="chart" role="img" aria-label="submissions over time" width="{width}" '
             f'height="{height + 20}">']
    for i, n in enumerate(counts):
        h = (height - 10) * n / top
        parts.append(f'<rect x="{i * bar + 1:.1f}" y="{height - h:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" '
                     f'fill="#5a9"><title>{n}</title></rect>')
    parts.append(f'<line x1="{x_due:.1f}" x2="{x_due:.1f}" y1="0" y2="{height}" stroke="#c33" stroke-width="2"/>'
                 f'<text x="{min(x_due + 3, width - 30):.1f}" y="10" font-size="10" fill="#c33">due</text>'
                 f'<text x="0" y="{height + 14}" font-size="10">{start:%m-%d %H:%M}</text>'
                 f'<text x="{width}" y="{height + 14}" font-size="10" text-anchor="end">{end:%m-%d %H:%M}</text></svg>')
    return Markup("".join(parts))


def first_line(text: str) -> str:
    return next((line.strip() for line in (text or "").splitlines() if line.strip()), "(no message)")[:200]


def assignment_stats(session: Any, course: CourseConfig, assignment_id: str) -> dict:
    """Per exercise: histogram, timeline, per test the share failing and its commonest messages (the latest
    graded attempt of each student); per quiz question the share answering right (latest attempt)."""
    a = course.assignments[assignment_id]
    out: dict[str, Any] = {"exercises": [], "quizzes": []}
    for ex_id in a.exercises:
        subs = session.scalars(select(Submission).where(Submission.exercise == ex_id)
                               .order_by(Submission.received_at)).all()
        results = {r.submission_id: r for r in session.scalars(
            select(Result).where(Result.current.is_(True), Result.submission_id.in_([s.id for s in subs])))}
        latest: dict[int, Result] = {}
        for s in subs:
            if s.id in results:
                latest[s.user_id] = results[s.id]
        tests: dict[str, dict] = {}
        for r in latest.values():
            for t in GradeResult.from_json(r.feedback).tests:
                row = tests.setdefault(t.name, {"name": t.name, "failed": 0, "total": 0, "messages": Counter()})
                row["total"] += 1
                if not t.passed:
                    row["failed"] += 1
                    row["messages"][first_line(t.output)] += 1
        rows = sorted(tests.values(), key=lambda row: -row["failed"] / max(row["total"], 1))
        for row in rows:
            row["share"] = row["failed"] / max(row["total"], 1)
            row["messages"] = row["messages"].most_common(3)
        out["exercises"].append({
            "id": ex_id, "students": len(latest), "submissions": len(subs),
            "histogram": histogram_svg([r.score / r.max_score if r.max_score else 0.0 for r in latest.values()]),
            "timeline": timeline_svg([s.received_at for s in subs], a.due), "tests": rows})
    for bank in a.quizzes:
        attempts = session.scalars(select(QuizAttempt).where(QuizAttempt.bank == bank)
                                   .order_by(QuizAttempt.received_at)).all()
        latest_quiz = {q.user_id: q for q in attempts}
        questions: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for q in latest_quiz.values():
            for t in QuizResult.from_json(q.result).tests:
                counts = questions[t.test_id or t.name]
                counts[1] += 1
                counts[0] += t.correct
        out["quizzes"].append({"bank": bank, "students": len(latest_quiz),
                               "questions": [{"id": k, "right": v[0], "total": v[1], "share": v[0] / v[1]}
                                             for k, v in sorted(questions.items())]})
    return out


def newly_graded(reader: Any, limit: int = 15) -> list[dict]:
    """The latest graded submissions, newest first."""
    with reader.begin() as session:
        rows = session.execute(select(Submission, User.login, Result.score, Result.max_score)
                               .join(User, User.id == Submission.user_id)
                               .join(Result, (Result.submission_id == Submission.id) & Result.current.is_(True))
                               .order_by(Result.id.desc()).limit(limit)).all()
        return [{"id": s.id, "student": login, "exercise": s.exercise, "score": score, "max_score": top,
                 "received_at": s.received_at.isoformat(timespec="seconds")} for s, login, score, top in rows]


def student_record(session: Any, course: CourseConfig, login: str) -> tuple:
    """What the student page needs beyond the API: the person, their (due, lock) per assignment, their quiz
    attempts and where their files are stored."""
    who = session.scalars(select(User).where(User.login == login)).one()
    session.expunge(who)
    dates = {a.id: deadline(course, session, who, a.id) for a in course.assignments.values()}
    quizzes = [{"bank": q.bank, "score": q.score, "max_score": q.max_score,
                "received_at": q.received_at.isoformat(timespec="seconds")}
               for q in session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == who.id)
                                        .order_by(QuizAttempt.received_at))]
    paths = dict(session.execute(select(Submission.id, Submission.path).where(Submission.user_id == who.id)).all())
    return who, dates, quizzes, paths


def pictured_exercises(course: CourseConfig) -> list[str]:
    """The course's exercises that have pictures."""
    from ..plots.registry import figures_for

    return [e for e in course.exercises if figures_for(e)]


def mount_pages(app: FastAPI, course: CourseConfig, reader: Any) -> None:
    """Add the browser pages (``/``, ``/login``, ``/ui/...``) and their static files to the API's app."""
    templates = Environment(loader=PackageLoader("grader.server", "templates"), autoescape=select_autoescape(),
                            extensions=["jinja2.ext.i18n"])
    # {{ _("...") }} in a template: the request's language (grader.server.language)
    templates.install_gettext_callables(_, ngettext)  # type: ignore[attr-defined]
    templates.globals["submission_statuses"] = SUBMISSION_STATUSES
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def api() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dlx.internal")

    async def call(request: Request, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async with api() as client:
            params = {"lang": language(), **kwargs.pop("params", {})}  # the API answers in the page's language
            return await client.request(method, path, headers={"Authorization": f"Bearer {token_of(request)}"},
                                        params=params, **kwargs)

    def token_of(request: Request) -> str:
        return request.cookies.get(SESSION, "")

    async def data(request: Request, path: str, **kwargs: Any) -> Any:
        """A GET through the API; its refusal becomes the page's (403 another student's, 404 unknown)."""
        response = await call(request, "GET", path, **kwargs)
        if response.status_code >= 400:
            raise HTTPException(response.status_code, response.json().get("detail", _("refused")))
        return response.json()

    async def me_or_none(request: Request) -> dict | None:
        if not token_of(request):
            return None
        response = await call(request, "GET", "/api/me")
        return response.json() if response.status_code == 200 else None

    def page(name: str, request: Request, me: dict | None, status: int = 200, **context: Any) -> HTMLResponse:
        html = templates.get_template(name).render(
            me=me, course=course, csrf=csrf_token(token_of(request)) if me else "", lang=language(),
            languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
            message=request.query_params.get("message", ""), error=request.query_params.get("error", ""), **context)
        return HTMLResponse(html, status_code=status)

    def staff(me: dict) -> bool:
        return "view" in me["permissions"]

    def require_view(me: dict) -> None:
        if not staff(me):
            raise HTTPException(403, _("that page is for the course's staff"))

    async def form(request: Request) -> dict[str, str]:
        """The posted form, once its CSRF token matched this session's."""
        fields = {k: v[-1] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        if not token_of(request) or not hmac.compare_digest(fields.get("csrf", ""), csrf_token(token_of(request))):
            raise HTTPException(403, _("the form's CSRF token is missing or wrong: reload the page and try again"))
        return fields

    async def logged_in(request: Request) -> dict:
        me = await me_or_none(request)
        if me is None:
            raise HTTPException(401, _("not logged in"))
        return me

    @app.exception_handler(HTTPException)
    async def refusal(request: Request, exc: HTTPException) -> Response:
        """API paths keep their JSON refusals; a page's refusal is a small page (a login form for 401)."""
        if not (request.url.path == "/" or request.url.path.startswith(("/ui", "/login", "/logout"))):
            return await http_exception_handler(request, exc)
        if exc.status_code == 401 and request.method == "GET":
            return RedirectResponse("/login?next=" + quote(request.url.path), status_code=303)
        return page("refused.html", request, None, status=exc.status_code, detail=exc.detail,
                    code=exc.status_code)

    # ---- login ------------------------------------------------------------------------------------------------
    @app.get("/login", include_in_schema=False)
    def login_page(request: Request) -> HTMLResponse:
        nonce = secrets.token_urlsafe(24)
        response = page("login.html", request, None, login_csrf=nonce, next=request.query_params.get("next", "/"))
        response.set_cookie(LOGIN_CSRF, nonce, httponly=True, samesite="strict", path="/login")
        return response

    @app.post("/login", include_in_schema=False)
    async def login_submit(request: Request) -> Response:
        fields = {k: v[-1] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        cookie = request.cookies.get(LOGIN_CSRF, "")
        if not cookie or not hmac.compare_digest(fields.get("csrf", ""), cookie):
            raise HTTPException(403, _("the form's CSRF token is missing or wrong: reload the page and try again"))
        secret = fields.get("code", "").strip()
        async with api() as client:
            answer = await client.post("/api/login", json={"code": secret[:100]})
            token = answer.json()["token"] if answer.status_code == 200 else None
            if token is None and secret:  # a token the CLI already holds works as well
                known = await client.get("/api/me", headers={"Authorization": f"Bearer {secret}"})
                token = secret if known.status_code == 200 else None
        if token is None:
            return RedirectResponse("/login?error=" + quote(_("that code or token is unknown, used or expired")),
                                    status_code=303)
        target = fields.get("next", "/")
        response = RedirectResponse(target if target.startswith("/") and not target.startswith("//") else "/",
                                    status_code=303)
        response.set_cookie(SESSION, token, httponly=True, samesite="strict", path="/",
                            max_age=course.token_days * 86400)
        response.delete_cookie(LOGIN_CSRF, path="/login")
        return response

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        await form(request)
        await call(request, "POST", "/api/logout")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION, path="/")
        return response

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> Response:
        me = await logged_in(request)
        return RedirectResponse("/ui/gradebook" if staff(me) else f"/ui/students/{quote(me['login'])}",
                                status_code=303)

    # ---- staff ------------------------------------------------------------------------------------------------
    @app.get("/ui/gradebook", include_in_schema=False)
    async def gradebook_page(request: Request) -> HTMLResponse:
        me = await logged_in(request)
        require_view(me)
        book = await data(request, "/api/grades")
        return page("gradebook.html", request, me, columns=book["columns"], rows=book["rows"])

    @app.get("/ui/grades.csv", include_in_schema=False)
    async def gradebook_csv(request: Request) -> Response:
        me = await logged_in(request)
        require_view(me)
        response = await call(request, "GET", "/api/grades", params={"format": "csv"})
        return PlainTextResponse(response.text, media_type="text/csv",
                                 headers={"Content-Disposition": 'attachment; filename="grades.csv"'})

    @app.get("/ui/live.json", include_in_schema=False)
    async def live(request: Request) -> dict:
        """The grading queue and the latest graded submissions, for the gradebook's polling."""
        me = await logged_in(request)
        require_view(me)
        jobs = await data(request, "/api/jobs")
        recent = await run_in_threadpool(newly_graded, reader)
        return {"counts": jobs["counts"], "queue": [j for j in jobs["jobs"] if j["state"] != "failed"],
                "recent": recent}

    @app.get("/ui/assignments/{assignment_id}", include_in_schema=False)
    async def assignment_page(assignment_id: str, request: Request) -> HTMLResponse:
        me = await logged_in(request)
        require_view(me)
        if assignment_id not in course.assignments:
            raise HTTPException(404, _("no assignment {id}").format(id=repr(assignment_id)))
        stats = await run_in_threadpool(read, assignment_stats, course, assignment_id)
        return page("assignment.html", request, me, assignment=course.assignments[assignment_id], stats=stats)

    # ---- one student (the student themselves, or staff) -------------------------------------------------------
    drawing = threading.Semaphore(1)  # pictures run the student's file in the sandbox: one at a time
    drawn: dict[tuple[str, str], list] = {}  # (submission id, language) -> its figures (a file never changes)

    def draw(submission_id: str, exercise_id: str) -> list:
        from ..plots import build_figures

        key = (submission_id, language())  # the labels are drawn in the reader's language
        with drawing:
            if key not in drawn:
                with reader.begin() as session:
                    path = session.get(Submission, submission_id).path  # type: ignore[union-attr]
                source = Path(path).read_text(encoding="utf-8", errors="replace")
                if len(drawn) > 200:
                    drawn.clear()
                drawn[key] = build_figures(course.exercises[exercise_id], source)
            return drawn[key]

    @app.get("/ui/submissions/{submission_id}/pictures", include_in_schema=False)
    async def pictures_page(submission_id: str, request: Request) -> HTMLResponse:
        """The pictures `dlx submit --plots` draws, for one attempt (the owner's or, for staff, anyone's)."""
        from ..plots.registry import figures_for
        from ..errors import DlxError

        me = await logged_in(request)
        attempt = await data(request, f"/api/submissions/{quote(submission_id)}")  # 403 if not theirs
        if not figures_for(attempt["exercise"]):
            raise HTTPException(404, _("{id} has no pictures").format(id=attempt["exercise"]))
        try:
            figures, problem = await run_in_threadpool(draw, submission_id, attempt["exercise"]), ""
        except DlxError as exc:  # no matplotlib, no torch, an unreadable file: said on the page
            figures, problem = [], str(exc).splitlines()[0]
        images = [{"title": f.title, "caption": f.caption, "note": f.note, "notes": f.notes,
                   "src": "data:image/png;base64," + base64.b64encode(f.png).decode() if f.png else ""}
                  for f in figures]
        from ..plots.fonts import missing_font_note

        return page("pictures.html", request, me, attempt=attempt, images=images, problem=problem,
                    font_note=missing_font_note())

    @app.get("/ui/students/{login}", include_in_schema=False)
    async def student_page(login: str, request: Request) -> HTMLResponse:
        me = await logged_in(request)
        attempts = await data(request, "/api/submissions", params={"student": login})  # 403 if not theirs
        standing = await data(request, "/api/standing", params={"student": login})
        who, dates, quizzes, paths = await run_in_threadpool(read, student_record, course, login)
        for attempt in attempts:
            try:
                text = Path(paths.get(attempt["id"], "")).read_text(encoding="utf-8", errors="replace")
                attempt["source_html"] = highlight(text)
            except OSError:
                attempt["source_html"] = Markup('<p class="muted">the file is no longer on the server</p>')
        return page("student.html", request, me, student=who, attempts=list(reversed(attempts)),
                    standing=standing, dates=dates, pictured=set(pictured_exercises(course)), quizzes=quizzes,
                    permissions=set(me["permissions"]))

    def read(query: Any, *args: Any) -> Any:
        """Run ``query(session, *args)`` in a read transaction (called in a worker thread)."""
        with reader.begin() as session:
            return query(session, *args)

    def back(login: str, answer: httpx.Response, done: str) -> RedirectResponse:
        key, text = ("message", done) if answer.status_code < 400 else ("error", answer.json().get("detail", _("refused")))
        return RedirectResponse(f"/ui/students/{quote(login)}?{key}={quote(str(text))}", status_code=303)

    @app.post("/ui/students/{login}/extension", include_in_schema=False)
    async def extension_form(login: str, request: Request) -> Response:
        fields = await form(request)
        answer = await call(request, "POST", "/api/extensions", json={
            "student": login, "assignment": fields.get("assignment", ""), "until": fields.get("until", "")})
        return back(login, answer, _("extension granted until {until}").format(until=fields.get("until", "")))

    @app.post("/ui/students/{login}/rerun", include_in_schema=False)
    async def rerun_form(login: str, request: Request) -> Response:
        fields = await form(request)
        answer = await call(request, "POST", "/api/reruns", json={"assignment": fields.get("assignment", ""),
                                                                  "student": login})
        queued = answer.json().get("queued", 0) if answer.status_code < 400 else 0
        return back(login, answer, _("{n} submission(s) queued for regrading").format(n=queued))

    @app.post("/ui/students/{login}/override", include_in_schema=False)
    async def override_form(login: str, request: Request) -> Response:
        fields = await form(request)
        try:
            score = float(fields.get("score", ""))
        except ValueError:
            return RedirectResponse(f"/ui/students/{quote(login)}?error={quote(_('the score must be a number'))}",
                                    status_code=303)
        answer = await call(request, "POST", "/api/overrides", json={
            "student": login, "item": fields.get("item", ""), "score": score, "reason": fields.get("reason", "")})
        return back(login, answer, _("{item} set to {score} (in the audit log)")
            .format(item=fields.get("item", ""), score=f"{score:g}"))

