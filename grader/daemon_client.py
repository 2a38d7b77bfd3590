"""The fast path of the `dlx` program: hand a command to the warm grader (:mod:`grader.daemon`), or start one.

Loaded by :mod:`grader.launch` before click, NumPy or rich, so it imports only the standard library's light
modules. A command is handed over by sending the warm grader this process's stdin, stdout and stderr (their
descriptors, SCM_RIGHTS), its argv, folder and environment; a child forked by the warm grader runs the command
on them and answers its exit code. The child starts only when this process says "go", so a command is never run
twice: until then the caller may still run it cold; from then on the child's exit code is the answer. Ctrl-C and
the other signals of the terminal are passed on to the child.

One warm grader per user, data folder (``DLX_HOME``), copy of dlx and interpreter settings: its socket's name is
a digest of :func:`identity`, in a folder only the user can enter (:func:`socket_folder`). ``DLX_DAEMON=0`` turns
all of it off. Linux only (descriptors and the peer's uid over a Unix socket).
"""
from __future__ import annotations

import os
import struct
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import socket

OFF_SWITCH = "DLX_DAEMON"  # "0": every command runs cold and no warm grader is started
SETTING = "daemon"  # `dlx config daemon off`: no warm grader is started (and the running one was stopped)
WARM_COMMANDS = ("grade", "check", "submit", "list", "score", "hint")  # run by the warm grader when it is up
STARTS_DAEMON = ("grade", "check", "submit")  # a cold run of these starts one for the next command
KEYED_ENV = ("PYTHON", "OPENBLAS", "GOTO", "OMP_", "MKL_", "NUMEXPR_", "VECLIB_")  # fixed once a process has started
FORWARDED_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")  # by name: the signal module loads only when needed
HEADER = struct.Struct("!I")  # the length of a JSON message that follows
MAX_MESSAGE = 1 << 20
HANDSHAKE_S = 10.0  # the warm grader answers at once unless the machine is swamped; then the command runs cold
LINUX = sys.platform.startswith("linux")
PACKAGE_DIR = os.path.dirname(os.path.realpath(__file__))  # (no pathlib: it is not loaded yet)


class NotServed(Exception):
    """The warm grader did not take the command (none running, stale, refused, broken): run it cold."""


def enabled() -> bool:
    return LINUX and os.environ.get(OFF_SWITCH, "1").strip().lower() not in ("0", "off", "false", "no")


def stored_switch() -> str | None:
    """What `dlx config daemon` stored ("on", "off"; None: nothing), read only where a gradebook exists."""
    from .errors import DlxError
    from .gradebook import Gradebook, default_path

    try:
        if not default_path().is_file():
            return None
        with Gradebook() as book:
            return book.get_setting(SETTING)
    except (DlxError, OSError):
        return "off"  # an unusable data folder: start nothing


def turned_on() -> bool:
    """Whether `dlx config daemon` leaves the warm grader on."""
    return stored_switch() != "off"


def command_of(argv: list[str]) -> str | None:
    """The subcommand of a `dlx` command line (``argv`` without the program), read as click would read it."""
    args = iter(argv)
    for arg in args:
        if arg == "--lang":
            next(args, None)
        elif not arg.startswith("-"):
            return arg
        elif arg in ("--help", "--version", "--"):
            return None
    return None


def identity() -> str:
    """What a warm grader must share with a command it runs: the user's data folder, this copy of dlx, the
    interpreter and the settings it fixes at start-up (encodings, ``PYTHON*``, BLAS threads)."""
    import locale

    from .startup import BLAS_THREADS

    home = os.environ.get("DLX_HOME")
    data = (os.path.abspath(os.path.expanduser(home)) if home else
            f"default {os.environ.get('XDG_DATA_HOME', '')} {os.path.expanduser('~')}")
    env = dict(os.environ)
    if not any(name in env for name in BLAS_THREADS):
        env["OPENBLAS_NUM_THREADS"] = "1"  # as the `dlx` program sets it (grader.startup.one_blas_thread)
    fixed = sorted(f"{k}={v}" for k, v in env.items() if k.startswith(KEYED_ENV))
    return repr([data, PACKAGE_DIR, sys.executable, sys.version, sys.getfilesystemencoding(),
                       locale.getpreferredencoding(False), sys.flags.utf8_mode, fixed])


