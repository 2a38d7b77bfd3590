"""Hidden suite for `affine`."""

from grader.testing import CheckedCalls, as_tuple, assert_close, assert_not_mutated, check_layer_gradient, points


def _inputs(rng, n=4, d=5, m=3):
    return rng.normal(size=(n, d)), rng.normal(size=(d, m)), rng.normal(size=m)


@points(2, id="forward_values")
def test_forward_values(submission, reference, rng):
    """affine_forward: out matches the reference"""
    x, w, b = _inputs(rng)
    out, _ = as_tuple(submission.affine_forward(x, w, b), 2, "affine_forward", "(out, cache)")
    assert_close(out, reference.affine_forward(x, w, b)[0], "affine_forward", "out")


@points(1, id="forward_other_shapes")
def test_forward_other_shapes(submission, reference, rng):
    """affine_forward: works for a single row and for D = 1"""
    for n, d, m in [(1, 7, 2), (6, 1, 4)]:
        x, w, b = _inputs(rng, n, d, m)
        out, _ = as_tuple(submission.affine_forward(x, w, b), 2, "affine_forward", "(out, cache)")
        assert_close(out, reference.affine_forward(x, w, b)[0], "affine_forward", f"out (N={n}, D={d}, M={m})")


@points(2, id="backward_dx")
def test_backward_dx(submission, reference, rng):
    """affine_backward: dx is right"""
    args = _inputs(rng)
    check_layer_gradient(submission, reference, "affine", args, "xwb", 0, rng.normal(size=(4, 3)))


@points(2, id="backward_dw")
def test_backward_dw(submission, reference, rng):
    """affine_backward: dw is right"""
    args = _inputs(rng)
    check_layer_gradient(submission, reference, "affine", args, "xwb", 1, rng.normal(size=(4, 3)))


@points(1, id="backward_db")
def test_backward_db(submission, reference, rng):
    """affine_backward: db sums over the batch"""
    args = _inputs(rng)
    check_layer_gradient(submission, reference, "affine", args, "xwb", 2, rng.normal(size=(4, 3)))


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
