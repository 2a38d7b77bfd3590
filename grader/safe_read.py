"""Reading a user's file safely: only a regular file, at most a size limit; never a FIFO, device or folder."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import DlxError

MAX_BYTES = 2**20


def read_bytes_file(path: Path, what: str = "", limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or a one-line :class:`DlxError` saying why not."""
    name = f"{what} {path}".strip()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO opens at once instead of waiting for a writer
    except FileNotFoundError:
        raise DlxError(f"{name} does not exist") from None
    except OSError as exc:
        raise DlxError(f"{name} cannot be read ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise DlxError(f"{name} is a folder")
        if not stat.S_ISREG(info.st_mode):
            raise DlxError(f"{name} is not a regular file (a device, a FIFO or a socket)")
        if info.st_size > limit:
            raise DlxError(f"{name} is larger than {limit // 2**20} MiB")
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise DlxError(f"{name} is larger than {limit // 2**20} MiB")
    return data


def read_text_file(path: Path, what: str = "", limit: int = MAX_BYTES) -> str:
    """The UTF-8 text (a BOM is dropped) of a regular file; UnicodeDecodeError if it is not UTF-8."""
    return read_bytes_file(path, what, limit).decode("utf-8-sig")
