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

from ..i18n import _
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
# Written by the worker to its output once its own start-up is over: what comes before is not the student's.
STARTUP_MARKER = b"\x00dlx: the student's code starts here\x00\n"
THREAD_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS")


@dataclass
class Limits:
    """What one submission may use.

    The time limits count the CPU time of the student's code, from the moment the
    worker has finished its own start-up (interpreter, NumPy, torch), so that a
    correct file gets the same verdict on an idle machine and on a busy one.
    Code that waits instead of computing (``time.sleep``, a blocked read) is
    stopped after ``wall_factor`` times the call's CPU limit of wall-clock time,
    not counting the time it waited for a CPU (see :class:`_Clock`).
    """

    call_timeout_s: float = 5.0  # CPU seconds for one call (or for loading the file)
    total_timeout_s: float = 30.0  # CPU seconds for all the calls of one grading
    wall_factor: float = 3.0  # a call that waits is stopped after wall_factor * its CPU limit
    startup_timeout_s: float = 180.0  # the worker's own start-up (not the student's time), measured like waiting
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
            location = (_(" ({file}, line {line}, in {function}: `{code}`)")
                .format(file=where, line=line, function=func,
                                                                                    code=text) if text
                        else _(" ({file}, line {line})").format(file=where, line=line))
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
    """Drains the worker's stdout/stderr, keeping the first ``cap`` bytes the student's code printed.

    What the worker printed during its own start-up (e.g. torch's messages about
    the machine), up to :data:`STARTUP_MARKER`, is not the student's and is
    dropped.
    """

    def __init__(self, stream: Any, cap: int):
        super().__init__(daemon=True)
        self.stream, self.cap = stream, cap
        self.kept = bytearray()
        self.dropped = 0
        self.startup: bytearray | None = bytearray()  # the worker's own output (its last 4 KiB) until the marker

    def run(self) -> None:
        try:
            while self.startup is not None and (chunk := self.stream.read1(65536)):
                self.startup += chunk
                _, marker, rest = self.startup.partition(STARTUP_MARKER)
                if marker:
                    self.startup = None
                    self._keep(bytes(rest))
                else:
                    del self.startup[:max(len(self.startup) - 4096 - len(STARTUP_MARKER), 0)]
            while chunk := self.stream.read1(65536):
                self._keep(chunk)
        except (OSError, ValueError):
            pass

    def _keep(self, chunk: bytes) -> None:
        room = max(self.cap - len(self.kept), 0)
        self.kept += chunk[:room]
        self.dropped += max(len(chunk) - room, 0)

    def text(self) -> str:
        out = self.kept.decode("utf-8", "replace")
        return out + (f"\n... ({self.dropped} more bytes of output dropped)" if self.dropped else "")


