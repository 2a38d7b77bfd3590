"""The worker's request loop: load the student's file, then answer requests (see :mod:`protocol`).

It runs inside the walls (:mod:`walls`), never sees a hidden suite, and only
answers requests; values go back as plain data (:mod:`wire`) or as handles.
"""
from __future__ import annotations

import itertools
import linecache
import operator
import os
import sys
import traceback
import types
import warnings
from typing import Any

import numpy as np

from . import wire
from .builders import Builders
from .guard import install_guard
from .layers import Layers, load_libc, release_libc
from .protocol import (
    COLLECT, EXCEPTION, EXIT, GETATTR, LOAD, MAKE, MAP, MISSING, PROTOCOL, RETURN, STARTED, STARTUP_MARKER,
    WORKER_BROKEN,
)
from .walls import raise_walls

OPERATORS = {
    name: getattr(operator, name)
    for name in ("add", "sub", "mul", "truediv", "pow", "neg", "pos", "abs", "getitem", "lt", "gt", "eq")
}


class Worker:
    """Holds the student's module and the handles it has given out."""

    def __init__(self, cmd_fd: int, reply_fd: int, inherited: dict[str, str | None] | None = None):
        """``inherited``: the namespaces a fork server entered for it (see :func:`namespaces.isolate`)."""
        self.cmd_fd, self.reply_fd = cmd_fd, reply_fd
        self.inherited = inherited or {}
        self.module: types.ModuleType | None = None
        self.filename = "<submission>"
        self.handles: dict[int, Any] = {}
        self.next_handle = 1
        self.builders = Builders()

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
            return self.builders.build(tree["F"], tree.get("p", {}))
        raise wire.WireError("unknown reference")

    def student_attr(self, name: str) -> Any:
        if self.module is None or not hasattr(self.module, name):
            raise _Missing(name)
        return getattr(self.module, name)

    def send(self, message: dict) -> None:
        try:
            frame = wire.encode(message, on_other=self.keep)
        except (wire.WireError, ValueError, TypeError, RecursionError) as exc:
            frame = wire.encode({"ok": False, "e": {"kind": RETURN, "type": type(exc).__name__, "msg": str(exc)}})
        wire.write_frame(self.reply_fd, frame)

    # -- requests -----------------------------------------------------------
    def serve(self) -> None:
        while True:
            try:
                request = wire.decode(wire.read_frame(self.cmd_fd), on_handle=self.resolve)
            except EOFError:
                return
            except _Missing as missing:
                self.send({"ok": False, "e": {"kind": MISSING, "type": "AttributeError", "msg": missing.name}})
                continue
            except Exception as exc:  # a request we cannot read is the grader's bug: say so
                self.send({"ok": False, "e": {"kind": PROTOCOL, "type": type(exc).__name__, "msg": str(exc)}})
                continue
            op = request.get("op")
            if op == EXIT:
                return
            if op == MAKE:  # a grader-built object, kept in the worker as a handle
                try:
                    self.send({"ok": True, "v": _Opaque(request["f"])})
                except Exception as exc:  # noqa: BLE001
                    self.send({"ok": False, "e": {"kind": PROTOCOL, "type": type(exc).__name__, "msg": str(exc)}})
                continue
            self.send(self.run(request))

    def run(self, request: dict) -> dict:
        random_before = _global_random_state()
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn", under="ignore"):
            warnings.simplefilter("always")
            try:
                if request["op"] == GETATTR:
                    value, mutated = getattr(request["o"], request["n"]), []
                elif request["op"] == MAP:
                    fn = request["f"]
                    value = [fn(*args) for args in request["argsets"]]
                    mutated = []
                elif request["op"] == COLLECT:  # up to n items of an iterator
                    value, mutated = list(itertools.islice(iter(request["o"]), int(request["n"]))), []
                else:  # CALL
                    value, mutated = self.call(request["f"], request.get("a", []), request.get("k", {}))
            except BaseException as exc:  # noqa: BLE001 - student code may raise anything, even SystemExit
                return {"ok": False, "e": self.describe(exc)}
            finally:
                _flush()
        return {"ok": True, "v": value, "mut": mutated, "w": [_warning_text(w) for w in caught][:20],
                "rnd": _global_random_state() != random_before}

    def call(self, fn: Any, args: list, kwargs: dict) -> tuple[Any, list]:
        if not callable(fn):
            raise TypeError(f"{type(fn).__name__} object is not callable")
        before = list(_arrays({**dict(enumerate(args)), **kwargs}))
        copies = [a.copy() for _, a in before]
        value = fn(*args, **kwargs)
        # ndarray's own methods (its type cannot be patched), not numpy functions the student's code may replace
        mutated = [key for (key, now), copy in zip(before, copies)
                   if now.shape != copy.shape or now.dtype != copy.dtype or now.tobytes() != copy.tobytes()]
        return value, mutated

    def describe(self, exc: BaseException) -> dict:
        frames = [
            [f.lineno, f.name, (f.line or "").strip()]
            for f in traceback.extract_tb(exc.__traceback__)
            if f.filename == self.filename
        ]
        kind = MISSING if isinstance(exc, _Missing) else EXCEPTION
        msg = exc.name if isinstance(exc, _Missing) else _safe_str(exc)
        if isinstance(exc, SystemExit):
            msg = f"your code called sys.exit({msg})"
        return {"kind": kind, "type": type(exc).__name__, "msg": msg[:2000], "tb": frames[-5:],
                "mro": [c.__name__ for c in type(exc).__mro__][:20]}

    # -- start-up -------------------------------------------------------------
    def load(self, config: dict) -> dict:
        """Wall the process in (see :mod:`walls`), then execute the student's source as a module."""
        os.chdir(config["cwd"])
        os.environ.update(HOME=config["cwd"], TMPDIR=config["cwd"])
        for name in config.get("preload", []):
            __import__(name)
        _warm_up()
        layers = Layers(config.get("layers_off", ()))
        raise_walls(config, layers, (self.cmd_fd, self.reply_fd), self.inherited)  # may fork: only the worker returns
        _end_startup_output()
        release_libc()
        install_guard(config, layers)
        self.builders = Builders(config.get("builders", ("numpy",)))
        wire.write_frame(self.reply_fd, wire.encode(STARTED))  # the student's time starts now
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
            error["kind"] = LOAD
            return {"ok": False, "e": error, "layers": layers.report()}
        _flush()
        self.module = module
        names = [n for n, v in vars(module).items() if not n.startswith("_") and callable(v)]
        return {"ok": True, "v": names, "layers": layers.report()}


