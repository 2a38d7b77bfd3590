"""Visible tests for `gates`: run them with `dlx check gates`.

They use small hand-checkable inputs; the hidden tests of `dlx submit` use
random inputs of several shapes, chain the gates on a small graph, and check
that no argument is modified.
"""
import numpy as np

from grader.checks import as_array, as_tuple, assert_close


def test_mul_backward_swaps(submission):
    """mul_backward on a small example: each input gets dout times the other"""
    x, y, dout = np.array([2.0, -1.0]), np.array([3.0, 4.0]), np.array([1.0, 0.5])
    dx, dy = as_tuple(submission.mul_backward(x, y, dout), 2, "mul_backward", "(dx, dy)")
    assert_close(dx, [3.0, 2.0], "mul_backward", "dx")
    assert_close(dy, [2.0, -0.5], "mul_backward", "dy")


def test_max_backward_routes_and_splits_ties(submission):
    """max_backward on a small example with a tie"""
    x, y = np.array([[5.0, 1.0, 2.0]]), np.array([[3.0, 4.0, 2.0]])
    dout = np.array([[1.0, 2.0, 3.0]])
    dx, dy = as_tuple(submission.max_backward(x, y, dout), 2, "max_backward", "(dx, dy)")
    assert_close(dx, [[1.0, 0.0, 1.5]], "max_backward", "dx")
    assert_close(dy, [[0.0, 2.0, 1.5]], "max_backward", "dy")


def test_branch_and_scale(submission):
    """branch_backward sums three arrays; scale_backward multiplies by c"""
    douts = [np.array([1.0, 2.0]), np.array([10.0, 20.0]), np.array([-1.0, 0.5])]
    dx = as_array(submission.branch_backward(douts), "branch_backward", "dx", (2,))
    assert_close(dx, [10.0, 22.5], "branch_backward", "dx")
    dx = as_array(submission.scale_backward(-2.0, np.array([1.0, 0.25])), "scale_backward", "dx", (2,))
    assert_close(dx, [-2.0, -0.5], "scale_backward", "dx")
