"""dlx's one error convention: ``dlx: <one line>`` on stderr and exit 2; Ctrl-C exits 130.

Every exception a user can cause (a bad command line, file or setting) is a
:class:`DlxError`; the CLI's group prints it as one line and never a traceback.
This module imports nothing heavy, so the CLI can load it at start-up.
"""
from __future__ import annotations

USAGE_EXIT = 2
INTERRUPT_EXIT = 130


class DlxError(Exception):
    """dlx cannot do what was asked; ``str(exc)`` is the one-line message."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, with what it means for the user's work (e.g. "the rerun resumes")."""

    def __init__(self, message: str | None = None):
        from .i18n import _  # i18n imports this module

        message = message or _("interrupted; nothing was recorded")
        super().__init__(message)
        self.message = message


def os_error_message(exc: OSError) -> str:
    """An OSError as one line: what failed and on which file."""
    from .i18n import _

    if exc.filename:
        return _("cannot use {file}: {reason}").format(file=exc.filename, reason=exc.strerror or exc)
    return _("cannot use: {reason}").format(reason=exc.strerror or exc)
