"""Red team, part 5: one student cannot touch another, nor the grader (issue 13).

- Workers cannot reach each other or the grading process: two workers live at
  once and one attacks the other with every system call that takes a process
  as its target (prlimit, setpriority, sched_*, ioprio_set, kill,
  rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_open + pidfd_send_signal), as root and as an
  ordinary user, with all layers and with each layer alone; and through
  `grade-batch`, where an honest student is graded beside an attacker.
- The attacker switches the audit hook off: nothing depends on it.
- The grading process trusts nothing that comes back: crafted frames written
  straight to the reply pipe are a "could not be read" for that call, never a
  MemoryError, an AttributeError or gigabytes of memory (checked in a grading
  process with a 1.5 GiB address space).
- Cleanup survives deep folders and many files; the worker's writable space
  has a total size; nothing is left in the temporary folder, also when a
  worker fails to start.
- Intake reads only regular files inside the submissions folder: symbolic
  links through `grade`, `grade-batch` and the Gradescope runner.
- Terminal control characters from the student are shown escaped.
"""
from __future__ import annotations

import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import cli
from grader.catalog import get
from grader.proxy import RemoteModule
from grader.sandbox import spawn
from grader.sandbox.client import WorkerProcess
from grader.sandbox.spawn import remove_tree, use_fork_servers
from grader.sandbox.spec import Limits, WorkerSpec
from tests.helpers import reference_text

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = reference_text("affine")
X86_64 = platform.machine() == "x86_64"
ORDINARY_UID = 4242  # an ordinary user (no passwd entry needed) for running dlx when the tests run as root

# -- workers against each other ---------------------------------------------------------------------------
VICTIM = """
import os, resource
def state():
    return [list(resource.getrlimit(resource.RLIMIT_AS)), list(resource.getrlimit(resource.RLIMIT_CPU)),
            os.getpriority(os.PRIO_PROCESS, 0), sorted(os.sched_getaffinity(0)), os.sched_getscheduler(0)]
"""

