"""Typical mistakes in `gradcheck` lose the points they should, and only those."""
import pytest

from tests.grading import edited, grade, mistake, mistake_tests, pick, seeds_agree_test

IN_PLACE = ("    x = np.array(x, dtype=np.float64)\n    grad", "    grad")  # works on the caller's x
CENTRED = "(plus - minus) / (2 * h)"
# leaving x alone earns its points only with a right gradient (issue 11)
GRADIENTS = ("quadratic_form", "any_shape", "zero_d", "step_h", "vector_jacobian_product", "array_step_h",
             "x_unchanged", "array_x_unchanged")

MISTAKES = [
    edited("one_sided_difference", [
        ("        x[i] = old - h\n        minus = f(x)\n", "        x[i] = old\n        minus = f(x)\n"),
        (CENTRED, "(plus - minus) / h"),
    ], *GRADIENTS, "one_element_at_a_time", says={"one_element_at_a_time": "never called f at x - h*e_i"}),
    mistake("operator_precedence_in_the_divisor", CENTRED, "(plus - minus) / 2 * h", *GRADIENTS),
    edited("restoring_x_by_arithmetic", [IN_PLACE, (
        "        old = x[i]\n        x[i] = old + h\n        plus = f(x)\n        x[i] = old - h\n        minus = f(x)\n"
        "        x[i] = old\n",
        "        x[i] += h\n        plus = f(x)\n        x[i] -= 2 * h\n        minus = f(x)\n        x[i] += h\n",
    )], "x_unchanged", "one_element_at_a_time", "step_h", "array_x_unchanged",  # the gradients themselves are fine
        says={"x_unchanged": "changed its argument x in place", "one_element_at_a_time": "put it back exactly"}),
    edited("not_restoring_x", [IN_PLACE, ("        x[i] = old\n", "")],
           "any_shape", "x_unchanged", "one_element_at_a_time", "step_h", "array_x_unchanged", "array_step_h"),
    mistake("vjp_ignores_dout", "np.sum(f(z) * dout)", "np.sum(f(z))",  # see one_sided_difference
            "vector_jacobian_product", "array_step_h", "array_x_unchanged"),
    mistake("loop_over_first_axis_only", "    for i in np.ndindex(x.shape):\n", "    for i in range(len(x)):\n",
            *GRADIENTS, "one_element_at_a_time", says={"zero_d": "len() of unsized object"}),
    mistake("max_replaced_by_mean", "float(np.max(np.abs(a - b)", "float(np.mean(np.abs(a - b)", "rel_error_max",
            lost=1),
    mistake("no_floor", "np.maximum(1e-8, np.abs(a) + np.abs(b))", "(np.abs(a) + np.abs(b))", "rel_error_floor",
            lost=1),
    mistake("wrong_default_step", "def numerical_gradient(f, x, h=1e-6):", "def numerical_gradient(f, x, h=1e-5):",
            "step_h", lost=1),
    mistake("array_step_not_passed_on", "return numerical_gradient(lambda z: np.sum(f(z) * dout), x, h)",
            "return numerical_gradient(lambda z: np.sum(f(z) * dout), x)", "array_step_h", lost=1),
    mistake("divisor_ignores_h", CENTRED, "(plus - minus) / 2e-6", "step_h", "array_step_h"),
]

test_mistake = mistake_tests("gradcheck", MISTAKES)
test_seeds_agree = seeds_agree_test("gradcheck", pick(MISTAKES, "vjp_ignores_dout"), full_marks=14)

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
