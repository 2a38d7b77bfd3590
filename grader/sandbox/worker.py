"""The sandboxed worker: loads one student file and runs calls on it.

Started as ``python -I worker.py CMD_FD REPLY_FD`` by :mod:`grader.sandbox.client`
(or forked from a warm template, see :func:`serve_template`).  It imports
nothing from the grader but :mod:`wire` (plain-data encoding) and, on request,
:mod:`trusted` (functions the grader hands to student code).  It never sees a
hidden suite: it only answers requests.

Before the student's file runs, the worker walls itself in, in layers (see
docs/threat-model.md); each layer that the kernel or the user refuses is
skipped and reported, never fatal:

1. namespaces: network and IPC (no network, not even 127.0.0.1), PID (a reaper
   is pid 1; when it ends the kernel kills every process the submission
   started, detached or not), mount (a new, read-only root holding only
   Python, its libraries and the worker's own folder, which is the one
   writable place; the hidden suites, the solutions and the gradebook are
   not in it); as root these need nothing, otherwise a user namespace;
2. resource limits: CPU time, address space, file size, open files,
   processes (``RLIMIT_NPROC`` 0: no fork, no thread), no core dumps;
3. privileges: a user id of its own per worker when dlx runs as root, no capabilities,
   ``no_new_privs``;
4. a seccomp filter: no fork or exec, no sockets, no system call that targets
   another process (signals, limits, scheduling), no mount, ptrace,
   namespaces, BPF, io_uring, ...;
5. an audit hook (Python level: clear messages, not a boundary on its own):
   no torch and friends in NumPy exercises, no processes, no network, no
   writes outside the working directory, no reads of the grader's files,
   no ctypes.

Protocol: the first frame is the configuration; the reply says whether the
student's file loaded and which layers are active.  Every later frame is a
request (``call``, ``getattr``, ``map``, ``free``); each gets exactly one reply.
"""
from __future__ import annotations

import ctypes
import itertools
import linecache
import operator
import os
import resource
import signal
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
# Namespaces a warm template entered once for all the workers it forks: name -> None (entered) or why not.
_INHERITED: dict[str, str | None] = {}

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
        random_before = _global_random_state()
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn", under="ignore"):
            warnings.simplefilter("always")
            try:
                if request["op"] == "getattr":
                    value, mutated = getattr(request["o"], request["n"]), []
                elif request["op"] == "map":
                    fn = request["f"]
                    value = [fn(*args) for args in request["argsets"]]
                    mutated = []
                elif request["op"] == "collect":  # up to n items of an iterator
                    value, mutated = list(itertools.islice(iter(request["o"]), int(request["n"]))), []
                else:
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
        kind = "missing" if isinstance(exc, _Missing) else "exception"
        msg = exc.name if isinstance(exc, _Missing) else _safe_str(exc)
        if isinstance(exc, SystemExit):
            msg = f"your code called sys.exit({msg})"
        return {"kind": kind, "type": type(exc).__name__, "msg": msg[:2000], "tb": frames[-5:],
                "mro": [c.__name__ for c in type(exc).__mro__][:20]}

    # -- start-up -------------------------------------------------------------
    def load(self, config: dict) -> dict:
        """Wall the process in (see the module's docstring), then execute the student's source as a module."""
        os.chdir(config["cwd"])
        os.environ.update(HOME=config["cwd"], TMPDIR=config["cwd"])
        for name in config.get("preload", []):
            __import__(name)
        layers = Layers(config.get("layers_off", ()))
        _isolate(config, layers, (self.cmd_fd, self.reply_fd))  # may fork: only the worker itself returns
        _apply_limits(config, layers)
        _drop_privileges(config, layers)
        _install_seccomp(config, layers)
        _LIBC.clear()
        _install_guard(config, layers)
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
            return {"ok": False, "e": error, "layers": layers.report()}
        _flush()
        self.module = module
        names = [n for n, v in vars(module).items() if not n.startswith("_") and callable(v)]
        return {"ok": True, "v": names, "layers": layers.report()}


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


# -- the walls ------------------------------------------------------------------
# Everything below runs before the student's file, with the privileges dlx was
# started with; none of it is reachable from student code in a useful way
# (ctypes is refused by the audit hook, and the kernel-level layers hold even
# if that hook is bypassed).

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


