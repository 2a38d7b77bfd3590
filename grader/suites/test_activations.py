"""Hidden suite for `activations`."""
import numpy as np

from grader.i18n import _
from grader.checks import (CheckedCalls, Feedback, as_array, assert_close, assert_no_warnings, assert_not_mutated,
                            call_tuple, check_layer_gradient, first_mismatch, fmt, graded, points)

SHAPES = [(4, 5), (2, 3, 4)]
NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu"]
# Tolerance on |x| up to 1e4. There, slopes such as s * (1 - s) or 1 - t**2 are computed from outputs
# within a few units of 2**-53 of 1, so any correct float64 formula has an absolute error up to about
# 5e-16 * |dout| (with |dout| <= 1), and two correct ones can differ by about 1e-15; where the slope is
# below 1e-8 the relative error's floor (1e-8) turns that into up to 1e-7. 1e-6 leaves a 10x margin,
# and every real mistake is off by far more (orders of magnitude, or NaN).
WIDE_TOL = 1e-6


# -- calls -------------------------------------------------------------------------------------------
def _forward(submission, name, x, dtype_checked=True, **kwargs):
    fn = f"{name}_forward"
    out, cache = call_tuple(submission, fn, "(out, cache)", x, **kwargs)
    return (_float64 if dtype_checked else as_array)(out, fn, "out", x.shape), cache


def _backward(submission, name, dout, cache, dtype_checked=True):
    fn = f"{name}_backward"
    return (_float64 if dtype_checked else as_array)(submission.call(fn, dout, cache), fn, "dx", dout.shape)


def _float64(value, fn, name, shape):
    """``value`` as an array of ``shape`` computed in float64: float32 is only accurate to about 6e-8."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.dtype.itemsize < 8:
        raise Feedback(_("{fn}: {name} has dtype {dtype}; compute in float64, the input's dtype").format(
                           fn=fn, name=name, dtype=value.dtype))
    return as_array(value, fn, name, shape)


def _reference(reference, name, x, dout, **kwargs):
    """The reference's (out, dx)."""
    out, cache = getattr(reference, f"{name}_forward")(x, **kwargs)
    return out, getattr(reference, f"{name}_backward")(dout, cache)


def _silent(submission, fn):
    try:
        assert_no_warnings(submission, fn)
    except Feedback as exc:
        raise Feedback(_("{exc} (inputs with |x| up to 1e4)").format(exc=exc)) from None


# -- inputs --------------------------------------------------------------------------------------------
def _away_from_zero(rng, shape=(4, 5)):
    """Normal draws (sd 2) at least 0.05 away from the kink at 0, so centred differences with
    h = 1e-6 never straddle it."""
    x = rng.normal(0.0, 2.0, size=shape)
    x[np.abs(x) < 0.05] += 0.1
    return x


def _extreme(rng):
    """Exactly -1e4 and 1e4, uniform draws on [-1e4, 1e4] and moderate values, in random order."""
    x = np.concatenate([[-1e4, 1e4], rng.uniform(-1e4, 1e4, 198), rng.normal(0.0, 30.0, 200)])
    return rng.permutation(x).reshape(8, 50)


def _with_zeros(rng, shape=(4, 5)):
    """Normal draws with exact zeros at a random ~40% of the entries (at least one); the zero mask."""
    zero = rng.random(shape) < 0.4
    zero.flat[0] = True
    return np.where(zero, 0.0, rng.normal(size=shape)), zero


