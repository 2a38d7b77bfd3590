"""The gradebook: every attempt, kept forever, in SQLite (standard library)."""
from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from .errors import DlxError, os_reason
from .i18n import _
from .paths import data_dir

if TYPE_CHECKING:
    from .results import GradeResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    kind TEXT NOT NULL,            -- 'exercise' or 'quiz'
    item TEXT NOT NULL,            -- exercise id or quiz bank id
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    seed INTEGER,
    file_hash TEXT,
    result TEXT NOT NULL           -- the full result, JSON
);
CREATE INDEX IF NOT EXISTS attempts_item ON attempts (kind, item);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class GradebookError(DlxError):
    """The gradebook cannot be used; the message says which file and what to do."""


@dataclass(frozen=True)
class Standing:
    """Best and latest score of one item."""

    kind: str
    item: str
    attempts: int
    best: float
    latest: float
    max_score: float
    last_time: float
    full_marks_attempt: int | None = None  # which attempt (1 = the first) first scored full marks


def file_hash(text: str) -> str:
    """A short content hash for a submitted file."""
    import hashlib  # OpenSSL takes milliseconds to load; `dlx list` never hashes

    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]


def default_path() -> Path:
    """Where the student's gradebook lives (its folder is made if missing; the file is not)."""
    try:
        folder = data_dir()
    except OSError as exc:
        why = _("it is not a folder") if isinstance(exc, (FileExistsError, NotADirectoryError)) else os_reason(exc)
        raise GradebookError(_("cannot use {folder} as dlx's data folder ({reason}); set DLX_HOME to a writable folder")
                             .format(folder=exc.filename or "DLX_HOME", reason=why)) from None
    return folder / "gradebook.sqlite3"


class Gradebook:
    """A connection to the gradebook database; safe to use from concurrent processes."""

    def __init__(self, path: Path | None = None):
        self.path = path = path or default_path()
        existed = path.is_file()
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise GradebookError(self._problem(exc, existed)) from None

    def _problem(self, exc: sqlite3.DatabaseError, existed: bool) -> str:
        """Why the gradebook cannot be opened: damaged only when an existing file is not a database."""
        if existed and "not a database" in str(exc):
            return _("the gradebook {path} is damaged or not a dlx gradebook ({reason}); move it aside (your attempts "
                     "stay in it) and dlx will start a new one").format(path=self.path, reason=exc)
        folder = self.path.parent
        if not existed and not os.access(folder, os.W_OK):
            return _("cannot create the gradebook in {folder}: the folder is read-only; set DLX_HOME to a writable "
                     "folder").format(folder=folder)
        if existed and not os.access(self.path, os.W_OK) or not os.access(folder, os.W_OK):
            return _("the gradebook {path} is read-only; make it and its folder writable or set DLX_HOME").format(
                path=self.path)
        return _("the gradebook {path} could not be opened ({reason})").format(path=self.path, reason=exc)

    def _run(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        try:
            return self.db.execute(sql, args)
        except sqlite3.DatabaseError as exc:
            raise GradebookError(_("the gradebook {path} could not be used ({reason})")
                .format(path=self.path, reason=exc)) from None

    def record(self, result: GradeResult, file_hash: str | None = None) -> int:
        """Store one graded attempt (an exercise's or a quiz's); returns its id. Nothing is ever overwritten."""
        cur = self._run(
            "INSERT INTO attempts (time, kind, item, score, max_score, seed, file_hash, result) VALUES (?,?,?,?,?,?,?,?)",
            (time.time(), result.kind, result.item, result.score, result.max_score, result.seed, file_hash,
             json.dumps(result.to_json())),
        )
        return int(cur.lastrowid or 0)

    def standings(self, kind: str | None = None) -> list[Standing]:
        """Best and latest score per item (of one kind, or all)."""
        rows = self._run(
            """SELECT kind, item, COUNT(*), MAX(score),
                      (SELECT score FROM attempts b WHERE b.kind = a.kind AND b.item = a.item ORDER BY id DESC LIMIT 1),
                      MAX(max_score), MAX(time),
                      (SELECT COUNT(*) FROM attempts c WHERE c.kind = a.kind AND c.item = a.item AND c.id <=
                          (SELECT MIN(id) FROM attempts d WHERE d.kind = a.kind AND d.item = a.item
                                                           AND d.score >= d.max_score))
               FROM attempts a WHERE (? IS NULL OR kind = ?) GROUP BY kind, item""",
            (kind, kind),
        ).fetchall()
        return [Standing(*row[:7], full_marks_attempt=row[7] or None) for row in rows]

    def attempts(self, kind: str, item: str) -> Iterator[dict[str, Any]]:
        """Every attempt at one item, oldest first, with its full result (a :class:`GradeResult`)."""
        from .results import GradeResult

        for row in self._run("SELECT id, time, score, max_score, seed, file_hash, result FROM attempts "
                             "WHERE kind = ? AND item = ? ORDER BY id", (kind, item)):
            yield {"id": row[0], "time": row[1], "score": row[2], "max_score": row[3], "seed": row[4],
                   "file_hash": row[5], "result": GradeResult.from_json(json.loads(row[6]))}

    def get_setting(self, key: str) -> str | None:
        row = self._run("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        self._run("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                  (key, value))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Gradebook":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
