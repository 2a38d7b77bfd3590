"""The course in a browser: the real `dlx serve` on 127.0.0.1, driven by Chromium through Playwright.

Needs Debian's Chromium (`apt-get install chromium`; Playwright's own browser download is not reachable)
and `pip install playwright`; the browser tests are skipped with the reason otherwise. Screenshots are kept
under artifacts/dashboard/ (ignored by git). The CSRF and privacy checks also run without a browser.
"""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the course server needs the server extra: pip install 'dlx[server]'")
pytest.importorskip("jinja2", reason="the dashboard needs the server extra: pip install 'dlx[server]'")

from tests.course_server import REPO, CourseServer, api, set_clock  # noqa: E402

ARTIFACTS = REPO / "artifacts" / "dashboard"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
START = "2026-02-01T09:00:00+00:00"
COURSE = """\
[course]
name = "Dashboard course"
counts = "best"

[[assignment]]
id = "hw1"
title = "Layers"
exercises = ["affine"]
quizzes = ["init"]
opens = 2026-01-01T00:00:00Z
due = 2026-03-01T12:00:00+01:00
late = { penalty_per_day = 0.25, lock = 2026-03-05T12:00:00+01:00 }
"""


def submit(url: str, token: str, source: bytes, exercise: str = "affine") -> str:
    """Upload a file through the API (as `dlx submit` does); returns the submission id."""
    submission_id = str(uuid.uuid4())
    status, out = api(url, "PUT", f"/api/submissions/{submission_id}?exercise={exercise}", token, body=source)
    assert status == 201, out
    return submission_id


def graded(url: str, token: str, submission_id: str) -> dict:
    for _ in range(10):
        status, out = api(url, "GET", f"/api/submissions/{submission_id}?wait=30", token)
        assert status == 200, out
        if out["status"] != "queued":
            return out
    raise AssertionError(f"{submission_id} was not graded: {out}")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("dashboard")
    (root / "course.toml").write_text(COURSE)
    clock = root / "clock"
    set_clock(clock, START)
    server = CourseServer(root / "course.toml", root / "data", clock, workers=1).start()
    try:
        status, out = api(server.url, "POST", "/api/login", json_body={"code": server.instructor_code})
        assert status == 200, out
        instructor = out["token"]
        status, out = api(server.url, "POST", "/api/roster", instructor, json_body={"people": [
            {"login": "alice", "name": "Alice"}, {"login": "bob", "name": "Bob"}, {"login": "carol", "name": "Carol"}]})
        assert status == 200, out
        codes = {c["login"]: c["code"] for c in out["codes"]}
        tokens = {"instructor": instructor}
        for login in ("bob", "carol"):  # alice logs in through the browser with her code
            tokens[login] = api(server.url, "POST", "/api/login", json_body={"code": codes[login]})[1]["token"]
        stub = (REPO / "exercises" / "affine" / "affine.py").read_bytes()
        reference = (REPO / "solutions" / "affine.py").read_bytes()
        status, out = api(server.url, "POST", "/api/login", json_body={"code": codes["alice"]})
        alice = out["token"]  # a CLI token for alice's uploads; her browser gets a fresh code below
        codes["alice"] = api(server.url, "POST", "/api/roster", instructor,
                             json_body={"people": [{"login": "alice", "name": "Alice"}]})[1]["codes"][0]["code"]
        tokens["alice"] = alice
        for token, source in ((alice, stub), (alice, reference), (tokens["bob"], stub)):
            graded(server.url, token, submit(server.url, token, source))
        status, out = api(server.url, "POST", "/api/quizzes/init/attempts", tokens["bob"], json_body={"answers": {}})
        assert status == 200, out
        yield {"server": server, "url": server.url, "codes": codes, "tokens": tokens, "reference": reference,
               "root": root}
    finally:
        server.stop()


