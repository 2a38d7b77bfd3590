"""Visible tests for `residual`: run them with `dlx check residual`.

They use small hand-checkable inputs; the hidden tests of `dlx submit` use
random inputs, other shapes, ReLU inputs of exactly 0 and a numerical
gradient check of all five gradients.
"""
import numpy as np

from grader.checks import as_tuple, assert_close, numerical_gradient_array

FWD, BWD = "residual_forward", "residual_backward"


def _forward(x, w1, b1, w2, b2):
    return np.maximum(np.maximum(x @ w1 + b1, 0) @ w2 + b2 + x, 0)


def test_forward_small_example(submission):
    """residual_forward on a 1x2 example"""
    x = np.array([[1.0, -2.0]])
    w1, b1 = np.array([[1.0], [1.0]]), np.array([2.0])  # h = relu(1 - 2 + 2) = 1
    w2, b2 = np.array([[0.5, 3.0]]), np.array([0.0, -0.5])  # s = [0.5 + 1, 3 - 0.5 - 2] = [1.5, 0.5]
    out, _ = as_tuple(submission.residual_forward(x, w1, b1, w2, b2), 2, FWD, "(out, cache)")
    assert_close(out, [[1.5, 0.5]], FWD, "out")


def test_zero_branch_passes_the_gradient_through(submission):
    """residual_backward: with a branch of zeros, the block is relu(x) and dx flows through the skip"""
    x = np.array([[1.0, -2.0, 3.0]])
    zeros = (np.zeros((3, 2)), np.zeros(2), np.zeros((2, 3)), np.zeros(3))
    _, cache = as_tuple(submission.residual_forward(x, *zeros), 2, FWD, "(out, cache)")
    grads = as_tuple(submission.residual_backward(np.array([[1.0, 1.0, 1.0]]), cache), 5, BWD,
                     "(dx, dw1, db1, dw2, db2)")
    assert_close(grads[0], [[1.0, 0.0, 1.0]], BWD, "dx")


def test_backward_matches_numerical_gradient(submission):
    """residual_backward agrees with a numerical gradient for all five gradients"""
    rng = np.random.default_rng(0)
    args = [rng.normal(size=(3, 4)), rng.normal(size=(4, 5)), rng.normal(size=5), rng.normal(size=(5, 4)),
            rng.normal(size=4)]
    dout = rng.normal(size=(3, 4))
    _, cache = as_tuple(submission.residual_forward(*args), 2, FWD, "(out, cache)")
    grads = as_tuple(submission.residual_backward(dout, cache), 5, BWD, "(dx, dw1, db1, dw2, db2)")
    for i, name in enumerate(["dx", "dw1", "db1", "dw2", "db2"]):
        def f(v, i=i):
            return _forward(*(v if j == i else a for j, a in enumerate(args)))
        assert_close(grads[i], numerical_gradient_array(f, args[i], dout), BWD, name, 1e-6)
