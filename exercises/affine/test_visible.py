"""Visible tests for `affine`: run them with `dlx check affine`.

They use small hand-checkable inputs; the hidden tests of `dlx submit` use
random inputs, other shapes and a numerical gradient check.
"""
import numpy as np

from grader.checks import as_tuple, assert_close, numerical_gradient_array


def test_forward_small_example(submission):
    """affine_forward on a 2x2 example"""
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    w = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0]])
    b = np.array([0.1, 0.2, 0.3])
    out, _ = as_tuple(submission.affine_forward(x, w, b), 2, "affine_forward", "(out, cache)")
    assert_close(out, [[2.1, 4.2, -0.7], [5.1, 8.2, -2.7]], "affine_forward", "out")


def test_backward_matches_numerical_gradient(submission):
    """affine_backward agrees with a numerical gradient"""
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=2)
    dout = rng.normal(size=(3, 2))
    _, cache = submission.affine_forward(x, w, b)
    dx, dw, db = as_tuple(submission.affine_backward(dout, cache), 3, "affine_backward", "(dx, dw, db)")
    assert_close(dx, numerical_gradient_array(lambda v: v @ w + b, x, dout), "affine_backward", "dx", 1e-6)
    assert_close(dw, numerical_gradient_array(lambda v: x @ v + b, w, dout), "affine_backward", "dw", 1e-6)
    assert_close(db, numerical_gradient_array(lambda v: x @ w + v, b, dout), "affine_backward", "db", 1e-6)
