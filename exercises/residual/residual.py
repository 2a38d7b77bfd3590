"""Exercise `residual`: a fully connected residual block, forward and backward.

Complete both functions, then run `dlx check residual` (visible tests) and
`dlx submit residual` (the graded, hidden tests). `dlx hint residual` helps.
"""
import numpy as np


def residual_forward(x, w1, b1, w2, b2):
    """Forward pass of a residual block: a two-layer branch plus an identity skip connection.

        h   = relu(x @ w1 + b1)          # (N, H), the branch's hidden layer
        out = relu(h @ w2 + b2 + x)      # (N, D): the skip adds x BEFORE the last ReLU

    Args:
        x: float64 array of shape (N, D).
        w1: float64 array of shape (D, H); b1 of shape (H,).
        w2: float64 array of shape (H, D); b2 of shape (D,). The branch must map
            back to D features so that x can be added.

    Returns:
        (out, cache): ``out`` of shape (N, D), and ``cache``, whatever
        ``residual_backward`` needs.

    Do not modify any argument in place.
    """
    raise NotImplementedError("residual_forward")


def residual_backward(dout, cache):
    """Backward pass of the residual block.

    x reaches the output along two paths, through the branch and through the
    skip connection, and its gradient is the sum of both. At a ReLU input of
    exactly 0 use derivative 0 (the branch for negative inputs, as PyTorch does).

    Args:
        dout: float64 array of shape (N, D), the upstream gradient dL/dout.
        cache: what ``residual_forward`` returned as its cache.

    Returns:
        (dx, dw1, db1, dw2, db2): the gradients with respect to each argument
        of the forward, in order, each with that argument's shape.
    """
    raise NotImplementedError("residual_backward")
