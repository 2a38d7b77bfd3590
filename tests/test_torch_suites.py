"""The PyTorch exercises: torch stays out of the grading process and out of NumPy exercises' workers.

(tests/test_suites.py grades their references, stubs and visible tests like every exercise's.)"""
import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import grader.runner as runner
from grader import TORCH_VERSION
from grader.catalog import catalog, get
from grader.errors import GradingError
from grader.paths import SUITES_DIR
from grader.runner import worker_spec
from tests.helpers import grade, reference_text

TORCH_IDS = [e.id for e in catalog().values() if e.requires == "torch"]
ROOT = Path(__file__).resolve().parents[1]


def test_the_three_pytorch_exercises_are_in_the_bank():
    assert TORCH_IDS == ["torch_functions", "resblock_torch", "train_torch"]


@pytest.mark.parametrize("exercise_id", TORCH_IDS)
def test_suites_do_not_import_torch(exercise_id):
    """The hidden and the visible tests run in the grading process: no torch there, even by mistake."""
    for path in (SUITES_DIR / f"test_{exercise_id}.py", get(exercise_id).visible_tests):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.partition(".")[0] == "torch" for n in names), f"{path.name} imports torch"


def test_grading_process_never_imports_torch():
    """Grade every PyTorch reference in a fresh interpreter: torch is loaded only in the workers."""
    script = (
        "import sys\n"
        "from grader.sandbox.spawn import use_fork_servers\n"
        "from tests.helpers import grade, reference_text\n"
        "use_fork_servers(True)\n"
        f"for exercise_id in {TORCH_IDS!r}:\n"
        "    result = grade(exercise_id, reference_text(exercise_id), 0)\n"
        "    assert result.score == result.max_score, (exercise_id, [t.output for t in result.tests])\n"
        "print('torch' in sys.modules, any(m.startswith('torch.') for m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["False", "False"]


def test_workers_get_torch_only_for_pytorch_exercises():
    numpy_spec = worker_spec(get("affine"), "")
    assert not any(name.partition(".")[0] == "torch" for name in numpy_spec.preload)
    assert "torch" in numpy_spec.blocked_imports
    for exercise_id in TORCH_IDS:
        spec = worker_spec(get(exercise_id), "")
        assert "torch" in spec.preload and "torch" not in spec.blocked_imports


def test_training_gets_its_own_time_limits():
    limits = worker_spec(get("train_torch"), "").limits
    assert (limits.call_timeout_s, limits.total_timeout_s, limits.cpu_s) == (60, 120, 120)


def test_grading_without_torch_gives_a_clear_message(monkeypatch):
    """As if torch were not installed: a one-line GradingError before any worker starts; NumPy
    exercises are not affected."""
    real_find_spec = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        return None if name.partition(".")[0] == "torch" else real_find_spec(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    affine = grade("affine", reference_text("affine"), 0)
    assert affine.score == affine.max_score

    def no_worker(*args, **kwargs):
        raise AssertionError("a worker was started although torch is missing")

    monkeypatch.setattr(runner, "RemoteModule", no_worker)
    for exercise_id in TORCH_IDS:
        with pytest.raises(GradingError) as info:
            grade(exercise_id, reference_text(exercise_id), 0)
        message = str(info.value)
        assert f"{exercise_id} is a PyTorch exercise and PyTorch is not installed" in message
        assert f"pip install torch=={TORCH_VERSION}" in message and "\n" not in message


def test_reference_functions_pass_torch_gradcheck():
    """The references of torch_functions are right by torch's own numerical Jacobian check (float64)."""
    import importlib

    import torch

    spec = importlib.util.spec_from_file_location("torch_functions_reference", get("torch_functions").reference)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    generator = torch.Generator().manual_seed(0)

    def leaf(*shape):
        return torch.randn(*shape, generator=generator, dtype=torch.float64, requires_grad=True)

    assert torch.autograd.gradcheck(module.SigmoidFunction.apply, (leaf(4, 3),))
    assert torch.autograd.gradcheck(module.LinearFunction.apply, (leaf(4, 3), leaf(3, 2), leaf(2)))
    assert torch.autograd.gradcheck(module.LogSumExpFunction.apply, (leaf(4, 5),))