# Every system call that takes another process as its target; through ctypes (x86_64 numbers) where Python has
# no function for it. Returns the attempts that worked.
ATTACKER = """
import ctypes, os, resource, signal
def attack(pids):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    info = ctypes.create_string_buffer(128)
    info[8:12] = (-1).to_bytes(4, "little", signed=True)  # si_code SI_QUEUE, as sigqueue() sends it
    def call(nr, *args):
        return libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args]) >= 0
    def pidfd_signal(pid):
        fd = libc.syscall(ctypes.c_long(434), ctypes.c_long(pid), ctypes.c_long(0))
        return fd >= 0 and call(424, fd, int(signal.SIGSTOP), 0, 0)
    worked = []
    for pid in pids:
        tries = {
            "prlimit": lambda: resource.prlimit(pid, resource.RLIMIT_AS, (2**20, 2**20)) or True,
            "prlimit cpu": lambda: resource.prlimit(pid, resource.RLIMIT_CPU, (1, 1)) or True,
            "setpriority": lambda: os.setpriority(os.PRIO_PROCESS, pid, 19) or True,
            "sched_setaffinity": lambda: os.sched_setaffinity(pid, {0}) or True,
            "sched_setscheduler": lambda: os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0)) or True,
            "ioprio_set": lambda: call(251, 1, pid, (3 << 13) | 7),
            "pidfd_send_signal": lambda: pidfd_signal(pid),
            "rt_sigqueueinfo": lambda: call(129, pid, int(signal.SIGSTOP), info),
            "rt_tgsigqueueinfo": lambda: call(297, pid, pid, int(signal.SIGSTOP), info),
            "kill": lambda: call(62, pid, int(signal.SIGSTOP)),
        }
        tries["/proc/PID/mem"] = lambda: open(f"/proc/{pid}/mem", "r+b").close() or True
        tries["/proc/PID/environ"] = lambda: open(f"/proc/{pid}/environ", "rb").read() or True
        for name, action in tries.items():
            try:
                if action():
                    worked.append(f"{name} {pid}")
            except OSError:
                pass
    return worked
"""


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (host pids, from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            children.setdefault(int(stat[stat.rindex(")") + 2:].split()[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo += children.get(found[-1], [])
    return found


def open_worker(source: str, off: tuple[str, ...]) -> RemoteModule:
    return RemoteModule(WorkerSpec(source=source, filename="affine.py", module="affine", layers_off=off,
                                 limits=Limits(call_timeout_s=20, total_timeout_s=60)), "affine.py")


def attack_pair(victim_off: tuple[str, ...], attacker_off: tuple[str, ...], extra: tuple[int, ...] = ()) -> dict:
    """A victim and an attacker alive at once; the attacker aims at every process of the victim (and ``extra``)."""
    with open_worker(VICTIM, victim_off) as victim, open_worker(ATTACKER, attacker_off) as attacker:
        before = victim.state()
        assert victim._worker is not None
        targets = [*descendants(victim._worker.proc.pid), *extra]
        worked = attacker.attack(targets)
        return {"worked": worked, "before": before, "after": victim.state(), "targets": targets}


# (victim's layers off, attacker's layers off): all layers, then each wall alone. The attacker never has the
# audit hook (it is a convenience, not a wall).
AS_ROOT = {
    "all layers": ((), ("guard",)),
    "the seccomp filter alone (both workers root without capabilities)": (("guard", "uid", "pidns"),) * 2,
    "the PID namespace alone": (("guard", "uid", "seccomp"),) * 2,
    "a user id of its own alone": (("guard", "seccomp", "pidns"),) * 2,
}


@pytest.mark.skipif(os.geteuid() != 0 or not X86_64, reason="as root, on x86_64")
@pytest.mark.parametrize("case", list(AS_ROOT))
def test_a_worker_cannot_reach_another_as_root(case):
    victim_off, attacker_off = AS_ROOT[case]
    result = attack_pair(victim_off, attacker_off)
    assert len(result["targets"]) >= 1
    assert result["worked"] == []
    assert result["after"] == result["before"]


AS_ORDINARY_USER = """
import json, os, resource, sys
sys.path.insert(0, {root!r})
from tests.test_redteam_isolation import attack_pair
grader = os.getpid()
limits = [resource.getrlimit(r) for r in (resource.RLIMIT_AS, resource.RLIMIT_NPROC, resource.RLIMIT_CPU)]
priority = os.getpriority(os.PRIO_PROCESS, 0)
results = {{}}
for case, off in {cases!r}.items():
    results[case] = attack_pair(off, ("guard", *off), extra=(grader, os.getppid()))
after = [resource.getrlimit(r) for r in (resource.RLIMIT_AS, resource.RLIMIT_NPROC, resource.RLIMIT_CPU)]
print(json.dumps({{"uid": os.getuid(), "results": results, "grader_unchanged": after == limits,
                  "priority_unchanged": os.getpriority(os.PRIO_PROCESS, 0) == priority}}))
"""


@pytest.mark.skipif(os.geteuid() != 0 or not X86_64 or not shutil.which("setpriv"),
                    reason="needs root (to become an ordinary user with setpriv) on x86_64")
def test_a_worker_cannot_reach_another_nor_the_grader_when_dlx_runs_as_an_ordinary_user():
    """dlx run by uid 4242: the workers share the grader's user id; they still cannot touch it or each other."""
    cases = {"all layers": (), "the seccomp filter alone": ("pidns",), "the PID namespace alone": ("seccomp",),
             "no namespaces (they see /proc)": ("pidns", "mountns", "userns", "netns", "ipcns")}
    home = Path(tempfile.mkdtemp(prefix="dlx-redteam-user-"))  # pytest's own folders are root's alone
    try:
        os.chown(home, ORDINARY_UID, ORDINARY_UID)
        script = home / "attack.py"
        script.write_text(AS_ORDINARY_USER.format(root=str(ROOT), cases=cases))
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "DLX_HOME": str(home / "dlx")}
        # The only privilege kept: reading files (this machine's Python lives under root's 0700 home); the
        # grader can neither signal nor limit anyone else's processes.
        run = subprocess.run(["setpriv", f"--reuid={ORDINARY_UID}", f"--regid={ORDINARY_UID}", "--clear-groups",
                              "--inh-caps=-all,+dac_read_search", "--ambient-caps=+dac_read_search",
                              sys.executable, str(script)], env=env, cwd=str(home), capture_output=True, text=True,
                             timeout=300)
    finally:
        remove_tree(str(home))
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["uid"] == ORDINARY_UID
    for case, result in report["results"].items():
        assert result["worked"] == [], case
        assert result["after"] == result["before"], case
    assert report["grader_unchanged"] and report["priority_unchanged"]


BATCH_ATTACKER = """
import os, resource, time
# No ctypes, no audit event: lower the limits of every process this user may touch, for as long as the
# neighbours are graded.
end = time.monotonic() + 3.5
me = os.getpid()
hit = set()
while time.monotonic() < end:
    for pid in range(2, 1 << 15):
        if pid != me:
            for limit, value in ((resource.RLIMIT_AS, 2**20), (resource.RLIMIT_CPU, 1)):
                try:
                    resource.prlimit(pid, limit, (value, value))
                    hit.add(pid)
                except OSError:
                    pass
print("CHANGED THE LIMITS OF", len(hit), "PROCESSES")
"""


def test_an_attacker_graded_beside_honest_students_in_grade_batch_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("DLX_HOME", str(tmp_path / "home"))
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "aaron.py").write_text(BATCH_ATTACKER + "\n" + SOLUTION)  # graded first, beside the others
    for name in ("ana", "ben", "cy"):
        (subs / f"{name}.py").write_text(SOLUTION)
    out = tmp_path / "grades.csv"
    result = CliRunner().invoke(cli.main, ["grade-batch", "affine", str(subs), "--out", str(out), "--workers", "2",
                                           "--seed", "0", "--json-dir", str(tmp_path / "json")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with out.open() as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert {name: float(rows[name]["score"]) for name in ("ana", "ben", "cy")} == {"ana": 10, "ben": 10, "cy": 10}
    # before issue 13 it changed those of every worker running at the time (all were `nobody`), on the whole machine
    attacker = json.loads((tmp_path / "json" / "aaron.json").read_text())
    assert "CHANGED THE LIMITS OF 0 PROCESSES" in attacker["output"]


# -- crafted frames on the reply pipe ---------------------------------------------------------------------
FORGE = """
import sys, time
def forge():
    frame = sys._getframe()
    while frame is not None and "worker" not in frame.f_locals:
        frame = frame.f_back
    fd = frame.f_locals["worker"].reply_fd
    head = b'{"m": {"D": [["ok", true], ["v", ' + VALUE + b']]}, "b": ' + LENGTHS + b'}'
    data = len(head).to_bytes(8, "little") + head + BLOBS
    sys.modules["dlx_sandbox.wire"].write_frame(fd, data)
    time.sleep(60)
"""
NPY_OBJECT = (b"\x93NUMPY\x01\x00v\x00" + b"{'descr': '|O', 'fortran_order': False, 'shape': (3,), }".ljust(117)
              + b"\n" + bytes(24))
# name: (the reply's value, the blob lengths, the blobs), as Python expressions of bytes
CRAFTED = {
    "a 150-byte message asking NumPy for a huge dtype": (
        """b'{"G": {"bit_generator": "PCG64", "state": {"__array__": [0], "dtype": "(2000000000,)u1"}}}'""",
        "b'[]'", "b''"),
    "a generator state that is not a dict": ("""b'{"G": [1, 2]}'""", "b'[]'", "b''"),
    "a flood of small lists": ("b'[' + b'[],' * 60_000_000 + b'[]]'", "b'[]'", "b''"),
    "a flood of small dicts": ("""b'[' + b'{"T": []},' * 20_000_000 + b'[]]'""", "b'[]'", "b''"),
    "an object array": ("""b'{"A": 0}'""", f"b'[{len(NPY_OBJECT)}]'", repr(NPY_OBJECT)),
    "blob sizes that lie": ("""b'{"A": 0}'""", "b'[-100, 1000000000000]'", "b''"),
    "a dict key that is a list": ("""b'{"D": [[[1], 2]]}'""", "b'[]'", "b''"),
    "an array reference that is not a number": ("""b'{"A": "x"}'""", "b'[]'", "b''"),
}

CRAFTED_RUN = """
import json, resource, sys
sys.path.insert(0, {root!r})
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
from grader.proxy import RemoteModule
from grader.sandbox.spec import Limits, WorkerSpec
from tests.test_redteam_isolation import CRAFTED, FORGE
value, lengths, blobs = CRAFTED[{name!r}]
source = FORGE.replace("VALUE", value).replace("LENGTHS", lengths).replace("BLOBS", blobs)
spec = WorkerSpec(source=source, filename="affine.py", module="affine",
                  limits=Limits(call_timeout_s=20, total_timeout_s=60))
try:
    with RemoteModule(spec, "affine.py") as s:
        s.forge()
    print(json.dumps(["returned", ""]))
except BaseException as exc:
    print(json.dumps([type(exc).__name__, str(exc)[:300]]))
"""


@pytest.mark.parametrize("name", list(CRAFTED))
def test_a_crafted_frame_is_a_result_that_could_not_be_read(name):
    """The grading process (with 1.5 GiB of address space) reads a frame the student wrote to the reply pipe."""
    script = CRAFTED_RUN.format(root=str(ROOT), cap=3 * 2**29, name=name)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]
    kind, message = json.loads(run.stdout.strip().splitlines()[-1])
    assert kind == "StudentCrash", (kind, message)
    assert "your result could not be read" in message


# -- cleanup, disk -----------------------------------------------------------------------------------------
FILLER = """
import os
def deep(n):
    for _ in range(n):
        os.mkdir("d")
        os.chdir("d")
    with open("bottom.txt", "w") as f:
        f.write("x")
    return n
def fill(mib):
    written = 0
    try:
        for i in range(mib):
            with open(f"f{i}", "wb") as f:
                f.write(b"x" * 2**20)
            written += 1
    except OSError as exc:
        return written, exc.strerror
    return written, None
def many(n):
    try:
        for i in range(n):
            open(f"small{i}", "w").close()
    except OSError as exc:
        return i, exc.strerror
    return n, None
"""


@pytest.fixture
def own_tmp(tmp_path, monkeypatch):
    """The temporary folder workers are created in, empty, to see what is left."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(folder))
    return folder


def leftovers(folder: Path) -> list[str]:
    """What is left in ``folder`` once the warm fork servers (whose homes may be there too) have closed."""
    use_fork_servers(False)
    use_fork_servers(True)
    return os.listdir(folder)


@pytest.mark.parametrize("off", [(), ("mountns",)], ids=["all layers", "no mount namespace"])
def test_a_thousand_nested_folders_are_cleaned_up(own_tmp, off):
    with open_worker(FILLER, off) as sub:
        assert sub.deep(1200) == 1200
    assert leftovers(own_tmp) == []


def test_remove_tree_survives_any_depth_and_permissions(tmp_path):
    top = tmp_path / "top"
    path = top
    path.mkdir()
    os.chdir(path)
    for _ in range(1500):
        os.mkdir("d")
        os.chdir("d")
    Path("f").write_text("x")
    os.symlink(str(ROOT / "solutions"), "link")  # never followed
    os.chmod(".", 0o000)
    os.chdir(tmp_path)
    remove_tree(str(top))
    assert not top.exists()
    assert (ROOT / "solutions" / "affine.py").is_file()


def test_the_workers_writable_space_has_a_total_size(own_tmp):
    with open_worker(FILLER, ()) as sub:
        written, error = sub.fill(200)  # 200 files of 1 MiB, each under the per-file limit
        assert error == "No space left on device"
        assert written * 2**20 <= Limits().disk_bytes
        assert list(own_tmp.glob("*/f*")) == []  # and none of it on the host's disk
        count, error = sub.many(100_000)
        assert error == "No space left on device" and count < 100_000
    assert leftovers(own_tmp) == []


def test_nothing_is_left_behind_when_a_worker_fails_to_start(own_tmp, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(spawn.Spawned, "__init__", refuse)
    monkeypatch.setattr(spawn.Forked, "__init__", refuse)
    with pytest.raises(OSError):
        WorkerProcess(WorkerSpec(source="x = 1\n", filename="affine.py", module="affine"))
    assert leftovers(own_tmp) == []


def test_nothing_is_left_behind_by_a_grading(own_tmp):
    from grader.runner import grade_source

    assert grade_source(get("affine"), SOLUTION, 0).score == 10
    assert leftovers(own_tmp) == []


# -- intake: symbolic links and special files -------------------------------------------------------------
SECRET_LINE = "SECRET-FIRST-LINE-4242"


def hostile_links(folder: Path, outside: Path) -> dict[str, str]:
    """Submissions in ``folder`` that point elsewhere: student -> what their file is."""
    outside.mkdir(exist_ok=True)
    (outside / "notes.txt").write_text(f"{SECRET_LINE}\nmore\n")
    (outside / "affine.py").write_text(SOLUTION)
    (folder / "alice.py").symlink_to(ROOT / "solutions" / "affine.py")
    (folder / "bob.py").symlink_to("/dev/zero")
    (folder / "carol.py").symlink_to(outside / "notes.txt")
    (folder / "dave").symlink_to(outside, target_is_directory=True)  # dave/affine.py: a folder outside
    os.mkfifo(folder / "erin.py")
    return {"alice": "a link to the reference", "bob": "/dev/zero", "carol": "a non-Python file",
            "dave": "a folder outside", "erin": "a FIFO"}


def test_grade_refuses_a_symlink(tmp_path):
    link = tmp_path / "affine.py"
    link.symlink_to(ROOT / "solutions" / "affine.py")
    result = CliRunner().invoke(cli.main, ["grade", "affine", str(link), "--json"])
    assert result.exit_code == 2
    assert "symbolic link" in result.output and len(result.output.strip().splitlines()) == 1
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    result = CliRunner().invoke(cli.main, ["grade", "affine", str(tmp_path / "zero.py")])
    assert result.exit_code == 2 and "symbolic link" in result.output


def test_grade_batch_reads_only_regular_files_inside_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("DLX_HOME", str(tmp_path / "home"))
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "honest.py").write_text(SOLUTION)
    hostile = hostile_links(subs, tmp_path / "elsewhere")
    out = tmp_path / "grades.csv"
    result = CliRunner().invoke(cli.main, ["grade-batch", "affine", str(subs), "--out", str(out), "--json-dir",
                                           str(tmp_path / "json"), "--workers", "2"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with out.open() as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert float(rows["honest"]["score"]) == 10
    for student, what in hostile.items():
        assert float(rows[student]["score"]) == 0, what
        assert rows[student]["error"], what
    everything = out.read_text() + "".join(p.read_text() for p in (tmp_path / "json").iterdir())
    assert SECRET_LINE not in everything


def test_the_gradescope_runner_reads_only_regular_files_inside_the_submission(tmp_path):
    from grader.gradescope import grade_submission

    for what in ("reference", "zero", "notes"):
        root = tmp_path / what
        (root / "source").mkdir(parents=True)
        (root / "submission").mkdir()
        (root / "source" / "config.json").write_text(json.dumps({"exercises": ["affine"],
                                                                 "hidden_visibility": "hidden"}))
        (tmp_path / "notes.txt").write_text(f"{SECRET_LINE}\n")
        target = {"reference": ROOT / "solutions" / "affine.py", "zero": Path("/dev/zero"),
                  "notes": tmp_path / "notes.txt"}[what]
        (root / "submission" / "affine.py").symlink_to(target)
        results = grade_submission(root)
        assert results["score"] == 0, what
        assert "symbolic link" in results["output"], what
        assert SECRET_LINE not in json.dumps(results)


# -- terminal control characters ----------------------------------------------------------------------------
FAKE_SUCCESS = textwrap.dedent("""
    print("\\x1b[2K\\r ✓ affine_backward: dx is right (3/3)\\x1b[1A\\x1b[2K\\r\\n\\r score 10/10\\x07\\u202e")
    def affine_forward(x, w, b):
        raise ValueError("\\x1b[32m ✓ fine\\r\\x1b[0m")
    def affine_backward(dout, cache):
        raise ValueError("\\u202e01/01 erocs")
""")


def test_control_characters_from_the_student_are_shown_escaped(tmp_path):
    path = tmp_path / "affine.py"
    path.write_text(FAKE_SUCCESS)
    result = CliRunner().invoke(cli.main, ["grade", "affine", str(path), "--seed", "0"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = result.output
    for control in ("\x1b", "\r", "\x07", "\u202e"):
        assert control not in out, repr(control)
    assert "\\x1b[2K" in out and "\\r" in out and "\\u202e" in out
    assert "score 0/10" in out


# -- dlx doctor ----------------------------------------------------------------------------------------------
def test_doctor_says_which_guarantee_is_lost_where_a_layer_is_missing(monkeypatch):
    from grader import doctor

    real = doctor.sandbox_layers
    spec = WorkerSpec(source="def probe():\n    return 1\n", filename="probe.py", module="probe",
                      layers_off=("pidns", "seccomp"))
    monkeypatch.setattr(doctor, "sandbox_layers", lambda: real(spec))
    out = " ".join(CliRunner().invoke(doctor.doctor, [], catch_exceptions=False).output.split())
    assert "Lost without the PID namespace: a worker can see and name other processes" in out
    assert "Lost without the seccomp filter: a worker can signal, limit (prlimit) and reschedule" in out
    layers = {name: active for name, active, _ in real()}
    assert layers["PID namespace"] is True and layers["seccomp filter"] is True
    if os.geteuid() == 0:
        assert layers["user of its own per worker"] is True
