"""The warm grader: a per-user process that has loaded dlx, NumPy, pytest and rich and keeps a warm NumPy fork
server, so that `dlx grade` answers in a fraction of the cold start-up (like Gradle's daemon, Android's zygote).

``python -m grader.daemon`` (started in the background by :func:`grader.daemon_client.start_daemon`) listens on a
Unix socket in the user's private folder. Only processes of its own user are served (SO_PEERCRED). Per command
it forks a child, which takes the client's stdin, stdout and stderr, argv, folder and environment, sets up what a
run depends on (streams, terminal, language) afresh, runs the click command exactly as the cold path does, and
answers its exit code. A child leaves with ``os._exit``: the warm grader's ``atexit`` handlers (which close the
shared fork servers) are never run in it.

The warm grader exits after ``DLX_DAEMON_IDLE`` seconds without a command (default 15 minutes), on
`dlx daemon stop`, and when its code is stale: a file of dlx, its exercises or references, or a folder of
``sys.path`` changed since it started (it answers "stale", and the client runs the command cold).
"""
from __future__ import annotations

import fcntl
import gc
import os
import signal
import socket
import struct
import sys
import time
from typing import Any

from .daemon_client import (HANDSHAKE_S, NotServed, forwarded_signals, identity, paths, private_folder,
                            receive_message, send_message)
from .errors import INTERRUPT_EXIT
from .startup import heavy_imports, one_blas_thread

IDLE_ENV = "DLX_DAEMON_IDLE"
DEFAULT_IDLE_S = 15 * 60
LOCK_WAIT_S = 10.0  # a warm grader that is exiting (stale) still holds the lock for a moment
POLL_S = 0.5  # how often the idle time and the children are checked
STDIO = (0, 1, 2)


def idle_limit() -> float:
    try:
        return max(float(os.environ.get(IDLE_ENV, DEFAULT_IDLE_S)), 0.0)
    except ValueError:
        return DEFAULT_IDLE_S


def code_stamp() -> list:
    """What the warm grader's code is made of: every file of dlx, its exercises and references (path, size,
    mtime), and the modification times of the folders it imports from (a package installed or removed)."""
    from .catalog_cache import stamp
    from .paths import PACKAGE_DIR, exercises_dir, solutions_dir

    folders = list(dict.fromkeys(p for p in (PACKAGE_DIR, exercises_dir(), solutions_dir()) if p.is_dir()))
    imports = []
    for entry in sys.path:
        try:
            imports.append([entry, os.stat(entry or ".").st_mtime_ns])
        except OSError:
            imports.append([entry, None])
    return [stamp(folders), imports]


def preload() -> None:
    """Load what a grading needs and do its one-off work: imports, the catalogue, rich's first rendering, pytest's
    first run (on a throwaway test file), and the NumPy fork server."""
    import tempfile
    from pathlib import Path

    with heavy_imports():
        import numpy.random  # noqa: F401
        import pytest  # noqa: F401
        import secrets  # noqa: F401  (a new seed per attempt)

        from . import cli, gradebook, plain, plugin, report, runner  # noqa: F401
        from .catalog import catalog
        from .i18n import LANGUAGES
        from .sandbox.spawn import fork_server_for, protect_grader, use_fork_servers
        from .sandbox.spec import PRELOAD

    for lang in LANGUAGES:
        catalog(lang)
    report.warm()
    with tempfile.TemporaryDirectory(prefix="dlx-daemon-") as tmp:
        probe = Path(tmp) / "test_probe.py"
        probe.write_text("def test_probe():\n    pass\n", encoding="utf-8")
        runner.run_tests(probe, None, None, 0, collect_only=True)
    protect_grader()
    use_fork_servers(True)
    fork_server_for(PRELOAD)


def warm_for(argv: list[str]) -> None:
    """Before a child is forked: the NumPy fork server, started again if it has died, and the fork server of a
    PyTorch exercise named in ``argv``, started on first use (in the warm grader, so that it stays)."""
    import importlib.util

    from .catalog import catalog
    from .runner import worker_spec
    from .sandbox.spawn import fork_server_for
    from .sandbox.spec import PRELOAD

    fork_server_for(PRELOAD)
    for exercise in catalog("en").values():
        if exercise.id in argv and exercise.requires == "torch" and importlib.util.find_spec("torch"):
            fork_server_for(worker_spec(exercise, "").preload)