# -- checks ------------------------------------------------------------------------------------------
# With x ~ N(0, 2), other correct formulas (exp(x) - 1 instead of expm1, 1 - e over 1 + e for tanh, out + alpha
# as the ELU slope) differ from the reference by more than 1e-7 (relative) only where |x| < 6e-10 or x < -21:
# about 2.2e-10 per entry, below 1e-7 for the few hundred entries of an attempt.
def _check_forward(submission, reference, rng, name, alpha=None):
    kwargs = {} if alpha is None else {"alpha": alpha}
    for shape in SHAPES:
        x = rng.normal(0.0, 2.0, size=shape)
        out, _unused = _forward(submission, name, x, **kwargs)
        expected = getattr(reference, f"{name}_forward")(x, **kwargs)[0]
        where = _("x of shape {shape}").format(shape=shape) + ("" if alpha is None else f", alpha={alpha:.3g}")
        assert_close(out, expected, f"{name}_forward", f"out ({where})")


def _check_backward(submission, reference, rng, name, alpha=None):
    args = (_away_from_zero(rng),) + (() if alpha is None else (alpha,))
    try:
        check_layer_gradient(submission, reference, name, args, "x", 0, rng.normal(size=(4, 5)))
    except Feedback as exc:
        raise Feedback(str(exc) + ("" if alpha is None else _(" (forward called with alpha={alpha:.3g})").format(
                                                                alpha=alpha))) from None


def _check_slope_at_zero(submission, reference, rng, name, slope, **kwargs):
    """At exact zeros, dx must be dout times the slope of the negative side (and right elsewhere too)."""
    x, zero = _with_zeros(rng)
    dout = rng.normal(size=x.shape)
    dx = _backward(submission, name, dout, _forward(submission, name, x, **kwargs)[1])
    expected = _reference(reference, name, x, dout, **kwargs)[1]
    idx = first_mismatch(dx, expected, zero)
    if idx is not None:
        want = expected[idx] + 0.0  # turns -0.0 into 0.0 for the message
        raise Feedback(_("{name}_backward: dx at {idx}, where x is exactly 0: expected {want} (dout times "
                         "{slope}, the slope of the negative side), got {dx}").format(
                           name=name, idx=list(idx), want=fmt(want), slope=slope, dx=fmt(dx[idx])))
    assert_close(dx, expected, f"{name}_backward", _("dx (x with exact zeros)"))


def _check_extreme(submission, reference, rng, name, forward=True, backward=True):
    """Finite, warning-free and right for |x| up to 1e4 (the forward, the backward, or both)."""
    x = _extreme(rng)
    dout = rng.uniform(-1.0, 1.0, size=x.shape)
    expected_out, expected_dx = _reference(reference, name, x, dout)
    out, cache = _forward(submission, name, x)
    if forward:
        _silent(submission, f"{name}_forward")
        assert_close(out, expected_out, f"{name}_forward", _("out for |x| up to 1e4"), WIDE_TOL)
    if backward:
        dx = _backward(submission, name, dout, cache)
        _silent(submission, f"{name}_backward")
        assert_close(dx, expected_dx, f"{name}_backward", _("dx for |x| up to 1e4"), WIDE_TOL)


def _with_alpha(check, low, high):
    """``check`` for the default alpha, then for an alpha drawn from ``[low, high)``."""
    def both(submission, reference, rng, name):
        check(submission, reference, rng, name)
        check(submission, reference, rng, name, alpha=float(rng.uniform(low, high)))
    return both


def _check_elu_slope_at_zero(submission, reference, rng):
    alpha = float(rng.uniform(0.2, 0.8))  # not 1.0, where both sides have slope 1
    _check_slope_at_zero(submission, reference, rng, "elu", f"alpha = {alpha:.3g}", alpha=alpha)


# -- the tests: sigmoid (4), tanh (3), relu (3), leaky_relu (3), elu (4), selu (4) ---------------------------
EXTREME = "finite, right and warning-free for |x| up to 1e4"
BOTH_EXTREME = "forward and backward " + EXTREME

test_sigmoid_forward = graded(1, "sigmoid_forward", "sigmoid_forward: out matches the reference", _check_forward,
                              "sigmoid")
test_sigmoid_backward = graded(1, "sigmoid_backward", "sigmoid_backward: dx is right", _check_backward, "sigmoid")
test_sigmoid_forward_extreme = graded(1, "sigmoid_forward_extreme", f"sigmoid_forward: {EXTREME}", _check_extreme,
                                      "sigmoid", backward=False)
