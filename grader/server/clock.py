"""The server's clock: course time (deadlines, receipts, quotas) and wall time (leases).

For tests only, ``DLX_TEST_CLOCK`` names a file holding an ISO time with its offset; while it is
set, course time is read from that file, so a test can move the server across a deadline.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path


def wall() -> datetime:
    """The real time, for leases and token expiry of the process itself."""
    return datetime.now(timezone.utc)


def now() -> datetime:
    """Course time: the test clock's when one is set, else the real time."""
    path = os.environ.get("DLX_TEST_CLOCK")
    if path:
        text = Path(path).read_text(encoding="utf-8").strip()
        if text:
            return datetime.fromisoformat(text).astimezone(timezone.utc)
    return wall()
