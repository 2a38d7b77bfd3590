"""Talking to a sandboxed worker process: its configuration, requests and replies within the time limits,
its output, and its end (see :mod:`protocol`)."""
from __future__ import annotations

import mmap
import os
import select
import signal
import tempfile
import threading
import time
from typing import Any, Callable

from ..i18n import _
from . import wire
from .clock import Clock, process_tree_times
from .errors import StudentCrash, StudentTimeout
from .hidden import hidden_paths
from .protocol import EXIT, STARTED, STARTUP_MARKER, WORKER_BROKEN
from .spawn import Forked, Spawned, protect_grader, remove_tree, start_worker
from .spec import WorkerSpec
from .users import lease_uid


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
            self.proc: Spawned | Forked = start_worker(spec.preload, spec.layers_off, cmd_r, reply_w, self.workdir)
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
            "hide": hidden_paths(spec.hide, spec.blocked_imports), "layers_off": list(spec.layers_off),
            "builders": list(spec.builders),
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
        clock = Clock(self.proc.pid, float("inf"), timeout)
        try:
            if self._frame(clock) != STARTED:
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
        """The next reply, within ``cpu_s`` CPU seconds and ``wall_factor`` times that of waiting (see :class:`Clock`).

        :attr:`last_cpu_s` is then the CPU time the worker used for it.
        """
        self.started()
        clock = Clock(self.proc.pid, cpu_s, cpu_s * self.spec.limits.wall_factor, self.idle_times)
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

    def _frame(self, clock: Clock, decode_handle: Callable[[dict], Any] | None = None) -> Any:
        """One frame from the worker: its header, then its body, read within the clock's limits."""
        n = wire.frame_length(self._read(wire.HEADER_BYTES, clock))
        body = self._read(n, clock, wire.check_head)
        # decoding is bounded in time too, and checks every limit before it allocates
        return wire.decode(body, on_handle=decode_handle, deadline=time.monotonic() + clock.wall_s)

    def _read(self, n: int, clock: Clock, check: Callable[[bytes], None] | None = None) -> mmap.mmap | bytes:
        """``n`` bytes; ``check`` sees the first :data:`wire.HEADER_BYTES` (the head's length) before the rest is
        read (and may refuse them)."""
        # Anonymous pages cost nothing until written: a size that is announced but never sent uses no memory.
        data = mmap.mmap(-1, n) if n else b""
        view = memoryview(data)
        head = wire.HEADER_BYTES
        if check is not None and n >= head:
            self._fill(view[:head], clock)
            check(bytes(view[:head]))
            self._fill(view[head:], clock)
        else:
            self._fill(view, clock)
        return data

    def _fill(self, view: memoryview, clock: Clock) -> None:
        n, done = len(view), 0
        ready = select.select([self.reply_r], [], [], 0)[0]  # what is already there is read without a clock reading
        while done < n:
            while not ready:
                ready = select.select([self.reply_r], [], [], clock.next_wait())[0]
                if not ready and clock.expired:
                    raise TimeoutError
            got = os.readv(self.reply_r, [view[done:done + (1 << 20)]])
            if not got:
                raise EOFError
            done += got
            ready = False

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
            self._send(wire.encode({"op": EXIT}))
        self.kill()
