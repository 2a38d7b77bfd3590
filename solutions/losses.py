"""Reference for `losses`."""
import numpy as np


def _sigmoid(z):
    """A sigmoid that never overflows: exp(-|z|) is at most 1."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _log_softmax(x):
    """Row-wise log-softmax by the log-sum-exp trick."""
    shifted = x - np.max(x, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def _relu_mean(u, y):
    """mean(max(0, u)) and its gradient for u = c - y * s (du/ds = -y); the gradient is 0 at u == 0."""
    return float(np.mean(np.maximum(u, 0.0))), np.where(u > 0, -y, 0.0) / u.size


def mse_loss(pred, y):
    """Mean of (pred - y)**2 over all elements."""
    diff = pred - y
    return float(np.mean(diff ** 2)), 2.0 * diff / diff.size


def bce_with_logits(z, y):
    """Mean binary cross-entropy of sigmoid(z) against y, from the logits."""
    loss = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return float(np.mean(loss)), (_sigmoid(z) - y) / z.size


def softmax_cross_entropy(logits, y):
    """Mean over the rows of -log softmax(logits)[n, y[n]]."""
    n = logits.shape[0]
    rows = np.arange(n)
    logp = _log_softmax(logits)
    dlogits = np.exp(logp)
    dlogits[rows, y] -= 1.0
    return float(-np.mean(logp[rows, y])), dlogits / n


def hinge_loss(scores, y):
    """Mean of max(0, 1 - y * s)."""
    return _relu_mean(1.0 - y * scores, y)


def perceptron_loss(scores, y):
    """Mean of max(0, -y * s)."""
    return _relu_mean(-y * scores, y)


def kl_divergence(logits, target):
    """Mean over the rows of KL(target || softmax(logits)), with 0 log 0 = 0."""
    n = logits.shape[0]
    logq = _log_softmax(logits)
    logt = np.log(np.where(target > 0, target, 1.0))  # log 1 = 0 where the target is 0
    loss = np.sum(target * (logt - logq)) / n
    dlogits = np.exp(logq) * np.sum(target, axis=1, keepdims=True) - target
    return float(loss), dlogits / n


def l2_penalty(weights, lam):
    """0.5 * lam * (sum of the squares of every weight), and lam * w for each w."""
    loss = 0.5 * lam * sum(float(np.sum(w ** 2)) for w in weights)
    return float(loss), [lam * w for w in weights]