CLONE_FLAGS = {"user": 0x10000000, "net": 0x40000000, "ipc": 0x08000000, "pid": 0x20000000, "mnt": 0x00020000}
NAMESPACE_LAYERS = {"user": "user namespace", "net": "network namespace", "ipc": "IPC namespace",
                    "pid": "PID namespace", "mnt": "mount namespace"}
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC = 32, 1024, 2048, 4096, 16384
MS_PRIVATE, MS_RELATIME, MS_STRICTATIME = 1 << 18, 1 << 21, 1 << 24
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP = 1, 4, 38, 22
# statvfs flag -> mount flag, so that a read-only bind keeps what the kernel would not let us drop.
STATVFS_MOUNT_FLAGS = {2: MS_NOSUID, 4: MS_NODEV, 8: MS_NOEXEC, 1024: MS_NOATIME, 2048: MS_NODIRATIME,
                       4096: MS_RELATIME}
DEVICES = ("null", "zero", "full", "random", "urandom")
WORK_INODES = 8192  # files and folders in the worker's tmpfs
# Per architecture: the audit arch, the syscalls used here, those a filter refuses with EPERM.
SYSCALLS = {
    "x86_64": {
        "arch": 0xC000003E, "seccomp": 317, "pivot_root": 155, "clone": 56, "clone3": 435,
        "signals": (62, 200, 234, 129, 297),  # kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo
        # pid first: prlimit64, sched_{set,get}{param,scheduler,affinity,attr}, sched_rr_get_interval,
        # get_robust_list, migrate_pages, move_pages
        "own": (302, 142, 143, 144, 145, 203, 204, 314, 315, 148, 274, 256, 279),
        # (which, who): getpriority/setpriority (PRIO_PROCESS 0), ioprio_get/ioprio_set (IOPRIO_WHO_PROCESS 1)
        "priorities": ((140, 0), (141, 0), (252, 1), (251, 1)),
        "fork": (57, 58),  # fork, vfork
        "refused": (59, 322, 41, 101, 310, 311, 165, 166, 155, 161, 272, 308, 112, 109, 250, 248, 249, 321, 298,
                    323, 425, 426, 427, 246, 320, 175, 313, 176, 169, 163, 167, 168, 424, 438, 304, 303, 428, 429,
                    430, 431, 432, 433, 442, 135, 179, 172, 173, 154, 126, 170, 171, 212, 153, 164, 227, 159, 305,
                    103, 312, 440, 434, 448),
    },
    "aarch64": {
        "arch": 0xC00000B7, "seccomp": 277, "pivot_root": 41, "clone": 220, "clone3": 435,
        "signals": (129, 130, 131, 138, 240),
        "own": (261, 118, 121, 119, 120, 122, 123, 274, 275, 127, 100, 238, 239),
        "priorities": ((141, 0), (140, 0), (31, 1), (30, 1)),
        "fork": (),
        "refused": (221, 281, 198, 117, 270, 271, 40, 39, 41, 51, 97, 268, 157, 154, 219, 217, 218, 280, 241, 282,
                    425, 426, 427, 104, 294, 105, 273, 106, 142, 89, 224, 225, 424, 438, 265, 264, 428, 429, 430,
                    431, 432, 433, 442, 92, 60, 91, 161, 162, 18, 58, 170, 112, 171, 266, 116, 272, 440, 434, 448),
    },
}


_LIBC: list = []  # the C library while the walls go up; emptied before the student's code runs


def _libc() -> Any:
    if _LIBC:
        return _LIBC[0]
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]
    libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
    libc.unshare.argtypes = [ctypes.c_int]
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    libc.syscall.restype = ctypes.c_long
    _LIBC.append(libc)
    return libc


def _ok(result: int, what: str) -> None:
    """Raise OSError when a libc call returned -1."""
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _unshare(libc: Any, name: str) -> str | None:
    """Enter a new namespace; None when it worked, else why not."""
    if libc.unshare(CLONE_FLAGS[name]) == 0:
        return None
    return os.strerror(ctypes.get_errno())


