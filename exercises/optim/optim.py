"""Exercise `optim`: one update step of five optimisers, exactly as torch.optim takes it.

Complete the five functions, then run `dlx check optim` (visible tests) and
`dlx submit optim` (the graded, hidden tests). `dlx hint optim` helps.

Conventions for every function:
- ``w`` (the parameters) and ``dw`` (the gradient of the loss at ``w``) are
  float64 arrays of the same, arbitrary shape; every state array (``v``, ``s``,
  ``m``) has that shape too and starts as zeros before the first step.
- Every operation is elementwise.
- Return new arrays: never modify ``w``, ``dw`` or a state array in place
  (no ``w -= ...``). The new state comes back to the caller, who passes it to
  the next call.
"""
import numpy as np


def sgd_step(w, dw, lr):
    """One step of (stochastic) gradient descent, as ``torch.optim.SGD(lr=lr)``.

        w_new = w - lr * dw

    Args:
        w: float64 array, the parameters.
        dw: float64 array of the same shape, the gradient at ``w``.
        lr: float, the learning rate.

    Returns:
        w_new: float64 array of the shape of ``w``.
    """
    raise NotImplementedError("sgd_step")


def momentum_step(w, dw, v, lr, momentum=0.9):
    """One step of SGD with momentum, as ``torch.optim.SGD(lr=lr, momentum=momentum)`` (dampening 0).

        v_new = momentum * v + dw
        w_new = w - lr * v_new

    Args:
        w, dw: float64 arrays of one shape, the parameters and the gradient.
        v: float64 array of that shape, the velocity (zeros before the first step).
        lr: float, the learning rate.
        momentum: float in [0, 1), how much of the old velocity is kept.

    Returns:
        (w_new, v_new): float64 arrays of the shape of ``w``.
    """
    raise NotImplementedError("momentum_step")


def adagrad_step(w, dw, s, lr=1e-2, eps=1e-10):
    """One step of Adagrad, as ``torch.optim.Adagrad(lr=lr, eps=eps)`` (no lr decay, s starting at 0).

        s_new = s + dw ** 2
        w_new = w - lr * dw / (sqrt(s_new) + eps)

    Args:
        w, dw: float64 arrays of one shape, the parameters and the gradient.
        s: float64 array of that shape, the sum of all past squared gradients.
        lr: float, the learning rate.
        eps: float, added to the square root (outside it) so a zero sum never divides by zero.

    Returns:
        (w_new, s_new): float64 arrays of the shape of ``w``.
    """
    raise NotImplementedError("adagrad_step")


def rmsprop_step(w, dw, s, lr=1e-2, alpha=0.99, eps=1e-8):
    """One step of RMSProp, as ``torch.optim.RMSprop(lr=lr, alpha=alpha, eps=eps)`` (not centred, no momentum).

        s_new = alpha * s + (1 - alpha) * dw ** 2
        w_new = w - lr * dw / (sqrt(s_new) + eps)

    Args:
        w, dw: float64 arrays of one shape, the parameters and the gradient.
        s: float64 array of that shape, the leaky average of squared gradients.
        lr: float, the learning rate.
        alpha: float in (0, 1), the fraction of the old average that is kept.
        eps: float, added outside the square root.

    Returns:
        (w_new, s_new): float64 arrays of the shape of ``w``.
    """
    raise NotImplementedError("rmsprop_step")


def adam_step(w, dw, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One step of Adam, as ``torch.optim.Adam(lr=lr, betas=(beta1, beta2), eps=eps)``.

        m_new = beta1 * m + (1 - beta1) * dw          # first moment
        v_new = beta2 * v + (1 - beta2) * dw ** 2     # second moment
        m_hat = m_new / (1 - beta1 ** t)              # bias corrections
        v_hat = v_new / (1 - beta2 ** t)
        w_new = w - lr * m_hat / (sqrt(v_hat) + eps)  # eps outside the square root

    Args:
        w, dw: float64 arrays of one shape, the parameters and the gradient.
        m, v: float64 arrays of that shape, the moving averages (zeros before the first step).
        t: int, the number of this step, starting at 1 for the first step.
        lr, beta1, beta2, eps: floats, the hyperparameters.

    Returns:
        (w_new, m_new, v_new): float64 arrays of the shape of ``w``. ``m_new``
        and ``v_new`` are the moving averages themselves, *not* the corrected
        ``m_hat`` and ``v_hat``.
    """
    raise NotImplementedError("adam_step")
