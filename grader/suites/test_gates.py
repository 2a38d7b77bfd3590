"""Hidden suite for `gates`."""
import numpy as np

from grader.i18n import _
from grader.checks import (CheckedCalls, Feedback, as_array, as_tuple, assert_close, assert_not_mutated,
                            first_mismatch, fmt, points)

SHAPES = [(7,), (3, 4), (2, 3, 4)]


def _dyadic(rng, shape):
    """Random multiples of 2**-16 in [-16, 16): sums and products of a few of them are exact
    in float64, so every correct summation order gives the same bits and no correct answer
    can fail by rounding."""
    return np.ldexp(rng.integers(-2**20, 2**20, size=shape), -16)


def _grads(value, fn, names, shapes):
    """The returned gradient(s) as arrays of the expected shapes."""
    if len(names) == 1:
        return (as_array(value, fn, names[0], shapes[0]),)
    items = as_tuple(value, len(names), fn, "(" + ", ".join(names) + ")")
    return tuple(as_array(v, fn, n, s) for v, n, s in zip(items, names, shapes))


def _compare(got, expected, fn, names, shape):
    for g, e, n in zip(got, expected, names):
        assert_close(g, e, fn, _("{n} (inputs of shape {shape})").format(n=n, shape=shape))


def _ties(rng, shape):
    """x and y equal on a random part of the entries (at least one), different elsewhere (at least one)."""
    x = rng.normal(size=shape)
    tie = rng.random(shape) < 0.5
    tie.flat[0], tie.flat[-1] = True, False
    y = np.where(tie, x, rng.normal(size=shape))
    return x, y, tie


@points(1, id="add_backward")
def test_add_backward(submission, reference, rng):
    """add_backward: dx and dy both equal dout"""
    for shape in SHAPES:
        dout = rng.normal(size=shape)
        got = _grads(submission.add_backward(dout), "add_backward", ("dx", "dy"), (shape, shape))
        _compare(got, reference.add_backward(dout), "add_backward", ("dx", "dy"), shape)


@points(2, id="mul_backward")
def test_mul_backward(submission, reference, rng):
    """mul_backward: each input gets dout times the other input"""
    for shape in SHAPES:
        x, y, dout = rng.normal(size=shape), rng.normal(size=shape), rng.normal(size=shape)
        got = _grads(submission.mul_backward(x, y, dout), "mul_backward", ("dx", "dy"), (shape, shape))
        _compare(got, reference.mul_backward(x, y, dout), "mul_backward", ("dx", "dy"), shape)


@points(2, id="max_backward_routes")
def test_max_backward_routes(submission, reference, rng):
    """max_backward: dout goes to the larger input, however small the difference"""
    for shape in SHAPES:
        x, y, dout = rng.normal(size=shape), rng.normal(size=shape), rng.normal(size=shape)
        near = rng.random(shape) < 0.5  # these differ by about 1e-12 only: still no tie
        y = np.where(near, x + rng.choice([-1e-12, 1e-12], size=shape) * np.maximum(1.0, np.abs(x)), y)
        got = _grads(submission.max_backward(x, y, dout), "max_backward", ("dx", "dy"), (shape, shape))
        _compare(got, reference.max_backward(x, y, dout), "max_backward", ("dx", "dy"), shape)


@points(2, id="max_backward_ties")
def test_max_backward_ties(submission, rng):
    """max_backward: a tie splits dout 0.5/0.5"""
    for shape in SHAPES:
        x, y, tie = _ties(rng, shape)
        dout = rng.normal(size=shape)
        got = _grads(submission.max_backward(x, y, dout), "max_backward", ("dx", "dy"), (shape, shape))
        for g, name in zip(got, ("dx", "dy")):
            idx = first_mismatch(g, 0.5 * dout, tie)
            if idx is not None:
                raise Feedback(_("max_backward: {name} at {idx}, where x == y: expected half of dout, {value}, "
                                 "got {g}").format(
                                   name=name, idx=list(idx), value=fmt(0.5 * dout[idx]), g=fmt(g[idx])))


