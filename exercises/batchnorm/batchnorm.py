"""Exercise `batchnorm`: batch normalisation, forward (training and evaluation) and backward.

Complete both functions, then run `dlx check batchnorm` (visible tests) and
`dlx submit batchnorm` (the graded, hidden tests). `dlx hint batchnorm` helps.
The behaviour is that of `torch.nn.functional.batch_norm`.
"""
import numpy as np


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train=True, momentum=0.1, eps=1e-5):
    """Forward pass of batch normalisation over the batch axis (each of the D features separately).

    Training (``train=True``; needs N >= 2):
        mean = x.mean(axis=0);  var = x.var(axis=0)      # biased: divides by N
        out  = gamma * (x - mean) / sqrt(var + eps) + beta
        new_running_mean = (1 - momentum) * running_mean + momentum * mean
        new_running_var  = (1 - momentum) * running_var  + momentum * var_unbiased
    where ``var_unbiased`` divides by N - 1 instead of N (PyTorch's convention).

    Evaluation (``train=False``):
        out = gamma * (x - running_mean) / sqrt(running_var + eps) + beta
        and the running statistics come back unchanged.

    Args:
        x: float64 array of shape (N, D).
        gamma, beta: float64 arrays of shape (D,), the learned scale and shift.
        running_mean, running_var: float64 arrays of shape (D,), the running estimates.
        train: True for training mode, False for evaluation mode.
        momentum: the weight of the current batch in the running estimates.
        eps: added to the variance before the square root.

    Returns:
        (out, cache, new_running_mean, new_running_var): ``out`` of shape (N, D);
        ``cache``, whatever ``batchnorm_backward`` needs (in evaluation mode it
        may be None); and the running statistics, as new arrays of shape (D,).

    Do not modify any argument in place, the running statistics included.
    """
    raise NotImplementedError("batchnorm_forward")


def batchnorm_backward(dout, cache):
    """Backward pass of batch normalisation in training mode.

    Remember that the batch mean and variance are themselves functions of x.

    Args:
        dout: float64 array of shape (N, D), the upstream gradient dL/dout.
        cache: what ``batchnorm_forward`` returned as its cache (training mode).

    Returns:
        (dx, dgamma, dbeta): the gradients with respect to x (N, D),
        gamma (D,) and beta (D,).
    """
    raise NotImplementedError("batchnorm_backward")
