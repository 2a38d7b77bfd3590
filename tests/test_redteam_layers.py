"""Red team, part 4: each wall on its own, `dlx doctor`, and the installed `dlx` command.

The layers of the sandbox overlap on purpose: the audit hook refuses a fork
with a clear message, but if it were bypassed, the seccomp filter would refuse
it, then RLIMIT_NPROC, and a PID namespace would kill whatever got out.
These tests switch layers off (``WorkerSpec.layers_off``, for tests only) to
prove that each of the others holds by itself, on this machine, and skip
where the kernel does not offer a layer.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import runner
from grader.catalog import get
from grader.doctor import doctor, sandbox_layers
from grader.proxy import StudentException, RemoteModule
from tests.test_redteam import (
    FORWARD_POINTS, ROOT, Scene, assert_no_strays, make_scene, stray_processes, with_backward,
)
from tests.test_redteam_files import NETWORK, Listener


@pytest.fixture
def scene(tmp_path, monkeypatch):
    yield from make_scene(tmp_path, monkeypatch)


ACTIVE = {name: active for name, active, _ in sandbox_layers()}


def needs(*layers: str):
    missing = [n for n in layers if not ACTIVE.get(n)]
    return pytest.mark.skipif(bool(missing), reason=f"not available here: {', '.join(missing)}")


def open_submission(source: str, *off: str) -> RemoteModule:
    spec = runner.worker_spec(get("affine"), source)
    spec.layers_off = off
    return RemoteModule(spec, "affine.py")


def attempt(source: str, function: str, *off: str, args: tuple = ()) -> str:
    """Call ``function`` of ``source`` in a worker without the layers ``off``; what it returned, or raised."""
    with open_submission(source, *off) as sub:
        try:
            return str(sub.call(function, *args))
        except StudentException as exc:
            return str(exc)


ATTACKS = """
import os, socket, threading
def fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return "FORKED"
def thread():
    threading.Thread(target=print).start()
    return "STARTED A THREAD"
