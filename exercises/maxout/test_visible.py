"""Visible tests for `maxout`: run them with `dlx check maxout`.

They use small hand-checkable inputs; the hidden tests of `dlx submit` use
random inputs, other shapes, exact ties and a numerical gradient check.
"""
import numpy as np

from grader.checks import as_tuple, assert_close, numerical_gradient_array


def test_forward_small_example(submission):
    """maxout_forward on one input, two units of two pieces"""
    x = np.array([[1.0, -2.0]])
    w = np.array([[[1.0, -1.0], [0.5, 0.0]],
                  [[0.0, 1.0], [1.0, 2.0]]])  # (D=2, M=2, K=2)
    b = np.array([[0.0, 1.0], [0.5, 0.0]])
    # unit 0: pieces 1 and -2 -> 1; unit 1: pieces -1 and -4 -> -1
    out, _ = as_tuple(submission.maxout_forward(x, w, b), 2, "maxout_forward", "(out, cache)")
    assert_close(out, [[1.0, -1.0]], "maxout_forward", "out")


def test_backward_matches_numerical_gradient(submission):
    """maxout_backward agrees with a numerical gradient"""
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 2, 3)), rng.normal(size=(2, 3))
    dout = rng.normal(size=(3, 2))

    def forward(x, w, b):
        return (np.einsum("nd,dmk->nmk", x, w) + b).max(axis=2)

    _, cache = as_tuple(submission.maxout_forward(x, w, b), 2, "maxout_forward", "(out, cache)")
    dx, dw, db = as_tuple(submission.maxout_backward(dout, cache), 3, "maxout_backward", "(dx, dw, db)")
    assert_close(dx, numerical_gradient_array(lambda v: forward(v, w, b), x, dout), "maxout_backward", "dx", 1e-6)
    assert_close(dw, numerical_gradient_array(lambda v: forward(x, v, b), w, dout), "maxout_backward", "dw", 1e-6)
    assert_close(db, numerical_gradient_array(lambda v: forward(x, w, v), b, dout), "maxout_backward", "db", 1e-6)


def test_tie_splits_evenly(submission):
    """maxout_backward splits the gradient evenly between two tied pieces"""
    x = np.array([[1.0, 1.0]])
    w = np.array([[[1.0, 2.0]], [[1.0, 0.0]]])  # (D=2, M=1, K=2): both pieces give 2
    b = np.zeros((1, 2))
    _, cache = as_tuple(submission.maxout_forward(x, w, b), 2, "maxout_forward", "(out, cache)")
    dx, dw, db = as_tuple(submission.maxout_backward(np.array([[1.0]]), cache), 3, "maxout_backward", "(dx, dw, db)")
    assert_close(db, [[0.5, 0.5]], "maxout_backward", "db")
    assert_close(dw, [[[0.5, 0.5]], [[0.5, 0.5]]], "maxout_backward", "dw")
    assert_close(dx, [[1.5, 0.5]], "maxout_backward", "dx")
