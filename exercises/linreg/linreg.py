"""Exercise `linreg`: linear regression from scratch, trained by minibatch SGD.

Complete both functions, then run `dlx check linreg` (visible tests) and
`dlx submit linreg` (the graded, hidden tests). `dlx hint linreg` helps.
"""
import numpy as np


def data_iter(batch_size, X, y, rng):
    """Yield the examples once each, in random order, in minibatches.

    Args:
        batch_size: int >= 1, the number of examples per batch.
        X: float64 array of shape (N, D), one example per row.
        y: float64 array of shape (N,), the targets.
        rng: a ``numpy.random.Generator``, the only source of randomness.

    Yields:
        (X_batch, y_batch) pairs of shapes (B, D) and (B,). The order is fixed:
        draw ``order = rng.permutation(len(X))`` once, then cut it into
        consecutive pieces of ``batch_size`` indices; the last piece holds what
        is left (fewer than ``batch_size`` when N is not a multiple of it).
        ``y_batch[i]`` is the target of ``X_batch[i]``.

    Write it as a generator (with ``yield``). Do not modify X or y.
    """
    raise NotImplementedError("data_iter")


def linreg_train(X, y, rng, lr=0.03, num_epochs=3, batch_size=10):
    """Fit ``y ~ X @ w + b`` by minibatch stochastic gradient descent.

    Args:
        X: float64 array of shape (N, D); y: float64 array of shape (N,).
        rng: a ``numpy.random.Generator``, used for the initial weights and
            then, epoch after epoch, by ``data_iter``.
        lr: the learning rate; num_epochs: passes over the data;
        batch_size: examples per minibatch.

    The recipe, exactly (the grader replays it step for step):
        1. ``w = rng.normal(0, 0.01, size=D)`` (before any batch is drawn), ``b = 0.0``.
        2. For each epoch, for each ``(X_batch, y_batch)`` of
           ``data_iter(batch_size, X, y, rng)``: with the per-example loss
           ``0.5 * (X_batch @ w + b - y_batch) ** 2``, take the gradient of the
           batch's MEAN loss with respect to w and b (divide by the size of this
           batch, which is smaller for a short last batch) and move
           ``w <- w - lr * dw``, ``b <- b - lr * db``.
        3. After each epoch, append the mean loss over all of X at the current
           (w, b) to ``losses``.

    Returns:
        (w, b, losses): ``w`` a float64 array of shape (D,), ``b`` a Python
        float, ``losses`` a list of ``num_epochs`` floats.

    Do not modify X or y in place.
    """
    raise NotImplementedError("linreg_train")
