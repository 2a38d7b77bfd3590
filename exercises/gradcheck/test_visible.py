"""Visible tests for `gradcheck`: run them with `dlx check gradcheck`.

The test functions are built inside the sandbox (your code cannot receive a
function from the grader any other way) and have known gradients. The hidden
tests of `dlx submit` also check other shapes, 0-d arrays, the step h, that
x is left exactly as it was, and the 1e-8 floor of rel_error.
"""
import numpy as np

from grader.proxy import TrustedFunction
from grader.checks import as_array, as_float, assert_close, build


def test_gradient_of_quadratic_form(submission):
    """numerical_gradient: f(x) = 0.5 (x - c)^T A (x - c) has gradient A (x - c)"""
    params = {"seed": 0, "shape": [2, 3]}
    f = build("quadratic_form", params)
    x = f.center + np.array([[0.2, -0.1, 0.3], [-0.25, 0.15, 0.1]])
    grad = as_array(submission.numerical_gradient(TrustedFunction("quadratic_form", params), x),
                    "numerical_gradient", "grad", (2, 3))
    assert_close(grad, f.gradient(x), "numerical_gradient", "grad", 1e-7)


def test_vector_jacobian_product(submission):
    """numerical_gradient_array: f(x) = tanh(x) @ w, checked against (1 - tanh(x)**2) * (dout @ w.T)"""
    params = {"seed": 0, "shape": [2, 3], "m": 4}
    f = build("matrix_function", params)
    x = np.array([[0.5, -0.8, 0.3], [-0.4, 0.9, 0.6]])
    dout = np.array([[1.0, 0.5, 1.5, 0.75], [0.6, 1.2, 0.8, 1.0]])
    grad = as_array(submission.numerical_gradient_array(TrustedFunction("matrix_function", params), x, dout),
                    "numerical_gradient_array", "grad", (2, 3))
    assert_close(grad, f.vjp(x, dout), "numerical_gradient_array", "grad", 1e-7)


def test_rel_error_small_examples(submission):
    """rel_error: the worst element counts, and two zeros give 0.0"""
    got = as_float(submission.rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.2])), "rel_error", "the result")
    assert_close(got, 0.2 / 4.2, "rel_error", "rel_error([1, 2], [1, 2.2])")
    got = as_float(submission.rel_error(np.zeros(3), np.zeros(3)), "rel_error", "the result")
    assert_close(got, 0.0, "rel_error", "rel_error(zeros, zeros)")