class Daemon:
    """The listening socket, the children serving commands, and when to stop."""

    def __init__(self, ident: str, lock_fd: int, stamp: list):
        self.ident, self.lock_fd, self.stamp = ident, lock_fd, stamp
        self.files = paths(ident)
        self.started = time.time()
        self.last_used = time.monotonic()
        self.children: set[int] = set()
        self.served = 0
        self.stopping = False
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        path = self.files["socket"]
        try:
            os.unlink(path)  # a warm grader that died without cleaning up; we hold the lock, so no live one
        except FileNotFoundError:
            pass
        old = os.umask(0o177)
        try:
            self.server.bind(path)
        finally:
            os.umask(old)
        self.socket_id = _inode(path)
        self.server.listen(16)
        self.server.settimeout(POLL_S)
        self.write_status()

    def write_status(self) -> None:
        import json

        status = self.files["status"]
        partial = f"{status}.{os.getpid()}.tmp"
        with open(partial, "w", encoding="utf-8") as file:
            json.dump({"pid": os.getpid(), "started": self.started, "socket": self.files["socket"]}, file)
        os.replace(partial, status)

    def serve(self) -> None:
        """Answer commands until stopped, idle or stale; then wait for the children still running."""
        limit = idle_limit()
        try:
            while not self.stopping:
                self.reap()
                if not self.children and time.monotonic() - self.last_used > limit:
                    break
                try:
                    conn, _ = self.server.accept()
                except (socket.timeout, InterruptedError):
                    continue
                with conn:
                    self.answer(conn)
        finally:
            self.close_socket()
            while self.children:
                self.reap(block=True)

    def answer(self, conn: socket.socket) -> None:
        conn.settimeout(5.0)
        try:
            if _peer_uid(conn) != os.getuid():
                return
            request, fds = receive_message(conn, len(STDIO))
        except (OSError, EOFError, ValueError):
            return
        try:
            self.last_used = time.monotonic()
            op = request.get("op")
            if request.get("identity") != self.ident:
                send_message(conn, {"refused": "another identity"})
            elif op == "status":
                send_message(conn, {"pid": os.getpid(), "started": self.started, "socket": self.files["socket"],
                                    "served": self.served, "running": len(self.children)})
            elif op == "stop":
                self.stopping = True
                self.close_socket()
                send_message(conn, {"stopped": os.getpid()})
            elif op == "run" and len(fds) == len(STDIO):
                if code_stamp() != self.stamp:
                    self.stopping = True
                    self.close_socket()  # before answering: the client's new warm grader may bind at once
                    send_message(conn, {"refused": "stale"})
                    return
                self.fork(conn, request, fds)
            else:
                send_message(conn, {"refused": "bad request"})
        except OSError:
            pass
        finally:
            for fd in fds:
                os.close(fd)

    def fork(self, conn: socket.socket, request: dict, fds: list[int]) -> None:
        try:
            warm_for([str(a) for a in request.get("argv", [])])
        except Exception:  # noqa: BLE001 - only a missed warm-up; the child starts what it needs
            pass
        pid = os.fork()
        if pid == 0:
            try:
                self.server.close()
                os.close(self.lock_fd)
                run_child(conn, request, fds)
            finally:
                os._exit(1)  # a child never returns into the warm grader's loop
        self.children.add(pid)
        self.served += 1

    def reap(self, block: bool = False) -> None:
        for pid in list(self.children):
            try:
                done, _status = os.waitpid(pid, 0 if block else os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                self.children.discard(pid)
                self.last_used = time.monotonic()

    def close_socket(self) -> None:
        """Stop listening; the socket's and the status file's names are removed if they are still ours."""
        if self.server.fileno() == -1:
            return
        self.server.close()
        if _inode(self.files["socket"]) == self.socket_id:
            for name in ("socket", "status"):
                try:
                    os.unlink(self.files[name])
                except OSError:
                    pass


def _inode(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _peer_uid(conn: socket.socket) -> int:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


# --- the child: one command ---------------------------------------------------------------------------------------

def run_child(conn: socket.socket, request: dict, fds: list[int]) -> None:
    """Take over the client's streams, folder and environment, wait for its go, run the command, answer its exit
    code and leave (``os._exit``); whatever fails before the go is a refusal (the client runs it cold)."""
    code = 1
    try:
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for sig in set(request.get("ignored", [])) & {*forwarded_signals(), signal.SIGTSTP}:
            signal.signal(sig, signal.SIG_IGN)  # as in the client (nohup, a background job)
        conn.settimeout(HANDSHAKE_S)
        try:
            take_over(request, fds)
        except Exception as exc:  # noqa: BLE001 - refused: the client runs the command cold
            send_message(conn, {"refused": f"cannot take over: {exc}"})
            os._exit(0)
        send_message(conn, {"pid": os.getpid()})
        if conn.recv(1) != b"g":
            os._exit(0)
        conn.settimeout(None)
        code = run_command(request["argv"])
    except KeyboardInterrupt:  # Ctrl-C between the go and the command
        code = INTERRUPT_EXIT
    except BaseException:  # noqa: BLE001 - never let a child return into the warm grader's loop
        code = 1
    finally:
        try:
            send_message(conn, {"exit": code})
        finally:
            os._exit(0)


def take_over(request: dict, fds: list[int]) -> None:
    """Become the client's process: its stdio, folder, environment, umask, argv, and per-run state set afresh."""
    argv, env, cwd = request["argv"], request["env"], request["cwd"]
    if not (isinstance(argv, list) and argv and all(isinstance(a, str) for a in argv) and isinstance(env, dict)
            and isinstance(cwd, str)):
        raise ValueError("malformed request")
    os.chdir(cwd)
    for fd, target in zip(fds, STDIO):
        os.dup2(fd, target)
    for fd in set(fds) - set(STDIO):
        os.close(fd)  # only 0, 1 and 2 stay: the reader of a pipe sees its end when the command closes them
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in env.items()})
    time.tzset()
    os.umask(int(request.get("umask", 0o022)))
    sys.argv = list(argv)
    streams = request.get("streams") or [None] * 3
    sys.stdin = sys.__stdin__ = _reopen(0, "r", streams[0])
    sys.stdout = sys.__stdout__ = _reopen(1, "w", streams[1])
    sys.stderr = sys.__stderr__ = _reopen(2, "w", streams[2])
    from . import i18n, report

    i18n.choose(None)
    report.rebind_console()