def raw(url: str, method: str, path: str, token: str | None = None, form: dict | None = None) -> tuple[int, str]:
    """A request as a browser would send it: the session cookie and a urlencoded form; no redirects followed."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    headers = {"Cookie": f"dlx_session={token}"} if token else {}
    body = urllib.parse.urlencode(form).encode() if form is not None else None
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def extensions(course: dict) -> list[dict]:
    status, log = api(course["url"], "GET", "/api/audit", course["tokens"]["instructor"])
    assert status == 200
    return [a for a in log if a["action"] == "extension"]


# ---- without a browser --------------------------------------------------------------------------------------------
def test_forged_post_without_or_with_a_wrong_csrf_token_is_refused(course):
    before = len(extensions(course))
    form = {"assignment": "hw1", "until": "2026-03-20T12:00:00+00:00"}
    for forged in (form, {**form, "csrf": "0" * 64}):
        status, text = raw(course["url"], "POST", "/ui/students/bob/extension", course["tokens"]["instructor"], forged)
        assert status == 403 and "CSRF" in text, text
    assert len(extensions(course)) == before
    status, text = raw(course["url"], "POST", "/login", form={"code": course["codes"]["carol"], "csrf": "x"})
    assert status == 403 and "CSRF" in text  # no login-form cookie: a cross-site login is refused too


def test_student_cannot_open_another_students_page_or_the_staff_pages(course):
    bob = course["tokens"]["bob"]
    status, text = raw(course["url"], "GET", "/ui/students/bob", bob)
    assert status == 200 and "seed" in text
    for path in ("/ui/students/alice", "/ui/gradebook", "/ui/assignments/hw1", "/ui/live.json", "/ui/grades.csv"):
        status, text = raw(course["url"], "GET", path, bob)
        assert status == 403 and "seed" not in text and "Alice" not in text, (path, status)
    status, mine = api(course["url"], "GET", "/api/submissions?student=alice", course["tokens"]["alice"])
    status, text = raw(course["url"], "GET", f"/ui/submissions/{mine[0]['id']}/pictures", bob)
    assert status == 403 and "<img" not in text
    assert raw(course["url"], "GET", "/ui/students/nobody", course["tokens"]["instructor"])[0] == 404
    status, _ = raw(course["url"], "GET", "/ui/gradebook")
    assert status == 303  # not logged in: to the login page
    assert api(course["url"], "GET", "/api/grades", bob)[0] == 403  # the API's refusals stay JSON


# ---- in Chromium --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        pytest.skip("browser tests skipped: Playwright is not installed (pip install playwright)")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests skipped: no browser at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as exc:
            pytest.skip(f"browser tests skipped: Chromium did not start: {str(exc).splitlines()[0]}")
        yield chromium
        chromium.close()


def shot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000
    return path


def log_in(browser, url: str, secret: str, start: str = "/"):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    page.goto(url + start)
    assert "/login" in page.url
    page.fill("#code", secret)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return context, page


def test_instructor_gradebook_attempt_extension_and_live_feed(course, browser):
    url = course["url"]
    context, page = log_in(browser, url, course["tokens"]["instructor"], "/ui/gradebook")  # the CLI's token
    try:
        assert page.url.endswith("/ui/gradebook")
        cookie = next(c for c in context.cookies() if c["name"] == "dlx_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        table = page.locator("#gradebook")
        assert table.locator("tbody tr").count() == 3
        assert table.locator("tbody tr", has_text="alice").locator("td").nth(2).inner_text() == "10"
        page.click("#gradebook th:text-is('affine')")  # sort ascending by affine: 0 before 10
        assert page.locator("#gradebook tbody tr").first.locator("td").nth(2).inner_text() in ("", "0")
        page.fill("#filter", "ali")
        assert page.locator("#gradebook tbody tr:visible").count() == 1
        page.fill("#filter", "")
        csv_text = context.request.get(url + "/ui/grades.csv").text()
        assert csv_text.splitlines()[0].startswith("student,name,affine") and "alice,Alice,10.0" in csv_text
        page.wait_for_selector("#recent li")
        shot(page, "instructor-gradebook")

        page.click("#gradebook a:text-is('alice')")
        page.wait_for_url("**/ui/students/alice")
        attempts = page.locator("details.attempt")
        assert attempts.count() == 2
        newest = attempts.first
        newest.locator("summary").click()
        assert "10/10" in newest.locator("summary").inner_text() and "seed" in newest.locator("summary").inner_text()
        assert newest.locator(".source span").count() > 10  # pygments' highlighted tokens
        assert "def affine_forward" in newest.locator(".source").inner_text()
        attempts.nth(1).locator("summary").click()
        assert "NotImplementedError" in attempts.nth(1).locator(".feedback").inner_text()
        shot(page, "instructor-student-attempt")

        page.select_option("#extension-form select[name=assignment]", "hw1")
        page.fill("#extension-form input[name=until]", "2026-03-10T12:00:00+01:00")
        page.click("#extension-form button")
        page.wait_for_selector(".flash.ok")
        assert "extension granted until 2026-03-10T12:00:00+01:00" in page.locator(".flash.ok").inner_text()
        granted = extensions(course)[-1]
        assert granted["target"] == "alice/hw1" and granted["actor"] == "instructor"
        assert granted["detail"]["until"].startswith("2026-03-10T")
        page.fill("#override-form input[name=score]", "9")
        page.fill("#override-form input[name=reason]", "regrade request by mail")
        page.click("#override-form button")
        page.wait_for_selector(".flash.ok")
        status, log = api(url, "GET", "/api/audit", course["tokens"]["instructor"])
        assert log[-1]["action"] == "override" and log[-1]["detail"]["reason"] == "regrade request by mail"
        page.click("#rerun-form button")
        page.wait_for_selector(".flash.ok")
        assert "2 submission(s) queued for regrading" in page.locator(".flash.ok").inner_text()
        status, log = api(url, "GET", "/api/audit", course["tokens"]["instructor"])
        assert (log[-1]["action"], log[-1]["target"], log[-1]["detail"]["jobs"]) == ("rerun", "hw1/alice", 2)

        page.goto(url + "/ui/gradebook")
        page.wait_for_selector("#recent li")
        page.evaluate("window.notReloaded = true")
        carol = course["tokens"]["carol"]
        new_id = submit(url, carol, course["reference"])
        page.wait_for_selector(f"#recent li[data-submission='{new_id}']", timeout=150_000)
        assert page.evaluate("window.notReloaded") is True  # it came in without a reload
        assert "carol affine: 10/10" in page.locator(f"#recent li[data-submission='{new_id}']").inner_text()
        shot(page, "instructor-live")

        page.goto(url + "/ui/assignments/hw1")
        section = page.locator("#exercise-affine")
        assert section.locator("svg[aria-label='score histogram'] rect").count() == 10
        assert section.locator("svg[aria-label='submissions over time'] line").count() == 1  # the deadline
        failing = section.locator("table.tests tbody tr").first.inner_text()
        assert "1/3" in failing and "NotImplementedError" in failing  # bob's stub, the one failing attempt
        quiz = page.locator("#quiz-init table.tests tbody tr")
        assert quiz.count() >= 1 and "0% (0/1)" in quiz.first.inner_text()  # bob answered nothing
        shot(page, "instructor-assignment")
    finally:
        context.close()


def test_student_sees_own_page_only(course, browser):
    url = course["url"]
    context, page = log_in(browser, url, "not-a-code")
    assert "/login" in page.url and "unknown" in page.locator(".flash.bad").inner_text()
    context.close()
    context, page = log_in(browser, url, course["codes"]["alice"])  # a one-time login code, as the CLI's
    try:
        assert page.url.endswith("/ui/students/alice")
        assert page.locator("details.attempt").count() >= 2
        assert "2026-03-10T" in page.locator("#assignments").inner_text()  # her extended due date
        assert page.locator("#extension-form").count() == 0
        shot(page, "student-page")
        newest = page.locator("details.attempt").first
        newest.locator("summary").click()
        newest.locator("a.pictures").click()
        page.wait_for_selector("figure img", timeout=150_000)  # drawn from her file in the sandbox
        assert page.locator("figure img").first.evaluate("img => img.naturalWidth") > 100
        shot(page, "student-pictures")
        page.go_back()
        response = page.goto(url + "/ui/students/bob")
        assert response is not None and response.status == 403
        assert "another student" in page.inner_text("body") and "bob" not in page.locator("main").inner_text()
        response = page.goto(url + "/ui/gradebook")
        assert response is not None and response.status == 403
        shot(page, "student-refused")
    finally:
        context.close()