def connect(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(1)
    s.connect(("127.0.0.1", port))
    return "CONNECTED"
def read(path):
    with open(path) as f:
        return "READ " + f.read()[:40]
def write(path):
    with open(path, "w") as f:
        f.write("tampered")
    return "WROTE"
def torch():
    import torch
    return "TORCH " + str(torch.tensor([1.0]).requires_grad_())
"""
SUITE = str(ROOT / "grader" / "suites" / "test_affine.py")


# -- processes --------------------------------------------------------------------------------------------
@needs("seccomp filter")
def test_seccomp_alone_refuses_fork():
    assert "Operation not permitted" in attempt(ATTACKS, "fork", "guard")


@needs("process limit")
def test_rlimit_nproc_alone_refuses_fork_and_threads():
    assert "Resource temporarily unavailable" in attempt(ATTACKS, "fork", "guard", "seccomp")
    assert "can't start new thread" in attempt(ATTACKS, "thread", "guard", "seccomp")


ESCAPE = """
import os, time
def escape(path):
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                for _ in range(1200):  # a minute of heartbeats, should it ever escape
                    with open(path, "a") as f:
                        f.write("x")
                    time.sleep(0.05)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    return pid
"""


@pytest.fixture
def heartbeat():
    folder = Path(tempfile.mkdtemp(prefix="dlx-redteam-beat-"))
    os.chmod(folder, 0o777)
    yield folder / "heartbeat"
    shutil.rmtree(folder, ignore_errors=True)


def _beats(beat: Path) -> int:
    return beat.stat().st_size if beat.exists() else 0


@pytest.mark.skipif(os.geteuid() != 0, reason="the PID namespace stands in for RLIMIT_NPROC only where that fails")
def test_pid_namespace_alone_kills_a_detached_double_forked_child(scene, heartbeat):
    beat = heartbeat
    sub = open_submission(ESCAPE, "guard", "seccomp", "nproc", "mountns")
    try:
        assert isinstance(sub.escape(str(beat)), int)
        time.sleep(0.5)
        assert _beats(beat) > 0, "the detached child did not run"
    finally:
        sub.close()
    assert ACTIVE["network namespace"]  # the test machine's kernel offers namespaces
    layers = {n: a for n, a, _ in sub._loaded["layers"]} if sub._loaded else {}
    if not layers.get("PID namespace", True):
        pytest.skip("no PID namespace here")
    time.sleep(0.3)
    size = _beats(beat)
    time.sleep(0.5)
    assert _beats(beat) == size, "the detached child outlived its worker"
    assert_no_strays(scene)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run the worker with every process layer off")
def test_the_stray_detector_sees_an_escape_when_every_layer_is_off(scene, heartbeat):
    """The control: with no process layer at all the child does escape, and the /proc scan finds it."""
    beat = heartbeat
    with open_submission(ESCAPE, "guard", "seccomp", "nproc", "mountns", "pidns") as sub:
        sub.escape(str(beat))
    time.sleep(0.3)
    strays = [pid for pid in stray_processes(scene.since) if b"worker.py" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    try:
        assert strays, "the detector missed a detached child"
        size = _beats(beat)
        time.sleep(0.3)
        assert _beats(beat) > size
    finally:
        for pid in strays:  # started by this test
            os.kill(pid, 9)
    assert_no_strays(scene)


SPINNERS = """
import threading, time
def spin():
    def loop():
        while True:
            pass
    for _ in range(4):
        threading.Thread(target=loop, daemon=True).start()
    return threading.active_count()
def still_there():
    return threading.active_count()
"""


def test_spinning_threads_die_with_their_worker_when_threads_are_allowed(scene):
    """Without RLIMIT_NPROC (and seccomp allows threads), spinning threads slow the worker down, then die with it."""
    start = time.monotonic()
    with open_submission(SPINNERS, "nproc") as sub:
        assert sub.spin() == 5
        assert sub.still_there() == 5
    assert time.monotonic() - start < 10
    assert_no_strays(scene)


# -- the network ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("off,expected", [
    ((), "has no network access"),
    (("guard",), "Operation not permitted"),
    (("guard", "seccomp"), "Network is unreachable"),
])
def test_each_layer_alone_keeps_the_network_out(off, expected):
    if off and not ACTIVE.get({1: "seccomp filter", 2: "network namespace"}[len(off)]):
        pytest.skip("layer not available here")
    listener = Listener()
    try:
        result = attempt(ATTACKS, "connect", *off, args=(listener.port,))
    finally:
        seen = listener.close()
    assert expected in result
    assert not seen


# -- files ------------------------------------------------------------------------------------------------
@needs("mount namespace")
def test_mount_namespace_alone_hides_the_suites_and_protects_files(scene):
    assert "No such file or directory" in attempt(ATTACKS, "read", "guard", args=(SUITE,))
    target = f"/tmp/dlx-redteam-{scene.token}"
    assert "Read-only file system" in attempt(ATTACKS, "write", "guard", args=(target,))
    assert not Path(target).exists()


def test_audit_hook_alone_hides_the_suites():
    result = attempt(ATTACKS, "read", "mountns", args=(SUITE,))
    assert "may not read the grader's files" in result


@needs("mount namespace")
def test_torch_is_hidden_even_without_the_hook():
    result = attempt(ATTACKS, "torch", "guard")
    assert "has no attribute 'tensor'" in result  # an empty folder where torch was


@needs("unprivileged user")
def test_without_mount_namespace_the_unprivileged_user_still_protects_the_graders_files(scene):
    target = str(ROOT / "solutions" / "affine.py")
    result = attempt(ATTACKS, "write", "guard", "mountns", "seccomp", args=(target,))
    assert "Permission denied" in result


# -- dlx doctor -------------------------------------------------------------------------------------------
def test_doctor_lists_every_layer_and_whether_it_is_active():
    layers = sandbox_layers()
    names = [n for n, _, _ in layers]
    for name in ("separate process", "network namespace", "mount namespace", "PID namespace", "resource limits",
                 "process limit", "unprivileged user", "seccomp filter", "audit hook"):
        assert name in names
    assert all(isinstance(a, bool) and isinstance(d, str) for _, a, d in layers)
    out = CliRunner().invoke(doctor, [], catch_exceptions=False).output
    assert "seccomp filter" in out and "audit hook" in out
    data = json.loads(CliRunner().invoke(doctor, ["--json"], catch_exceptions=False).output)
    assert {d["layer"] for d in data} == set(names)


def test_doctor_reports_switched_off_layers():
    spec = runner.worker_spec(get("affine"), "def f(): pass\n")
    spec.layers_off = ("seccomp", "guard")
    layers = {n: (a, d) for n, a, d in sandbox_layers(spec)}
    assert layers["seccomp filter"] == (False, "switched off (layers_off)")
    assert layers["audit hook"][0] is False


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can keep root")
def test_a_worker_that_keeps_root_gets_a_pid_namespace_instead_of_rlimit_nproc():
    spec = runner.worker_spec(get("affine"), "def f(): pass\n")
    spec.layers_off = ("uid",)
    layers = {n: (a, d) for n, a, d in sandbox_layers(spec)}
    assert layers["unprivileged user"][0] is False
    assert layers["process limit"] == (False, "ignored: the worker keeps root")
    if ACTIVE.get("network namespace"):  # namespaces work on this kernel
        assert layers["PID namespace"][0] is True
    assert "Operation not permitted" in attempt(ATTACKS, "fork", "guard", "uid")


# -- the installed command --------------------------------------------------------------------------------
DLX = shutil.which("dlx")


def _installed_is_current() -> bool:
    try:
        out = subprocess.run([sys.executable, "-c", "import grader.sandbox.worker as w; print(w.__file__)"],
                             capture_output=True, text=True, cwd="/", timeout=30).stdout.strip()
        return Path(out).read_bytes() == (ROOT / "grader" / "sandbox" / "worker.py").read_bytes()
    except (OSError, subprocess.SubprocessError):
        return False


installed = pytest.mark.skipif(DLX is None or not _installed_is_current(),
                               reason="the installed dlx is missing or older than this checkout (pip install .)")


def run_dlx(scene: Scene, *args: str) -> tuple[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["DLX_HOME"] = str(scene.home)
    start = time.monotonic()
    proc = subprocess.run([DLX, *args], capture_output=True, text=True, env=env, cwd=scene.student, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, time.monotonic() - start


@installed
def test_installed_dlx_grade_a_detached_process_and_a_flood(scene):
    source = with_backward("""
        import os, time
        if os.fork() == 0:
            os.setsid()
            time.sleep(60)
    """, "import os\nos.write(1, b'x' * 10**7)\n")
    scene.file.write_text(source)
    before = scene.snapshot()
    out, seconds = run_dlx(scene, "grade", "affine", str(scene.file), "--json", "--seed", "0")
    result = json.loads(out)
    assert result["score"] == FORWARD_POINTS and seconds < 20
    assert "may not start or signal processes" in json.dumps(result)
    assert len(result["output"]) < 100_000
    assert_no_strays(scene)
    assert scene.snapshot() == before


@installed
def test_installed_dlx_submit_with_a_conftest_a_disk_search_and_the_network(scene):
    from tests.test_redteam_files import CONFTEST, SEARCH

    listener = Listener()
    try:
        network = NETWORK.replace("UDP_PORT", str(listener.udp_port)).replace("PORT", str(listener.port))
        source = scene.fill(with_backward("return LOOT or 'nothing', 0, 0", SEARCH + network))
        (scene.student / "conftest.py").write_text(scene.fill(CONFTEST))
        scene.file.write_text(source)
        out, _ = run_dlx(scene, "submit", "affine", "--seed", "0")
    finally:
        seen = listener.close()
    assert not seen
    assert "score 4/10" in out
    assert "FOUND 0" in out and "Hidden suite" not in out
    assert not (scene.tmp / f"late-{scene.token}").exists()
    assert_no_strays(scene)


# -- honest code is not caught in the walls -----------------------------------------------------------------
HONEST = """
import collections, copy, dataclasses, decimal, fractions, functools, heapq, io, itertools, json, logging, math
import os, pickle, random, re, statistics, sys, tempfile, threading, time, typing, warnings
import numpy as np
import numpy.linalg, numpy.fft


def everything():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4, 4))
    out = {"det": float(np.linalg.det(a @ a.T + np.eye(4)) > 0), "fft": float(np.abs(np.fft.fft(a[0])).sum() > 0)}
    out["stats"] = statistics.mean([1, 2, 3]) + float(fractions.Fraction(1, 2)) + float(decimal.Decimal("0.5"))
    out["random"] = random.Random(0).random() < 1 and len(os.urandom(8)) == 8
    with open("scratch.txt", "w") as f:
        f.write("hello")
    with open("scratch.txt") as f:
        out["file"] = f.read()
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "x.pkl"), "wb") as f:
            pickle.dump({"a": 1}, f)
    with open(os.devnull, "w") as f:
        print("quiet", file=f)
    logging.getLogger("student").warning("a log line")
    warnings.warn("a warning")
    with threading.Lock():
        out["json"] = json.loads(json.dumps([1, 2]))
    out["copy"] = copy.deepcopy([[1], [2]])
    out["cpus"] = os.cpu_count() is None or os.cpu_count() >= 1
    out["time"] = time.time() > 0 and time.perf_counter() > 0
    out["re"] = bool(re.match(r"a+", "aaa"))
    try:
        import scipy.special
        out["scipy"] = float(scipy.special.expit(0.0))
    except ImportError:
        out["scipy"] = 0.5
    return out
"""


def test_honest_code_keeps_working_inside_every_wall():
    with open_submission(HONEST) as sub:
        result = sub.everything()
    assert result == {"det": 1.0, "fft": 1.0, "stats": 3.0, "random": True, "file": "hello", "json": [1, 2],
                      "copy": [[1], [2]], "cpus": True, "time": True, "re": True, "scipy": 0.5}
