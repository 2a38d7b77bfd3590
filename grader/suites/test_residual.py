"""Hidden suite for `residual`."""
import numpy as np

from grader.i18n import _
from grader.checks import (
    CheckedCalls,
    Feedback,
    as_array,
    assert_close,
    assert_not_mutated,
    call_tuple,
    check_layer_gradient,
    dyadic,
    graded,
    layer_gradient_check,
    points,
    rel_error,
)

FWD, BWD = "residual_forward", "residual_backward"
NAMES = ["x", "w1", "b1", "w2", "b2"]


def _inputs(rng, n=4, d=5, h=6, margin=1e-3):
    """Random x, w1, b1, w2, b2 with both ReLUs' inputs at least ``margin`` away from their kink at 0,
    and every hidden unit alive in some row where an output unit is alive too.

    The margin keeps centred differences (step 1e-6) on one side of every kink.
    """
    while True:
        x, w1, b1 = rng.normal(size=(n, d)), rng.normal(size=(d, h)) / np.sqrt(d), rng.normal(size=h)
        w2, b2 = rng.normal(size=(h, d)) / np.sqrt(h), rng.normal(size=d)
        a = x @ w1 + b1
        s = np.maximum(a, 0) @ w2 + b2 + x
        # Away from the kinks, and every hidden unit alive in a row whose output is alive: otherwise a column of
        # the reference's dw1 (all of it, when every unit is dead) is zeros a lazy backward would match.
        alive = (a > 0) & (s > 0).any(axis=1, keepdims=True)
        if min(np.abs(a).min(), np.abs(s).min()) > margin and alive.any(axis=0).all():
            return x, w1, b1, w2, b2


def _check_out(out, reference, args, name):
    """``out`` is the reference's; a skip connection added after the final ReLU is named as such."""
    expected = reference.residual_forward(*args)[0]
    try:
        assert_close(out, expected, FWD, name)
    except Feedback:
        x, w1, b1, w2, b2 = args
        skip_after_relu = np.maximum(np.maximum(x @ w1 + b1, 0) @ w2 + b2, 0) + x
        if rel_error(as_array(out, FWD, name, expected.shape), skip_after_relu) < 1e-7:
            raise Feedback(_("{fn}: {name} adds the skip connection after the final ReLU; it goes inside it: "
                             "out = relu(h @ w2 + b2 + x)").format(fn=FWD, name=name)) from None
        raise


def _bias_grads_passing_at_zero(args, dout, hidden, output):
    """db1 and db2 if the hidden and/or output ReLU passed gradient where its input is exactly 0."""
    x, w1, b1, w2, b2 = args
    a = x @ w1 + b1
    s = np.maximum(a, 0) @ w2 + b2 + x
    ds = dout * ((s > 0) | (output & (s == 0)))
    da = (ds @ w2.T) * ((a > 0) | (hidden & (a == 0)))
    return da.sum(axis=0), ds.sum(axis=0)


_check_gradient = layer_gradient_check("residual", _inputs, NAMES, (4, 5))  # which: the index in NAMES


@points(2, id="forward_values")
def test_forward_values(submission, reference, rng):
    """residual_forward: out matches the reference"""
    args = _inputs(rng)
    out, _ = call_tuple(submission, FWD, "(out, cache)", *args)
    _check_out(out, reference, args, "out")


@points(1, id="forward_other_shapes")
def test_forward_other_shapes(submission, reference, rng):
    """residual_forward: works for a single row and for a hidden width of one"""
    for n, d, h in [(1, 3, 4), (5, 2, 1)]:
        args = _inputs(rng, n, d, h)
        out, _ = call_tuple(submission, FWD, "(out, cache)", *args)
        _check_out(out, reference, args, f"out (N={n}, D={d}, H={h})")