def _reopen(fd: int, mode: str, spec: dict | None) -> Any:
    """Standard stream ``fd``, set up as the client's Python set up its own (``spec``)."""
    import io

    if spec is None:
        return None
    unbuffered = bool(spec.get("write_through"))  # python -u, PYTHONUNBUFFERED
    binary = open(fd, mode + "b", buffering=0 if unbuffered and mode == "w" else -1, closefd=False)
    return io.TextIOWrapper(binary, encoding=spec.get("encoding"), errors=spec.get("errors"),
                            line_buffering=bool(spec.get("line_buffering")), write_through=unbuffered)


def run_command(argv: list[str]) -> int:
    """Run the `dlx` command line ``argv`` as :func:`grader.launch.main` would; its exit status."""
    from .cli import main as cli
    from .i18n import _

    try:
        try:
            cli.main(args=argv[1:], prog_name=os.path.basename(argv[0]))
            code = 0
        except SystemExit as exc:
            code = _exit_status(exc.code)
        except KeyboardInterrupt:
            print("dlx: " + _("interrupted; nothing was recorded"), file=sys.stderr)
            code = INTERRUPT_EXIT
        except BaseException:  # noqa: BLE001 - what an uncaught exception does in a cold run
            import traceback

            traceback.print_exc()
            code = 1
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except KeyboardInterrupt:
        code = INTERRUPT_EXIT
    except OSError:
        code = 120  # as Python's exit when flushing the standard streams fails
    for fd in STDIO:  # the reader of a pipe sees its end now, not when this process is gone
        try:
            os.close(fd)
        except OSError:
            pass
    return code


def _exit_status(code: object) -> int:
    """The exit status of ``sys.exit(code)``, as the interpreter makes it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


# --- start-up --------------------------------------------------------------------------------------------------

def _lock(path: str) -> int | None:
    """Hold the warm grader's lock (one per identity); None if another one keeps it for :data:`LOCK_WAIT_S`."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                return None
            time.sleep(0.05)


def main() -> None:
    """Start a warm grader for this environment's identity, unless one is running; serve until it ends."""
    for sig in (signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    one_blas_thread()
    ident = identity()
    try:
        private_folder(create=True)
    except NotServed as exc:
        sys.exit(f"dlx daemon: {exc}")
    files = paths(ident)
    lock_fd = _lock(files["lock"])
    if lock_fd is None:
        return
    try:
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).connect(files["socket"])
        return  # one is serving already (started by hand, say)
    except OSError:
        pass
    stamp = code_stamp()  # before loading: a file changed meanwhile makes the first command find it stale
    preload()
    gc.collect()
    gc.freeze()  # what is loaded stays: children neither walk nor copy it when they collect
    Daemon(ident, lock_fd, stamp).serve()


if __name__ == "__main__":
    main()
