"""Starting, talking to and killing a sandboxed worker process."""
from __future__ import annotations

import atexit
import os
import select
import mmap
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from . import wire

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
WORKER_BROKEN = 70  # worker.WORKER_BROKEN
NOBODY = 65534
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "SYSTEMROOT")
# Imported before the worker drops its privileges, so that code which uses them
# needs no file the unprivileged user may be unable to read.
PRELOAD = ("numpy", "numpy.linalg", "numpy.random", "numpy.fft", "math", "cmath", "copy", "itertools",
           "functools", "collections", "dataclasses", "typing", "random", "statistics", "numbers", "heapq",
           "bisect", "enum", "abc", "re", "time", "contextlib", "operator", "decimal", "fractions")
THREAD_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS")


@dataclass
class Limits:
    """What one submission may use."""

    call_timeout_s: float = 5.0
    total_timeout_s: float = 30.0
    cpu_s: int = 30
    memory_bytes: int = 3 * 2**30
    file_bytes: int = 16 * 2**20
    disk_bytes: int = 64 * 2**20  # everything the worker writes, together (its folder is a tmpfs of this size)
    open_files: int = 64
    processes: int = 0
    output_bytes: int = 32 * 1024
    max_restarts: int = 3
    max_timeouts: int = 2


@dataclass
class WorkerSpec:
    """What a worker loads and which guards it installs."""

    source: str
    filename: str
    module: str
    limits: Limits = field(default_factory=Limits)
    blocked_imports: tuple[str, ...] = ("torch", "jax", "tensorflow", "autograd", "mxnet", "paddle")
    preload: tuple[str, ...] = PRELOAD
    # For the project's own tests only: switch named layers off to prove that the others hold
    # ("guard", "seccomp", "nproc", "rlimits", "uid", "mountns", "pidns", "netns", "ipcns", "userns").
    layers_off: tuple[str, ...] = ()


class SandboxError(Exception):
    """Something went wrong in or with the student's code; ``str()`` is the message for the student."""


class StudentException(SandboxError):
    """The student's code raised an exception."""

    def __init__(self, exc_type: str, message: str, frames: list, where: str, detail: str = "",
                 exc_types: tuple[str, ...] = ()):
        self.exc_type, self.message, self.frames, self.detail = exc_type, message, frames, detail
        self.exc_types = exc_types or (exc_type,)  # the class and its bases, by name: `"ValueError" in exc.exc_types`
        location = ""
        if frames:
            line, func, text = frames[-1]
            location = f" ({where}, line {line}, in {func}: `{text}`)" if text else f" ({where}, line {line})"
        super().__init__(f"{message}{location}")


class StudentMissing(SandboxError):
    """A name the suite needs is not defined in the student's file."""


class StudentLoadError(SandboxError):
    """The student's file could not be executed."""


class StudentTimeout(SandboxError):
    """A call or the whole submission ran out of time."""


class StudentCrash(SandboxError):
    """The worker died: exit, signal, resource limit, or broken protocol."""


class StudentBadValue(SandboxError):
    """A value came back that cannot cross the boundary."""


class _OutputTap(threading.Thread):
    """Drains the worker's stdout/stderr, keeping the first ``cap`` bytes."""

    def __init__(self, stream: Any, cap: int):
        super().__init__(daemon=True)
        self.stream, self.cap = stream, cap
        self.kept = bytearray()
        self.dropped = 0

    def run(self) -> None:
        try:
            while chunk := self.stream.read1(65536):
                room = self.cap - len(self.kept)
                self.kept += chunk[:max(room, 0)]
                self.dropped += max(len(chunk) - max(room, 0), 0)
        except (OSError, ValueError):
            pass

    def text(self) -> str:
        out = self.kept.decode("utf-8", "replace")
        return out + (f"\n... ({self.dropped} more bytes of output dropped)" if self.dropped else "")


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


def remove_tree(path: str) -> None:
    """Delete ``path`` and everything in it, however deep, whatever its permissions; never raises.

    Iterative (no recursion limit) and without following symbolic links.
    """
    stack = [(path, False)]
    while stack:
        top, emptied = stack.pop()
        if emptied:
            _remove_one(top)
            continue
        stack.append((top, True))
        try:
            os.chmod(top, 0o700)
            entries = list(os.scandir(top))
        except OSError:
            continue
        for entry in entries:
            try:
                folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                folder = False
            if folder:
                stack.append((entry.path, False))
            else:
                _remove_one(entry.path)