test_sigmoid_backward_extreme = graded(1, "sigmoid_backward_extreme", f"sigmoid_backward: {EXTREME}", _check_extreme,
                                       "sigmoid", forward=False)

test_tanh_forward = graded(1, "tanh_forward", "tanh_forward: out matches the reference", _check_forward, "tanh")
test_tanh_backward = graded(1, "tanh_backward", "tanh_backward: dx is right", _check_backward, "tanh")
test_tanh_extreme = graded(1, "tanh_extreme", f"tanh: {BOTH_EXTREME}", _check_extreme, "tanh")

test_relu_forward = graded(1, "relu_forward", "relu_forward: out matches the reference", _check_forward, "relu")
test_relu_backward = graded(1, "relu_backward", "relu_backward: dx is right", _check_backward, "relu")
test_relu_slope_at_zero = graded(1, "relu_slope_at_zero", "relu_backward: the derivative at exactly 0 is 0",
                                 _check_slope_at_zero, "relu", "0")

test_leaky_relu_forward = graded(
    1, "leaky_relu_forward", "leaky_relu_forward: out matches the reference, for the default and a given alpha",
    _with_alpha(_check_forward, 0.05, 0.5), "leaky_relu")
test_leaky_relu_backward = graded(
    1, "leaky_relu_backward", "leaky_relu_backward: dx is right, for the default and a given alpha",
    _with_alpha(_check_backward, 0.05, 0.5), "leaky_relu")
test_leaky_relu_slope_at_zero = graded(
    1, "leaky_relu_slope_at_zero", "leaky_relu_backward: the derivative at exactly 0 is alpha", _check_slope_at_zero,
    "leaky_relu", "alpha = 0.01")

test_elu_forward = graded(1, "elu_forward", "elu_forward: out matches the reference, for the default and a given alpha",
                          _with_alpha(_check_forward, 0.2, 2.0), "elu")
test_elu_backward = graded(1, "elu_backward", "elu_backward: dx is right, for the default and a given alpha",
                           _with_alpha(_check_backward, 0.2, 0.8), "elu")
test_elu_slope_at_zero = graded(1, "elu_slope_at_zero", "elu_backward: the derivative at exactly 0 is alpha",
                                _check_elu_slope_at_zero)
test_elu_extreme = graded(1, "elu_extreme", f"elu: {BOTH_EXTREME}", _check_extreme, "elu")

test_selu_forward = graded(1, "selu_forward", "selu_forward: out matches the reference", _check_forward, "selu")
test_selu_backward = graded(1, "selu_backward", "selu_backward: dx is right", _check_backward, "selu")
test_selu_slope_at_zero = graded(1, "selu_slope_at_zero", "selu_backward: the derivative at exactly 0 is scale * alpha",
                                 _check_slope_at_zero, "selu", "SELU_SCALE * SELU_ALPHA")
test_selu_extreme = graded(1, "selu_extreme", f"selu: {BOTH_EXTREME}", _check_extreme, "selu")


# -- all (1) ---------------------------------------------------------------------------------------------
@points(1, id="no_mutation")
def test_no_mutation(submission, reference, rng):
    """all activations: forward and backward leave their arguments unchanged"""
    calls = CheckedCalls(submission, reference)
    for name in NAMES:
        x, dout = _with_zeros(rng)[0], rng.normal(size=(4, 5))
        fwd, bwd = f"{name}_forward", f"{name}_backward"
        _, cache = calls.call(fwd, x, skip=[1])
        assert_not_mutated(submission, fwd, ["x"])
        calls.call(bwd, dout, cache, reference_args=(dout, getattr(reference, fwd)(x)[1]))
        assert_not_mutated(submission, bwd, ["dout", "cache"])
    calls.assert_work_done()
