"""Which user a worker runs as: when dlx runs as root, a user id no other live worker on this machine has."""
from __future__ import annotations

import os

NOBODY = 65534
UID_LOCKS = "/run/dlx-uids"  # one lock file per user id in use by a live worker (never in /tmp)
UID_RANGE = (1_700_000_000, 4096)  # DLX_SANDBOX_UIDS=START:COUNT to change it


def sandbox_uid() -> int | None:
    """The kind of user workers run as when dlx runs as root: NOBODY (None: workers stay as we are)."""
    if os.geteuid() != 0 or os.environ.get("DLX_SANDBOX_KEEP_USER"):
        return None
    return NOBODY


def _uid_range() -> tuple[int, int] | None:
    """The user ids workers may use, if every one of them (and the same group ids) exists in our namespace."""
    try:
        start, count = (int(x) for x in os.environ.get("DLX_SANDBOX_UIDS", "%d:%d" % UID_RANGE).split(":"))
        for name in ("uid_map", "gid_map"):
            with open(f"/proc/self/{name}") as f:
                ranges = [tuple(int(x) for x in line.split()) for line in f if line.strip()]
            if not any(inner <= start and start + count <= inner + n for inner, _, n in ranges):
                return None
    except (OSError, ValueError):
        return None
    return start, count


def lease_uid() -> tuple[int | None, int | None]:
    """(uid, lock fd) for a new worker: as root, a user id no other live worker on this machine has.

    The id is held with ``flock`` on a file in :data:`UID_LOCKS` until the fd
    is closed (or dlx dies), so concurrent dlx processes never share one.
    Falls back to ``nobody`` (shared; ``dlx doctor`` says so) when no id is free.
    """
    if sandbox_uid() is None:
        return None, None
    found = _uid_range()
    if found is not None:
        import fcntl

        start, count = found
        try:
            os.makedirs(UID_LOCKS, mode=0o700, exist_ok=True)
            for slot in range(count):
                fd = os.open(f"{UID_LOCKS}/{slot}", os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    continue
                return start + slot, fd
        except OSError:
            pass
    return NOBODY, None