@points(3, id="backward_dx")
def test_backward_dx(submission, reference, rng):
    """residual_backward: dx is right (through the branch and the skip connection)"""
    args, dout = _inputs(rng), rng.normal(size=(4, 5))
    try:
        check_layer_gradient(submission, reference, "residual", args, NAMES, 0, dout)
    except Feedback:
        _unused, cache = call_tuple(submission, FWD, "(out, cache)", *args)
        dx = call_tuple(submission, BWD, "(dx, dw1, db1, dw2, db2)", dout, cache)[0]
        out, ref_cache = reference.residual_forward(*args)
        branch_only = reference.residual_backward(dout, ref_cache)[0] - dout * (out > 0)
        if rel_error(as_array(dx, BWD, "dx", args[0].shape), branch_only) < 1e-7:
            raise Feedback(_("{fn}: dx has the gradient through the branch only; it misses the skip "
                             "connection's part (out depends on x directly too)").format(fn=BWD)) from None
        raise


test_backward_dw1 = graded(2, "backward_dw1", "residual_backward: dw1 is right", _check_gradient, 1)
test_backward_db1 = graded(1, "backward_db1", "residual_backward: db1 is right", _check_gradient, 2)
test_backward_dw2 = graded(2, "backward_dw2", "residual_backward: dw2 is right", _check_gradient, 3)
test_backward_db2 = graded(1, "backward_db2", "residual_backward: db2 is right", _check_gradient, 4)


@points(1, id="kinks")
def test_kinks(submission, reference, rng):
    """residual_backward: a ReLU whose input is exactly 0 passes no gradient"""
    n, d, h = 3, 4, 5
    x, w1, b1 = dyadic(rng, (n, d), 4), dyadic(rng, (d, h), 8), dyadic(rng, h, 8)
    w2, b2 = dyadic(rng, (h, d), 8), dyadic(rng, d, 8)
    b1[0] = -(x[0] @ w1[:, 0])  # exact: the hidden ReLU's input is 0 at [0, 0]...
    b2[0] = -(np.maximum(x[0] @ w1 + b1, 0) @ w2[:, 0] + x[0, 0])  # ...and the output ReLU's at [0, 0]
    dout, args = rng.normal(size=(n, d)), (x, w1, b1, w2, b2)
    out, cache = call_tuple(submission, FWD, "(out, cache)", *args)
    grads = call_tuple(submission, BWD, "(dx, dw1, db1, dw2, db2)", dout, cache)
    expected = reference.residual_backward(dout, reference.residual_forward(*args)[1])
    for i in (2, 4):  # the bias gradients see both kinks and no other part of the backward pass
        name = _("d{name} with ReLU inputs exactly 0 in row 0").format(name=NAMES[i])
        try:
            assert_close(grads[i], expected[i], BWD, name)
        except Feedback:  # say which mistake: the forward, relu'(0), or something else
            _check_out(out, reference, args, _("out (on inputs that put both ReLUs exactly at 0)"))
            got = as_array(grads[i], BWD, name, expected[i].shape)
            for hidden, output in ((True, False), (False, True), (True, True)):
                if rel_error(got, _bias_grads_passing_at_zero(args, dout, hidden, output)[i // 2 - 1]) < 1e-7:
                    which = _("hidden and the output ReLU") if hidden and output else _("hidden ReLU") if hidden \
                        else _("output ReLU")
                    raise Feedback(_("{fn}: {name}: the {which} passed gradient where its input is exactly 0; "
                                     "relu'(0) must be 0").format(fn=BWD, name=name, which=which)) from None
            raise


@points(1, id="no_mutation")
def test_no_mutation(submission, reference, rng):
    """residual_forward and residual_backward leave their arguments unchanged"""
    calls = CheckedCalls(submission, reference)
    args, dout = _inputs(rng), rng.normal(size=(4, 5))
    _, cache = calls.call(FWD, *args, skip=[1])
    assert_not_mutated(submission, FWD, NAMES)
    calls.call(BWD, dout, cache, reference_args=(dout, reference.residual_forward(*args)[1]))
    assert_not_mutated(submission, BWD, ["dout", "cache"])
    calls.assert_work_done()
