"""Exercise `activations`: six activation functions, forward and backward.

Complete all twelve functions, then run `dlx check activations` (visible
tests) and `dlx submit activations` (the graded, hidden tests).
`dlx hint activations` helps.

Conventions for every function here:
- Elementwise: x is a float64 array of any shape; out and dx have x's shape
  and dtype (float64: no float32 on the way).
- ``<name>_forward`` returns ``(out, cache)``; the cache is whatever the
  backward pass needs (your choice: x, out, alpha, a tuple of them).
- ``<name>_backward(dout, cache)`` returns ``dx = dout * f'(x)``.
- At a kink (exactly x == 0) the derivative is the one of the negative
  side, as in PyTorch.
- Never modify x, dout or the cache in place; return new arrays.
"""
import numpy as np

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def sigmoid_forward(x):
    """Sigmoid: ``out = 1 / (1 + exp(-x))``, values in (0, 1).

    Must stay finite and raise no overflow, divide-by-zero or invalid-value
    warning for |x| up to 1e4 (underflow to 0 is fine): never evaluate exp of
    a large positive number, not even in a branch np.where later discards.

    Returns:
        (out, cache): out of x's shape.
    """
    raise NotImplementedError("sigmoid_forward")


def sigmoid_backward(dout, cache):
    """Backward pass of sigmoid: ``dx = dout * s * (1 - s)`` with ``s = sigmoid(x)``.

    Finite and warning-free for |x| up to 1e4, like the forward.
    """
    raise NotImplementedError("sigmoid_backward")


def tanh_forward(x):
    """Hyperbolic tangent: ``out = tanh(x)``, values in (-1, 1).

    Finite and warning-free for |x| up to 1e4.

    Returns:
        (out, cache): out of x's shape.
    """
    raise NotImplementedError("tanh_forward")


def tanh_backward(dout, cache):
    """Backward pass of tanh: ``dx = dout * (1 - tanh(x)**2)``; finite and warning-free for |x| up to 1e4."""
    raise NotImplementedError("tanh_backward")


def relu_forward(x):
    """ReLU: ``out = max(0, x)``.

    Returns:
        (out, cache): out of x's shape.
    """
    raise NotImplementedError("relu_forward")


def relu_backward(dout, cache):
    """Backward pass of ReLU: ``dx = dout`` where x > 0, ``0`` where x <= 0 (so relu'(0) = 0)."""
    raise NotImplementedError("relu_backward")


def leaky_relu_forward(x, alpha=0.01):
    """Leaky ReLU: ``out = x`` where x > 0, ``alpha * x`` where x <= 0.

    Args:
        x: float64 array of any shape.
        alpha: the slope for negative inputs (a float, 0 <= alpha < 1).

    Returns:
        (out, cache): out of x's shape; the backward pass has only the cache,
        so the cache must carry alpha.
    """
    raise NotImplementedError("leaky_relu_forward")


def leaky_relu_backward(dout, cache):
    """Backward pass of Leaky ReLU: slope 1 where x > 0, ``alpha`` where x <= 0 (alpha at x == 0)."""
    raise NotImplementedError("leaky_relu_backward")


def elu_forward(x, alpha=1.0):
    """ELU: ``out = x`` where x > 0, ``alpha * (exp(x) - 1)`` where x <= 0.

    No overflow warning for large positive x (up to 1e4): exp must not see
    them, not even in a branch np.where later discards.

    Args:
        x: float64 array of any shape.
        alpha: a positive float, the value -alpha the output tends to as x -> -inf.

    Returns:
        (out, cache): out of x's shape; the cache must carry alpha.
    """
    raise NotImplementedError("elu_forward")


def elu_backward(dout, cache):
    """Backward pass of ELU: slope 1 where x > 0, ``alpha * exp(x)`` where x <= 0 (alpha at x == 0).

    No overflow warning for large positive x.
    """
    raise NotImplementedError("elu_backward")


def selu_forward(x):
    """SELU: ``out = SELU_SCALE * elu(x, SELU_ALPHA)``, the constants above (PyTorch's).

    No overflow warning for large positive x (up to 1e4).

    Returns:
        (out, cache): out of x's shape.
    """
    raise NotImplementedError("selu_forward")


def selu_backward(dout, cache):
    """Backward pass of SELU: slope ``SELU_SCALE`` where x > 0, ``SELU_SCALE * SELU_ALPHA * exp(x)`` where x <= 0.

    At x == 0 the slope is SELU_SCALE * SELU_ALPHA. No overflow warning for large positive x.
    """
    raise NotImplementedError("selu_backward")
