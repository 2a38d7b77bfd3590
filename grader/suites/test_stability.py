"""Hidden suite for `stability`."""
import numpy as np

from grader.testing import (
    CheckedCalls,
    Feedback,
    as_array,
    assert_close,
    assert_no_warnings,
    assert_not_mutated,
    extreme_inputs,
    fmt,
    points,
)

BIG = 1e4  # the catalogue's bound on |x|
ROUNDING = 1e-13  # absolute error allowed per unit of max|x|: a few hundred ulps of the inputs
AXES = (0, 1, -2)  # on a (3, 4, 5) input


def _moderate(rng, *shape):
    return 2.0 * rng.normal(size=shape)


def _sums_to_one(p, fn, name, axis):
    total = np.sum(p, axis=axis)
    bad = np.abs(total - 1.0) > 1e-12
    if np.any(bad):
        idx = [int(i) for i in np.argwhere(bad)[0]]
        raise Feedback(f"{fn}: {name} does not sum to 1 along axis {axis}: "
                       f"the sum at {idx} is {fmt(total[tuple(idx)])}")


def _check(submission, reference, fn, x, name, **kwargs):
    """``fn(x, **kwargs)`` matches the reference within relative error 1e-7."""
    return assert_close(submission.call(fn, x, **kwargs), getattr(reference, fn)(x, **kwargs), fn, name)


def _check_extreme(submission, reference, fn, x, atol):
    """Finite, warning-free and accurate for inputs with |x| up to 1e4."""
    got = submission.call(fn, x)
    assert_no_warnings(submission, fn)
    return assert_close(got, getattr(reference, fn)(x), fn, f"result for |x| up to 1e4, shape {x.shape}", atol=atol)


def _check_axes(submission, reference, fn, rng):
    """Each of AXES, on x of shape (3, 4, 5) and on x of shape (1, 4, 1): length-1 axes beside the reduced one
    (or reduced) must keep their place."""
    for x in (_moderate(rng, 3, 4, 5), _moderate(rng, 1, 4, 1)):
        for axis in AXES:
            got = _check(submission, reference, fn, x, f"result for axis={axis}, x of shape {x.shape}", axis=axis)
            if fn == "softmax":
                _sums_to_one(got, fn, f"the result for axis={axis}, x of shape {x.shape}", axis)


@points(1, id="logsumexp_values")
def test_logsumexp_values(submission, reference, rng):
    """logsumexp: values along the last axis, which is dropped"""
    for x in (_moderate(rng, 5, 7), _moderate(rng, 6)):
        _check(submission, reference, "logsumexp", x, f"result for x of shape {x.shape}")


@points(2, id="logsumexp_axis")
def test_logsumexp_axis(submission, reference, rng):
    """logsumexp: respects axis=0, 1 and -2 on 3-D inputs, with length-1 axes too"""
    _check_axes(submission, reference, "logsumexp", rng)


@points(2, id="logsumexp_extreme")
def test_logsumexp_extreme(submission, reference, rng):
    """logsumexp: finite, accurate and warning-free for |x| up to 1e4"""
    for x in (extreme_inputs(rng, 5, 6), extreme_inputs(rng, 9)):
        _check_extreme(submission, reference, "logsumexp", x, ROUNDING * BIG)


@points(1, id="softmax_values")
def test_softmax_values(submission, reference, rng):
    """softmax: values along the last axis; they sum to 1"""
    for x in (_moderate(rng, 5, 7), _moderate(rng, 6)):
        p = submission.softmax(x)
        _sums_to_one(as_array(p, "softmax", "the result", x.shape), "softmax", "the result", -1)
        assert_close(p, reference.softmax(x), "softmax", f"result for x of shape {x.shape}")


@points(1, id="softmax_axis")
def test_softmax_axis(submission, reference, rng):
    """softmax: respects axis=0, 1 and -2 on 3-D inputs, with length-1 axes too"""
    _check_axes(submission, reference, "softmax", rng)


@points(2, id="softmax_extreme")
def test_softmax_extreme(submission, reference, rng):
    """softmax: finite, accurate, warning-free and summing to 1 for |x| up to 1e4"""
    for x in (extreme_inputs(rng, 5, 6), extreme_inputs(rng, 9)):
        p = _check_extreme(submission, reference, "softmax", x, ROUNDING * BIG)
        _sums_to_one(p, "softmax", "the result for |x| up to 1e4", -1)


@points(1, id="log_softmax_values")
def test_log_softmax_values(submission, reference, rng):
    """log_softmax: values along the last axis"""
    for x in (_moderate(rng, 5, 7), _moderate(rng, 6)):
        _check(submission, reference, "log_softmax", x, f"result for x of shape {x.shape}")


@points(1, id="log_softmax_axis")
def test_log_softmax_axis(submission, reference, rng):
    """log_softmax: respects axis=0, 1 and -2 on 3-D inputs, with length-1 axes too"""
    _check_axes(submission, reference, "log_softmax", rng)


@points(2, id="log_softmax_extreme")
def test_log_softmax_extreme(submission, reference, rng):
    """log_softmax: finite, accurate and warning-free for |x| up to 1e4"""
    for x in (extreme_inputs(rng, 5, 6), extreme_inputs(rng, 9)):
        _check_extreme(submission, reference, "log_softmax", x, ROUNDING * BIG)


@points(1, id="sigmoid_values")
def test_sigmoid_values(submission, reference, rng):
    """sigmoid: values, elementwise on any shape"""
    for x in (_moderate(rng, 4, 6), _moderate(rng, 7)):
        _check(submission, reference, "sigmoid", x, f"result for x of shape {x.shape}")


@points(2, id="sigmoid_extreme")
def test_sigmoid_extreme(submission, reference, rng):
    """sigmoid: finite, accurate and warning-free for |x| up to 1e4"""
    for x in (extreme_inputs(rng, 15), extreme_inputs(rng, 3, 4)):
        # values in (0, 1): within one rounding of 1 (2**-53) even where they are tiny, so no clipping of x
        _check_extreme(submission, reference, "sigmoid", x, 2.0**-53)


@points(1, id="log_sigmoid_values")
def test_log_sigmoid_values(submission, reference, rng):
    """log_sigmoid: values, elementwise on any shape"""
    for x in (_moderate(rng, 4, 6), _moderate(rng, 7)):
        _check(submission, reference, "log_sigmoid", x, f"result for x of shape {x.shape}")


@points(2, id="log_sigmoid_extreme")
def test_log_sigmoid_extreme(submission, reference, rng):
    """log_sigmoid: finite, accurate and warning-free for |x| up to 1e4"""
    for x in (extreme_inputs(rng, 15), extreme_inputs(rng, 3, 4)):
        _check_extreme(submission, reference, "log_sigmoid", x, ROUNDING)


@points(1, id="no_mutation")
def test_no_mutation(submission, reference, rng):
    """all functions: leave their argument unchanged"""
    calls = CheckedCalls(submission, reference)
    for fn in ("logsumexp", "softmax", "log_softmax", "sigmoid", "log_sigmoid"):
        calls.call(fn, _moderate(rng, 4, 5))
        assert_not_mutated(submission, fn, ["x"])
    calls.assert_work_done()
