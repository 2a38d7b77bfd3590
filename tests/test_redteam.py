"""Red team, part 1: hostile submissions that attack the process (exit, hang, flood, crash, fork, escape).

Every hostile file is the reference `affine` with a hostile prelude (run at
import) or a hostile `affine_backward`; it is graded through `dlx grade` or
`dlx submit` (click's CliRunner on the real command, with DLX_HOME in
tmp_path).  Each case checks that:

- the score is exactly what the honest code in the file earns (a correct
  `affine_forward` beside a hostile backward keeps the 3 forward points);
- grading returns within a bounded time, with a clear message;
- no process of the submission survives its grading;
- the gradebook, the student's other files and the grader's files are
  untouched, and nothing is written outside the worker's folder.

The helpers here are shared by the other tests/test_redteam_*.py files.
"""
from __future__ import annotations

import dataclasses
import fnmatch
import functools
import hashlib
import json
import os
import secrets
import signal
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from grader import cli, runner
from grader.sandbox.spec import Limits
from grader.sandbox.users import UID_RANGE, sandbox_uid
from tests.helpers import reference_text

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = reference_text("affine")
FORWARD = SOLUTION.split("def affine_backward")[0]
# What the honest part of a hostile file earns (seed 0): the forward's two tests when the backward raises, hangs
# or crashes; plus the no-mutation test when the backward returns something wrong without changing its arguments.
FORWARD_POINTS = 3.0
WRONG_BACKWARD_POINTS = 4.0
FULL_POINTS = 10.0
SHORT = Limits(call_timeout_s=1.0, total_timeout_s=8.0, cpu_s=5, memory_bytes=768 * 2**20, max_timeouts=2)
# The grader's own files a submission could want to change (other helpers' files are left out: they change).
PROTECTED = [ROOT / "grader" / "sandbox" / n for n in ("worker.py", "client.py", "wire.py")] + [
    ROOT / "grader" / "proxy.py", ROOT / "grader" / "suites" / "test_affine.py", ROOT / "solutions" / "affine.py",
    ROOT / "exercises" / "affine"]


def with_backward(body: str, prelude: str = "") -> str:
    """The reference forward (after ``prelude``) and an ``affine_backward`` whose body is ``body``."""
    return (textwrap.dedent(prelude) + "\n" + FORWARD + "def affine_backward(dout, cache):\n"
            + textwrap.indent(textwrap.dedent(body).strip() + "\n", "    "))


def at_import(code: str) -> str:
    """The whole reference, after ``code`` run at import."""
    return textwrap.dedent(code) + "\n" + SOLUTION


# -- the scene: a student's folder, a gradebook, markers ------------------------------------------------
@dataclass
class Scene:
    """Where a hostile submission is graded from, and what it must not change."""

    tmp: Path
    student: Path
    home: Path
    cwd: Path
    token: str
    since: float

    @property
    def file(self) -> Path:
        return self.student / "affine.py"

    def markers(self) -> list[Path]:
        """Paths a hostile submission tries to write: none may exist after grading."""
        return [Path(f"/tmp/dlx-redteam-{self.token}"), self.student / f"results-{self.token}.json",
                self.home / f"results-{self.token}.json", self.cwd / f"results-{self.token}.json",
                self.tmp / f"late-{self.token}"]

    def snapshot(self) -> dict[str, str]:
        return snapshot(self.student, self.home, *PROTECTED)

    def fill(self, text: str) -> str:
        """``text`` with {token}, {student}, {home}, {cwd}, {tmp}, {root} filled in."""
        return (text.replace("{token}", self.token).replace("{student}", str(self.student))
                .replace("{home}", str(self.home)).replace("{cwd}", str(self.cwd)).replace("{tmp}", str(self.tmp))
                .replace("{root}", str(ROOT)))


def make_scene(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scene]:
    """The body of every red-team file's ``scene`` fixture: folders, DLX_HOME, the cwd, a token; then a sweep."""
    student, home, cwd = tmp_path / "student", tmp_path / "home", tmp_path / "cwd"
    for d in (student, home, cwd):
        d.mkdir()
    (student / "notes.txt").write_text("my other work\n")
    (student / "linreg.py").write_text("# another exercise, in progress\n")
    monkeypatch.setenv("DLX_HOME", str(home))
    monkeypatch.chdir(cwd)
    os.chmod(tmp_path, 0o755)
    token = secrets.token_hex(6)
    yield Scene(tmp_path, student, home, cwd, token, boot_seconds())
    for pid in stray_processes(0.0, token):  # should there be any, they were started by this test
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


@pytest.fixture
def scene(tmp_path, monkeypatch):
    yield from make_scene(tmp_path, monkeypatch)


