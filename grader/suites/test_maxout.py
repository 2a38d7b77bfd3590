"""Hidden suite for `maxout`."""
import numpy as np

from grader.i18n import _
from grader.checks import (CheckedCalls, assert_close, assert_not_mutated, call_tuple, dyadic, graded,
                            layer_gradient_check, points)

FWD, BWD = "maxout_forward", "maxout_backward"


def _inputs(rng, n=4, d=5, m=3, k=3, margin=1e-3):
    """Random x, w, b whose winning piece leads the runner-up by more than ``margin`` in every unit.

    The margin keeps centred differences (step 1e-6) on one side of every kink.
    """
    while True:
        x, w, b = rng.normal(size=(n, d)), rng.normal(size=(d, m, k)), rng.normal(size=(m, k))
        z = np.sort(np.einsum("nd,dmk->nmk", x, w) + b, axis=2)
        if k == 1 or np.min(z[:, :, -1] - z[:, :, -2]) > margin:
            return x, w, b


def _gradients(submission, x, w, b, dout):
    _, cache = call_tuple(submission, FWD, "(out, cache)", x, w, b)
    return call_tuple(submission, BWD, "(dx, dw, db)", dout, cache)


@points(2, id="forward_values")
def test_forward_values(submission, reference, rng):
    """maxout_forward: out matches the reference"""
    x, w, b = _inputs(rng)
    out, _ = call_tuple(submission, FWD, "(out, cache)", x, w, b)
    assert_close(out, reference.maxout_forward(x, w, b)[0], FWD, "out")


@points(1, id="forward_other_shapes")
def test_forward_other_shapes(submission, reference, rng):
    """maxout_forward: works for a single row and for one piece (K = 1, an affine layer)"""
    for n, d, m, k in [(1, 3, 2, 4), (5, 2, 3, 1)]:
        x, w, b = _inputs(rng, n, d, m, k)
        out, _ = call_tuple(submission, FWD, "(out, cache)", x, w, b)
        assert_close(out, reference.maxout_forward(x, w, b)[0], FWD, f"out (N={n}, D={d}, M={m}, K={k})")


_check_gradient = layer_gradient_check("maxout", _inputs, "xwb", (4, 3))  # which = 0, 1, 2: dx, dw, db


test_backward_dx = graded(2, "backward_dx", "maxout_backward: dx is right", _check_gradient, 0)
test_backward_dw = graded(2, "backward_dw", "maxout_backward: dw reaches only the winning pieces", _check_gradient, 1)
test_backward_db = graded(1, "backward_db", "maxout_backward: db sums over the batch", _check_gradient, 2)


@points(2, id="tie_identical_pieces")
def test_tie_identical_pieces(submission, reference, rng):
    """maxout_backward: identical tied pieces share dw and db evenly"""
    n, d, m, k = 4, 4, 3, 3
    x, w, b = dyadic(rng, (n, d), 4), dyadic(rng, (d, m, k), 8), dyadic(rng, (m, k), 8)
    b[:, 0] += 32.0  # |x @ w| <= 8 and |b| <= 1: piece 0 beats piece 2 everywhere
    w[:, :, 1], b[:, 1] = w[:, :, 0], b[:, 0]  # piece 1 a copy of piece 0 in every unit...
    w[:, 0, 2], b[0, 2] = w[:, 0, 0], b[0, 0]  # ...and piece 2 too in unit 0: exact ties
    dout = rng.normal(size=(n, m))
    _unused, dw, db = _gradients(submission, x, w, b, dout)
    _unused, ref_dw, ref_db = reference.maxout_backward(dout, reference.maxout_forward(x, w, b)[1])
    assert_close(dw, ref_dw, BWD, _("dw (pieces tied for the max must share the gradient evenly)"))
    assert_close(db, ref_db, BWD, _("db (pieces tied for the max must share the gradient evenly)"))


@points(2, id="tie_distinct_pieces")
def test_tie_distinct_pieces(submission, reference, rng):
    """maxout_backward: a tie between different pieces splits dx evenly; a near-tie does not"""
    n, d, m, k = 3, 4, 2, 3
    x, w, b = dyadic(rng, (n, d), 4), dyadic(rng, (d, m, k), 8), dyadic(rng, (m, k), 8)
    b[:, 1] = b[:, 0] + x[0] @ (w[:, :, 0] - w[:, :, 1])  # exact: pieces 0 and 1 tie in row 0...
    b[1, 1] -= 2.0**-30  # ...in unit 0; in unit 1 piece 1 falls short of piece 0 by 2**-30 (still exact): no tie
    b[:, 2] = -64.0  # piece 2 never wins
    dout = rng.normal(size=(n, m))
    dx, _unused, _unused = _gradients(submission, x, w, b, dout)
    ref_dx = reference.maxout_backward(dout, reference.maxout_forward(x, w, b)[1])[0]
    assert_close(dx, ref_dx, BWD, _("dx (row 0: in unit 0 two pieces tie for the max and share the gradient; "
                 "in unit 1 they differ by 2**-30, so only the larger one gets it)"))


@points(1, id="no_mutation")
def test_no_mutation(submission, reference, rng):
    """maxout_forward and maxout_backward leave their arguments unchanged"""
    calls = CheckedCalls(submission, reference)
    x, w, b = _inputs(rng)
    dout = rng.normal(size=(4, 3))
    _, cache = calls.call(FWD, x, w, b, skip=[1])
    assert_not_mutated(submission, FWD, ["x", "w", "b"])
    calls.call(BWD, dout, cache, reference_args=(dout, reference.maxout_forward(x, w, b)[1]))
    assert_not_mutated(submission, BWD, ["dout", "cache"])
    calls.assert_work_done()
