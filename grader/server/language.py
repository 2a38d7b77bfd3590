"""The language of a request: ``?lang=`` (a browser keeps it in a cookie for the next pages), the cookie, else
the course's (``lang`` in the course file). The request's messages, pages and a submission's feedback use it."""
from __future__ import annotations

from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse

from ..i18n import LANGUAGES, _, speaking

COOKIE = "dlx_lang"
YEAR_S = 365 * 86400


class LanguageMiddleware:
    """Runs each HTTP request in its language (see :func:`grader.i18n.speaking`); a bad ``?lang=`` is a 400."""

    def __init__(self, app: Any, default: str):
        self.app, self.default = app, default

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        asked = connection.query_params.get("lang")
        kept = connection.cookies.get(COOKIE)
        lang = asked or (kept if kept in LANGUAGES else None) or self.default
        if lang not in LANGUAGES:
            with speaking(self.default):
                detail = _("lang={lang} is not a language of this server ({known})").format(
                    lang=repr(lang), known=", ".join(LANGUAGES))
            await JSONResponse({"detail": detail}, status_code=400)(scope, receive, send)
            return

        async def remember(message: dict) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("set-cookie", f"{COOKIE}={lang}; Path=/; Max-Age={YEAR_S}; "
                                                                   "SameSite=Lax")
            await send(message)

        with speaking(lang):
            await self.app(scope, receive, remember if asked and asked != kept else send)
