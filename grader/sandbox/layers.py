"""What the worker's walls record, and the C library they are built with.

Every wall (see :mod:`grader.sandbox.walls`) records itself in :class:`Layers`:
active or not, and why; the record goes back to the grading process with the
load reply (``dlx doctor`` shows it).  The C library is used only while the
walls go up, and forgotten before the student's code runs.
"""
from __future__ import annotations

import ctypes
import os
from typing import Any

PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP = 1, 4, 38, 22


class Layers:
    """What the worker managed to set up: name -> (active, detail), in order; sent back with the load reply."""

    def __init__(self, off: Any = ()):
        self.off = frozenset(off)
        self.items: dict[str, list] = {}

    def wanted(self, key: str, name: str) -> bool:
        """False (and recorded as switched off) when the project's tests switched layer ``key`` off."""
        if key in self.off:
            self.set(name, False, "switched off (layers_off)")
            return False
        return True

    def set(self, name: str, active: bool, detail: str = "") -> None:
        self.items[name] = [name, bool(active), detail]

    def report(self) -> list:
        return list(self.items.values())


_LIBC: list = []  # the C library while the walls go up; emptied before the student's code runs


def load_libc() -> Any:
    """The C library, with the argument types the walls need (loaded once)."""
    if _LIBC:
        return _LIBC[0]
    lib = ctypes.CDLL(None, use_errno=True)
    lib.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]
    lib.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
    lib.unshare.argtypes = [ctypes.c_int]
    lib.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    lib.syscall.restype = ctypes.c_long
    _LIBC.append(lib)
    return lib


def ok(result: int, what: str) -> None:
    """Raise OSError when a libc call returned -1."""
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def release_libc() -> None:
    """Forget the C library before the student's code runs (it must not find it here)."""
    _LIBC.clear()
