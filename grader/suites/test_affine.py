"""Hidden suite for `affine`."""

from grader.testing import (CheckedCalls, assert_close, assert_not_mutated, call_tuple, check_layer_gradient, graded,
                            layer_gradient_check, points)


def _inputs(rng, n=4, d=5, m=3):
    return rng.normal(size=(n, d)), rng.normal(size=(d, m)), rng.normal(size=m)


@points(2, id="forward_values")
def test_forward_values(submission, reference, rng):
    """affine_forward: out matches the reference"""
    x, w, b = _inputs(rng)
    out, _ = call_tuple(submission, "affine_forward", "(out, cache)", x, w, b)
    assert_close(out, reference.affine_forward(x, w, b)[0], "affine_forward", "out")


@points(1, id="forward_other_shapes")
def test_forward_other_shapes(submission, reference, rng):
    """affine_forward: works for a single row and for D = 1"""
    for n, d, m in [(1, 7, 2), (6, 1, 4)]:
        x, w, b = _inputs(rng, n, d, m)
        out, _ = call_tuple(submission, "affine_forward", "(out, cache)", x, w, b)
        assert_close(out, reference.affine_forward(x, w, b)[0], "affine_forward", f"out (N={n}, D={d}, M={m})")


_check_gradient = layer_gradient_check("affine", _inputs, "xwb", (4, 3))  # which = 0, 1, 2: dx, dw, db


test_backward_dx = graded(2, "backward_dx", "affine_backward: dx is right", _check_gradient, 0)
test_backward_dw = graded(2, "backward_dw", "affine_backward: dw is right", _check_gradient, 1)
test_backward_db = graded(1, "backward_db", "affine_backward: db sums over the batch", _check_gradient, 2)


@points(1, id="backward_single_row")
def test_backward_single_row(submission, reference, rng):
    """affine_backward: all gradients right for a batch of one"""
    args = _inputs(rng, 1, 6, 2)
    for which in range(3):
        check_layer_gradient(submission, reference, "affine", args, "xwb", which, rng.normal(size=(1, 2)))


@points(1, id="no_mutation")
def test_no_mutation(submission, reference, rng):
    """affine_forward and affine_backward leave their arguments unchanged"""
    calls = CheckedCalls(submission, reference)
    x, w, b = _inputs(rng)
    dout = rng.normal(size=(4, 3))
    _, cache = calls.call("affine_forward", x, w, b, skip=[1])
    assert_not_mutated(submission, "affine_forward", ["x", "w", "b"])
    calls.call("affine_backward", dout, cache,
               reference_args=(dout, reference.affine_forward(x, w, b)[1]))
    assert_not_mutated(submission, "affine_backward", ["dout", "cache"])
    calls.assert_work_done()
