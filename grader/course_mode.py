"""``--offline`` and the course branch of the student's commands (`dlx list/fetch/check/submit/score`, the quiz).

Light on purpose: the course commands (:mod:`grader.cli_course`) and urllib are imported only when logged in
to a course, so local mode starts instantly.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

import click

from .i18n import _


def course_aware(handler: str) -> Callable:
    """Add ``--offline`` to a student command and send it to the course when logged in to one."""
    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, offline: bool = False, **kwargs: Any) -> Any:
            from .course_client import saved_login

            login = None if offline else saved_login()
            if login is None:
                return fn(*args, **kwargs)
            import inspect

            from .cli_course import HANDLERS, CourseFailure, Local
            from .course_client import CourseClient

            course_handler = HANDLERS[handler]
            accepted = inspect.signature(course_handler).parameters
            unsupported = [name for name, value in kwargs.items() if name not in accepted and value]
            if unsupported:
                flag = unsupported[0].replace("_report", "").replace("_", "-")
                raise CourseFailure(_("--{flag} works only in local mode for now: add --offline").format(flag=flag))
            kwargs = {name: value for name, value in kwargs.items() if name in accepted}
            done = course_handler(CourseClient.from_login(login), **kwargs)
            if isinstance(done, Local):
                return fn(*args, **{**kwargs, **done.overrides})
            return done
        return click.option("--offline", is_flag=True, help="Work locally even when logged in to a course.")(wrapper)
    return decorate
