"""dlx's one error convention: ``dlx: <one line>`` on stderr and exit 2; Ctrl-C exits 130.

Every exception a user can cause (a bad command line, file or setting) is a
:class:`DlxError`; the CLI's group (``grader.cli.DlxGroup``) is the one place that
prints it, as one line and never a traceback. Other front ends catch it at their
own edge: the notebook magic prints the same line, batch grading and Gradescope
record a :class:`GradingError` as that submission's reason and go on.
This module imports nothing heavy, so the CLI can load it at start-up.
"""
from __future__ import annotations

import sys
from typing import NoReturn

USAGE_EXIT = 2
INTERRUPT_EXIT = 130


class DlxError(Exception):
    """dlx cannot do what was asked; ``str(exc)`` is the one-line message."""


class GradingError(DlxError):
    """dlx could not grade one submission at all (unreadable file, missing suite, no PyTorch).

    Not for a bad command line or setting (that is a plain :class:`DlxError`), nor for a broken
    student file that loads badly (that is a graded result with its feedback).
    """


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, with what it means for the user's work (e.g. "the rerun resumes")."""

    def __init__(self, message: str | None = None):
        from .i18n import _  # i18n imports this module

        message = message or _("interrupted; nothing was recorded")
        super().__init__(message)
        self.message = message


def exit_interrupted() -> NoReturn:
    """Ctrl-C while dlx is still loading (before the CLI can catch it): the same one line and exit code as later."""
    print(f"dlx: {Interrupted().message}", file=sys.stderr)
    sys.exit(INTERRUPT_EXIT)


def os_error_message(exc: OSError) -> str:
    """An OSError as one line: what failed and on which file."""
    from .i18n import _

    if exc.filename:
        return _("cannot use {file}: {reason}").format(file=exc.filename, reason=os_reason(exc))
    return _("cannot use: {reason}").format(reason=os_reason(exc))


def os_reason(exc: OSError) -> str:
    """Why the system refused, in this run's language for the usual reasons (the C library's text is English)."""
    import errno

    from .i18n import N_, _

    usual = {errno.ENOENT: N_("no such file or folder"), errno.EACCES: N_("permission denied"),
             errno.EPERM: N_("operation not permitted"), errno.EROFS: N_("read-only file system"),
             errno.ENOSPC: N_("no space left on the device"), errno.EISDIR: N_("it is a folder"),
             errno.ENOTDIR: N_("a part of the path is not a folder"), errno.EEXIST: N_("it already exists"),
             errno.ENAMETOOLONG: N_("the name is too long")}
    return _(usual[exc.errno]) if exc.errno in usual else exc.strerror or str(exc)
