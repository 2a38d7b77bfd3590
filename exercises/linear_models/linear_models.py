"""Exercise `linear_models`: the losses and gradients of five linear models, and gradient descent.

Complete every function, then run `dlx check linear_models` (visible tests)
and `dlx submit linear_models` (the graded, hidden tests).
`dlx hint linear_models` helps.

Common conventions
    X: float64 array (N, D), one example per row. There is no separate bias:
       it is "folded into X" (a column of ones), so it is one of the weights.
    w: float64 array (D,) (softmax regression: W of shape (D, C)).
    Every loss is the MEAN over the N examples; every function returns
    ``(loss, dw)`` with ``loss`` a Python float and ``dw`` the gradient of
    ``loss`` with respect to w, of w's shape. No argument is modified.
    At a kink of max(0, u) (u exactly 0) use the gradient of the flat branch,
    0, as PyTorch does.
"""
import numpy as np


def linear_regression_loss_grad(w, X, y):
    """Squared loss: the mean over the rows of ``0.5 * (X @ w - y) ** 2``.

    y: float64 array (N,) of real targets. Returns (loss, dw), dw of shape (D,).
    """
    raise NotImplementedError("linear_regression_loss_grad")


def logistic_regression_loss_grad(w, X, y):
    """Logistic regression: the mean log-loss (binary cross-entropy).

    With z = X @ w and p = sigmoid(z), the loss of one example is
    ``-(y * log(p) + (1 - y) * log(1 - p))``, y in {0.0, 1.0} (float64 (N,)).
    It must stay finite, with no overflow or divide-by-zero warning, for
    |z| up to 1e4: write it in terms of z, never as log of a computed p.
    Returns (loss, dw), dw of shape (D,).
    """
    raise NotImplementedError("logistic_regression_loss_grad")


def softmax_regression_loss_grad(W, X, y):
    """Softmax regression: the mean cross-entropy of softmax(X @ W).

    W: float64 (D, C); y: int array (N,) of class indices in [0, C).
    The loss of one example is ``-log(softmax(X[i] @ W)[y[i]])``. It must stay
    finite and warning-free for scores up to 1e4 in absolute value.
    Returns (loss, dW), dW of shape (D, C).
    """
    raise NotImplementedError("softmax_regression_loss_grad")


def perceptron_loss_grad(w, X, y):
    """Perceptron criterion: the mean of ``max(0, -y * (X @ w))``.

    y in {-1.0, +1.0} (float64 (N,)). Only misclassified examples (y * score
    < 0) contribute; a score of exactly 0 is a kink: its gradient is 0.
    Returns (loss, dw), dw of shape (D,).
    """
    raise NotImplementedError("perceptron_loss_grad")


def svm_loss_grad(w, X, y, lam=0.0):
    """Linear SVM: the mean hinge loss ``max(0, 1 - y * (X @ w))`` plus ``0.5 * lam * ||w||^2``.

    y in {-1.0, +1.0} (float64 (N,)); lam >= 0 is the L2 (weight-decay)
    strength; it applies to all of w (the folded-in bias too). An example
    exactly on the margin (y * score == 1) is a kink: its hinge gradient is 0.
    Returns (loss, dw), dw of shape (D,).
    """
    raise NotImplementedError("svm_loss_grad")


def gradient_descent(loss_grad, w0, X, y, lr, num_steps):
    """Full-batch gradient descent.

    Args:
        loss_grad: a function ``(w, X, y) -> (loss, dw)``, such as the ones
            above (for the SVM with lam > 0, wrap it, e.g. in a lambda), or
            any other: call it, whichever loss it is.
        w0: the starting weights (not modified); X, y: the whole training set.
        lr: the learning rate; num_steps: the number of updates.

    For t = 0, ..., num_steps - 1: compute ``loss, dw = loss_grad(w, X, y)``
    at the current w, record ``loss``, then update ``w <- w - lr * dw``.
    So ``losses[t]`` is the loss at the weights BEFORE step t (what a PyTorch
    loop records: it computes the loss, calls backward, then steps), and
    ``losses[0]`` is the loss at w0.

    Returns:
        (w, losses): w the weights after num_steps updates (a new array, the
        shape of w0); losses a list of num_steps floats.
    """
    raise NotImplementedError("gradient_descent")
