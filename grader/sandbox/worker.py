"""The sandboxed worker: loads one student file and runs calls on it.

Started as ``python -I worker.py CMD_FD REPLY_FD`` by :mod:`grader.sandbox.client`.
It imports nothing from the grader but :mod:`wire` (plain-data encoding) and,
on request, :mod:`trusted` (functions the grader hands to student code).  It
never sees a hidden suite: it only answers requests.

Protocol: the first frame is the configuration; the reply says whether the
student's file loaded.  Every later frame is a request (``call``, ``getattr``,
``map``, ``free``); each gets exactly one reply.
"""
from __future__ import annotations

import linecache
import operator
import os
import sys
import traceback
import types
import warnings
from typing import Any

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
import wire  # noqa: E402

sys.path.remove(_HERE)

import numpy as np  # noqa: E402

OPERATORS = {
    name: getattr(operator, name)
    for name in ("add", "sub", "mul", "truediv", "pow", "neg", "pos", "abs", "getitem", "lt", "gt", "eq")
}
PROCESS_EVENTS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                  "os.fork", "os.forkpty", "pty.spawn", "os.kill", "os.killpg")
NETWORK_EVENTS = ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


class Worker:
    """Holds the student's module and the handles it has given out."""

    def __init__(self, cmd_fd: int, reply_fd: int):
        self.cmd_fd, self.reply_fd = cmd_fd, reply_fd
        self.module: types.ModuleType | None = None
        self.filename = "<submission>"
        self.handles: dict[int, Any] = {}
        self.next_handle = 1
        self.trusted: dict[str, Any] = {}

    # -- encoding -----------------------------------------------------------
    def keep(self, obj: Any) -> dict:
        if isinstance(obj, _Opaque):
            obj = obj.obj
        hid = self.next_handle
        self.next_handle += 1
        self.handles[hid] = obj
        return {"H": hid, "t": type(obj).__name__, "c": callable(obj)}

    def resolve(self, tree: dict) -> Any:
        if "H" in tree:
            try:
                return self.handles[tree["H"]]
            except KeyError:
                raise wire.WireError("unknown handle") from None
        if "N" in tree:
            return self.student_attr(tree["N"])
        if "O" in tree:
            return OPERATORS[tree["O"]]
        if "F" in tree:
            return self.trusted_module(tree["F"]).build(tree["F"], tree.get("p", {}))
        raise wire.WireError("unknown reference")

    def trusted_module(self, name: str) -> Any:
        """``trusted`` (NumPy builders) or, for names starting ``torch_``, ``trusted_torch``."""
        module_name = "trusted_torch" if name.startswith("torch_") else "trusted"
        if module_name not in self.trusted:
            sys.path.insert(0, _HERE)
            try:
                self.trusted[module_name] = __import__(module_name)
            finally:
                sys.path.remove(_HERE)
        return self.trusted[module_name]

    def student_attr(self, name: str) -> Any:
        if self.module is None or not hasattr(self.module, name):
            raise _Missing(name)
        return getattr(self.module, name)

    def send(self, message: dict) -> None:
        try:
            frame = wire.encode(message, on_other=self.keep)
        except (wire.WireError, ValueError, TypeError, RecursionError) as exc:
            frame = wire.encode({"ok": False, "e": {"kind": "return", "type": type(exc).__name__, "msg": str(exc)}})
        wire.write_frame(self.reply_fd, frame)

    # -- requests -----------------------------------------------------------
    def serve(self) -> None:
        while True:
            try:
                request = wire.decode(wire.read_frame(self.cmd_fd), on_handle=self.resolve)
            except EOFError:
                return
            except _Missing as missing:
                self.send({"ok": False, "e": {"kind": "missing", "type": "AttributeError", "msg": missing.name}})
                continue
            except Exception as exc:  # a request we cannot read is the grader's bug: say so
                self.send({"ok": False, "e": {"kind": "protocol", "type": type(exc).__name__, "msg": str(exc)}})
                continue
            op = request.get("op")
            if op == "exit":
                return
            if op == "make":  # a grader-built object, kept in the worker as a handle
                try:
                    self.send({"ok": True, "v": _Opaque(request["f"])})
                except Exception as exc:  # noqa: BLE001
                    self.send({"ok": False, "e": {"kind": "protocol", "type": type(exc).__name__, "msg": str(exc)}})
                continue
            if op == "free":
                for hid in request["ids"]:
                    self.handles.pop(hid, None)
                self.send({"ok": True, "v": None})
                continue
            self.send(self.run(request))

    def run(self, request: dict) -> dict:
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn", under="ignore"):
            warnings.simplefilter("always")
            try:
                if request["op"] == "getattr":
                    value, mutated = getattr(request["o"], request["n"]), []
                elif request["op"] == "map":
                    fn = request["f"]
                    value = [fn(*args) for args in request["argsets"]]
                    mutated = []
                else:
                    value, mutated = self.call(request["f"], request.get("a", []), request.get("k", {}))
            except BaseException as exc:  # noqa: BLE001 - student code may raise anything, even SystemExit
                return {"ok": False, "e": self.describe(exc)}
            finally:
                _flush()
        return {"ok": True, "v": value, "mut": mutated, "w": [_warning_text(w) for w in caught][:20]}

    def call(self, fn: Any, args: list, kwargs: dict) -> tuple[Any, list]:
        if not callable(fn):
            raise TypeError(f"{type(fn).__name__} object is not callable")
        before = list(_arrays({**dict(enumerate(args)), **kwargs}))
        copies = [a.copy() for _, a in before]
        value = fn(*args, **kwargs)
        mutated = [key for (key, now), copy in zip(before, copies)
                   if now.shape != copy.shape or not np.array_equal(now, copy, equal_nan=True)]
        return value, mutated

    def describe(self, exc: BaseException) -> dict:
        frames = [
            [f.lineno, f.name, (f.line or "").strip()]
            for f in traceback.extract_tb(exc.__traceback__)
            if f.filename == self.filename
        ]
        kind = "missing" if isinstance(exc, _Missing) else "exception"
        msg = exc.name if isinstance(exc, _Missing) else _safe_str(exc)
        if isinstance(exc, SystemExit):
            msg = f"your code called sys.exit({msg})"
        return {"kind": kind, "type": type(exc).__name__, "msg": msg[:2000], "tb": frames[-5:]}

    # -- start-up -------------------------------------------------------------
    def load(self, config: dict) -> dict:
        """Apply the sandbox, then execute the student's source as a module."""
        os.chdir(config["cwd"])
        os.environ.update(HOME=config["cwd"], TMPDIR=config["cwd"])
        for name in config.get("preload", []):
            __import__(name)
        _apply_limits(config)
        _install_guard(config)
        self.filename = config["filename"]
        source = config["source"]
        linecache.cache[self.filename] = (len(source), None, source.splitlines(True), self.filename)
        module = types.ModuleType(config["module"])
        module.__file__ = self.filename
        sys.modules[config["module"]] = module
        try:
            code = compile(source, self.filename, "exec", dont_inherit=True)
            exec(code, module.__dict__)
        except BaseException as exc:  # noqa: BLE001
            _flush()
            error = self.describe(exc)
            if isinstance(exc, SyntaxError):
                error["tb"] = [[exc.lineno or 0, "<module>", (exc.text or "").strip()]]
                error["msg"] = exc.msg
            error["kind"] = "load"
            return {"ok": False, "e": error}
        _flush()
        self.module = module
        names = [n for n, v in vars(module).items() if not n.startswith("_") and callable(v)]
        return {"ok": True, "v": names}


