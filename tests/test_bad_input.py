"""Broken submissions are graded, with a clear message, never a traceback from dlx."""
import time

import pytest

from grader.catalog import get
from grader.runner import grade_source
from grader.sandbox.spec import Limits
from tests.helpers import grade, mutate, reference_text

SOLUTION = reference_text("affine")


def _all_outputs(result):
    return [t.output for t in result.tests]


def test_syntax_error_names_the_line():
    result = grade("affine", SOLUTION.replace("def affine_backward(dout, cache):", "def affine_backward(dout, cache)"))
    assert result.score == 0
    assert all("could not be loaded: SyntaxError" in o and "line 10" in o for o in _all_outputs(result))


def test_missing_function_loses_only_its_tests():
    source = SOLUTION.split("def affine_backward")[0]
    result = grade("affine", source)
    outputs = {t.name: t.output for t in result.tests}
    assert outputs["affine_forward: out matches the reference"] == ""
    assert "affine.py does not define `affine_backward`" in outputs["affine_backward: dx is right"]
    assert result.score == 3


def test_wrong_shape_is_reported():
    result = grade("affine", mutate(SOLUTION, "return x @ w + b, (x, w, b)", "return (x @ w + b).T, (x, w, b)"))
    out = next(t.output for t in result.tests if t.name == "affine_forward: out matches the reference")
    assert out == "affine_forward: out has shape (3, 4); expected (4, 3)"


def test_wrong_type_is_reported():
    result = grade("affine", mutate(SOLUTION, "return x @ w + b, (x, w, b)", "return 'out', (x, w, b)"))
    out = next(t.output for t in result.tests if t.name == "affine_forward: out matches the reference")
    assert out.startswith("affine_forward: out should be a NumPy array; it is a str")


def test_exception_shows_type_and_student_line():
    result = grade("affine", mutate(SOLUTION, "    x, w, _ = cache\n", "    x, w = cache\n"))
    out = next(t.output for t in result.tests if t.name == "affine_backward: dx is right")
    assert "affine_backward raised ValueError: too many values to unpack" in out
    assert "affine.py, line 12, in affine_backward: `x, w = cache`" in out


def test_exception_at_import():
    result = grade("affine", "raise RuntimeError('boom')\n" + SOLUTION)
    assert result.score == 0
    assert "could not be loaded: RuntimeError: boom at line 1" in result.tests[0].output


def test_hang_is_cut_off_and_grading_completes():
    source = mutate(SOLUTION, "    x, w, _ = cache\n", "    while True:\n        pass\n")
    start = time.monotonic()
    result = grade_source(get("affine"), source, 0, limits=Limits(call_timeout_s=1.0, total_timeout_s=4.0))
    assert time.monotonic() - start < 15
    assert result.score == 3  # the forward tests still pass
    outputs = " ".join(_all_outputs(result))
    assert "affine_backward did not finish within 1 s" in outputs


def test_process_exit_is_a_graded_crash():
    source = mutate(SOLUTION, "    x, w, _ = cache\n", "    import os\n    os._exit(3)\n")
    result = grade("affine", source)
    assert result.score == 3
    assert "exited with status 3" in " ".join(_all_outputs(result))


@pytest.mark.parametrize("call", ["import sys; sys.exit(1)", "raise SystemExit"])
def test_sys_exit_is_an_exception_not_a_crash(call):
    source = mutate(SOLUTION, "    x, w, _ = cache\n", f"    {call}\n")
    result = grade("affine", source)
    assert result.score == 3
    assert "your code called sys.exit" in " ".join(_all_outputs(result))


def test_printing_is_captured_not_shown_by_pytest():
    result = grade("affine", "print('hello from the student')\n" + SOLUTION)
    assert result.score == result.max_score
    assert "hello from the student" in result.output


def test_torch_is_refused_in_numpy_exercises():
    result = grade("affine", "import torch\n" + SOLUTION)
    assert result.score == 0
    assert "torch may not be used in this exercise" in result.tests[0].output
