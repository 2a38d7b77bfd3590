"""The path students use: a fresh `dlx grade` process, no warm fork server, on a busy machine.

The other test files fork their workers from warm fork servers (conftest.py);
here every worker starts cold, as it does for `dlx grade`, `dlx submit` and
nbgrader.  A correct file must score full marks whatever the machine is doing:
the time limits count the student's CPU time from the end of the worker's own
start-up, and time spent waiting for a CPU is the machine's, not the student's.
"""
from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest

from grader.catalog import catalog, get
from grader.proxy import RemoteModule, StudentTimeout
from grader.runner import worker_spec
from grader.sandbox.spawn import use_fork_servers
from grader.sandbox.spec import Limits, WorkerSpec

ROOT = Path(__file__).resolve().parent.parent
AT_ONCE = 4
HAS_TORCH = importlib.util.find_spec("torch") is not None


@pytest.fixture
def cold():
    """Workers start as new interpreters (as `dlx grade` does), not from a warm fork server."""
    use_fork_servers(False)
    yield
    use_fork_servers(True)


def _dlx_grade(exercise_id: str) -> dict:
    reference = get(exercise_id).reference
    dlx = shutil.which("dlx")
    command = [dlx] if dlx else [sys.executable, "-c", "from grader.cli import main; main()"]
    done = subprocess.run([*command, "grade", "--json", "--seed", "7", exercise_id, str(reference)],
                          capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_every_reference_scores_full_marks_cold_and_four_at_once():
    """Each reference, graded by a fresh `dlx grade` with AT_ONCE gradings running at the same time."""
    ids = [e.id for e in catalog().values() if e.requires != "torch" or HAS_TORCH]
    # the slow ones first, so that they overlap with each other and with the rest
    ids.sort(key=lambda i: get(i).requires != "torch")
    with ThreadPoolExecutor(AT_ONCE) as pool:
        results = dict(zip(ids, pool.map(_dlx_grade, ids)))
    wrong = {i: f"{r['score']:g}/{r['max_score']:g}: " + "; ".join(
        f"{t['name']}: {t['output'][:200]}" for t in r["tests"] if t["status"] != "passed")
        for i, r in results.items() if r["score"] != r["max_score"]}
    assert not wrong, wrong
    printed = {i: r["output"] for i, r in results.items() if r["output"]}
    assert not printed, f"the references print nothing, yet 'Your code printed' shows: {printed}"


@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")
def test_a_cold_torch_worker_loads_within_one_second_of_the_students_time(cold):
    """Importing torch takes several seconds of the worker's own start-up; none of it is the student's."""
    exercise = get("torch_functions")
    spec = worker_spec(exercise, exercise.reference.read_text(), Limits(call_timeout_s=1.0, total_timeout_s=5.0))
    with RemoteModule(spec, exercise.filename) as submission:
        submission._ready()  # loads the file, or raises why it cannot
        assert "SigmoidFunction" in submission._loaded["v"]


@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")
def test_torch_start_up_messages_are_not_the_students_output(cold):
    """cpuinfo and NNPACK complain inside the walls unless warmed up first; neither is the student's print."""
    source = textwrap.dedent("""
        import torch
        print("loaded")
        def convolve():
            x, w = torch.ones(1, 3, 8, 8), torch.ones(4, 3, 3, 3)
            print("convolving")
            return float(torch.nn.functional.conv2d(x, w).sum())
    """)
    spec = worker_spec(get("resblock_torch"), source)
    with RemoteModule(spec, "resblock_torch.py") as submission:
        assert submission.convolve() == 4 * 6 * 6 * 27
    assert "".join(submission.output) == "loaded\nconvolving\n"


def _numpy_spec(body: str, **limits: float) -> WorkerSpec:
    return WorkerSpec(source=textwrap.dedent(body), filename="student.py", module="student",
                      limits=Limits(**limits))


BUSY = """
    import time
    def busy(seconds):
        end = time.process_time() + seconds
        while time.process_time() < end:
            pass
        return "done"
    def sleep(seconds):
        time.sleep(seconds)
        return "slept"
"""


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        children = Path(f"/proc/{current}/task/{current}/children")
        pending += [int(c) for c in children.read_text().split()] if children.exists() else []
    return found


@contextlib.contextmanager
def _crowded(pid: int, others: int = 3) -> Iterator[None]:
    """Process ``pid`` shares one CPU with ``others`` busy processes: it gets a quarter of the CPU at most."""
    cpu = min(os.sched_getaffinity(0))
    for process in _tree(pid):  # with a PID namespace, the student's code runs in a grandchild of ``pid``
        os.sched_setaffinity(process, {cpu})
    hog = f"import os\nos.sched_setaffinity(0, {{{cpu}}})\nwhile True:\n    pass"
    # each hog in a session of its own: with autogroup scheduling, CPU is shared between sessions
    hogs = [subprocess.Popen([sys.executable, "-c", hog], start_new_session=True) for _ in range(others)]
    try:
        yield
    finally:
        for process in hogs:
            process.kill()
            process.wait()


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs Linux CPU affinity")
def test_time_spent_waiting_for_a_cpu_is_not_the_students(cold):
    """A call that needs 0.5 s of CPU passes a 1 s limit when it shares its CPU with three busy processes."""
    with RemoteModule(_numpy_spec(BUSY, call_timeout_s=1.0), "student.py") as submission:
        submission._ready()  # loads the file, or raises why it cannot
        with _crowded(submission._worker.proc.pid):
            start = time.monotonic()
            assert submission.busy(0.5) == "done"
            waited = time.monotonic() - start
    assert waited > 1.0, "the call was not held up beyond its limit: this test showed nothing"


def test_the_start_up_of_a_cold_worker_is_not_the_students(cold):
    """Stopped for 2 s before it is ready, a cold worker still loads the file within a 1 s limit."""
    submission = RemoteModule(_numpy_spec(BUSY, call_timeout_s=1.0), "student.py")
    with submission:
        os.killpg(submission._worker.proc.pid, signal.SIGSTOP)
        threading.Timer(2.0, os.killpg, (submission._worker.proc.pid, signal.SIGCONT)).start()
        submission._ready()  # loads the file, or raises why it cannot
        assert submission.busy(0.1) == "done"


def test_an_infinite_loop_is_cut_off_by_its_cpu_time_and_told_so(cold):
    with RemoteModule(_numpy_spec(BUSY, call_timeout_s=1.0), "student.py") as submission:
        with pytest.raises(StudentTimeout) as caught:
            submission.busy(3600)
    assert str(caught.value) == "busy did not finish within 1 s of CPU time (an infinite loop, or far too slow?)"


def test_code_that_waits_is_cut_off_and_not_called_an_infinite_loop(cold):
    """Sleeping uses no CPU: the wall-clock limit (3 times the CPU limit) stops it, and says it was waiting."""
    with RemoteModule(_numpy_spec(BUSY, call_timeout_s=1.0), "student.py") as submission:
        assert submission.sleep(1.5) == "slept"  # waiting a little is no crime
        start = time.monotonic()
        with pytest.raises(StudentTimeout) as caught:
            submission.sleep(3600)
        assert time.monotonic() - start < 30
    message = str(caught.value)
    assert message.startswith("sleep did not finish within 3 s, and computed for only 0.0 s of them: it was waiting")
    assert "infinite loop" not in message