def snapshot(*roots: Path) -> dict[str, str]:
    """sha256 of every file under ``roots`` (missing roots count as empty), but files dlx derives and rebuilds
    itself: Python's ``__pycache__`` and the catalogue cache in the data folder (``catalog_cache``)."""
    hashes = {}
    for root in roots:
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
        for path in paths:
            if "__pycache__" not in path.parts and not fnmatch.fnmatch(path.name, "catalog.*.json"):
                hashes[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


# -- processes ----------------------------------------------------------------------------------------------
def boot_seconds() -> float:
    with open("/proc/uptime") as f:
        return float(f.read().split()[0])


def stray_processes(since: float, token: str | None = None) -> list[int]:
    """Processes a submission left behind, found by scanning /proc (no psutil).

    A process whose name or command line carries ``token``; or a process of
    the sandbox user, started after ``since`` (seconds since boot), that has
    outlived its worker (an orphan: its parent is now pid 1).
    """
    uid = sandbox_uid()
    # as root, each worker has a user id of its own from UID_RANGE (or nobody when none is free)
    uids = {os.getuid()} if uid is None else {uid, *range(UID_RANGE[0], UID_RANGE[0] + UID_RANGE[1])}
    ticks = os.sysconf("SC_CLK_TCK")
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().decode(errors="replace")
            with open(f"/proc/{entry}/status") as f:
                status = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        state, ppid, started = fields[0], int(fields[1]), int(fields[19]) / ticks
        owner = int(next(line.split()[1] for line in status.splitlines() if line.startswith("Uid:")))
        if state == "Z":
            continue
        if token and (token in cmdline or token[:15] in comm):
            found.append(int(entry))
        elif owner in uids and ppid == 1 and started >= since:
            found.append(int(entry))
    return found


def assert_no_strays(scene: Scene, grace_s: float = 3.0) -> None:
    deadline = time.monotonic() + grace_s
    while (left := stray_processes(scene.since, scene.token)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left, f"processes survived the grading: {left}"


# -- grading through the command ---------------------------------------------------------------------------
@dataclass
class Graded:
    score: float
    tests: dict[str, dict]
    output: str
    text: str  # everything the command printed
    seconds: float

    def messages(self) -> str:
        return "\n".join(t["output"] for t in self.tests.values())


def dlx(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def grade(scene: Scene, source: str, monkeypatch=None, limits: Limits | None = None) -> Graded:
    """``dlx grade affine FILE --json`` on ``source`` (``limits``: the sandbox's, for hostile code that hangs)."""
    if limits is not None:
        monkeypatch.setattr(runner, "grade_source", functools.partial(runner.grade_source, limits=limits))
    scene.file.write_text(scene.fill(source))
    start = time.monotonic()
    code, out = dlx("grade", "affine", str(scene.file), "--seed", "0", "--json")
    seconds = time.monotonic() - start
    assert code == 0, out
    data = json.loads(out)
    tests = {t["name"]: t for t in data["tests"]}
    return Graded(data["score"], tests, data.get("output", ""), out, seconds)


def submit(scene: Scene, source: str, monkeypatch=None, limits: Limits | None = None) -> tuple[str, float]:
    """``dlx submit affine --dir STUDENT``; returns what it printed and the score it recorded."""
    if limits is not None:
        monkeypatch.setattr(runner, "grade_source", functools.partial(runner.grade_source, limits=limits))
    scene.file.write_text(scene.fill(source))
    code, out = dlx("submit", "affine", "--dir", str(scene.student), "--seed", "0")
    assert code == 0, out
    code, score = dlx("score", "--json")
    items = [i for i in json.loads(score)["items"] if i["id"] == "affine"]
    return out, items[0]["latest"]


def check_aftermath(scene: Scene, before: dict[str, str], source: str) -> None:
    """Nothing survived, nothing changed but the submitted file (and the gradebook, after `dlx submit`)."""
    assert_no_strays(scene)
    after = scene.snapshot()
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    changed -= {str(scene.file), str(scene.home / "gradebook.sqlite3")}
    assert not changed, f"files changed: {sorted(changed)}"
    for marker in scene.markers():
        assert not marker.exists(), f"{marker} was written"
    assert not [n for n in os.listdir("/tmp") if scene.token in n], "something was written to /tmp"
    assert scene.file.read_text() == scene.fill(source)


def run_case(scene: Scene, source: str, monkeypatch=None, limits: Limits | None = None) -> Graded:
    before = scene.snapshot()
    graded = grade(scene, source, monkeypatch, limits)
    check_aftermath(scene, before, source)
    return graded


# -- exits -----------------------------------------------------------------------------------------------
EXITS_IN_BACKWARD = {
    "sys.exit": ("import sys\nsys.exit(0)", "your code called sys.exit(0)"),
    "os._exit": ("import os\nos._exit(0)", "exited with status 0"),
    "SIGKILL to itself": ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "may not start or signal"),
    "abort": ("import os\nos.abort()", "SIGABRT"),
}


@pytest.mark.parametrize("case", list(EXITS_IN_BACKWARD))
def test_exit_inside_a_call_keeps_the_forward_points(scene, case):
    body, message = EXITS_IN_BACKWARD[case]
    graded = run_case(scene, with_backward(body))
    assert graded.score == FORWARD_POINTS
    assert message in graded.tests["affine_backward: dx is right"]["output"]


@pytest.mark.parametrize("code,message", [
    ("import sys\nsys.exit(3)", "could not be loaded: SystemExit: your code called sys.exit(3)"),
    ("import os\nos._exit(0)", "exited with status 0"),
])
def test_exit_at_import_scores_zero(scene, code, message):
    graded = run_case(scene, at_import(code))
    assert graded.score == 0
    assert message in graded.messages()


# -- hangs ------------------------------------------------------------------------------------------------
def test_infinite_loop_is_bounded_by_the_default_limits(scene):
    """No short limits here: the defaults (5 s a call, two timeouts at most) bound the grading."""
    graded = run_case(scene, with_backward("while True:\n    pass"))
    assert graded.score == FORWARD_POINTS
    assert graded.seconds < 20
    assert "affine_backward did not finish within 5 s" in graded.messages()
    assert "not run: your code already timed out 2 times" in graded.messages()


def test_loop_that_ignores_sigterm_and_sigint(scene, monkeypatch):
    body = """
    import signal
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        pass
    """
    graded = run_case(scene, with_backward(body), monkeypatch, SHORT)
    assert graded.score == FORWARD_POINTS
    assert graded.seconds < 10
    assert "did not finish within 1 s" in graded.messages()


def test_infinite_loop_at_import(scene, monkeypatch):
    graded = run_case(scene, at_import("while True:\n    pass"), monkeypatch, SHORT)
    assert graded.score == 0
    assert graded.seconds < 10
    assert "loading your file did not finish within 1 s" in graded.messages()


def test_sleeping_at_import_is_cut_off(scene, monkeypatch):
    graded = run_case(scene, at_import("import time\ntime.sleep(3600)"), monkeypatch, SHORT)
    assert graded.score == 0 and graded.seconds < 10


# -- resources ----------------------------------------------------------------------------------------------
MEMORY_BOMBS = {
    "one huge allocation": "import numpy as np\nnp.ones(10**11)",
    "growing list": "chunks = []\nwhile True:\n    chunks.append(bytearray(50 * 2**20))",
    "huge string": "s = 'x' * 10**12",
}


@pytest.mark.parametrize("case", list(MEMORY_BOMBS))
def test_memory_bomb(scene, monkeypatch, case):
    # Filling 768 MiB page by page can take over a second on a loaded machine: give the call 5 s, so that it
    # is the memory limit, not the clock, that stops it.
    limits = dataclasses.replace(SHORT, call_timeout_s=5.0)
    graded = run_case(scene, with_backward(MEMORY_BOMBS[case]), monkeypatch, limits)
    assert graded.score == FORWARD_POINTS
    assert "MemoryError" in graded.messages()


def test_memory_bomb_with_the_default_limits(scene):
    graded = run_case(scene, with_backward("import numpy as np\nx = np.empty((10**6, 10**5))\nx[:] = 1"))
    assert graded.score == FORWARD_POINTS
    assert "MemoryError" in graded.messages()


def test_file_size_bomb(scene):
    body = """
    with open("big.bin", "wb") as f:
        while True:
            f.write(b"x" * 2**20)
    """
    graded = run_case(scene, with_backward(body))
    assert graded.score == FORWARD_POINTS
    assert "File too large" in graded.messages() or "SIGXFSZ" in graded.messages()


FORK_BOMBS = {
    "os.fork": "import os\nwhile True:\n    os.fork()",
    "subprocess": "import subprocess\nsubprocess.Popen(['/bin/sh', '-c', 'sleep 60 # {token}'])",
    "os.system": "import os\nos.system('sleep 60 # {token}')",
    "posix_spawn": "import os\nos.posix_spawn('/bin/sleep', ['sleep', '60', '{token}'], {})",
    # no audit event at all: the kernel's layers (seccomp, RLIMIT_NPROC) refuse the fork
    "_posixsubprocess": ("import os, _posixsubprocess\nr, w = os.pipe()\n"
                         "_posixsubprocess.fork_exec([b'/bin/sleep', b'60', b'{token}'], [b'/bin/sleep'], True, "
                         "(w,), None, None, -1, -1, -1, -1, -1, -1, r, w, False, True, -1, None, None, None, -1, "
                         "None, True)"),
    "multiprocessing": "import multiprocessing\nmultiprocessing.Process(target=print).start()",
    "threads": ("import threading, time\n"
                "for _ in range(100):\n    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()"),
}


@pytest.mark.parametrize("case", list(FORK_BOMBS))
def test_process_and_thread_bombs_are_refused(scene, case):
    graded = run_case(scene, with_backward(FORK_BOMBS[case]))
    assert graded.score == FORWARD_POINTS
    messages = graded.messages()
    assert ("may not start or signal processes" in messages or "can't start new thread" in messages
            or "Operation not permitted" in messages or "Resource temporarily unavailable" in messages), messages


DETACHED_VIA_OS = """
import os, time
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(2)
        open("{tmp}/late-{token}", "w").write("I outlived the grading")
    os._exit(0)
"""

DETACHED_VIA_LIBC = """
import ctypes, time
libc = ctypes.CDLL(None)
if libc.fork() == 0:
    libc.setsid()
    if libc.fork() == 0:
        libc.prctl(15, b"{token}", 0, 0, 0)
        time.sleep(2)
        open("{tmp}/late-{token}", "w").write("I outlived the grading")
    libc._exit(0)
"""


@pytest.mark.parametrize("how", ["os", "libc"])
def test_detached_process_meant_to_outlive_the_grading(scene, how):
    """A double fork + setsid, at import and in the backward; nothing may run (or write) afterwards."""
    code = DETACHED_VIA_OS if how == "os" else DETACHED_VIA_LIBC
    source = with_backward(code + "\nx, w, _ = cache\nreturn dout @ w.T, x.T @ dout, dout.sum(axis=0)")
    graded = run_case(scene, source)
    assert graded.score == FORWARD_POINTS
    assert "may not" in graded.messages()
    time.sleep(2.5)  # the detached child would have written its file by now
    assert not (scene.tmp / f"late-{scene.token}").exists()
    assert_no_strays(scene, grace_s=0)


# -- output, crashes, recursion ---------------------------------------------------------------------------
def test_output_flood_on_stdout_and_stderr(scene):
    prelude = """
    import sys, os
    for i in range(2000):
        print("flood " * 200)
        print("flood " * 200, file=sys.stderr)
    os.write(1, b"raw" * 10**6)
    """
    body = """
    import sys
    for i in range(5000):
        sys.stdout.write("more " * 200)
        sys.stderr.write("more " * 200)
    x, w, _ = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
    """
    graded = run_case(scene, with_backward(body, prelude))
    assert graded.score == FULL_POINTS  # printing costs nothing, and earns nothing
    assert graded.seconds < 30
    assert len(graded.output) < 100_000
    assert "more bytes of output dropped" in graded.output


def test_endless_output_is_cut_off(scene, monkeypatch):
    graded = run_case(scene, with_backward("while True:\n    print('spam' * 1000)"), monkeypatch, SHORT)
    assert graded.score == FORWARD_POINTS
    assert len(graded.output) < 100_000


SEGFAULTS = {
    "ctypes": ("import ctypes\nctypes.string_at(0)", "may not use ctypes"),
    "faulthandler": ("import faulthandler\nfaulthandler._sigsegv()", "SIGSEGV (segmentation fault)"),
    "C stack overflow": ("import sys\nsys.setrecursionlimit(10**8)\nclass A:\n    def __repr__(self):\n"
                         "        return repr(self)\nrepr(A())", "SIGSEGV"),
}


@pytest.mark.parametrize("case", list(SEGFAULTS))
def test_segfault_is_a_graded_crash(scene, case):
    body, message = SEGFAULTS[case]
    graded = run_case(scene, with_backward(body))
    assert graded.score == FORWARD_POINTS
    assert message in graded.messages()


def test_segfault_at_import(scene):
    graded = run_case(scene, at_import("import faulthandler\nfaulthandler._sigsegv()"))
    assert graded.score == 0
    assert "SIGSEGV" in graded.messages()


def test_unbounded_recursion(scene):
    graded = run_case(scene, with_backward("def f(n):\n    return f(n + 1)\nreturn f(0)"))
    assert graded.score == FORWARD_POINTS
    assert "RecursionError" in graded.messages()


def test_threads_that_spin_forever(scene, monkeypatch):
    body = """
    import threading
    def spin():
        while True:
            pass
    for _ in range(4):
        threading.Thread(target=spin, daemon=True).start()
    x, w, _ = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
    """
    graded = run_case(scene, with_backward(body), monkeypatch, SHORT)
    assert graded.score == FORWARD_POINTS
    assert "can't start new thread" in graded.messages()


# -- through dlx submit -----------------------------------------------------------------------------------
def test_submit_records_only_honest_points_for_a_hostile_file(scene):
    source = with_backward(DETACHED_VIA_OS + "\nwhile True:\n    pass")
    before = scene.snapshot()
    out, latest = submit(scene, source)
    assert latest == FORWARD_POINTS
    assert "score 3/10" in out
    check_aftermath(scene, before, source)