def _remove_one(path: str) -> None:
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            os.rmdir(path)
        else:
            os.unlink(path)
    except OSError:
        pass


SHARED_NAMESPACE_LAYERS = ("netns", "ipcns", "userns")
# Packages that come with a blocked one and would give it away.
COMPANIONS = {"torch": ("functorch", "torchgen")}


@lru_cache(maxsize=None)
def package_locations(names: tuple[str, ...]) -> tuple[str, ...]:
    """Where the packages ``names`` (and their companions) are installed; nothing is imported."""
    from importlib.machinery import PathFinder

    found = []
    for name in names:
        for module in (name, *COMPANIONS.get(name, ())):
            try:
                spec = PathFinder.find_spec(module)
            except (ImportError, ValueError):
                continue
            if spec is None:
                continue
            if spec.submodule_search_locations:
                found.extend(spec.submodule_search_locations)
            elif spec.origin and os.path.isfile(spec.origin):
                found.append(spec.origin)
    return tuple(os.path.realpath(p) for p in found)


@lru_cache(maxsize=None)
def grader_copies() -> tuple[Path, ...]:
    """Every copy of the grader a worker could see: the one running, a checkout, and those installed on this
    interpreter's paths or anywhere in the Python installations the worker's root holds."""
    import site

    roots = {Path(__file__).resolve().parents[2]}
    # The worker's new root holds whole Python installations, not only this interpreter's paths: a venv's
    # base installation, or the system's, may hold another copy of dlx.
    installations = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, "/usr", "/usr/local"}
    patterns = ("lib*/python3*/site-packages", "lib*/python3*/dist-packages")
    packages = [str(p) for base in installations for pattern in patterns for p in Path(base).glob(pattern)]
    for entry in [*sys.path, *site.getsitepackages(), site.getusersitepackages(), *packages]:
        if entry and (Path(entry) / "grader" / "sandbox" / "worker.py").is_file():
            roots.add(Path(entry).resolve())
    return tuple(sorted(roots))


def hidden_paths(blocked_imports: tuple[str, ...] = ()) -> list[str]:
    """What a worker must not see: the hidden suites and the solutions (of every copy of the grader on the
    interpreter's paths), the gradebook, and the blocked packages."""
    from .. import paths

    found: list[Path | str] = [paths.SUITES_DIR, paths.solutions_dir()]
    for root in grader_copies():
        found += [root / "grader" / "suites", root / "grader" / "bank" / "solutions", root / "solutions"]
    home = os.environ.get("DLX_HOME")
    found.append(Path(home).expanduser() if home else Path(paths.platformdirs.user_data_dir("dlx", appauthor=False)))
    found += package_locations(tuple(blocked_imports))
    return sorted({os.path.realpath(p) for p in found})


@lru_cache(maxsize=None)
def protect_grader() -> bool:
    """Make the grading process non-dumpable when dlx is not root: a worker of the same user that can see
    /proc (no mount namespace) can then neither read nor write its memory, environment or files there."""
    if os.geteuid() == 0:
        return False
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0) == 0  # PR_SET_DUMPABLE 0
    except (OSError, AttributeError):
        return False