def _warm_up() -> None:
    """Do now, with the whole file system, what torch would otherwise do lazily inside the walls.

    Its CPU detection reads /proc/cpuinfo, which the new root does not have:
    without this, the first convolution prints "Error in cpuinfo" and "Could
    not initialize NNPACK" as if the student's code had.
    """
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            torch.backends.nnpack.is_available()  # initialises cpuinfo and NNPACK
        except Exception:  # noqa: BLE001 - a missing backend only costs the warm-up
            pass


def _end_startup_output() -> None:
    """Flush what the worker's own start-up printed (Python's and C's buffers), then write the marker."""
    _flush()
    try:
        load_libc().fflush(None)
    except (OSError, AttributeError):
        pass
    try:
        os.write(1, STARTUP_MARKER)
    except OSError:
        pass


def _global_random_state() -> tuple:
    """A fingerprint of NumPy's and Python's global random states (graded code must use its ``rng``)."""
    import random

    legacy = np.random.get_state()
    return legacy[1].tobytes(), legacy[2], hash(random.getstate())


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



def run_worker(cmd_fd: int, reply_fd: int, inherited: dict[str, str | None] | None = None) -> None:
    """One worker's whole life: configuration, loading, requests (``inherited``: see :class:`Worker`)."""
    worker = Worker(cmd_fd, reply_fd, inherited)
    config = wire.decode(wire.read_frame(cmd_fd))
    try:
        worker.send(worker.load(config))
        worker.serve()
    except BaseException as exc:  # noqa: BLE001 - student code replaced something the worker relies on
        try:
            os.write(2, f"\ndlx worker: {type(exc).__name__}: {exc}\n"[:500].encode(errors="replace"))
        finally:
            os._exit(WORKER_BROKEN)
