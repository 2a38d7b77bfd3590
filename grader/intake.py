"""Intake: reading a student's submission file, the one way every command does it.

`dlx grade`, `dlx submit`, `dlx grade-batch` and the Gradescope runner all read
submissions here. Only a regular file is read (never a device, a FIFO or a
folder), never through a symbolic link (a link to a reference, to
another file of the machine or to ``/dev/zero`` is refused), never from outside
the submissions folder, and its size is checked before a byte of it is read.
The bytes are then decoded as Python decodes a source file.
"""
from __future__ import annotations

import io
import os
import tokenize
from pathlib import Path

from .errors import DlxError
from .i18n import _
from .safe_read import read_bytes_file

MAX_SUBMISSION_BYTES = 2**20


def read_submission(path: Path, folder: Path | None = None) -> str:
    """The text of the student's file at ``path``, or a one-line :class:`DlxError`.

    ``folder``: the folder that holds the submissions (grade-batch, Gradescope);
    ``path`` must lie inside it, also once every link in between is resolved.
    """
    path = Path(path)
    if folder is not None:
        inside = os.path.realpath(folder)
        where = os.path.realpath(path.parent)
        if where != inside and not where.startswith(inside.rstrip(os.sep) + os.sep):
            raise DlxError(_("{path} is outside the submissions folder {folder} (through a symbolic link)").format(
                path=path, folder=folder))
    data = read_bytes_file(path, limit=MAX_SUBMISSION_BYTES, follow_links=False)
    return decode_source(path, data)


def decode_source(path: Path, data: bytes) -> str:
    """Python's decoding of a source file: a UTF-8 BOM is dropped, a ``# coding:`` line is honoured."""
    try:
        encoding, _lines = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except SyntaxError as exc:  # a bad coding line, or non-UTF-8 bytes in the first two lines
        if "encoding" not in str(exc.msg):
            raise DlxError(f"{path}: {exc.msg}") from None
        encoding = "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DlxError(_("{path} is not {encoding} text (byte {byte} on line {line}); save it as UTF-8").format(
            path=path, encoding=encoding.upper(), byte=f"0x{data[exc.start]:02x}", line=line)) from None