def _arrays(items: dict, prefix: str = "", depth: int = 0) -> Any:
    """Every NumPy array among the arguments, also inside lists, tuples and dicts: (key, array).

    Top-level keys are argument positions (int) or names; nested ones read ``"0[1]"``.
    """
    for key, value in items.items():
        label = key if not prefix else f"{prefix}[{key}]"
        if isinstance(value, np.ndarray):
            yield label, value
        elif depth < 3 and isinstance(value, (list, tuple)):
            yield from _arrays(dict(enumerate(value)), str(label), depth + 1)
        elif depth < 3 and isinstance(value, dict):
            yield from _arrays({k: v for k, v in value.items() if isinstance(k, (str, int))}, str(label), depth + 1)


class _Opaque:
    """Wraps a value that must come back as a handle even if it is plain data."""

    def __init__(self, obj: Any):
        self.obj = obj


class _Missing(Exception):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - a hostile __str__
        return "<unprintable exception>"


def _warning_text(w: warnings.WarningMessage) -> str:
    return f"{w.category.__name__}: {_safe_str(w.message) if isinstance(w.message, BaseException) else w.message}"[:300]


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass


def _apply_limits(config: dict) -> None:
    import resource

    limits = config.get("limits", {})

    def cap(which: int, value: int | None) -> None:
        if value is None:
            return
        try:
            soft, hard = resource.getrlimit(which)
            new_hard = value if hard == resource.RLIM_INFINITY else min(hard, value)
            resource.setrlimit(which, (min(value, new_hard), new_hard))
        except (ValueError, OSError):
            pass

    cpu = limits.get("cpu_s")
    if cpu is not None:
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        except (ValueError, OSError):
            pass
    cap(resource.RLIMIT_AS, limits.get("memory_bytes"))
    cap(resource.RLIMIT_FSIZE, limits.get("file_bytes"))
    cap(resource.RLIMIT_NOFILE, limits.get("open_files"))
    cap(resource.RLIMIT_CORE, 0)
    uid = config.get("uid")
    if uid is not None and os.geteuid() == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            cap(resource.RLIMIT_NPROC, limits.get("processes"))
        except OSError:
            pass


