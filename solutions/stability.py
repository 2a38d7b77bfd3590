"""Reference for `stability`."""
import numpy as np


def logsumexp(x, axis=-1):
    """log(sum(exp(x))) along ``axis``, computed as m + log(sum(exp(x - m))); the axis is dropped."""
    m = np.max(x, axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(x - m), axis=axis))


def softmax(x, axis=-1):
    """exp(x) normalised along ``axis``, after shifting by the maximum (softmax is shift-invariant)."""
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    """x - logsumexp(x) along ``axis``, never the log of a softmax that may have underflowed."""
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def sigmoid(x):
    """1 / (1 + exp(-x)), written with exp(-|x|) <= 1 so that nothing overflows."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def log_sigmoid(x):
    """log(sigmoid(x)) = min(x, 0) - log(1 + exp(-|x|))."""
    return np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x)))
