"""Starting worker processes: a new interpreter each, or a fork of a warm fork server."""
from __future__ import annotations

import atexit
import os
import subprocess
import sys
import tempfile
import threading
import time
from functools import lru_cache
from pathlib import Path

from .protocol import FORK, FORK_SERVER_HOME, STATUS

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "SYSTEMROOT")
THREAD_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS")
SHARED_NAMESPACE_LAYERS = ("netns", "ipcns", "userns")  # entered once by a fork server, for all its workers


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


class Spawned:
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


class Forked:
    """A worker forked from a warm :class:`ForkServer`."""

    def __init__(self, server: "ForkServer", cmd_r: int, reply_w: int):
        out_r, out_w = os.pipe()
        try:
            self.pid = server.fork((cmd_r, reply_w, out_w))
        finally:
            os.close(out_w)
        self.server, self.output = server, open(out_r, "rb")
        self.exit_code: int | None = None

    def wait(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while self.exit_code is None and time.monotonic() <= deadline:
            self.exit_code = self.server.status(self.pid)
            if self.exit_code is None:
                time.sleep(0.005)
        return self.exit_code


class ForkServer:
    """A warm process that has imported NumPy (and friends) once and forks a fresh worker per submission.

    Forking skips the interpreter start and the imports, which dominate the
    cost of a worker. The fork server runs no student code itself (see grader/sandbox/forkserver.py).
    """

    def __init__(self, preload: tuple[str, ...], shared_namespaces: bool = True):
        import socket

        self.preload = preload
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.home = tempfile.mkdtemp(prefix=FORK_SERVER_HOME)
        # Processes forked from ours (the warm grader's children, see grader/daemon.py) share the socket: a
        # record lock (per process, unlike flock) on this unnamed file makes each question and its answer one turn.
        self.turns = tempfile.TemporaryFile()
        try:
            self.popen = subprocess.Popen(
                [sys.executable, "-I", "-B", str(WORKER_SCRIPT), "--fork-server", str(theirs.fileno()),
                 ",".join(preload), *([] if shared_namespaces else ["--private"])],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=worker_env(self.home), cwd=self.home,
                start_new_session=True,
            )
        except BaseException:
            self.sock.close()
            self.turns.close()
            remove_tree(self.home)
            raise
        finally:
            theirs.close()
        self.owner = os.getpid()
        self.lock = threading.Lock()
        self.buffer = b""
        self.asked = 0

    def _ask(self, request: dict, fds: tuple[int, ...] = ()) -> dict:
        """Send one request and wait for its answer. Each request has an id the fork server echoes: an answer left
        unread by an interrupted process (Ctrl-C) that shares the socket is skipped by the next one."""
        import fcntl
        import json
        import socket

        self.asked += 1
        request = {**request, "id": f"{os.getpid()}-{self.asked}-{os.urandom(4).hex()}"}
        with self.lock:
            fcntl.lockf(self.turns, fcntl.LOCK_EX)
            try:
                line = json.dumps(request).encode() + b"\n"
                if fds:
                    socket.send_fds(self.sock, [line], list(fds))
                else:
                    self.sock.sendall(line)
                while True:
                    while b"\n" not in self.buffer:
                        chunk = self.sock.recv(4096)
                        if not chunk:
                            raise OSError("the fork server has stopped")
                        self.buffer += chunk
                    answer, _, self.buffer = self.buffer.partition(b"\n")
                    reply = json.loads(answer)
                    if reply.get("id") == request["id"]:
                        return reply
            finally:
                fcntl.lockf(self.turns, fcntl.LOCK_UN)

    def fork(self, fds: tuple[int, int, int]) -> int:
        return int(self._ask({"op": FORK}, fds)["pid"])

    def status(self, pid: int) -> int | None:
        return self._ask({"op": STATUS, "pid": pid})["status"]

    @property
    def alive(self) -> bool:
        if os.getpid() == self.owner:
            return self.popen.poll() is None
        return process_running(self.popen.pid)  # in a forked copy the fork server is not our child: it cannot be waited for

    def close(self) -> None:
        self.sock.close()
        self.turns.close()
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.popen.kill()
        remove_tree(self.home)


def process_running(pid: int) -> bool:
    """Whether process ``pid`` runs (exists and is not a zombie), by /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rpartition(b")")[2].split()[0] != b"Z"
    except (OSError, IndexError):
        return False


_fork_servers: dict[tuple, ForkServer] = {}
_fork_servers_lock = threading.Lock()
_fork_servers_enabled = False


def use_fork_servers(enabled: bool = True) -> None:
    """Fork workers from warm fork servers from now on (batch grading, test suites), or stop doing so."""
    global _fork_servers_enabled
    _fork_servers_enabled = enabled
    if not enabled:
        with _fork_servers_lock:
            for server in _fork_servers.values():
                server.close()
            _fork_servers.clear()


def fork_server_for(preload: tuple[str, ...], shared_namespaces: bool = True) -> ForkServer | None:
    """The live fork server for these imports (started if needed), or None when workers are spawned."""
    if not _fork_servers_enabled:
        return None
    key = (preload, shared_namespaces)
    with _fork_servers_lock:
        server = _fork_servers.get(key)
        if server is None or not server.alive:
            server = _fork_servers[key] = ForkServer(preload, shared_namespaces)
        return server


atexit.register(use_fork_servers, False)


def start_worker(preload: tuple[str, ...], layers_off: tuple[str, ...], cmd_r: int, reply_w: int,
                 workdir: str) -> Spawned | Forked:
    """A new worker process: forked from the fork server for ``preload`` when fork servers are in use, else
    spawned (also when a shared namespace is switched off: a fork server would have entered it)."""
    server = fork_server_for(preload, not set(layers_off) & set(SHARED_NAMESPACE_LAYERS))
    return Forked(server, cmd_r, reply_w) if server else Spawned(cmd_r, reply_w, workdir)
