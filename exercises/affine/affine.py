"""Exercise `affine`: the forward and backward pass of a fully connected (affine) layer.

Complete both functions, then run `dlx check affine` (visible tests) and
`dlx submit affine` (the graded, hidden tests). `dlx hint affine` helps.
"""
import numpy as np


def affine_forward(x, w, b):
    """Forward pass of an affine layer: ``out = x @ w + b``.

    Args:
        x: float64 array of shape (N, D), a batch of N inputs.
        w: float64 array of shape (D, M), the weights.
        b: float64 array of shape (M,), the bias, added to every row.

    Returns:
        (out, cache): ``out`` of shape (N, M), and ``cache``, whatever
        ``affine_backward`` needs (for example the tuple ``(x, w, b)``).

    Do not modify x, w or b in place.
    """
    raise NotImplementedError("affine_forward")


def affine_backward(dout, cache):
    """Backward pass of an affine layer.

    Args:
        dout: float64 array of shape (N, M), the upstream gradient dL/dout.
        cache: what ``affine_forward`` returned as its cache.

    Returns:
        (dx, dw, db): the gradients of the loss with respect to x (N, D),
        w (D, M) and b (M,), in the order of the forward's arguments.
    """
    raise NotImplementedError("affine_backward")