def worker_env(workdir: str) -> dict[str, str]:
    """A scrubbed environment: no secrets, no PYTHON* variables, BLAS pinned to one thread."""
    env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
    env.update({k: "1" for k in THREAD_ENV})
    env.update(HOME=workdir, TMPDIR=workdir, PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
    return env


class _Spawned:
    """A worker started as a new interpreter."""

    def __init__(self, cmd_r: int, reply_w: int, workdir: str):
        self.popen = subprocess.Popen(
            [sys.executable, "-I", "-B", str(WORKER_SCRIPT), str(cmd_r), str(reply_w)],
            pass_fds=(cmd_r, reply_w), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, env=worker_env(workdir), cwd=workdir, start_new_session=True,
        )
        self.pid, self.output = self.popen.pid, self.popen.stdout

    def wait(self, timeout: float) -> int | None:
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None


class _Forked:
    """A worker forked from a warm :class:`Template`."""

    def __init__(self, template: "Template", cmd_r: int, reply_w: int):
        out_r, out_w = os.pipe()
        try:
            self.pid = template.fork((cmd_r, reply_w, out_w))
        finally:
            os.close(out_w)
        self.template, self.output = template, open(out_r, "rb")
        self.exit_code: int | None = None

    def wait(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while self.exit_code is None and time.monotonic() <= deadline:
            self.exit_code = self.template.status(self.pid)
            if self.exit_code is None:
                time.sleep(0.005)
        return self.exit_code


class Template:
    """A warm process that has imported NumPy (and friends) once and forks a fresh worker per submission.

    Forking skips the interpreter start and the imports, which dominate the
    cost of a worker. The template runs no student code itself.
    """

    def __init__(self, preload: tuple[str, ...], shared_namespaces: bool = True):
        import socket

        self.preload = preload
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.home = tempfile.mkdtemp(prefix="dlx-template-")
        try:
            self.popen = subprocess.Popen(
                [sys.executable, "-I", "-B", str(WORKER_SCRIPT), "--template", str(theirs.fileno()),
                 ",".join(preload), *([] if shared_namespaces else ["--private"])],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=worker_env(self.home), cwd=self.home,
                start_new_session=True,
            )
        except BaseException:
            self.sock.close()
            remove_tree(self.home)
            raise
        finally:
            theirs.close()
        self.lock = threading.Lock()
        self.buffer = b""

    def _ask(self, request: dict, fds: tuple[int, ...] = ()) -> dict:
        import json
        import socket

        with self.lock:
            if fds:
                socket.send_fds(self.sock, [json.dumps(request).encode()], list(fds))
            else:
                self.sock.sendall(json.dumps(request).encode())
            while b"\n" not in self.buffer:
                chunk = self.sock.recv(4096)
                if not chunk:
                    raise OSError("the worker template has stopped")
                self.buffer += chunk
            line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)

    def fork(self, fds: tuple[int, int, int]) -> int:
        return int(self._ask({"op": "fork"}, fds)["pid"])

    def status(self, pid: int) -> int | None:
        return self._ask({"op": "status", "pid": pid})["status"]

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def close(self) -> None:
        self.sock.close()
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.popen.kill()
        remove_tree(self.home)


_templates: dict[tuple, Template] = {}
_templates_lock = threading.Lock()


def use_templates(enabled: bool = True) -> None:
    """Fork workers from warm templates from now on (batch grading, test suites), or stop doing so."""
    global _templates_enabled
    _templates_enabled = enabled
    if not enabled:
        with _templates_lock:
            for template in _templates.values():
                template.close()
            _templates.clear()


_templates_enabled = False


def _template_for(preload: tuple[str, ...], shared_namespaces: bool = True) -> Template | None:
    if not _templates_enabled:
        return None
    key = (preload, shared_namespaces)
    with _templates_lock:
        template = _templates.get(key)
        if template is None or not template.alive:
            template = _templates[key] = Template(preload, shared_namespaces)
        return template


atexit.register(use_templates, False)


class WorkerProcess:
    """One live worker running one student file."""

    def __init__(self, spec: WorkerSpec):
        self.spec = spec
        protect_grader()
        self.workdir = tempfile.mkdtemp(prefix="dlx-work-")
        uid, self.uid_lock = lease_uid()
        self.uid = uid
        cmd_r, self.cmd_w = os.pipe()
        self.reply_r, reply_w = os.pipe()
        try:
            if uid is not None:
                os.chown(self.workdir, uid, uid)
            template = _template_for(spec.preload, not set(spec.layers_off) & set(SHARED_NAMESPACE_LAYERS))
            self.proc: _Spawned | _Forked = (_Forked(template, cmd_r, reply_w) if template
                                             else _Spawned(cmd_r, reply_w, self.workdir))
        except BaseException:  # nothing of a worker that did not start stays behind
            for fd in (self.cmd_w, self.reply_r, *([self.uid_lock] if self.uid_lock is not None else [])):
                os.close(fd)
            remove_tree(self.workdir)
            raise
        finally:
            os.close(cmd_r)
            os.close(reply_w)
        self.tap = _OutputTap(self.proc.output, spec.limits.output_bytes)
        self.tap.start()
        self.alive = True
        limits = spec.limits
        config = {
            "source": spec.source, "filename": spec.filename, "module": spec.module, "cwd": self.workdir,
            "preload": list(spec.preload), "blocked_imports": list(spec.blocked_imports), "uid": uid,
            "hide": hidden_paths(spec.blocked_imports), "layers_off": list(spec.layers_off),
            "limits": {"cpu_s": limits.cpu_s, "memory_bytes": limits.memory_bytes, "file_bytes": limits.file_bytes,
                       "open_files": limits.open_files, "processes": limits.processes,
                       "disk_bytes": limits.disk_bytes},
        }
        self._send(wire.encode(config))

    def _send(self, frame: bytes) -> None:
        try:
            wire.write_frame(self.cmd_w, frame)
        except OSError:
            pass  # a dead worker is noticed when its reply does not come

    def request(self, message: dict, timeout: float, encode_other: Callable[[Any], dict],
                decode_handle: Callable[[dict], Any]) -> dict:
        """Send one request and wait for its reply, at most ``timeout`` seconds."""
        self._send(wire.encode(message, on_other=encode_other))
        return self.reply(timeout, decode_handle)

    def reply(self, timeout: float, decode_handle: Callable[[dict], Any] | None = None) -> dict:
        deadline = time.monotonic() + timeout
        try:
            header = self._read(8, deadline)
            (n,) = wire._HEADER.unpack(header)
            if n > wire.MAX_FRAME_BYTES + (1 << 20):
                raise wire.WireError("reply too large")
            # decoding counts against the deadline, and checks every limit before it allocates
            reply = wire.decode(self._read(n, deadline, wire.check_head), on_handle=decode_handle, deadline=deadline)
            if not isinstance(reply, dict) or "ok" not in reply:
                raise wire.WireError("malformed reply")
            return reply
        except TimeoutError:
            self.kill()
            raise StudentTimeout(f"did not finish within {timeout:.0f} s (an infinite loop, or far too slow?)") from None
        except EOFError:
            raise StudentCrash(self._death()) from None
        except wire.WireError as exc:
            self.kill()
            raise StudentCrash(f"your result could not be read: the worker running your code sent back a "
                               f"malformed reply ({exc})") from None

    def _read(self, n: int, deadline: float, check: Callable[[bytes], None] | None = None) -> mmap.mmap | bytes:
        """``n`` bytes; ``check`` sees the first 8 before the rest is read (and may refuse them)."""
        # Anonymous pages cost nothing until written: a size that is announced but never sent uses no memory.
        data = mmap.mmap(-1, n) if n else b""
        view = memoryview(data)
        if check is not None and n >= 8:
            self._fill(view[:8], deadline)
            check(bytes(view[:8]))
            self._fill(view[8:], deadline)
        else:
            self._fill(view, deadline)
        return data

    def _fill(self, view: memoryview, deadline: float) -> None:
        n, done = len(view), 0
        while done < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.reply_r], [], [], left)[0]:
                raise TimeoutError
            got = os.readv(self.reply_r, [view[done:done + (1 << 20)]])
            if not got:
                raise EOFError
            done += got

    def _death(self) -> str:
        code = self.proc.wait(timeout=2)
        self.kill()
        if code is None:
            return "the worker running your code stopped answering"
        if code < 0:
            sig = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            why = {"SIGXCPU": " (CPU time limit reached)", "SIGSEGV": " (segmentation fault)",
                   "SIGKILL": " (killed: memory or time limit?)", "SIGXFSZ": " (file size limit reached)"}.get(sig, "")
            return f"the process running your code was killed by {sig}{why}"
        if code == WORKER_BROKEN:
            return ("the worker running your code broke down after your code changed something it relies on "
                    "(Python's built-ins, or a module such as numpy)")
        return f"the process running your code exited with status {code} (sys.exit or os._exit in your code?)"

    def kill(self) -> None:
        """Kill the worker and everything in its session, then clean up."""
        if not self.alive:
            return
        self.alive = False
        for kill in (os.killpg, os.kill):  # the whole session; the pid too, in case it has no session yet
            try:
                kill(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.proc.wait(timeout=5)
        for fd in (self.cmd_w, self.reply_r):
            try:
                os.close(fd)
            except OSError:
                pass
        self.tap.join(timeout=1)
        remove_tree(self.workdir)
        if self.uid_lock is not None:  # only now (the worker's processes are gone) may another worker have its uid
            os.close(self.uid_lock)
            self.uid_lock = None

    def close(self) -> None:
        """Ask the worker to exit, then make sure it did."""
        if self.alive:
            self._send(wire.encode({"op": "exit"}))
        self.kill()
