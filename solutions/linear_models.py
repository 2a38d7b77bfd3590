"""Reference for `linear_models`."""
import numpy as np


def _sigmoid(z):
    """A sigmoid that never overflows: exp is only taken of -|z|."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def linear_regression_loss_grad(w, X, y):
    """Mean of 0.5 * (X @ w - y) ** 2."""
    r = X @ w - y
    return float(np.mean(0.5 * r ** 2)), X.T @ r / len(y)


def logistic_regression_loss_grad(w, X, y):
    """Mean log-loss, written as softplus(z) - y * z with z = X @ w."""
    z = X @ w
    softplus = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
    return float(np.mean(softplus - y * z)), X.T @ (_sigmoid(z) - y) / len(y)


def softmax_regression_loss_grad(W, X, y):
    """Mean cross-entropy of softmax(X @ W) against the integer labels y."""
    n = len(y)
    shifted = X @ W
    shifted = shifted - shifted.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1.0
    return float(-np.mean(log_probs[np.arange(n), y])), X.T @ dscores / n


def _hinge(w, X, y, margin):
    """Mean of max(0, margin - y * (X @ w)) and its gradient (zero at the kink)."""
    u = margin - y * (X @ w)
    active = u > 0
    return float(np.mean(np.where(active, u, 0.0))), X.T @ (-y * active) / len(y)


def perceptron_loss_grad(w, X, y):
    """Mean of max(0, -y * (X @ w))."""
    return _hinge(w, X, y, 0.0)


def svm_loss_grad(w, X, y, lam=0.0):
    """Mean hinge loss max(0, 1 - y * (X @ w)) plus 0.5 * lam * ||w||^2."""
    loss, dw = _hinge(w, X, y, 1.0)
    return loss + 0.5 * lam * float(np.sum(w * w)), dw + lam * w


def gradient_descent(loss_grad, w0, X, y, lr, num_steps):
    """Full-batch gradient descent; losses[t] is the loss at the weights before step t."""
    w = np.array(w0, dtype=np.float64)
    losses = []
    for _ in range(num_steps):
        loss, dw = loss_grad(w, X, y)
        losses.append(float(loss))
        w = w - lr * dw
    return w, losses
