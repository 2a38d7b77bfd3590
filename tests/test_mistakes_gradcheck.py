"""Typical mistakes in `gradcheck` lose the points they should, and only those."""
import pytest

from tests.grading import assert_loses, assert_loses_only, failed_tests, grade, mutate, solution_text

SOLUTION = solution_text("gradcheck")

QUADRATIC = "analytic gradient of a quadratic form"
SHAPES = "x of any shape"
ZERO_D = "a 0-d x"
UNCHANGED = "numerical_gradient: leaves x exactly"
CENTRED = "one element at a time"
STEP = "numerical_gradient: uses the step h"
VJP = "vector-Jacobian product"
ARRAY_UNCHANGED = "leaves x and dout exactly"
ARRAY_STEP = "numerical_gradient_array: uses the step h"
MAX = "largest elementwise relative error"
FLOOR = "the 1e-8 floor"

IN_PLACE = mutate(SOLUTION, "    x = np.array(x, dtype=np.float64)\n    grad", "    grad")  # works on the caller's x


def passes(result, *fragments):
    """No test whose name contains one of ``fragments`` failed."""
    assert not [name for name in failed_tests(result) if any(f in name for f in fragments)]


def output(result, fragment):
    return next(t.output for t in result.tests if fragment in t.name)


def test_one_sided_difference():
    source = mutate(SOLUTION, "        x[i] = old - h\n        minus = f(x)\n", "        x[i] = old\n        minus = f(x)\n")
    source = mutate(source, "(plus - minus) / (2 * h)", "(plus - minus) / h")
    result = grade("gradcheck", source)
    # leaving x alone earns its points only with a right gradient (issue 11)
    assert_loses(result, QUADRATIC, CENTRED, STEP, ARRAY_STEP, UNCHANGED, ARRAY_UNCHANGED)
    passes(result, MAX, FLOOR)
    assert "never called f at x - h*e_i" in output(result, CENTRED)


def test_operator_precedence_in_the_divisor():
    source = mutate(SOLUTION, "(plus - minus) / (2 * h)", "(plus - minus) / 2 * h")
    assert_loses_only(grade("gradcheck", source), QUADRATIC, SHAPES, ZERO_D, STEP, VJP, ARRAY_STEP, UNCHANGED,
                      ARRAY_UNCHANGED)  # leaving x alone earns its points only with a right gradient (issue 11)


def test_restoring_x_by_arithmetic():
    old = "        old = x[i]\n        x[i] = old + h\n        plus = f(x)\n        x[i] = old - h\n        minus = f(x)\n        x[i] = old\n"
    new = "        x[i] += h\n        plus = f(x)\n        x[i] -= 2 * h\n        minus = f(x)\n        x[i] += h\n"
    result = grade("gradcheck", mutate(IN_PLACE, old, new))
    assert_loses_only(result, UNCHANGED, CENTRED, STEP, ARRAY_UNCHANGED)  # the gradients themselves are fine
    assert "changed its argument x in place" in output(result, UNCHANGED)
    assert "put it back exactly" in output(result, CENTRED)


def test_not_restoring_x():
    result = grade("gradcheck", mutate(IN_PLACE, "        x[i] = old\n", ""))
    assert_loses(result, UNCHANGED, CENTRED, ARRAY_UNCHANGED)
    passes(result, MAX, FLOOR)


def test_vjp_ignores_dout():
    source = mutate(SOLUTION, "np.sum(f(z) * dout)", "np.sum(f(z))")
    assert_loses_only(grade("gradcheck", source), VJP, ARRAY_STEP, ARRAY_UNCHANGED)  # see test_one_sided_difference


def test_loop_over_first_axis_only():
    source = mutate(SOLUTION, "    for i in np.ndindex(x.shape):\n", "    for i in range(len(x)):\n")
    result = grade("gradcheck", source)
    assert_loses(result, QUADRATIC, SHAPES, ZERO_D, VJP)
    assert "len() of unsized object" in output(result, ZERO_D)
    passes(result, MAX, FLOOR)


@pytest.mark.parametrize("old, new, lost", [
    ("float(np.max(np.abs(a - b)", "float(np.mean(np.abs(a - b)", MAX),
    ("np.maximum(1e-8, np.abs(a) + np.abs(b))", "(np.abs(a) + np.abs(b))", FLOOR),
    ("def numerical_gradient(f, x, h=1e-6):", "def numerical_gradient(f, x, h=1e-5):", STEP),
    ("return numerical_gradient(lambda z: np.sum(f(z) * dout), x, h)",
     "return numerical_gradient(lambda z: np.sum(f(z) * dout), x)", ARRAY_STEP),
])
def test_single_convention_mistakes(old, new, lost):
    result = grade("gradcheck", mutate(SOLUTION, old, new))
    assert_loses_only(result, lost)
    assert result.score == result.max_score - 1


def test_divisor_ignores_h():
    source = mutate(SOLUTION, "(plus - minus) / (2 * h)", "(plus - minus) / 2e-6")
    assert_loses_only(grade("gradcheck", source), STEP, ARRAY_STEP)


def test_seeds_agree():
    wrong = mutate(SOLUTION, "np.sum(f(z) * dout)", "np.sum(f(z))")
    assert grade("gradcheck", wrong, 3).score == grade("gradcheck", wrong, 4).score
    assert grade("gradcheck", SOLUTION, 3).score == grade("gradcheck", SOLUTION, 4).score == 14


ALTERNATIVE = '''
"""A student's checker: nditer, perturbation arrays instead of in-place moves."""
import numpy as np


def numerical_gradient(f, x, h=1e-6):
    grad = np.zeros(x.shape)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        e = np.zeros(x.shape)
        e[i] = h
        grad[i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad


def numerical_gradient_array(f, x, dout, h=1e-6):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        e = np.zeros(x.shape)
        e[i] = h
        grad[i] = np.sum((f(x + e) - f(x - e)) * dout) / (2 * h)
    return grad


def rel_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return (np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))).max().item()
'''


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_another_correct_design_scores_full_marks(seed):
    result = grade("gradcheck", ALTERNATIVE, seed)
    assert result.score == result.max_score, [(t.name, t.output) for t in result.tests if not t.passed]
