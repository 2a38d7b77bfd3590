"""Reference for `optim`: one step of each optimiser, as torch.optim takes it."""
import numpy as np


def sgd_step(w, dw, lr):
    """w - lr * dw."""
    return w - lr * dw


def momentum_step(w, dw, v, lr, momentum=0.9):
    """Heavy-ball momentum (torch.optim.SGD with momentum, dampening 0)."""
    v_new = momentum * v + dw
    return w - lr * v_new, v_new


def adagrad_step(w, dw, s, lr=1e-2, eps=1e-10):
    """Adagrad: s accumulates every squared gradient."""
    s_new = s + dw ** 2
    return _scaled_step(w, dw, s_new, lr, eps), s_new


def rmsprop_step(w, dw, s, lr=1e-2, alpha=0.99, eps=1e-8):
    """RMSProp: s is a leaky average of squared gradients."""
    s_new = alpha * s + (1 - alpha) * dw ** 2
    return _scaled_step(w, dw, s_new, lr, eps), s_new


def adam_step(w, dw, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam with bias-corrected moments; m and v come back uncorrected."""
    m_new = beta1 * m + (1 - beta1) * dw
    v_new = beta2 * v + (1 - beta2) * dw ** 2
    m_hat = m_new / (1 - beta1 ** t)
    v_hat = v_new / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


def _scaled_step(w, dw, s, lr, eps):
    """w - lr * dw / (sqrt(s) + eps): the step of Adagrad and RMSProp."""
    return w - lr * dw / (np.sqrt(s) + eps)
