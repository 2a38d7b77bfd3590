"""Visible tests for `activations`: run them with `dlx check activations`.

They use small hand-checkable inputs; the hidden tests of `dlx submit` use
random inputs, other alphas, the derivative at exactly 0, and inputs up to
|x| = 1e4 for sigmoid, tanh, elu and selu.
"""
import math

import numpy as np

from grader.i18n import _
from grader.checks import as_array, as_tuple, assert_close, assert_no_warnings, student_numerical_gradient

NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu"]
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _out(submission, name, x, **kwargs):
    fn = f"{name}_forward"
    out, cache = as_tuple(submission.call(fn, x, **kwargs), 2, fn, "(out, cache)")
    return as_array(out, fn, "out", x.shape), cache


def test_forward_known_values(submission):
    """each forward on a few hand-checkable values"""
    x = np.array([-math.log(2.0), 0.0, math.log(3.0)])
    expected = {
        "sigmoid": [1 / 3, 0.5, 0.75],
        "tanh": [-0.6, 0.0, 0.8],
        "relu": [0.0, 0.0, math.log(3.0)],
        "leaky_relu": [-0.01 * math.log(2.0), 0.0, math.log(3.0)],
        "elu": [-0.5, 0.0, math.log(3.0)],
        "selu": [-0.5 * SELU_SCALE * SELU_ALPHA, 0.0, SELU_SCALE * math.log(3.0)],
    }
    for name, values in expected.items():
        assert_close(_out(submission, name, x)[0], values, f"{name}_forward", "out")


def test_backward_matches_your_forward(submission):
    """each backward agrees with a numerical gradient of your own forward"""
    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 2.0, size=(3, 4))
    x[np.abs(x) < 0.05] += 0.1  # away from the kink at 0
    dout = rng.normal(size=(3, 4))
    for name in NAMES:
        fn = f"{name}_backward"
        dx = as_array(submission.call(fn, dout, _out(submission, name, x)[1]), fn, "dx", x.shape)
        numerical = student_numerical_gradient(submission, f"{name}_forward", (x,), 0, dout)
        assert_close(dx, numerical, fn, _("dx (against a numerical gradient of your forward)"), 1e-6)


def test_sigmoid_silent_at_1e4(submission):
    """sigmoid_forward and sigmoid_backward at x = -1e4 and 1e4: finite, no warning"""
    x = np.array([-1e4, 1e4])
    out, cache = _out(submission, "sigmoid", x)
    assert_no_warnings(submission, "sigmoid_forward")
    assert_close(out, [0.0, 1.0], "sigmoid_forward", "out")
    dx = as_array(submission.sigmoid_backward(np.ones(2), cache), "sigmoid_backward", "dx", (2,))
    assert_no_warnings(submission, "sigmoid_backward")
    assert_close(dx, [0.0, 0.0], "sigmoid_backward", "dx")
