"""Hidden suite for `gradcheck`.

The student's checker is handed trusted functions (``grader/sandbox/trusted.py``)
built in the worker; the grading process builds the same functions from the same
parameters and knows their exact gradients.  The functions also record every
point they were called at, which shows how the checker moved x.
"""
import numpy as np

from grader.proxy import TrustedFunction
from grader.i18n import _
from grader.checks import (
    Feedback,
    as_array,
    as_float,
    assert_close,
    assert_not_mutated,
    build,
    fmt,
    numerical_gradient,
    numerical_gradient_array,
    points,
    rel_error,
)

NG, NGA, REL = "numerical_gradient", "numerical_gradient_array", "rel_error"
TOL = 1e-7  # centred differences with h = 1e-6 on these functions are good to about 1e-9


def probe(submission, name, **params):
    """A trusted function twice: a handle in the worker, for the student's code, and a local copy."""
    return submission.make(TrustedFunction(name, params)), build(name, params)


def scalar_case(submission, rng, shape, **params):
    """A quadratic form (with a cubic term if asked) and an x near its centre where no
    gradient element is close to 0."""
    f, local = probe(submission, "quadratic_form", seed=int(rng.integers(2**31)), shape=list(shape), **params)
    x = np.array(local.center + rng.uniform(0.1, 0.3, shape) * rng.choice([-1.0, 1.0], shape))
    return f, local, x


def matrix_case(submission, rng, cube=False):
    """A function from (3, 4) to (3, 5), an x away from 0 and a positive dout (no vjp element near 0)."""
    f, local = probe(submission, "matrix_function", seed=int(rng.integers(2**31)), shape=[3, 4], m=5, cube=cube)
    x = rng.uniform(0.3, 1.0, (3, 4)) * rng.choice([-1.0, 1.0], (3, 4))
    return f, local, x, rng.uniform(0.5, 1.5, (3, 5))


def gradient(submission, fn, shape, *args, **kwargs):
    """Call the student's ``fn`` and check that it returned an array of x's shape."""
    return as_array(submission.call(fn, *args, **kwargs), fn, "grad", shape)


def steps_taken(f, x, fn):
    """``{(index, sign): [steps]}`` for the points the trusted ``f`` was called at.

    A call at x itself is harmless; a point that differs from x in more than
    one element means x was not put back exactly between evaluations.
    """
    steps = {}
    for point in f.get("seen"):
        if point.shape != x.shape:
            raise Feedback(_("{fn} called f with an array of shape {shape}; x has shape {shape2}").format(
                               fn=fn, shape=point.shape, shape2=x.shape))
        moved = np.argwhere(point != x)
        if len(moved) > 1:
            where = [[int(k) for k in m] for m in moved[:2]]
            raise Feedback(_("{fn} called f at a point that differs from x in {n} elements (at {where} and "
                             "{where2}); move one element at a time and put it back exactly").format(
                               fn=fn, n=len(moved), where=where[0], where2=where[1]))
        if len(moved) == 1:
            i = tuple(int(k) for k in moved[0])
            step = float(point[i] - x[i])
            steps.setdefault((i, step > 0), []).append(step)
    return steps


def assert_centred(f, x, fn, call, h=None):
    """``f`` was called at x + h*e_i and x - h*e_i for every element i (with this h, if given)."""
    steps = steps_taken(f, x, fn)
    for i in np.ndindex(x.shape):
        for up, sign in ((True, "+"), (False, "-")):
            if (i, up) not in steps:
                raise Feedback(_("{call} never called f at x {sign} h*e_i for element {i}; centred differences "
                                 "need both x + h*e_i and x - h*e_i").format(call=call, sign=sign, i=list(i)))
            wrong = [step for step in steps[(i, up)] if h is not None and not abs(abs(step) - h) <= 1e-6 * h]
            if wrong:
                raise Feedback(_("{call} moved element {i} by {value}; it should move it by h = {h:g}").format(
                                   call=call, i=list(i), value=fmt(abs(wrong[0])), h=h))


# -- numerical_gradient -------------------------------------------------------------------
@points(2, id="quadratic_form")
def test_quadratic_form(submission, rng):
    """numerical_gradient: matches the analytic gradient of a quadratic form"""
    f, local, x = scalar_case(submission, rng, (3, 4))
    assert_close(gradient(submission, NG, x.shape, f, x), local.gradient(x), NG, "grad", TOL)


@points(1, id="any_shape")
def test_any_shape(submission, rng):
    """numerical_gradient: works for x of any shape (1-D, 3-D, a single element)"""
    for shape in [(5,), (2, 3, 2), (1,)]:
        f, local, x = scalar_case(submission, rng, shape, cubic=1.0)
        got = gradient(submission, NG, x.shape, f, x)
        assert_close(got, local.gradient(x), NG, _("grad (x of shape {shape})").format(shape=shape), TOL)


