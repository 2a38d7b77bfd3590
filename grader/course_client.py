"""The student's and instructor's side of course mode: the saved login and calls to the course server.

Standard library only (urllib), so the base install of dlx can talk to a course. urllib.request (and with it
http.client and ssl) is imported by the first call: checking for a saved login stays instant.
"""
from __future__ import annotations

import json
import os
import time
import urllib.parse
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DlxError
from .i18n import DEFAULT_SOURCE, N_, _, language, source
from .paths import data_dir

ROLES = (N_("student"), N_("ta"), N_("instructor"))  # a course member's role; shown as _(role)

if TYPE_CHECKING:
    import urllib.error

RETRIES = 5  # network errors only; the server records a retried submission once


class CourseError(DlxError):
    """A course call failed; the message is one line (the server's reason when it gave one)."""


@dataclass
class CourseLogin:
    """What `dlx login` saved: where the course is and the token (kept in a file only its owner can read)."""

    url: str
    token: str
    login: str
    role: str
    course: str


def _login_file() -> Path:
    return data_dir() / "course.json"


def saved_login() -> CourseLogin | None:
    """The saved login, or None (the self-learner's local mode)."""
    try:
        return CourseLogin(**json.loads(_login_file().read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def save_login(login: CourseLogin) -> Path:
    path = _login_file()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(login), handle)
    return path


def forget_login() -> bool:
    try:
        _login_file().unlink()
        return True
    except FileNotFoundError:
        return False


def normalise_url(url: str) -> str:
    """``url`` without a trailing slash, http:// added when it names no scheme, an international host name in its
    ASCII (IDNA) form; a one-line :class:`CourseError` when no server can have it."""
    url = url.strip()
    if "://" not in url:  # `localhost:8000` is a host and a port, not the scheme "localhost"
        url = "http://" + url
    if url.split("://")[0].lower() not in ("http", "https"):
        raise CourseError(_("{url} is not an http(s) URL").format(url=url))
    try:
        parts = urllib.parse.urlsplit(url.rstrip("/"))
        parts.port  # read to validate it: a port out of range (or an unclosed [IPv6) is a ValueError
        if parts.hostname and all(c.isprintable() and not c.isspace() for c in url):
            return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.encode("idna").decode("ascii"),
                                                          path=urllib.parse.quote(parts.path, safe="/%")))
    except (ValueError, UnicodeError):  # UnicodeError: a host name label IDNA cannot encode (empty, too long)
        pass
    raise CourseError(_("{url} is not a usable URL: give the course server's address, e.g. "
                        "https://dlx.example.org").format(url=ascii(url)[1:-1]))


class CourseClient:
    """Calls to one course server; every failure is a :class:`CourseError` with one line."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 30.0):
        self.url, self.token, self.timeout = normalise_url(url), token, timeout

    @classmethod
    def from_login(cls, login: CourseLogin) -> "CourseClient":
        return cls(login.url, login.token)

    def call(self, method: str, path: str, *, body: Any = None, data: bytes | None = None,
             query: dict[str, Any] | None = None, retry: bool = False, raw: bool = False) -> Any:
        """One API call; ``retry`` repeats it after network errors (only for idempotent calls)."""
        import urllib.error
        import urllib.request

        url = self.url + path
        if source() != DEFAULT_SOURCE:  # a language the student chose (or their locale's): the server's messages too
            query = {"lang": language(), **(query or {})}
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif data is not None:
            headers["Content-Type"] = "text/x-python"
        tries = RETRIES if retry else 1
        for attempt in range(tries):
            request = urllib.request.Request(url, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    payload = response.read()
                return payload.decode() if raw else json.loads(payload or b"null")
            except urllib.error.HTTPError as exc:
                if exc.code >= 500 and attempt + 1 < tries:
                    time.sleep(min(2 ** attempt, 8))
                    continue
                raise CourseError(_reason(exc)) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
                if attempt + 1 < tries:
                    time.sleep(min(2 ** attempt, 8))
                    continue
                reason = getattr(exc, "reason", exc)
                raise CourseError(_("cannot reach the course server at {url}: {reason}")
                    .format(url=self.url, reason=reason)) from None
        raise AssertionError("unreachable")

    def login(self, code: str) -> CourseLogin:
        reply = self.call("POST", "/api/login", body={"code": code})
        return CourseLogin(self.url, reply["token"], reply["login"], reply["role"], reply["course"])

    def submit(self, exercise: str, data: bytes, submission_id: str | None = None) -> dict:
        """Upload a file; retried with the same submission id, so the server records it once."""
        import uuid  # (with platform: ~5 ms, paid only by a submission, not by `dlx list`)

        submission_id = submission_id or str(uuid.uuid4())
        return self.call("PUT", f"/api/submissions/{submission_id}", data=data, query={"exercise": exercise},
                         retry=True)

    def wait(self, submission_id: str, on_progress=None, timeout: float = 900.0) -> dict:  # type: ignore[no-untyped-def]
        """Wait until the submission is graded, failed or superseded: long polls of up to 5 s, each
        answered as soon as the result is in (``on_progress`` gets the state after each)."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.call("GET", f"/api/submissions/{submission_id}", query={"wait": 5}, retry=True)
            if state["status"] != "queued" or time.monotonic() > deadline:
                return state
            if on_progress:
                on_progress(state)


def _reason(exc: urllib.error.HTTPError) -> str:
    """The server's one-line reason, or the HTTP status."""
    try:
        detail = json.loads(exc.read() or b"{}").get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, list):  # a request the API rejected on its shape
        detail = "; ".join(f"{'.'.join(str(p) for p in d.get('loc', [])[1:])}: {d.get('msg')}" for d in detail)
    if detail:
        return f"{detail} (HTTP {exc.code})"
    return _("the course server answered HTTP {code} {reason}").format(code=exc.code, reason=exc.reason)