def socket_folder() -> str:
    """The user's folder for warm graders' sockets: ``$XDG_RUNTIME_DIR/dlx`` or ``/tmp/dlx-<uid>``, mode 0700."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isabs(runtime):
        return os.path.join(runtime, "dlx")
    return f"/tmp/dlx-{os.getuid()}"


def private_folder(create: bool = False) -> str:
    """:func:`socket_folder`, checked to be a real folder of ours that no one else may enter (made if asked)."""
    folder = socket_folder()
    if create:
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass
        except OSError as exc:
            raise NotServed(f"cannot make {folder}: {exc}") from None
    try:
        info = os.lstat(folder)
    except OSError:
        raise NotServed("no warm grader folder") from None
    import stat

    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise NotServed(f"{folder} is not a private folder of this user")
    return folder


def paths(ident: str | None = None) -> dict[str, str]:
    """The warm grader's socket, lock and status files for ``ident`` (default: this process's :func:`identity`)."""
    import zlib

    data = (ident or identity()).encode()
    base = os.path.join(socket_folder(), f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}")
    return {"socket": f"{base}.sock", "lock": f"{base}.lock", "status": f"{base}.json"}


def supported() -> bool:
    """Whether this Python can hand descriptors over and tell the peer's uid (Linux, Python 3.9+)."""
    import socket

    return LINUX and hasattr(socket, "SO_PEERCRED") and hasattr(socket, "send_fds")


def forwarded_signals() -> list[int]:
    import signal

    return [getattr(signal, name) for name in FORWARDED_SIGNALS]


def send_message(sock: socket.socket, message: dict, fds: tuple[int, ...] = ()) -> None:
    import json
    import socket

    data = json.dumps(message).encode()
    head = HEADER.pack(len(data))
    if fds:
        socket.send_fds(sock, [head], list(fds))
    else:
        sock.sendall(head)
    sock.sendall(data)


def receive_message(sock: socket.socket, maxfds: int = 0) -> tuple[dict, list[int]]:
    """One message (and up to ``maxfds`` descriptors sent with its header); EOFError when the peer has gone."""
    import json
    import socket

    if maxfds:
        head, fds, _flags, _address = socket.recv_fds(sock, HEADER.size, maxfds)
    else:
        head, fds = sock.recv(HEADER.size), []
    try:
        while len(head) < HEADER.size:
            more = sock.recv(HEADER.size - len(head))
            if not more:
                raise EOFError
            head += more
        if not head:
            raise EOFError
        (n,) = HEADER.unpack(head)
        if n > MAX_MESSAGE:
            raise ValueError("message too long")
        body = b""
        while len(body) < n:
            more = sock.recv(min(n - len(body), 1 << 16))
            if not more:
                raise EOFError
            body += more
        message = json.loads(body)
        if not isinstance(message, dict):
            raise ValueError("not an object")
        return message, fds
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise


def connect(ident: str | None = None, timeout: float = HANDSHAKE_S) -> socket.socket:
    """A connection to the warm grader of ``ident``, or :class:`NotServed`."""
    import socket

    private_folder()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(paths(ident)["socket"])
    except OSError as exc:
        sock.close()
        raise NotServed(f"no warm grader ({exc.strerror})") from None
    return sock


def ask(op: str, timeout: float = 5.0) -> dict:
    """The warm grader's answer to ``op`` ("status", "stop"), or :class:`NotServed` when none is running."""
    ident = identity()
    with connect(ident, timeout) as sock:
        try:
            send_message(sock, {"op": op, "identity": ident})
            return receive_message(sock)[0]
        except (OSError, EOFError, ValueError) as exc:
            raise NotServed(f"the warm grader did not answer ({exc})") from None


class _Relay:
    """Signals that arrive while a command runs in the warm grader's child: passed on to the child."""

    def __init__(self) -> None:
        import signal

        self.child: int | None = None
        self.received: list[int] = []
        # a signal we ignore (nohup, a background job) is ignored by the child too, and not relayed
        forwarded = forwarded_signals()
        self.ignored = [sig for sig in (*forwarded, signal.SIGTSTP) if signal.getsignal(sig) == signal.SIG_IGN]
        self.saved = {sig: signal.signal(sig, self.handle) for sig in forwarded if sig not in self.ignored}
        if signal.SIGTSTP not in self.ignored:
            self.saved[signal.SIGTSTP] = signal.signal(signal.SIGTSTP, self.suspend)

    def handle(self, signum: int, _frame: Any) -> None:
        self.received.append(signum)
        if self.child is not None:
            _kill(self.child, signum)

    def suspend(self, _signum: int, _frame: Any) -> None:
        """Ctrl-Z: stop the child, then ourselves; both go on together (``fg``)."""
        import signal

        if self.child is not None:
            _kill(self.child, signal.SIGSTOP)
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTSTP)  # we stop here until SIGCONT
        signal.signal(signal.SIGTSTP, self.suspend)
        if self.child is not None:
            _kill(self.child, signal.SIGCONT)

    def restore(self) -> None:
        import signal

        for sig, handler in self.saved.items():
            signal.signal(sig, handler)


