"""The warm grader (grader/daemon.py) runs a command exactly as the cold path does, only sooner.

Real processes, as a student runs them: each test has its own DLX_HOME and socket folder (XDG_RUNTIME_DIR), turns
the warm grader on (tests/conftest.py turns it off for every other test), and stops it in its teardown.
"""
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grader.daemon_client import supported
from tests.helpers import reference_text

pytestmark = pytest.mark.skipif(not supported(), reason="the warm grader needs Linux")

DLX = [shutil.which("dlx") or "dlx"]
SOLUTION = reference_text("affine")
SLOW = SOLUTION.replace("def affine_forward(x, w, b):", "def affine_forward(x, w, b):\n    while True:\n        pass\n")
# The figures that differ between two gradings: the time, and the seed when none is given (`dlx check`).
VARYING = re.compile(r"[0-9.]+ (s|秒)|(?<=seed )\d+|(?<=随机种子 )\d+")


class Warm:
    """A student's folder, data folder and warm grader."""

    def __init__(self, tmp_path: Path, **env: str):
        self.folder = tmp_path
        self.run_dir = tempfile.mkdtemp(prefix="dlxr-")  # short: a socket's path has at most 107 bytes
        self.env = {**os.environ, "DLX_HOME": str(tmp_path / "home"), "DLX_DAEMON": "1",
                    "XDG_RUNTIME_DIR": self.run_dir, "DLX_DAEMON_IDLE": "300", **env}
        self.cold_env = {**self.env, "DLX_DAEMON": "0", "DLX_HOME": str(tmp_path / "cold-home")}

    def dlx(self, *args: str, cold: bool = False, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
        kwargs.setdefault("env", self.cold_env if cold else self.env)
        return subprocess.run([*DLX, *args], cwd=self.folder, capture_output=True, text=True, timeout=timeout,
                              **kwargs)

    def status(self) -> tuple[int, int] | None:
        """(pid, commands served) of the warm grader, or None."""
        found = re.search(r"pid (\d+).* (\d+) commands? served", self.dlx("daemon", "status").stdout)
        return (int(found[1]), int(found[2])) if found else None

    def start(self) -> int:
        """Start the warm grader as a student does (a cold `dlx grade`) and wait for it; its pid."""
        (self.folder / "start.py").write_text(SOLUTION)
        assert self.dlx("grade", "affine", "start.py").returncode == 0
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            status = self.status()
            if status:
                return status[0]
            time.sleep(0.2)
        pytest.fail("the warm grader did not start")

    def served(self) -> int:
        status = self.status()
        assert status, "the warm grader is not running"
        return status[1]

    def stop(self) -> None:
        self.dlx("daemon", "stop")
        shutil.rmtree(self.run_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    grader = Warm(tmp_path_factory.mktemp("warm"))
    yield grader
    grader.stop()


@pytest.fixture()
def warm(shared):
    """The module's warm grader (started once: each start costs seconds), running."""
    if shared.status() is None:
        shared.start()
    return shared


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def wait_gone(pid: int, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not running(pid)


def same_as_cold(warm: Warm, *args: str) -> subprocess.CompletedProcess:
    """Run ``args`` warm (asserting the warm grader ran it) and cold; assert the same output and exit code."""
    before = warm.served()
    hot = warm.dlx(*args)
    assert warm.served() == before + 1, "the command did not run in the warm grader"
    cold = warm.dlx(*args, cold=True)
    assert (hot.returncode, VARYING.sub("X", hot.stdout), hot.stderr) == \
        (cold.returncode, VARYING.sub("X", cold.stdout), cold.stderr)
    return hot


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_grade_check_submit_warm_equal_cold(warm, lang):
    (warm.folder / "affine.py").write_text(SOLUTION)
    graded = same_as_cold(warm, "--lang", lang, "grade", "affine", "affine.py", "--seed", "7")
    assert "10/10" in graded.stdout and "7" in graded.stdout and "Traceback" not in graded.stdout + graded.stderr
    assert same_as_cold(warm, "--lang", lang, "check", "affine").returncode == 0
    submitted = same_as_cold(warm, "--lang", lang, "submit", "affine", "--seed", "7")
    assert "10/10" in submitted.stdout
    assert same_as_cold(warm, "--lang", lang, "score").returncode == 0
    assert same_as_cold(warm, "--lang", lang, "list").returncode == 0


def test_the_locale_chooses_the_language_per_command(warm):
    (warm.folder / "affine.py").write_text(SOLUTION)
    for lang in ("zh_CN.UTF-8", "C.UTF-8"):
        hot = warm.dlx("check", "affine", env={**warm.env, "LANG": lang, "LC_ALL": ""})
        cold = warm.dlx("check", "affine", env={**warm.cold_env, "LANG": lang, "LC_ALL": ""})
        assert VARYING.sub("X", hot.stdout) == VARYING.sub("X", cold.stdout)
        assert ("通过" in hot.stdout) == lang.startswith("zh"), hot.stdout


def test_another_numpy_exercise_scores_full_marks_warm(warm):
    (warm.folder / "dropout.py").write_text(reference_text("dropout"))
    graded = same_as_cold(warm, "grade", "dropout", "dropout.py", "--seed", "3")
    assert re.search(r"score (\S+)/\1 ", graded.stdout), graded.stdout


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="PyTorch is not installed")
def test_a_pytorch_exercise_scores_full_marks_warm(warm):
    (warm.folder / "torch_functions.py").write_text(reference_text("torch_functions"))
    before = warm.served()
    graded = warm.dlx("grade", "torch_functions", "torch_functions.py", "--seed", "3", timeout=300)
    assert warm.served() == before + 1
    assert graded.returncode == 0 and re.search(r"score (\S+)/\1 ", graded.stdout), graded.stdout + graded.stderr


@pytest.mark.parametrize("name, source, words", [
    ("broken", "def affine_forward(x, w, b:\n", "SyntaxError"),
    ("forbidden", "import torch\n" + SOLUTION, "may not be used"),
    ("loop", SLOW, "did not finish"),
])
def test_broken_files_are_graded_alike(warm, name, source, words):
    (warm.folder / f"{name}.py").write_text(source)
    graded = same_as_cold(warm, "grade", "affine", f"{name}.py", "--seed", "1")
    assert graded.returncode == 0 and words in graded.stdout and "Traceback" not in graded.stdout + graded.stderr


@pytest.mark.parametrize("args", [
    ["grade", "affine", "x.py", "--seed", "-1"],
    ["check", "affine", "--bogus"],
    ["grade", "nosuch", "x.py"],
    ["submit", "affine", "--dir", "nowhere"],
])
def test_a_bad_command_line_is_one_line_as_cold(warm, args):
    (warm.folder / "x.py").write_text(SOLUTION)
    result = same_as_cold(warm, *args)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("dlx: ")


def test_ctrl_c_during_a_warm_submit_records_nothing_and_exits_130(warm):
    (warm.folder / "affine.py").write_text(SLOW)
    scores = warm.dlx("score", "--json").stdout
    before = warm.served()
    proc = subprocess.Popen([*DLX, "submit", "affine"], env=warm.env, cwd=warm.folder, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(2.0)  # the file loads in ~0.2 s warm; its first call spins until Ctrl-C (its limit is 5 CPU s)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, (out, err)
    assert "did not finish" not in out + err and "Traceback" not in out + err
    assert err.strip().splitlines()[-1].startswith("dlx: interrupted")
    assert warm.served() == before + 1
    assert (warm.folder / "affine.py").read_text() == SLOW
    assert warm.dlx("score", "--json").stdout == scores  # nothing recorded


def test_a_signal_the_client_ignores_is_ignored_by_the_warm_command(warm):
    (warm.folder / "affine.py").write_text(SLOW)
    proc = subprocess.Popen([*DLX, "submit", "affine"], env=warm.env, cwd=warm.folder, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))  # as nohup does
    time.sleep(2.0)
    proc.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, (out, err)


def test_two_warm_gradings_at_once_share_the_fork_server(warm):
    (warm.folder / "a.py").write_text(SOLUTION)
    (warm.folder / "b.py").write_text(SOLUTION.replace("return x @ w + b,", "return 2 * (x @ w + b),", 1))
    before = warm.served()
    procs = [subprocess.Popen([*DLX, "grade", "affine", name, "--seed", "5"], env=warm.env, cwd=warm.folder,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for name in ("a.py", "b.py")]
    (out_a, err_a), (out_b, err_b) = (p.communicate(timeout=120) for p in procs)
    assert [p.returncode for p in procs] == [0, 0], (err_a, err_b)
    assert "score 10/10" in out_a, out_a
    assert "score 10/10" not in out_b and "out matches the reference" in out_b, out_b
    assert warm.served() == before + 2
    assert same_as_cold(warm, "grade", "affine", "b.py", "--seed", "5").returncode == 0


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root to switch users")
def test_another_user_is_not_served(warm):
    folder = Path(warm.run_dir) / "dlx"
    sock = next(folder.glob("*.sock"))
    as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
    probe = ("import json, socket, struct, sys\n"
             "s = socket.socket(socket.AF_UNIX)\n"
             "try:\n    s.connect(sys.argv[1])\nexcept OSError as e:\n    print('refused', e.errno); sys.exit()\n"
             "body = json.dumps({'op': 'status'}).encode()\n"
             "try:\n    s.sendall(struct.pack('!I', len(body)) + body)\n    answer = s.recv(100)\n"
             "except OSError:\n    answer = b''\n"
             "print('answered' if answer else 'closed')\n")
    probe_file = Path(warm.run_dir) / "probe.py"
    probe_file.write_text(probe)
    probe_file.chmod(0o644)
    Path(warm.run_dir).chmod(0o755)

    def attempt() -> str:
        return subprocess.run([*as_nobody, "/usr/bin/env", "python3", "-I", str(probe_file), str(sock)],
                              capture_output=True, text=True, timeout=30).stdout.strip()

    assert attempt().startswith("refused")  # the folder is 0700
    folder.chmod(0o755)
    sock.chmod(0o777)
    try:
        assert attempt() == "closed"  # SO_PEERCRED: another uid gets no answer
    finally:
        folder.chmod(0o700)
        sock.chmod(0o600)
        Path(warm.run_dir).chmod(0o700)
    assert warm.status() is not None


def test_a_changed_grader_file_makes_it_stale(tmp_path):
    warm = Warm(tmp_path)
    pid = warm.start()
    # the copy of dlx the `dlx` program runs (after `pip install .`, not this checkout's)
    module = Path(subprocess.run([sys.executable, "-c", "import grader.plain; print(grader.plain.__file__)"],
                                 cwd=warm.folder, env=warm.env, capture_output=True, text=True, check=True).stdout.strip())
    stamp = module.stat()
    try:
        os.utime(module, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))
        (warm.folder / "affine.py").write_text(SOLUTION)
        graded = warm.dlx("grade", "affine", "affine.py", "--seed", "2")
    finally:
        os.utime(module, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    try:
        assert graded.returncode == 0 and "score 10/10" in graded.stdout  # run cold, and right
        assert wait_gone(pid), "the stale warm grader did not exit"
    finally:
        warm.stop()


def test_off_switch_starts_nothing(tmp_path):
    grader = Warm(tmp_path, DLX_DAEMON="0")
    try:
        (tmp_path / "affine.py").write_text(SOLUTION)
        assert grader.dlx("grade", "affine", "affine.py").returncode == 0
        time.sleep(1.0)
        assert not list(Path(grader.run_dir).rglob("*.sock"))
        assert "No warm grader is running" in grader.dlx("daemon", "status").stdout
    finally:
        grader.stop()


def test_stop_and_idle_exit(tmp_path):
    grader = Warm(tmp_path)
    try:
        pid = grader.start()
        stopped = grader.dlx("daemon", "stop")
        assert stopped.returncode == 0 and str(pid) in stopped.stdout
        assert not running(pid)
        assert "No warm grader is running" in grader.dlx("daemon", "status").stdout
        grader.env["DLX_DAEMON_IDLE"] = "1"
        pid = grader.start()
        assert wait_gone(pid, 30), "the idle warm grader did not exit"
    finally:
        grader.stop()


def test_the_fast_path_loads_only_light_modules():
    """The client side runs before click, NumPy, rich or pytest would load (and hashlib's OpenSSL)."""
    probe = ("import json, sys\nbefore = set(sys.modules)\nfrom grader import daemon_client as d, launch\n"
             "d.identity(); d.paths(); d.command_of(['grade', 'affine'])\n"
             "print(json.dumps(sorted(set(sys.modules) - before)))\n")
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                                           timeout=60, check=True).stdout))
    assert not loaded & {"click", "numpy", "rich", "pytest", "hashlib", "subprocess", "grader.cli", "grader.i18n"}