@points(1, id="scale_backward")
def test_scale_backward(submission, reference, rng):
    """scale_backward: dx is c times dout"""
    for shape in SHAPES:
        c, dout = float(rng.uniform(-3.0, 3.0)), rng.normal(size=shape)
        (dx,) = _grads(submission.scale_backward(c, dout), "scale_backward", ("dx",), (shape,))
        assert_close(dx, reference.scale_backward(c, dout), "scale_backward",
                     _("dx (c = {c:.4g}, shape {shape})").format(c=c, shape=shape))


@points(1, id="branch_backward_two")
def test_branch_backward_two(submission, reference, rng):
    """branch_backward: sums the gradients of two consumers"""
    douts = [_dyadic(rng, (3, 4)) for _unused in range(2)]
    (dx,) = _grads(submission.branch_backward(douts), "branch_backward", ("dx",), ((3, 4),))
    assert_close(dx, reference.branch_backward(douts), "branch_backward", _("dx (2 arrays of shape (3, 4))"))


@points(2, id="branch_backward_any_length")
def test_branch_backward_any_length(submission, reference, rng):
    """branch_backward: sums a list of any length (1, 3 or 5 arrays)"""
    for count, shape in [(1, (7,)), (3, (2, 3, 4)), (5, (3, 4))]:
        douts = [_dyadic(rng, shape) for _unused in range(count)]
        (dx,) = _grads(submission.branch_backward(douts), "branch_backward", ("dx",), (shape,))
        assert_close(dx, reference.branch_backward(douts), "branch_backward",
                     _("dx ({count} arrays of shape {shape})").format(count=count, shape=shape))


def _graph_backward(gates, x, y, z, c, dout):
    """Backward pass of f = maximum(x * y, z) + c * x, one gate at a time; x feeds two nodes."""
    pair, one = ("dx", "dy"), ("dx",)
    dm, ds = _grads(gates.add_backward(dout), "add_backward", pair, (x.shape,) * 2)
    (dx_scale,) = _grads(gates.scale_backward(c, ds), "scale_backward", one, (x.shape,))
    dp, dz = _grads(gates.max_backward(x * y, z, dm), "max_backward", pair, (x.shape,) * 2)
    dx_mul, dy = _grads(gates.mul_backward(x, y, dp), "mul_backward", pair, (x.shape,) * 2)
    (dx,) = _grads(gates.branch_backward([dx_mul, dx_scale]), "branch_backward", one, (x.shape,))
    return dx, dy, dz


@points(2, id="small_graph")
def test_small_graph(submission, reference, rng):
    """all gates: chained on f = maximum(x * y, z) + c * x, they give the right dx, dy, dz"""
    x, y, z, dout = (_dyadic(rng, (3, 4)) for _unused in range(4))
    z = np.where(np.abs(x * y - z) < 0.05, z + 0.5, z)  # no ties: this test is about the chain
    c = float(rng.integers(2, 13)) / 4
    got = _graph_backward(submission, x, y, z, c, dout)
    for g, e, name in zip(got, _graph_backward(reference, x, y, z, c, dout), ("dx", "dy", "dz")):
        assert_close(g, e, _("the chained gates"),
                     _("{name} of {f}").format(name=name, f=f"f = maximum(x * y, z) + {c} * x"))


@points(1, id="no_mutation")
def test_no_mutation(submission, reference, rng):
    """add, mul, max, scale and branch_backward leave their arguments unchanged"""
    calls = CheckedCalls(submission, reference)
    x, y, _ = _ties(rng, (3, 4))
    dout = rng.normal(size=(3, 4))
    calls.call("add_backward", dout)
    assert_not_mutated(submission, "add_backward", ["dout"])
    for fn in ("mul_backward", "max_backward"):
        calls.call(fn, x, y, dout)
        assert_not_mutated(submission, fn, ["x", "y", "dout"])
    calls.call("scale_backward", float(rng.uniform(0.5, 2.0)), dout)
    assert_not_mutated(submission, "scale_backward", ["c", "dout"])
    calls.call("branch_backward", [dout, rng.normal(size=(3, 4)), rng.normal(size=(3, 4))])
    assert_not_mutated(submission, "branch_backward", ["douts"])
    calls.assert_work_done()