def process_tree_times(pid: int) -> tuple[float, float] | None:
    """Seconds of CPU used, and seconds spent waiting for a CPU, so far by process ``pid`` and its descendants.

    Read from /proc: ``stat`` (user and system time, all threads, and reaped
    children) and ``schedstat`` (time runnable but not running, i.e. the
    machine's load).  The descendants count because with a PID namespace the
    student's code runs in a grandchild of the process the grader started.
    None where /proc cannot tell (another system, or the process has gone).
    """
    ticks, delay, pending, seen = 0, 0, [pid], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            with open(f"/proc/{current}/stat", "rb") as f:
                fields = f.read().rpartition(b")")[2].split()
            ticks += sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
        except (OSError, ValueError, IndexError):
            if current == pid:
                return None
            continue
        try:
            with open(f"/proc/{current}/schedstat", "rb") as f:
                delay += int(f.read().split()[1])  # nanoseconds on a run queue, waiting for a CPU
        except (OSError, ValueError, IndexError):
            pass
        try:
            with open(f"/proc/{current}/task/{current}/children", "rb") as f:
                pending += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            pass
    return ticks / _CLOCK_TICKS, delay / 1e9


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class _Clock:
    """The time limit of one request, the same on an idle machine and on a busy one.

    Two limits: ``cpu_s`` seconds of the worker's CPU time (code that computes
    too long), and ``wall_s`` seconds of wall-clock time *not spent waiting for
    a CPU* (code that waits: sleeps, blocked reads).  Time the worker was ready
    to run while other processes had the CPUs is the machine's load and counts
    for neither, up to a backstop of ``OVERLOAD_FACTOR * wall_s`` plain wall
    seconds.  Where /proc cannot tell, the wall clock stands in for both.
    """

    OVERLOAD_FACTOR = 10

    def __init__(self, pid: int, cpu_s: float, wall_s: float, start: tuple[float, float] | None = None):
        """``start``: the worker's times when it last sat idle (read now if not given)."""
        self.pid, self.cpu_s, self.wall_s = pid, cpu_s, wall_s
        self.start_wall, self.start = time.monotonic(), start or process_tree_times(pid)
        self.last = self.start
        self.expired = ""  # "cpu", "wall" or "overload" once a limit is reached

    def used(self) -> tuple[float, float]:
        """CPU seconds, and wall seconds less the time spent waiting for a CPU, since the request was sent."""
        wall = time.monotonic() - self.start_wall
        now = self.last = process_tree_times(self.pid) if self.start is not None else None
        if now is None or self.start is None:
            return wall, wall
        return max(now[0] - self.start[0], 0.0), max(wall - (now[1] - self.start[1]), 0.0)

    def next_wait(self) -> float:
        """How long to wait before looking again (a limit cannot be reached sooner); 0 once one is reached."""
        cpu, wall = self.used()
        backstop = self.OVERLOAD_FACTOR * self.wall_s - (time.monotonic() - self.start_wall)
        if cpu >= self.cpu_s:
            self.expired = "cpu"
        elif wall >= self.wall_s:
            self.expired = "wall"
        elif backstop <= 0:
            self.expired = "overload"
        return 0.0 if self.expired else max(min(self.cpu_s - cpu, self.wall_s - wall, backstop), 0.02)

    def timeout_message(self) -> str:
        if self.expired == "cpu":
            return _("did not finish within {seconds} s of CPU time (an infinite loop, or far too slow?)").format(
                seconds=f"{self.cpu_s:g}")
        cpu, _wall = self.used()
        if self.expired == "overload":
            return _("did not finish within {seconds} s: the machine is too busy to grade (your code got only {cpu} s "
                     "of CPU time in them)").format(seconds=f"{self.OVERLOAD_FACTOR * self.wall_s:g}", cpu=f"{cpu:.1f}")
        return _("did not finish within {seconds} s, and computed for only {cpu} s of them: it was waiting "
                 "(time.sleep, input(), a blocked read?)").format(seconds=f"{self.wall_s:g}", cpu=f"{cpu:.1f}")


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
        self.idle_times: tuple[float, float] | None = None  # the worker's times when it last sat waiting for a request
        self.last_cpu_s = 0.0
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

    def started(self) -> None:
        """Wait for the worker's own start-up (its imports and walls) to end: the student's time starts then.

        The worker says so before it runs any student code, so the message is
        the grader's own.  A worker that does not start is the grader's
        failure, never counted against the student.  Called by the first :meth:`reply` if not before.
        """
        if self.idle_times is not None or not self.alive:
            return
        timeout = self.spec.limits.startup_timeout_s
        clock = _Clock(self.proc.pid, float("inf"), timeout)
        try:
            if self._frame(clock) != {"started": True}:
                raise wire.WireError("no start-up message")
        except TimeoutError:
            self.kill()
            raise StudentCrash(_("the grader's worker did not start within {seconds} s (the machine is overloaded?); "
                                 "your code was not run").format(seconds=f"{timeout:g}")) from None
        except (EOFError, wire.WireError) as exc:
            self.proc.wait(timeout=2)
            self.kill()
            last = (bytes(self.tap.startup or b"").decode("utf-8", "replace").strip().splitlines() or [""])[-1]
            raise StudentCrash(_("the grader's worker failed to start ({reason}); your code was not run").format(
                reason=exc or _("it ended")) + (f": {last[:300]}" if last else "")) from None
        self.idle_times = process_tree_times(self.proc.pid) or (0.0, 0.0)  # the student's time starts here

    def request(self, message: dict, cpu_s: float, encode_other: Callable[[Any], dict],
                decode_handle: Callable[[dict], Any]) -> dict:
        """Send one request and wait for its reply, within ``cpu_s`` CPU seconds."""
        self._send(wire.encode(message, on_other=encode_other))
        return self.reply(cpu_s, decode_handle)

    def reply(self, cpu_s: float, decode_handle: Callable[[dict], Any] | None = None) -> dict:
        """The next reply, within ``cpu_s`` CPU seconds and ``wall_factor`` times that of waiting (see :class:`_Clock`).

        :attr:`last_cpu_s` is then the CPU time the worker used for it.
        """
        self.started()
        clock = _Clock(self.proc.pid, cpu_s, cpu_s * self.spec.limits.wall_factor, self.idle_times)
        try:
            reply = self._frame(clock, decode_handle)
            if not isinstance(reply, dict) or "ok" not in reply:
                raise wire.WireError("malformed reply")
            self.last_cpu_s, _wall = clock.used()
            self.idle_times = clock.last  # CPU the student's code uses between requests counts for the next one
            return reply
        except TimeoutError:
            message = clock.timeout_message()
            self.kill()
            raise StudentTimeout(message) from None
        except EOFError:
            raise StudentCrash(self._death()) from None
        except wire.WireError as exc:
            self.kill()
            raise StudentCrash(_("your result could not be read: the worker running your code sent back a "
                                 "malformed reply ({reason})").format(reason=exc)) from None

    def _frame(self, clock: _Clock, decode_handle: Callable[[dict], Any] | None = None) -> Any:
        """One frame from the worker: its header, then its body, read within the clock's limits."""
        (n,) = wire._HEADER.unpack(self._read(8, clock))
        if n > wire.MAX_FRAME_BYTES + (1 << 20):
            raise wire.WireError("reply too large")
        body = self._read(n, clock, wire.check_head)
        # decoding is bounded in time too, and checks every limit before it allocates
        return wire.decode(body, on_handle=decode_handle, deadline=time.monotonic() + clock.wall_s)

    def _read(self, n: int, clock: _Clock, check: Callable[[bytes], None] | None = None) -> mmap.mmap | bytes:
        """``n`` bytes; ``check`` sees the first 8 before the rest is read (and may refuse them)."""
        # Anonymous pages cost nothing until written: a size that is announced but never sent uses no memory.
        data = mmap.mmap(-1, n) if n else b""
        view = memoryview(data)
        if check is not None and n >= 8:
            self._fill(view[:8], clock)
            check(bytes(view[:8]))
            self._fill(view[8:], clock)
        else:
            self._fill(view, clock)
        return data

    def _fill(self, view: memoryview, clock: _Clock) -> None:
        n, done = len(view), 0
        while done < n:
            while not select.select([self.reply_r], [], [], clock.next_wait())[0]:
                if clock.expired:
                    raise TimeoutError
            got = os.readv(self.reply_r, [view[done:done + (1 << 20)]])
            if not got:
                raise EOFError
            done += got

    def _death(self) -> str:
        code = self.proc.wait(timeout=2)
        self.kill()
        if code is None:
            return _("the worker running your code stopped answering")
        if code < 0:
            sig = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            why = {"SIGXCPU": _(" (CPU time limit reached)"), "SIGSEGV": _(" (segmentation fault)"),
                   "SIGKILL": _(" (killed: memory or time limit?)"),
                   "SIGXFSZ": _(" (file size limit reached)")}.get(sig, "")
            return _("the process running your code was killed by {signal}{why}").format(signal=sig, why=why)
        if code == WORKER_BROKEN:
            return _("the worker running your code broke down after your code changed something it relies on "
                     "(Python's built-ins, or a module such as numpy)")
        return _("the process running your code exited with status {code} (sys.exit or os._exit in your code?)").format(
            code=code)

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