def _kill(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except OSError:
        pass


def run_warm(argv: list[str]) -> int:
    """Run the `dlx` command line ``argv`` (with the program's name first) in the warm grader; its exit code.

    :class:`NotServed` when the command did not start there (the caller runs it cold); from the moment the child
    is told to go, whatever happens, the command is never run again.
    """
    ident = identity()
    if not os.path.exists(paths(ident)["socket"]) or not supported():  # no warm grader: decided without sockets
        raise NotServed("no warm grader")
    relay = _Relay()
    try:
        with connect(ident) as sock:
            streams = [_stream(s) for s in (sys.stdin, sys.stdout, sys.stderr)]
            request = {"op": "run", "identity": ident, "argv": argv, "cwd": os.getcwd(), "env": dict(os.environ),
                       "umask": _umask(), "streams": streams, "ignored": [int(sig) for sig in relay.ignored]}
            try:
                send_message(sock, request, (0, 1, 2))
                answer = receive_message(sock)[0]
            except (OSError, EOFError, ValueError) as exc:
                raise NotServed(f"no answer from the warm grader ({exc})") from None
            if "pid" not in answer:
                raise NotServed(str(answer.get("refused", "refused")))
            if relay.received:  # a signal before anything ran: the child is not told to go
                return _stopped_before_start(relay)
            relay.child = int(answer["pid"])
            try:
                sock.sendall(b"g")
            except OSError as exc:
                raise NotServed(f"the warm grader's child has gone ({exc})") from None
            for signum in relay.received:  # arrived between the answer and the go
                _kill(relay.child, signum)
            sock.settimeout(None)
            try:
                return int(receive_message(sock)[0]["exit"]) & 0xFF
            except (OSError, EOFError, ValueError, KeyError, TypeError):
                return _ended_without_code(relay)
    except NotServed:
        if relay.received:
            return _stopped_before_start(relay)
        raise
    finally:
        relay.restore()


def _die_like(relay: _Relay) -> None:
    """End this process by the last signal (but Ctrl-C) it received, as a cold run would have ended."""
    import signal

    for signum in reversed(relay.received):
        if signum != signal.SIGINT:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)


def _stopped_before_start(relay: _Relay) -> int:
    """Ctrl-C (or another signal) before the command started: it is not run."""
    _die_like(relay)
    from .errors import INTERRUPT_EXIT
    from .i18n import _

    print("dlx: " + _("interrupted; nothing was recorded"), file=sys.stderr)
    return INTERRUPT_EXIT


def _ended_without_code(relay: _Relay) -> int:
    """The child ended without an exit code: killed by a signal we passed on (we end the same way), or broken."""
    _die_like(relay)
    from .i18n import _

    print("dlx: " + _("the warm grader's process ended without an answer; rerun with DLX_DAEMON=0 "
                      "(and please report it)"), file=sys.stderr)
    return 1


def _stream(stream: Any) -> dict | None:
    """How Python set up one of our standard streams (encoding, errors, buffering): the child does the same."""
    if stream is None:
        return None
    return {"encoding": getattr(stream, "encoding", None), "errors": getattr(stream, "errors", None),
            "line_buffering": bool(getattr(stream, "line_buffering", False)),
            "write_through": bool(getattr(stream, "write_through", False))}


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def start_daemon() -> None:
    """Start a warm grader for this process's identity in the background, fully detached, unless `dlx config
    daemon off`; never raises.

    An intermediate child starts it in a new session and exits at once, so the warm grader is nobody's child
    (no zombie) and keeps none of our descriptors; its standard streams are /dev/null.
    """
    try:
        if not supported() or not turned_on():
            return
        private_folder(create=True)
        pid = os.fork()
    except (OSError, NotServed):
        return
    if pid == 0:
        try:
            import subprocess

            subprocess.Popen([sys.executable, "-m", "grader.daemon"], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, cwd="/")
        finally:
            os._exit(0)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass

