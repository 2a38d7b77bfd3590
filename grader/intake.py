"""Intake: reading a student's submission file, the one way every command does it.

`dlx grade`, `dlx grade-batch` and the Gradescope runner all read submissions
here. Only a regular file is read, never through a symbolic link (a link to a
reference solution, to another file of the machine or to ``/dev/zero`` is
refused), never from outside the submissions folder, and its size is checked
before a byte of it is read.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_SUBMISSION_BYTES = 2**20


class IntakeError(Exception):
    """A submission that cannot be read; ``str()`` is one line for the person running dlx."""


def read_submission(path: Path, folder: Path | None = None) -> str:
    """The text of the student's file at ``path``, or an :class:`IntakeError`.

    ``folder``: the folder that holds the submissions (grade-batch, Gradescope);
    ``path`` must lie inside it, also once every link in between is resolved.
    """
    path = Path(path)
    if folder is not None:
        inside = os.path.realpath(folder)
        where = os.path.realpath(path.parent)
        if where != inside and not where.startswith(inside.rstrip(os.sep) + os.sep):
            raise IntakeError(f"{path} is outside the submissions folder {folder} (through a symbolic link)")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise IntakeError(f"{path} does not exist") from None
    except OSError as exc:
        if os.path.islink(path):
            raise IntakeError(f"{path} is a symbolic link; submit the file itself") from None
        raise IntakeError(f"cannot read {path}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IntakeError(f"{path} is not a regular file")
        if info.st_size > MAX_SUBMISSION_BYTES:
            raise IntakeError(f"{path} is larger than {MAX_SUBMISSION_BYTES // 2**20} MiB; that is not a solution file")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_SUBMISSION_BYTES + 1)  # a file that grows while it is read is cut, not trusted
    except OSError as exc:
        raise IntakeError(f"cannot read {path}: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_SUBMISSION_BYTES:
        raise IntakeError(f"{path} is larger than {MAX_SUBMISSION_BYTES // 2**20} MiB; that is not a solution file")
    return data.decode("utf-8", errors="replace")
