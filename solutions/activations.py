"""Reference for `activations`."""
import numpy as np

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def sigmoid_forward(x):
    """Stable sigmoid: exp only ever sees -|x| <= 0; the cache is the output."""
    e = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return out, out


def sigmoid_backward(dout, cache):
    """sigmoid' = s * (1 - s), from the cached output."""
    return dout * cache * (1.0 - cache)


def tanh_forward(x):
    """np.tanh is stable for any x; the cache is the output."""
    out = np.tanh(x)
    return out, out


def tanh_backward(dout, cache):
    """tanh' = 1 - tanh**2, from the cached output."""
    return dout * (1.0 - cache**2)


def relu_forward(x):
    """max(0, x); the cache is the input."""
    return np.maximum(x, 0.0), x


def relu_backward(dout, cache):
    """Slope 1 where x > 0, else 0 (at x == 0 too, as in PyTorch)."""
    return dout * (cache > 0)


def leaky_relu_forward(x, alpha=0.01):
    """x where x > 0, alpha * x elsewhere."""
    return np.where(x > 0, x, alpha * x), (x, alpha)


def leaky_relu_backward(dout, cache):
    """Slope 1 where x > 0, alpha elsewhere (at x == 0 too)."""
    x, alpha = cache
    return dout * np.where(x > 0, 1.0, alpha)


def _elu(x, alpha):
    """x where x > 0, alpha * (exp(x) - 1) elsewhere; exp never sees a positive number."""
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def _elu_slope(x, alpha):
    """1 where x > 0, alpha * exp(x) elsewhere (alpha at x == 0)."""
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def elu_forward(x, alpha=1.0):
    return _elu(x, alpha), (x, alpha)


def elu_backward(dout, cache):
    x, alpha = cache
    return dout * _elu_slope(x, alpha)


def selu_forward(x):
    """scale * elu(x, alpha) with the constants of Klambauer et al. (2017)."""
    return SELU_SCALE * _elu(x, SELU_ALPHA), x


def selu_backward(dout, cache):
    return dout * SELU_SCALE * _elu_slope(cache, SELU_ALPHA)
