"""The fork server: a warm process that imports the heavy modules once and forks one fresh worker per request."""
from __future__ import annotations

import os
import signal

from .protocol import FORK, FORK_SERVER_HOME
from .namespaces import enter_shared_namespaces
from .serve import run_worker


def run_fork_server(ctrl_fd: int, preload: list[str], shared_namespaces: bool = True) -> None:
    """Import the heavy modules once, then fork one fresh worker per request (see :mod:`protocol`).

    Requests arrive on a Unix socket as one JSON line each; ``fork`` carries the
    worker's three descriptors (commands, replies, output) and is answered with
    the child's pid; ``status`` answers a child's exit status once it has ended.
    The fork server runs no student code; each child starts its own session and
    sandboxes itself exactly as a spawned worker does.  The fork server enters the
    namespaces every worker can share (network, IPC; a user namespace when not
    root) once, so that its workers do not pay for them.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grading process's to handle; it closes us
    import json
    import socket

    for name in preload:
        __import__(name)
    inherited = enter_shared_namespaces() if shared_namespaces else {}
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

    pending, held = b"", []  # requests are JSON lines; several may come in one read (processes share the socket)
    while True:
        message, fds, _, _ = socket.recv_fds(ctrl, 4096, 3)
        if not message:  # the grading process has gone (perhaps without cleaning up): tidy up our folder
            home = os.getcwd()
            if os.path.basename(home).startswith(FORK_SERVER_HOME):
                import shutil

                shutil.rmtree(home, ignore_errors=True)
            return
        held += fds
        *lines, pending = (pending + message).split(b"\n")
        for line in lines:
            request = json.loads(line)
            reap()
            if request["op"] == FORK:
                fds, held = held[:3], held[3:]  # a fork request's descriptors came with it
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
                        run_worker(cmd_fd, reply_fd, inherited)
                    finally:
                        os._exit(0)
                for fd in fds:
                    os.close(fd)
                reply = {"pid": pid}
            else:
                reply = {"status": ended.pop(request["pid"], None)}
            reply["id"] = request.get("id")  # which request this answers
            try:
                ctrl.sendall(json.dumps(reply).encode() + b"\n")
            except OSError:  # the grading process has gone (Ctrl-C): nothing to answer
                return
