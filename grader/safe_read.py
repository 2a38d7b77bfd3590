"""A user's file, safely: read only a regular file of at most a size limit, write only where a regular file can be;
never a FIFO (it would hang), a device (it would be replaced) or a folder."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import DlxError, os_reason
from .i18n import _

MAX_BYTES = 2**20


def read_bytes_file(path: Path, what: str = "", limit: int = MAX_BYTES, *, follow_links: bool = True) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or a one-line :class:`DlxError` saying why not.

    ``follow_links=False`` refuses a symbolic link as the last part of ``path``.
    """
    name = f"{what} {path}".strip()
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC  # a FIFO opens at once instead of waiting for a writer
    try:
        fd = os.open(path, flags if follow_links else flags | os.O_NOFOLLOW)
    except FileNotFoundError:
        raise DlxError(_("{file} does not exist").format(file=name)) from None
    except OSError as exc:
        if not follow_links and os.path.islink(path):
            raise DlxError(_("{file} is a symbolic link; submit the file itself").format(file=name)) from None
        raise DlxError(_("{file} cannot be read ({reason})").format(file=name, reason=os_reason(exc))) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise DlxError(_("{file} is a folder").format(file=name))
        if not stat.S_ISREG(info.st_mode):
            raise DlxError(_("{file} is not a regular file (a device, a FIFO or a socket)").format(file=name))
        if info.st_size > limit:
            raise DlxError(_("{file} is larger than {size} MiB").format(file=name, size=limit // 2**20))
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise DlxError(_("{file} is larger than {size} MiB").format(file=name, size=limit // 2**20))
    return data


def read_text_file(path: Path, what: str = "", limit: int = MAX_BYTES) -> str:
    """The UTF-8 text (a BOM is dropped) of a regular file; UnicodeDecodeError if it is not UTF-8."""
    return read_bytes_file(path, what, limit).decode("utf-8-sig")


def output_file(path: Path, what: str = "") -> Path:
    """``path``, where dlx may write a file: nothing is there yet, or a regular file (also through a link).

    A FIFO would block the write, and replacing a device or socket by a file (as root: ``/dev/full``) breaks the
    machine; either, or a folder, is a one-line :class:`DlxError` instead.
    """
    name = f"{what} {path}".strip()
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise DlxError(_("cannot use {file}: {reason}").format(file=name, reason=os_reason(exc))) from None
    if stat.S_ISDIR(info.st_mode):
        raise DlxError(_("{file} is a folder").format(file=name))
    if not stat.S_ISREG(info.st_mode):
        raise DlxError(_("{file} is not a regular file (a device, a FIFO or a socket)").format(file=name))
    return path
