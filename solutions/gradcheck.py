"""Reference for `gradcheck`."""
import numpy as np


def numerical_gradient(f, x, h=1e-6):
    """Centred differences of a scalar f, one element of x at a time, on a private copy of x."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def numerical_gradient_array(f, x, dout, h=1e-6):
    """The vector-Jacobian product dout . df/dx: the numerical gradient of sum(f(x) * dout)."""
    return numerical_gradient(lambda z: np.sum(f(z) * dout), x, h)


def rel_error(a, b):
    """The largest elementwise |a - b| / max(1e-8, |a| + |b|)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
