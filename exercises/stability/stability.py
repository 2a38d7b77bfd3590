"""Exercise `stability`: numerically stable log-sum-exp, softmax, log-softmax, sigmoid and log-sigmoid.

Complete the five functions, then run `dlx check stability` (visible tests) and
`dlx submit stability` (the graded, hidden tests). `dlx hint stability` helps.

Every function must return finite, accurate float64 values, and raise no
overflow, divide-by-zero or invalid-value warning, for any input with
|x| <= 1e4. Underflow to 0 is allowed. Use NumPy only; do not modify x.
"""
import numpy as np


def logsumexp(x, axis=-1):
    """log(sum(exp(x))) along ``axis``, without overflow.

    Args:
        x: float64 array of any shape (at least 1-D).
        axis: an int, the axis to reduce; negative values count from the end.

    Returns:
        An array with the shape of ``x`` without ``axis`` (the axis is dropped,
        as in ``torch.logsumexp(x, dim)`` and ``scipy.special.logsumexp``); for
        a 1-D ``x``, a single number.

    Maths: for any constant m, log(sum(exp(x))) = m + log(sum(exp(x - m))).
    Choose m = max(x) along the axis, so that every exp(x - m) is at most 1.
    """
    raise NotImplementedError("logsumexp")


def softmax(x, axis=-1):
    """softmax(x)_i = exp(x_i) / sum_j exp(x_j) along ``axis``.

    Args:
        x: float64 array of any shape (at least 1-D).
        axis: an int, the axis along which the result sums to 1.

    Returns:
        An array of the shape of ``x``, non-negative, summing to 1 along ``axis``.

    Softmax does not change when the same constant is subtracted from every
    x_i along the axis: subtract the maximum first.
    """
    raise NotImplementedError("softmax")


def log_softmax(x, axis=-1):
    """log(softmax(x)) along ``axis``, computed as x - logsumexp(x).

    Args:
        x: float64 array of any shape (at least 1-D).
        axis: an int, the axis of the softmax.

    Returns:
        An array of the shape of ``x``, every entry <= 0 and finite even where
        softmax(x) underflows to 0 (for example -2e4 for x = [1e4, -1e4]).
    """
    raise NotImplementedError("log_softmax")


def sigmoid(x):
    """The logistic function 1 / (1 + exp(-x)), elementwise.

    Args:
        x: float64 array of any shape.

    Returns:
        An array of the shape of ``x`` with values in [0, 1].

    exp(-x) overflows for x < -709.78: for negative x use the equal form
    exp(x) / (1 + exp(x)). Split by the sign of x, or use exp(-|x|).
    """
    raise NotImplementedError("sigmoid")


def log_sigmoid(x):
    """log(sigmoid(x)) = -log(1 + exp(-x)), elementwise.

    Args:
        x: float64 array of any shape.

    Returns:
        An array of the shape of ``x``, every entry <= 0 and finite (about x
        itself for very negative x, where sigmoid(x) underflows to 0).

    Maths: log(sigmoid(x)) = min(x, 0) - log(1 + exp(-|x|)); ``np.log1p(t)``
    computes log(1 + t) accurately when t is tiny.
    """
    raise NotImplementedError("log_sigmoid")
