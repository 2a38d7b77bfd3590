"""Visible tests for `dropout`: run them with `dlx check dropout`.

The hidden tests of `dlx submit` replay the exact draws of the generator, so
they check the mask unit by unit, and they test p = 0, p = 1 and evaluation.
"""
import numpy as np

from grader.checks import as_tuple, assert_close

FWD = "dropout_forward"


def test_mask_and_scale(submission):
    """dropout_forward keeps units where rng.random(x.shape) >= p and scales them by 1/(1-p)"""
    x = np.arange(1.0, 13.0).reshape(3, 4)
    out, _ = as_tuple(submission.dropout_forward(x, 0.25, True, np.random.default_rng(0)), 2, FWD, "(out, cache)")
    keep = np.random.default_rng(0).random((3, 4)) >= 0.25  # the same draws from the same seed
    assert_close(out, np.where(keep, x / 0.75, 0.0), FWD, "out")


def test_evaluation_returns_x(submission):
    """dropout_forward in evaluation returns x"""
    x = np.array([[1.0, -2.0], [3.0, 4.0]])
    out, _ = as_tuple(submission.dropout_forward(x, 0.5, False, np.random.default_rng(0)), 2, FWD, "(out, cache)")
    assert_close(out, x, FWD, "out (train=False)")


def test_backward_reuses_the_mask(submission):
    """dropout_backward passes the gradient through the forward's kept units, scaled"""
    x = np.ones((4, 5))
    out, cache = as_tuple(submission.dropout_forward(x, 0.5, True, np.random.default_rng(1)), 2, FWD, "(out, cache)")
    dx = submission.dropout_backward(np.full((4, 5), 3.0), cache)
    assert_close(dx, 3.0 * np.asarray(out), "dropout_backward", "dx")
