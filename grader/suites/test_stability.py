"""Hidden suite for `stability`."""
import numpy as np

from grader.i18n import _
from grader.checks import (
    CheckedCalls,
    Feedback,
    as_array,
    assert_close,
    assert_no_warnings,
    assert_not_mutated,
    extreme_inputs,
    fmt,
    graded,
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
        raise Feedback(_("{fn}: {name} does not sum to 1 along axis {axis}: the sum at {idx} is {total}").format(
                           fn=fn, name=name, axis=axis, idx=idx, total=fmt(total[tuple(idx)])))


def _check(submission, reference, fn, x, name, **kwargs):
    """``fn(x, **kwargs)`` matches the reference within relative error 1e-7."""
    return assert_close(submission.call(fn, x, **kwargs), getattr(reference, fn)(x, **kwargs), fn, name)


def _check_extreme(submission, reference, fn, x, atol):
    """Finite, warning-free and accurate for inputs with |x| up to 1e4."""
    got = submission.call(fn, x)
    assert_no_warnings(submission, fn)
    return assert_close(got, getattr(reference, fn)(x), fn, _("result for |x| up to 1e4, shape {shape}").format(
                                                                shape=x.shape), atol=atol)


def _check_axes(submission, reference, rng, fn):
    """Each of AXES, on x of shape (3, 4, 5) and on x of shape (1, 4, 1): length-1 axes beside the reduced one
    (or reduced) must keep their place."""
    for x in (_moderate(rng, 3, 4, 5), _moderate(rng, 1, 4, 1)):
        for axis in AXES:
            got = _check(submission, reference, fn, x, _("result for axis={axis}, x of shape {shape}").format(
                                                           axis=axis, shape=x.shape), axis=axis)
            if fn == "softmax":
                _sums_to_one(got, fn, _("the result for axis={axis}, x of shape {shape}").format(
                                          axis=axis, shape=x.shape), axis)


def _check_values(submission, reference, rng, fn, *shapes):
    """Values on moderate inputs of each of ``shapes``."""
    for x in [_moderate(rng, *shape) for shape in shapes]:
        _check(submission, reference, fn, x, _("result for x of shape {shape}").format(shape=x.shape))


def _check_extremes(submission, reference, rng, fn, shapes, atol):
    """:func:`_check_extreme` on ``extreme_inputs`` of each of ``shapes``."""
    for x in [extreme_inputs(rng, *shape) for shape in shapes]:
        _check_extreme(submission, reference, fn, x, atol)


def _check_softmax_values(submission, reference, rng):
    for x in (_moderate(rng, 5, 7), _moderate(rng, 6)):
        p = submission.softmax(x)
        _sums_to_one(as_array(p, "softmax", _("the result"), x.shape), "softmax", _("the result"), -1)
        assert_close(p, reference.softmax(x), "softmax", _("result for x of shape {shape}").format(
                                                             shape=x.shape))


def _check_softmax_extremes(submission, reference, rng):
    for x in (extreme_inputs(rng, 5, 6), extreme_inputs(rng, 9)):
        p = _check_extreme(submission, reference, "softmax", x, ROUNDING * BIG)
        _sums_to_one(p, "softmax", _("the result for |x| up to 1e4"), -1)


AXIS_DOC = "respects axis=0, 1 and -2 on 3-D inputs, with length-1 axes too"
EXTREME_DOC = "finite, accurate and warning-free for |x| up to 1e4"
MATRICES, ELEMENTWISE = [(5, 6), (9,)], [(15,), (3, 4)]  # the shapes of the extreme inputs

test_logsumexp_values = graded(1, "logsumexp_values", "logsumexp: values along the last axis, which is dropped",
                               _check_values, "logsumexp", (5, 7), (6,))
test_logsumexp_axis = graded(2, "logsumexp_axis", f"logsumexp: {AXIS_DOC}", _check_axes, "logsumexp")
test_logsumexp_extreme = graded(2, "logsumexp_extreme", f"logsumexp: {EXTREME_DOC}", _check_extremes, "logsumexp",
                                MATRICES, ROUNDING * BIG)

test_softmax_values = graded(1, "softmax_values", "softmax: values along the last axis; they sum to 1",
                             _check_softmax_values)
test_softmax_axis = graded(1, "softmax_axis", f"softmax: {AXIS_DOC}", _check_axes, "softmax")
test_softmax_extreme = graded(2, "softmax_extreme",
                              "softmax: finite, accurate, warning-free and summing to 1 for |x| up to 1e4",
                              _check_softmax_extremes)

test_log_softmax_values = graded(1, "log_softmax_values", "log_softmax: values along the last axis", _check_values,
                                 "log_softmax", (5, 7), (6,))
test_log_softmax_axis = graded(1, "log_softmax_axis", f"log_softmax: {AXIS_DOC}", _check_axes, "log_softmax")
test_log_softmax_extreme = graded(2, "log_softmax_extreme", f"log_softmax: {EXTREME_DOC}", _check_extremes,
                                  "log_softmax", MATRICES, ROUNDING * BIG)

test_sigmoid_values = graded(1, "sigmoid_values", "sigmoid: values, elementwise on any shape", _check_values,
                             "sigmoid", (4, 6), (7,))
# sigmoid's values lie in (0, 1): within one rounding of 1 (2**-53) even where they are tiny, so no clipping of x
test_sigmoid_extreme = graded(2, "sigmoid_extreme", f"sigmoid: {EXTREME_DOC}", _check_extremes, "sigmoid",
                              ELEMENTWISE, 2.0**-53)

test_log_sigmoid_values = graded(1, "log_sigmoid_values", "log_sigmoid: values, elementwise on any shape",
                                 _check_values, "log_sigmoid", (4, 6), (7,))
test_log_sigmoid_extreme = graded(2, "log_sigmoid_extreme", f"log_sigmoid: {EXTREME_DOC}", _check_extremes,
                                  "log_sigmoid", ELEMENTWISE, ROUNDING)


@points(1, id="no_mutation")
def test_no_mutation(submission, reference, rng):
    """all functions: leave their argument unchanged"""
    calls = CheckedCalls(submission, reference)
    for fn in ("logsumexp", "softmax", "log_softmax", "sigmoid", "log_sigmoid"):
        calls.call(fn, _moderate(rng, 4, 5))
        assert_not_mutated(submission, fn, ["x"])
    calls.assert_work_done()
