"""The exceptions the student is shown: what went wrong in or with the student's code."""
from __future__ import annotations

from ..i18n import _


class SandboxError(Exception):
    """Something went wrong in or with the student's code; ``str()`` is the message for the student."""


class StudentException(SandboxError):
    """The student's code raised an exception."""

    def __init__(self, exc_type: str, message: str, frames: list, where: str, detail: str = "",
                 exc_types: tuple[str, ...] = ()):
        self.exc_type, self.message, self.frames, self.detail = exc_type, message, frames, detail
        self.exc_types = exc_types or (exc_type,)  # the class and its bases, by name: `"ValueError" in exc.exc_types`
        location = ""
        if frames:
            line, func, text = frames[-1]
            location = (_(" ({file}, line {line}, in {function}: `{code}`)").format(
                file=where, line=line, function=func, code=text) if text
                else _(" ({file}, line {line})").format(file=where, line=line))
        super().__init__(f"{message}{location}")


class StudentMissing(SandboxError):
    """A name the suite needs is not defined in the student's file."""


class StudentLoadError(SandboxError):
    """The student's file could not be executed."""


class StudentTimeout(SandboxError):
    """A call or the whole submission ran out of time."""


class StudentCrash(SandboxError):
    """The worker died: exit, signal, resource limit, or broken protocol."""


class StudentBadValue(SandboxError):
    """A value came back that cannot cross the boundary."""

