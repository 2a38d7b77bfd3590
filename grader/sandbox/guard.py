"""Walls 5: an audit hook, Python-level refusals with clear messages (not a boundary on its own)."""
from __future__ import annotations

import os
import sys
from typing import Any

from .layers import Layers

PROCESS_EVENTS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                  "os.fork", "os.forkpty", "pty.spawn", "os.kill", "os.killpg", "signal.pthread_kill")
NETWORK_EVENTS = ("socket.__new__", "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg",
                  "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr")
# The easy ways to reach C from Python, and the ways to find the audit hook itself.
REFUSED_EVENTS = ("ctypes.dlopen", "ctypes.dlsym", "ctypes.dlsym/handle", "ctypes.cdata", "ctypes.string_at",
                  "ctypes.wstring_at", "ctypes.call_function", "gc.get_objects", "gc.get_referrers",
                  "gc.get_referents", "sys.settrace", "sys.setprofile")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
# Events that change a file system entry: how many of their first arguments are paths.
CHANGE_EVENTS = {"os.remove": 1, "os.rmdir": 1, "os.mkdir": 1, "os.chmod": 1, "os.chown": 1, "os.utime": 1,
                 "os.truncate": 1, "os.chflags": 1, "os.lchflags": 1, "os.setxattr": 1, "os.removexattr": 1,
                 "os.rename": 2, "os.link": 2, "os.symlink": 2, "shutil.rmtree": 1}


def install_guard(config: dict, layers: Layers) -> None:
    """An audit hook (it cannot be removed) that refuses what graded code must not do.

    Its state lives in default arguments (immutable; replacing them raises an
    audit event the hook refuses) rather than in globals the student's code
    could rebind.  It is a convenience with clear messages, not the boundary:
    code that corrupts the interpreter's memory gets past it, and then meets
    the kernel-level layers.
    """
    if not layers.wanted("guard", "audit hook"):
        return
    blocked = frozenset(config.get("blocked_imports", ()))
    workdir = os.path.realpath(config["cwd"])
    hidden = tuple(p.rstrip("/") + "/" for p in config.get("hide", ()) if p)

    def guard(event: str, args: tuple, _blocked=blocked, _workdir=workdir,
              _hidden=hidden, _process=PROCESS_EVENTS, _network=NETWORK_EVENTS, _refused=REFUSED_EVENTS,
              _change=CHANGE_EVENTS,
              _write=WRITE_FLAGS, _devnull=os.devnull, _realpath=os.path.realpath, _fsdecode=os.fsdecode,
              _isinstance=isinstance, _any=any, _str=str, _bytes=bytes, _sep=os.sep) -> None:
        if event == "import":
            if args[0].partition(".")[0] in _blocked:
                raise ImportError(f"dlx: {args[0]} may not be used in this exercise (hand-written means hand-written)")
        elif event == "open" or event in ("os.listdir", "os.scandir"):
            path = args[0]
            if not _isinstance(path, (_str, _bytes)):
                return
            real = _realpath(_fsdecode(path))
            if _hidden and (real + "/").startswith(_hidden):
                raise PermissionError(f"dlx: graded code may not read the grader's files ({path!r})")
            if event == "open":
                mode, flags = args[1], args[2]
                writes = (_isinstance(mode, _str) and _any(c in mode for c in "wax+")) or (flags or 0) & _write
                if writes and not (real == _workdir or real.startswith(_workdir + _sep) or real == _devnull):
                    raise PermissionError(f"dlx: graded code may only write inside its working directory, not {path!r}")
        elif event in _change:
            for path in args[:_change[event]]:
                if _isinstance(path, (_str, _bytes)):
                    real = _realpath(_fsdecode(path))
                    if not (real == _workdir or real.startswith(_workdir + _sep)):
                        raise PermissionError(f"dlx: graded code may only change files inside its working "
                                              f"directory, not {path!r}")
        elif event.startswith(_process):
            raise PermissionError("dlx: graded code may not start or signal processes")
        elif event in _network:
            raise PermissionError("dlx: graded code has no network access")
        elif event in _refused:
            raise PermissionError(f"dlx: graded code may not use {event.partition('.')[0]} ({event})")
        elif event == "object.__setattr__" and args[0] is guard:
            raise PermissionError("dlx: graded code may not change the grader's hook")

    sys.meta_path.insert(0, _RefusingFinder(blocked))
    sys.addaudithook(guard)
    if "hidden paths" not in layers.items:
        layers.set("hidden paths", bool(hidden), f"{len(hidden)} of the grader's folders: reads refused by the "
                   "audit hook only (no mount namespace)")
    layers.set("audit hook", True, "refuses torch and friends, processes, network, ctypes, changes outside the "
               "folder, reads of the grader's files")


class _RefusingFinder:
    """Refuses blocked modules even when imported through importlib (which raises no audit event)."""

    def __init__(self, blocked: frozenset):
        self._blocked = blocked

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name.partition(".")[0] in self._blocked:
            raise ImportError(f"dlx: {name} may not be used in this exercise (hand-written means hand-written)")