def _enter_user_namespace(libc: Any) -> str | None:
    """For a user who is not root: a user namespace in which we keep our own uid (and may create the others)."""
    uid, gid = os.getuid(), os.getgid()
    why = _unshare(libc, "user")
    if why is not None:
        return why
    try:
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as f:
                f.write(text)
    except OSError as exc:
        return f"cannot map the user ({exc.strerror})"
    return None


def enter_shared_namespaces(libc: Any | None = None) -> dict[str, str | None]:
    """The namespaces a warm template enters once, for every worker it forks: user (if not root), network, IPC.

    An empty network namespace has only a loopback interface, and it is down:
    nothing can be reached, not even 127.0.0.1 of the machine.
    """
    libc = libc or _libc()
    entered: dict[str, str | None] = {}
    if os.geteuid() != 0:
        entered["user"] = _enter_user_namespace(libc)
    for name in ("net", "ipc"):
        entered[name] = _unshare(libc, name)
    return entered


def _isolate(config: dict, layers: Layers, close_fds: tuple[int, ...]) -> None:
    """Namespaces and the new root.  With a PID namespace this forks; only the worker itself returns.

    Every worker gets its own PID namespace (two forks): it sees and can name
    no process but its own, so it cannot reach another worker or the grader
    even where they share a user id.
    """
    try:
        libc = _libc()
    except OSError as exc:
        for name in NAMESPACE_LAYERS.values():
            layers.set(name, False, f"no libc ({exc})")
        return
    root = os.geteuid() == 0
    entered = dict(_INHERITED)
    if root:
        layers.set("user namespace", False, "not needed: dlx runs as root")
    elif "user" not in entered and layers.wanted("userns", "user namespace"):
        entered["user"] = _enter_user_namespace(libc)
    for name in ("net", "ipc"):
        if name not in entered and layers.wanted(f"{name}ns", NAMESPACE_LAYERS[name]):
            entered[name] = _unshare(libc, name)
    if layers.wanted("pidns", "PID namespace"):
        entered["pid"] = _unshare(libc, "pid")
    details = {"net": "no network at all, not even 127.0.0.1", "user": "unprivileged user namespace",
               "ipc": "no shared memory or message queues with other processes",
               "pid": "sees and names no other process; a reaper is pid 1, when it ends every process of the "
                      "submission is killed"}
    for name, why in entered.items():
        layers.set(NAMESPACE_LAYERS[name], why is None, details[name] if why is None else f"unavailable: {why}")
    pid_namespace = "pid" in entered and entered["pid"] is None
    if pid_namespace:
        _split_for_pid_namespace(libc, close_fds)
    if layers.wanted("mountns", "mount namespace"):
        _new_root(config, layers, libc, pid_namespace)


def _split_for_pid_namespace(libc: Any, close_fds: tuple[int, ...]) -> None:
    """After unshare(CLONE_NEWPID): fork a reaper (pid 1 of the new namespace) that forks the worker.

    The first process (the one the grader knows and kills) waits for the reaper
    and ends the way the worker ended (same exit code or signal), so the
    grader's messages are unchanged.  The reaper waits for the worker and then
    exits, and the kernel kills whatever else is left in the namespace: a
    detached, double-forked, setsid() child included.  Killing the first
    process's group kills the reaper too (and with it the namespace).
    """
    status_r, status_w = os.pipe()
    reaper = os.fork()
    if reaper == 0:
        os.close(status_r)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        worker = os.fork()
        if worker == 0:
            os.close(status_w)
            return  # the worker: goes on loading the student's file
        try:
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.closerange(3, status_w)
            os.closerange(status_w + 1, 1 << 16)
            while True:
                pid, status = os.waitpid(-1, 0)
                if pid == worker:
                    os.write(status_w, status.to_bytes(4, "little"))
                    break
        finally:
            os._exit(0)
    os.close(status_w)
    for fd in close_fds:
        os.close(fd)
    _, reaper_status = os.waitpid(reaper, 0)
    data = os.read(status_r, 4)
    _end_like(int.from_bytes(data, "little") if len(data) == 4 else reaper_status)