def _install_guard(config: dict) -> None:
    """An audit hook (it cannot be removed) that refuses what graded code must not do."""
    blocked = frozenset(config.get("blocked_imports", ()))
    workdir = os.path.realpath(config["cwd"])

    def guard(event: str, args: tuple) -> None:
        if event == "import":
            if args[0].partition(".")[0] in blocked:
                raise ImportError(f"dlx: {args[0]} may not be used in this exercise (hand-written means hand-written)")
        elif event.startswith(PROCESS_EVENTS):
            raise PermissionError("dlx: graded code may not start or signal processes")
        elif event in NETWORK_EVENTS:
            raise PermissionError("dlx: graded code has no network access")
        elif event == "open":
            path, mode, flags = args
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (flags or 0) & WRITE_FLAGS
            if writes and isinstance(path, (str, bytes)):
                real = os.path.realpath(os.fsdecode(path))
                if not (real == workdir or real.startswith(workdir + os.sep) or real == os.devnull):
                    raise PermissionError(f"dlx: graded code may only write inside its working directory, not {path!r}")

    sys.addaudithook(guard)


def run_worker(cmd_fd: int, reply_fd: int) -> None:
    """One worker's whole life: configuration, loading, requests."""
    worker = Worker(cmd_fd, reply_fd)
    config = wire.decode(wire.read_frame(cmd_fd))
    worker.send(worker.load(config))
    worker.serve()


def serve_template(ctrl_fd: int, preload: list[str]) -> None:
    """A warm template: import the heavy modules once, then fork one fresh worker per request.

    Requests arrive on a Unix socket as one JSON line each; ``fork`` carries the
    worker's three descriptors (commands, replies, output) and is answered with
    the child's pid; ``status`` answers a child's exit status once it has ended.
    The template runs no student code; each child starts its own session and
    sandboxes itself exactly as a spawned worker does.
    """
    import json
    import socket

    for name in preload:
        __import__(name)
    ctrl = socket.socket(fileno=ctrl_fd)
    ended: dict[int, int] = {}

    def reap() -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            ended[pid] = os.waitstatus_to_exitcode(status)

    while True:
        message, fds, _, _ = socket.recv_fds(ctrl, 4096, 3)
        if not message:
            return
        request = json.loads(message)
        reap()
        if request["op"] == "fork":
            pid = os.fork()
            if pid == 0:
                try:
                    os.setsid()
                    ctrl.close()
                    cmd_fd, reply_fd, out_fd = fds
                    null = os.open(os.devnull, os.O_RDONLY)
                    os.dup2(null, 0)
                    os.dup2(out_fd, 1)
                    os.dup2(out_fd, 2)
                    os.close(out_fd)
                    run_worker(cmd_fd, reply_fd)
                finally:
                    os._exit(0)
            for fd in fds:
                os.close(fd)
            reply = {"pid": pid}
        else:
            reply = {"status": ended.pop(request["pid"], None)}
        ctrl.sendall(json.dumps(reply).encode() + b"\n")


def main() -> None:
    if sys.argv[1] == "--template":
        serve_template(int(sys.argv[2]), [n for n in sys.argv[3].split(",") if n])
    else:
        run_worker(int(sys.argv[1]), int(sys.argv[2]))
    os._exit(0)


if __name__ == "__main__":
    main()
