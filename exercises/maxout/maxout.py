"""Exercise `maxout`: a maxout layer, forward and backward.

Complete both functions, then run `dlx check maxout` (visible tests) and
`dlx submit maxout` (the graded, hidden tests). `dlx hint maxout` helps.
"""
import numpy as np


def maxout_forward(x, w, b):
    """Forward pass of a maxout layer with M units of K linear pieces each.

    For every sample n, unit m and piece k:

        z[n, m, k] = sum_d x[n, d] * w[d, m, k] + b[m, k]
        out[n, m]  = max_k z[n, m, k]

    Args:
        x: float64 array of shape (N, D), a batch of N inputs.
        w: float64 array of shape (D, M, K): w[:, m, k] are the weights of piece k of unit m.
        b: float64 array of shape (M, K), the pieces' biases.

    Returns:
        (out, cache): ``out`` of shape (N, M), and ``cache``, whatever
        ``maxout_backward`` needs.

    Do not modify x, w or b in place.
    """
    raise NotImplementedError("maxout_forward")


def maxout_backward(dout, cache):
    """Backward pass of a maxout layer.

    The gradient of out[n, m] flows only into the piece(s) that won the max
    for that sample and unit. When several pieces tie for the max exactly,
    the gradient is split evenly among them (each of j tied pieces gets
    dout[n, m] / j), as ``torch.maximum`` does.

    Args:
        dout: float64 array of shape (N, M), the upstream gradient dL/dout.
        cache: what ``maxout_forward`` returned as its cache.

    Returns:
        (dx, dw, db): the gradients with respect to x (N, D), w (D, M, K)
        and b (M, K), in the order of the forward's arguments.
    """
    raise NotImplementedError("maxout_backward")
