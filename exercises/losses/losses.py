"""Exercise `losses`: loss functions and their gradients, written to survive scores up to |1e4|.

Complete the seven functions, then run `dlx check losses` (visible tests) and
`dlx submit losses` (the graded, hidden tests). `dlx hint losses` helps.

Conventions for every loss ``f(scores, y) -> (loss, dscores)``:
- ``loss`` is a Python float, the MEAN over the batch (the cost), and
  ``dscores`` is the gradient of that mean: it has the shape of ``scores`` and
  carries the factor 1/N.
- Inputs with |scores| up to 1e4 give finite results and raise no overflow,
  divide-by-zero or invalid-value warning (underflow to 0 is fine).
- No argument is modified in place. NumPy only; write any helper you need
  (a stable sigmoid, a log-softmax) in this file.
"""
import numpy as np


def mse_loss(pred, y):
    """Mean squared error, as ``torch.nn.MSELoss()``.

    Args:
        pred: float64 array of any shape, the predictions.
        y: float64 array of the same shape, the targets.

    Returns:
        (loss, dpred): ``loss = mean((pred - y) ** 2)`` over ALL elements
        (K of them), and ``dpred = 2 * (pred - y) / K``.
    """
    raise NotImplementedError("mse_loss")


def bce_with_logits(z, y):
    """Binary cross-entropy computed from logits, as ``torch.nn.BCEWithLogitsLoss()``.

    Args:
        z: float64 array of any shape, the logits (p = sigmoid(z) is the
            predicted probability of class 1).
        y: float64 array of the same shape, labels 0.0 or 1.0.

    Returns:
        (loss, dz): the mean over all K elements of
        ``-(y * log(sigmoid(z)) + (1 - y) * log(1 - sigmoid(z)))``, and
        ``dz = (sigmoid(z) - y) / K``.

    Never take the log of a sigmoid: use the identity
    ``loss_i = max(z, 0) - z * y + log(1 + exp(-|z|))``.
    """
    raise NotImplementedError("bce_with_logits")


def softmax_cross_entropy(logits, y):
    """Softmax followed by cross-entropy, as ``torch.nn.CrossEntropyLoss()``.

    Args:
        logits: float64 array of shape (N, C), one row of class scores per example.
        y: int array of shape (N,), the correct class of each row, in 0..C-1.

    Returns:
        (loss, dlogits): ``loss = -mean_n log softmax(logits[n])[y[n]]``, and
        ``dlogits = (softmax(logits) - onehot(y)) / N``, of shape (N, C).

    Compute log softmax as ``logits - logsumexp(logits)`` row by row, with the
    row maximum subtracted first.
    """
    raise NotImplementedError("softmax_cross_entropy")


def hinge_loss(scores, y):
    """The hinge loss of a linear SVM, mean of ``max(0, 1 - y * s)``.

    Args:
        scores: float64 array of shape (N,), the scores s.
        y: float64 array of shape (N,), labels -1.0 or +1.0.

    Returns:
        (loss, dscores): the mean over N, and its gradient: ``-y[n] / N`` where
        ``1 - y[n] * s[n] > 0`` and 0 elsewhere. Exactly at the margin
        (``1 - y * s == 0``) the gradient is 0: at a kink, use the branch of
        ``max(0, u)`` for negative inputs, as PyTorch does.
    """
    raise NotImplementedError("hinge_loss")


def perceptron_loss(scores, y):
    """The perceptron loss, mean of ``max(0, -y * s)``.

    Args:
        scores: float64 array of shape (N,), the scores s.
        y: float64 array of shape (N,), labels -1.0 or +1.0.

    Returns:
        (loss, dscores): the mean over N, and its gradient: ``-y[n] / N`` where
        ``-y[n] * s[n] > 0`` and 0 elsewhere; at ``s == 0`` exactly the
        gradient is 0 (the same kink convention as ``hinge_loss``).
    """
    raise NotImplementedError("perceptron_loss")


def kl_divergence(logits, target):
    """Mean over the batch of KL(target || softmax(logits)).

    Args:
        logits: float64 array of shape (N, C).
        target: float64 array of shape (N, C), each row a probability
            distribution (non-negative, summing to 1); entries may be exactly 0.

    Returns:
        (loss, dlogits): with q = softmax(logits) row by row,
        ``loss = (1 / N) * sum_{n,c} t[n,c] * (log t[n,c] - log q[n,c])``, where
        a term with t = 0 counts as 0 (0 log 0 = 0), as
        ``torch.nn.functional.kl_div(log_softmax(logits), target, reduction="batchmean")``;
        and ``dlogits = (q * sum_c t[n,c] - t) / N``, which is ``(q - t) / N``
        when the rows of t sum to 1.
    """
    raise NotImplementedError("kl_divergence")


def l2_penalty(weights, lam):
    """The L2 (weight-decay) penalty of a list of weight arrays.

    Args:
        weights: a list of float64 arrays of any shapes.
        lam: a float, the regularisation strength.

    Returns:
        (loss, grads): ``loss = 0.5 * lam * sum_k sum(weights[k] ** 2)``, a float
        (not a mean: it does not depend on the batch), and ``grads``, a list with
        ``grads[k] = lam * weights[k]``, in the order of ``weights``.
    """
    raise NotImplementedError("l2_penalty")