def test_sigterm_ends_a_warm_command_as_it_ends_a_cold_one(warm):
    (warm.folder / "affine.py").write_text(SLOW)
    scores = warm.dlx("score", "--json").stdout
    ends = []
    for env in (warm.env, warm.cold_env):
        proc = subprocess.Popen([*DLX, "submit", "affine"], env=env, cwd=warm.folder, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(3.0)  # cold: NumPy and pytest loaded, the worker spinning; warm: well into the first call
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        ends.append(proc.returncode)
        assert "did not finish" not in out + err
    assert ends == [-signal.SIGTERM, -signal.SIGTERM]
    assert warm.dlx("score", "--json").stdout == scores
    assert wait_idle(warm)


def cmdline(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b"--fork-server"  # gone meanwhile: not a running command


def wait_idle(warm: Warm, seconds: float = 30) -> bool:
    """Whether the warm grader has no command running within ``seconds`` (a killed client's child is gone too)."""
    pid = warm.status()[0]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        commands = [c for c in children if running(int(c)) and b"--fork-server" not in cmdline(c)]
        if not commands:
            return True
        time.sleep(0.1)
    return False


def test_config_daemon_off_stops_it_and_starts_nothing(tmp_path):
    grader = Warm(tmp_path)
    try:
        pid = grader.start()
        assert grader.dlx("config", "daemon", "off").returncode == 0
        assert wait_gone(pid, 30)
        (tmp_path / "affine.py").write_text(SOLUTION)
        assert "10/10" in grader.dlx("grade", "affine", "affine.py").stdout
        time.sleep(1.0)
        assert not list(Path(grader.run_dir).rglob("*.sock"))
        assert "daemon = off" in grader.dlx("config", "daemon").stdout
        bad = grader.dlx("config", "daemon", "sometimes")
        assert bad.returncode == 2 and bad.stderr.startswith("dlx: ")
        assert grader.dlx("config", "daemon", "on").returncode == 0
        assert grader.start()
    finally:
        grader.stop()


def test_forked_processes_take_turns_on_a_fork_server():
    """The warm grader's children share its fork server's socket: each question and its answer are one turn, and an
    answer nobody read (its asker was interrupted) is skipped."""
    from grader.sandbox.spawn import ForkServer

    server = ForkServer(("math",))
    try:
        server.sock.sendall(json.dumps({"op": "status", "pid": 1, "id": "interrupted"}).encode() + b"\n")
        children = []
        for _ in range(4):
            pid = os.fork()
            if pid == 0:
                signal.alarm(60)  # a child that waits for an answer another one took fails instead of hanging
                ok = all(server.status(2**22 + n) is None for n in range(200))
                os._exit(0 if ok else 1)
            children.append(pid)
        assert [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children] == [0] * 4
        assert server.alive and server.status(1) is None
    finally:
        server.close()
