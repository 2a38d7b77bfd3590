"""Exercise `dropout`: inverted dropout, forward and backward.

Complete both functions, then run `dlx check dropout` (visible tests) and
`dlx submit dropout` (the graded, hidden tests). `dlx hint dropout` helps.
"""
import numpy as np


def dropout_forward(x, p, train, rng):
    """Forward pass of inverted dropout; ``p`` is the probability of DROPPING a unit (as in PyTorch).

    Training (``train=True``):
        mask = rng.random(x.shape) >= p      # one draw, from rng only; True = keep
        out  = x * mask / (1 - p)            # kept units scaled up by 1 / (1 - p)
    When p == 1 every unit is dropped and ``out`` is all zeros (with no
    division by zero and no warning). When p == 0, ``out`` equals x.

    Evaluation (``train=False``): ``out`` equals x, and rng is not used at all.

    Args:
        x: float64 array of any shape.
        p: a float in [0, 1], the probability of dropping each unit.
        train: True for training mode, False for evaluation mode.
        rng: a ``numpy.random.Generator``, the only source of randomness
            (never ``np.random.random`` or the ``random`` module).

    Returns:
        (out, cache): ``out`` with the shape of x, and ``cache``, whatever
        ``dropout_backward`` needs (the mask, for example).

    Do not modify x in place.
    """
    raise NotImplementedError("dropout_forward")


def dropout_backward(dout, cache):
    """Backward pass of inverted dropout.

    The gradient flows through the kept units only, scaled by the same
    1 / (1 - p) as in the forward pass, with the SAME mask (do not draw a new
    one). After an evaluation-mode forward, dx equals dout.

    Args:
        dout: float64 array with the shape of x, the upstream gradient dL/dout.
        cache: what ``dropout_forward`` returned as its cache.

    Returns:
        dx: the gradient with respect to x, the shape of x.
    """
    raise NotImplementedError("dropout_backward")