@points(1, id="zero_d")
def test_zero_d(submission, rng):
    """numerical_gradient: a 0-d x, and an f that returns a 0-d array"""
    f, local, x = scalar_case(submission, rng, (), cubic=1.0)
    got = submission.call(TrustedFunction("scalar_array_call"), submission.name(NG), f, float(x), label=NG)
    if isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], list):  # an array, with its shape
        got = np.array(got[1], dtype=np.float64).reshape(got[0])
    what = _("grad (x a 0-d array)")
    assert_close(as_array(got, NG, what, ()), local.gradient(x), NG, what, TOL)
    f, local, x = scalar_case(submission, rng, (4,), cubic=1.0, zero_d=True)
    got = gradient(submission, NG, x.shape, f, x)
    assert_close(got, local.gradient(x), NG, _("grad (f returning a 0-d array)"), TOL)


@points(2, id="x_unchanged")
def test_x_unchanged(submission, rng):
    """numerical_gradient: leaves x exactly as it was"""
    f, local, x = scalar_case(submission, rng, (5, 6))
    got = gradient(submission, NG, x.shape, f, x)
    assert_not_mutated(submission, NG, ["f", "x"])
    assert_close(got, local.gradient(x), NG, "grad", TOL)  # leaving x alone earns nothing without the work


@points(1, id="one_element_at_a_time")
def test_one_element_at_a_time(submission, rng):
    """numerical_gradient: calls f at x + h*e_i and x - h*e_i, one element at a time"""
    f, _, x = scalar_case(submission, rng, (3, 4))
    submission.numerical_gradient(f, x)
    assert_centred(f, x, NG, NG)


@points(1, id="step_h")
def test_step_h(submission, rng):
    """numerical_gradient: uses the step h it is given, 1e-6 by default"""
    f, local, x = scalar_case(submission, rng, (2, 3), cubic=1.0)
    got = gradient(submission, NG, x.shape, f, x, h=1e-2)
    assert_centred(f, x, NG, f"{NG}(f, x, h=0.01)", 1e-2)
    assert_close(got, numerical_gradient(local, x, 1e-2), NG, _("grad with h = 0.01"), 1e-8)
    f, _unused, x = scalar_case(submission, rng, (2, 3))
    submission.numerical_gradient(f, x)
    assert_centred(f, x, NG, f"{NG}(f, x)", 1e-6)


# -- numerical_gradient_array ---------------------------------------------------------------
@points(2, id="vector_jacobian_product")
def test_vector_jacobian_product(submission, rng):
    """numerical_gradient_array: matches the vector-Jacobian product of a matrix function"""
    f, local, x, dout = matrix_case(submission, rng)
    assert_close(gradient(submission, NGA, x.shape, f, x, dout), local.vjp(x, dout), NGA, "grad", TOL)


@points(1, id="array_x_unchanged")
def test_array_x_unchanged(submission, rng):
    """numerical_gradient_array: leaves x and dout exactly as they were"""
    f, local, x, dout = matrix_case(submission, rng)
    got = gradient(submission, NGA, x.shape, f, x, dout)
    assert_not_mutated(submission, NGA, ["f", "x", "dout"])
    assert_close(got, local.vjp(x, dout), NGA, "grad", TOL)  # leaving x alone earns nothing without the work


@points(1, id="array_step_h")
def test_array_step_h(submission, rng):
    """numerical_gradient_array: uses the step h it is given"""
    f, local, x, dout = matrix_case(submission, rng, cube=True)
    got = gradient(submission, NGA, x.shape, f, x, dout, h=1e-2)
    assert_centred(f, x, NGA, f"{NGA}(f, x, dout, h=0.01)", 1e-2)
    assert_close(got, numerical_gradient_array(local, x, dout, 1e-2), NGA, _("grad with h = 0.01"), 1e-8)


# -- rel_error --------------------------------------------------------------------------------
def check_rel_error(submission, a, b, case):
    got = as_float(submission.rel_error(a, b), REL, _("the result ({case})").format(case=case))
    assert_close(got, rel_error(a, b), REL, _("the result ({case})").format(case=case), 1e-9)


@points(1, id="rel_error_max")
def test_rel_error_max(submission, rng):
    """rel_error: the largest elementwise relative error, for arrays and numbers"""
    a = rng.normal(size=(4, 5))
    b = a * (1 + rng.uniform(-1e-3, 1e-3, (4, 5)))
    b[tuple(rng.integers(0, (4, 5)))] += 0.5
    check_rel_error(submission, a, b, _("two arrays"))
    x, y = rng.uniform(1, 2, 2)
    check_rel_error(submission, float(x), float(y), _("two numbers"))


@points(1, id="rel_error_floor")
def test_rel_error_floor(submission, rng):
    """rel_error: 0.0 for two zeros, and the 1e-8 floor for tiny values"""
    zeros = np.zeros((2, 3))
    got = as_float(submission.rel_error(zeros, zeros.copy()), REL, _("the result"))
    if got != 0.0:
        raise Feedback(_("{fn}(a, b) with a and b all zeros should be 0.0; it is {got}").format(
                           fn=REL, got=fmt(got)))
    tiny = np.full(3, rng.uniform(1e-10, 5e-9))
    check_rel_error(submission, tiny, np.zeros(3), _("a tiny, b zero"))