def _end_like(status: int) -> None:
    """Exit with the same code, or die of the same signal, as a process whose wait status is ``status``."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            pass
        os.kill(os.getpid(), sig)
        os._exit(128 + sig)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def _root_sources(work: str) -> tuple[list[str], list[tuple[str, str]]]:
    """What the new root holds, read-only: Python, its packages, the system's libraries, /etc and this folder.

    Returns the real directories (or files) to bind, without nesting, and the
    symbolic links to recreate (e.g. /lib -> usr/lib).  A folder that holds
    the working folder (/, or /tmp with every other worker's folder) is never
    bound.
    """
    wanted = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, _HERE,
              "/usr", "/lib", "/lib64", "/lib32", "/libx32", "/etc", *(p for p in sys.path if p)]
    links, real = [], set()
    for path in wanted:
        path = os.path.abspath(path)
        if not os.path.exists(path):
            continue
        if os.path.islink(path):
            links.append((path, os.readlink(path)))
        real.add(os.path.realpath(path))
    kept: list[str] = []
    for path in sorted(real):
        if (work + "/").startswith(path.rstrip("/") + "/"):
            continue
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept, links


def _mount_flags(path: str) -> int:
    """The flags of the mount holding ``path`` that a read-only bind must keep."""
    try:
        flags = os.statvfs(path).f_flag
    except OSError:
        return 0
    return sum(ms for st, ms in STATVFS_MOUNT_FLAGS.items() if flags & st)


def _bind(libc: Any, source: str, target: str, writable: bool = False, flags: int = MS_NOSUID | MS_NODEV) -> None:
    """Bind ``source`` on ``target`` (created), then make it read-only (unless ``writable``) with ``flags``."""
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
    encoded_target = os.fsencode(target)
    if libc.mount(os.fsencode(source), encoded_target, None, MS_BIND, None) != 0:
        # a tree holding mounts we may not reveal one by one (user namespaces) can only be bound whole
        _ok(libc.mount(os.fsencode(source), encoded_target, None, MS_BIND | MS_REC, None), f"bind {source}")
    flags |= MS_BIND | MS_REMOUNT | _mount_flags(source)
    if not writable:
        flags |= MS_RDONLY
    _ok(libc.mount(None, encoded_target, None, flags, None), f"remount {target}")


def _new_root(config: dict, layers: Layers, libc: Any, pid_namespace: bool) -> None:
    """A private mount namespace whose root holds only what the worker needs, read-only, and its folder.

    The hidden suites, the solutions, the gradebook, the student's own
    folder, other workers' folders and /tmp are simply not there; the
    configured ``hide`` paths (e.g. the grader's suites inside an installed
    package, the folders of torch and friends in NumPy exercises) are covered
    with an empty, unreadable file system.
    """
    name = "mount namespace"
    why = _unshare(libc, "mnt")
    if why is not None:
        layers.set(name, False, f"unavailable: {why}")
        return
    work = os.path.realpath(config["cwd"])
    new = work  # the new root is assembled on top of the working folder, kept open as work_fd
    work_fd = os.open(work, os.O_PATH | os.O_DIRECTORY)
    staged = False
    try:
        _ok(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
        _ok(libc.mount(b"dlx-root", os.fsencode(new), b"tmpfs", MS_NOSUID | MS_NODEV,
                       b"size=1m,nr_inodes=4096,mode=755"), "tmpfs root")
        staged = True
        sources, links = _root_sources(work)
        for source in sources:
            _bind(libc, source, new + source)
        for link, target in links:
            if not os.path.lexists(new + link):
                os.makedirs(os.path.dirname(new + link), exist_ok=True)
                os.symlink(target, new + link)
        for device in DEVICES:
            if os.path.exists(f"/dev/{device}"):
                _bind(libc, f"/dev/{device}", f"{new}/dev/{device}", writable=True, flags=MS_NOSUID | MS_NOEXEC)
        os.makedirs(new + "/proc", exist_ok=True)
        # /proc (of this PID namespace: only the submission's processes) only where processes are allowed
        proc = pid_namespace and bool(config.get("limits", {}).get("processes")) and libc.mount(b"proc", os.fsencode(new + "/proc"), b"proc",
                                            MS_NOSUID | MS_NODEV | MS_NOEXEC, None) == 0
        disk = config.get("limits", {}).get("disk_bytes")
        if disk:  # the one writable place: a tmpfs of its own, gone with the namespace, never the host's disk
            owner = config.get("uid") if os.geteuid() == 0 and config.get("uid") is not None \
                and "uid" not in layers.off else os.getuid()
            os.makedirs(new + work, exist_ok=True)
            _ok(libc.mount(b"dlx-work", os.fsencode(new + work), b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                           f"size={disk},nr_inodes={WORK_INODES},mode=700,uid={owner},gid={owner}".encode()),
                "tmpfs for the working folder")
        else:
            _bind(libc, f"/proc/self/fd/{work_fd}", new + work, writable=True,
                  flags=MS_NOSUID | MS_NODEV | MS_NOEXEC)
        hidden = 0
        for path in config.get("hide", []):
            target = new + path
            if os.path.isdir(target) and not os.path.islink(target):
                _ok(libc.mount(b"dlx-hidden", os.fsencode(target), b"tmpfs",
                               MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, b"size=4k,mode=000"), f"hide {path}")
                hidden += 1
            elif os.path.isfile(target):
                _bind(libc, "/dev/null", target)
                hidden += 1
        _ok(libc.mount(None, os.fsencode(new), None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, None),
            "read-only root")
        os.chdir(new)
        arch = SYSCALLS.get(os.uname().machine)
        if arch is None:
            raise OSError(0, "pivot_root: unknown architecture")
        _ok(libc.syscall(ctypes.c_long(arch["pivot_root"]), b".", b"."), "pivot_root")
        _ok(libc.umount2(b".", MNT_DETACH), "detach the old root")
        os.chdir("/")
        os.chdir(work)
    except OSError as exc:
        if staged:  # back to the whole file system, with the other layers
            try:
                os.chdir("/")
                libc.umount2(os.fsencode(new), MNT_DETACH)
                os.chdir(work)
            except OSError:
                pass
        layers.set(name, False, f"unavailable: {exc}")
        return
    finally:
        os.close(work_fd)
    layers.set(name, True, "a read-only root with Python and its libraries; the only writable folder is the "
               f"worker's own{'; /proc shows only the submission' if proc else ''}")
    layers.set("hidden paths", True, f"{hidden} of the grader's folders (suites, solutions, gradebook, "
               "blocked packages) covered")
    if disk:
        layers.set("writable space cap", True, f"the worker's folder is a tmpfs of {disk / 2**20:g} MiB and "
                   f"{WORK_INODES} files in its own mount namespace; nothing reaches the host's disk")


def _apply_limits(config: dict, layers: Layers) -> None:
    limits = config.get("limits", {})
    applied = []

    def cap(which: int, value: int | None, label: str) -> None:
        if value is None:
            return
        try:
            soft, hard = resource.getrlimit(which)
            new_hard = value if hard == resource.RLIM_INFINITY else min(hard, value)
            resource.setrlimit(which, (min(value, new_hard), new_hard))
            shown = f"{value / 2**20:g} MiB" if "size" in label or "space" in label else str(value)
            applied.append(f"{label} {shown}")
        except (ValueError, OSError):
            pass

    if limits.get("disk_bytes") and "writable space cap" not in layers.items:
        layers.set("writable space cap", False, "no mount namespace: only the per-file limit holds, and the "
                   "worker's folder on the host's disk can fill up")
    if not layers.wanted("rlimits", "resource limits"):
        return
    cpu = limits.get("cpu_s")
    if cpu is not None:
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
            applied.append(f"cpu {cpu} s")
        except (ValueError, OSError):
            pass
    cap(resource.RLIMIT_AS, limits.get("memory_bytes"), "address space")
    cap(resource.RLIMIT_FSIZE, limits.get("file_bytes"), "file size")
    cap(resource.RLIMIT_NOFILE, limits.get("open_files"), "open files")
    cap(resource.RLIMIT_CORE, 0, "core")
    layers.set("resource limits", bool(applied), ", ".join(applied))
    if layers.wanted("nproc", "process limit"):
        # RLIMIT_NPROC counts the processes (and threads) of the real user, everywhere; at 0 no fork or thread
        # can succeed for any user but root, and the hard limit cannot be raised back without privileges.
        processes = limits.get("processes")
        cap(resource.RLIMIT_NPROC, processes, "processes")
        effective = os.geteuid() != 0 or (config.get("uid") is not None and "uid" not in layers.off)
        layers.set("process limit", processes is not None and effective,
                   f"RLIMIT_NPROC {processes}" if effective else "ignored: the worker keeps root")


def _drop_privileges(config: dict, layers: Layers) -> None:
    """User ``nobody`` when running as root; no capabilities; no_new_privs."""
    uid = config.get("uid")
    if os.geteuid() == 0 and uid is not None and layers.wanted("uid", "unprivileged user"):
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            layers.set("unprivileged user", True, f"uid {uid} (dlx runs as root)")
        except OSError as exc:
            layers.set("unprivileged user", False, f"cannot become uid {uid}: {exc.strerror}")
    elif os.geteuid() == 0:
        layers.set("unprivileged user", False, "the worker keeps root (DLX_SANDBOX_KEEP_USER)")
    else:
        layers.set("unprivileged user", True, f"uid {os.getuid()} (dlx does not run as root)")
    try:
        libc = _libc()

        class Header(ctypes.Structure):
            _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

        class Data(ctypes.Structure):
            _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                        ("inheritable", ctypes.c_uint32)]

        _ok(libc.capset(ctypes.byref(Header(0x20080522, 0)), (Data * 2)()), "capset")
        layers.set("no capabilities", True, "every capability dropped")
        _ok(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        layers.set("no_new_privs", True, "no set-uid gain, ever")
        _ok(libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "not dumpable")
        layers.set("not dumpable", True, "no other process of the same user may read or write its memory, "
                   "environment or files through /proc")
    except (OSError, AttributeError) as exc:
        layers.set("no capabilities", False, f"unavailable: {exc}")


def seccomp_program(arch: dict, own_pid: int, allow_fork: bool) -> list[tuple[int, int, int, int]]:
    """A classic-BPF seccomp filter: refuse (EPERM) what graded code never needs; allow the rest.

    Refused: exec, sockets, ptrace and other processes' memory, mount and
    namespaces, keys, BPF, perf, userfaultfd, io_uring, modules, reboot and
    clock changes, ...; clone() unless it makes a thread (so no fork, vfork
    or posix_spawn); every system call that names another process as its
    target: signals (kill, tgkill, rt_sigqueueinfo, ...) to any process but
    this one; limits, scheduling, priorities and I/O priorities of any
    process but this one (pid 0 or our own); pidfds, kcmp, ptrace and other
    processes' memory always.  clone3() says
    ENOSYS, so that the C library falls back to clone().  Another
    architecture's system calls (e.g. int 0x80, x32) kill the process.
    """
    load, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, kill, errno = 0x7FFF0000, 0x80000000, 0x00050000
    eperm, enosys, clone_thread = 1, 38, 0x00010000
    prog = [(load, 0, 0, 4), (jeq, 1, 0, arch["arch"]), (ret, 0, 0, kill), (load, 0, 0, 0)]
    if arch["arch"] == 0xC000003E:
        prog += [(jge, 0, 1, 0x40000000), (ret, 0, 0, kill)]
    refused = list(arch["refused"]) + ([] if allow_fork else list(arch["fork"]))
    for nr in refused:
        prog += [(jeq, 0, 1, nr), (ret, 0, 0, errno | eperm)]
    prog += [(jeq, 0, 1, arch["clone3"]), (ret, 0, 0, errno | enosys)]
    if not allow_fork:
        prog += [(jeq, 0, 4, arch["clone"]), (load, 0, 0, 16), (jset, 1, 0, clone_thread),
                 (ret, 0, 0, errno | eperm), (ret, 0, 0, allow)]
    for nr in arch["signals"]:
        prog += [(jeq, 0, 4, nr), (load, 0, 0, 16), (jeq, 1, 0, own_pid), (ret, 0, 0, errno | eperm),
                 (ret, 0, 0, allow)]
    for nr in arch["own"]:  # the pid (first argument, low 32 bits: a pid_t) is 0 or ours
        prog += [(jeq, 0, 5, nr), (load, 0, 0, 16), (jeq, 2, 0, 0), (jeq, 1, 0, own_pid),
                 (ret, 0, 0, errno | eperm), (ret, 0, 0, allow)]
    for nr, which in arch["priorities"]:  # (which, who): a process, and that process is 0 or us
        prog += [(jeq, 0, 7, nr), (load, 0, 0, 16), (jeq, 0, 3, which), (load, 0, 0, 24), (jeq, 2, 0, 0),
                 (jeq, 1, 0, own_pid), (ret, 0, 0, errno | eperm), (ret, 0, 0, allow)]
    prog.append((ret, 0, 0, allow))
    return prog


def _install_seccomp(config: dict, layers: Layers) -> None:
    name = "seccomp filter"
    if not layers.wanted("seccomp", name):
        return
    arch = SYSCALLS.get(os.uname().machine)
    if arch is None:
        layers.set(name, False, f"no system call table for {os.uname().machine}")
        return

    class SockFilter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]

    allow_fork = bool(config.get("limits", {}).get("processes"))
    program = seccomp_program(arch, os.getpid(), allow_fork)
    filters = (SockFilter * len(program))(*(SockFilter(*i) for i in program))
    fprog = SockFprog(len(program), filters)
    try:
        libc = _libc()
        _ok(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        # SECCOMP_SET_MODE_FILTER with SECCOMP_FILTER_FLAG_TSYNC: every thread of the process, at once
        if libc.syscall(ctypes.c_long(arch["seccomp"]), ctypes.c_ulong(1), ctypes.c_ulong(1), ctypes.byref(fprog)):
            _ok(libc.prctl(PR_SET_SECCOMP, 2, ctypes.addressof(fprog), 0, 0), "seccomp")
    except OSError as exc:
        layers.set(name, False, f"unavailable: {exc}")
        return
    layers.set(name, True, f"{len(program)} instructions: no fork, exec, sockets, ptrace, mount; no system "
               "call may target another process (signals, limits, scheduling, priorities, pidfds)")


def _install_guard(config: dict, layers: Layers) -> None:
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


WORKER_BROKEN = 70  # the exit status of a worker whose own machinery failed (see client.WorkerProcess._death)


def run_worker(cmd_fd: int, reply_fd: int) -> None:
    """One worker's whole life: configuration, loading, requests."""
    worker = Worker(cmd_fd, reply_fd)
    config = wire.decode(wire.read_frame(cmd_fd))
    try:
        worker.send(worker.load(config))
        worker.serve()
    except BaseException as exc:  # noqa: BLE001 - student code replaced something the worker relies on
        try:
            os.write(2, f"\ndlx worker: {type(exc).__name__}: {exc}\n"[:500].encode(errors="replace"))
        finally:
            os._exit(WORKER_BROKEN)


def serve_template(ctrl_fd: int, preload: list[str], shared_namespaces: bool = True) -> None:
    """A warm template: import the heavy modules once, then fork one fresh worker per request.

    Requests arrive on a Unix socket as one JSON line each; ``fork`` carries the
    worker's three descriptors (commands, replies, output) and is answered with
    the child's pid; ``status`` answers a child's exit status once it has ended.
    The template runs no student code; each child starts its own session and
    sandboxes itself exactly as a spawned worker does.  The template enters the
    namespaces every worker can share (network, IPC; a user namespace when not
    root) once, so that its workers do not pay for them.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grading process's to handle; it closes us
    import json
    import socket

    for name in preload:
        __import__(name)
    if shared_namespaces:
        _INHERITED.update(enter_shared_namespaces())
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
        if not message:  # the grading process has gone (perhaps without cleaning up): tidy up our folder
            home = os.getcwd()
            if os.path.basename(home).startswith("dlx-template-"):
                import shutil

                shutil.rmtree(home, ignore_errors=True)
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
        try:
            ctrl.sendall(json.dumps(reply).encode() + b"\n")
        except OSError:  # the grading process has gone (Ctrl-C): nothing to answer
            return


def main() -> None:
    if sys.argv[1] == "--template":
        serve_template(int(sys.argv[2]), [n for n in sys.argv[3].split(",") if n], sys.argv[4:5] != ["--private"])
    else:
        run_worker(int(sys.argv[1]), int(sys.argv[2]))
    os._exit(0)


if __name__ == "__main__":
    main()
