"""Files that try to collect backward points without doing the layer's maths (issue 11).

Each is graded by ``tests/test_lazy.py`` and measured by ``benchmarks/lazy_scores.py``.
"""

def _affine(forward: str, backward: str, right_first: int = 0) -> str:
    """An affine file whose forward returns ``forward`` (after ``right_first`` right calls) and whose backward
    is the body ``backward``."""
    switch = (f"    CALLS[0] += 1\n    if CALLS[0] <= {right_first}:\n        return x @ w + b, (x, w, b)\n"
              if right_first else "")
    return (f"\nimport numpy as np\n\nCALLS = [0]\n\ndef affine_forward(x, w, b):\n{switch}"
            f"    return {forward}, (x, w, b)\n\ndef affine_backward(dout, cache):\n    x, w, b = cache\n{backward}")


# A constant forward (the sum of the inputs, in out's shape) with the matching trivial backward.
CONSTANT_FORWARD = "np.full((x.shape[0], w.shape[1]), x.sum() + w.sum() + b.sum())"
CONSTANT_BACKWARD = "    s = dout.sum()\n    return np.full_like(x, s), np.full_like(w, s), np.full_like(b, s)\n"
AFFINE_CONSTANT = _affine(CONSTANT_FORWARD, CONSTANT_BACKWARD)

# Right for the first calls (the forward tests), then the constant trick above.
AFFINE_SWITCH = _affine(CONSTANT_FORWARD, CONSTANT_BACKWARD, right_first=3)

# A forward near 1e308 whose centred differences overflow in the grader's arithmetic; any finite backward.
AFFINE_OVERFLOW = _affine("x @ w + b + 1e308 * np.cos(1e7 * (x.sum() + w.sum() + b.sum()))",
                          "    return np.zeros_like(x), np.zeros_like(w), np.zeros_like(b)\n")

# Right for the first calls (the forward tests), then a forward that is wrong but not trivial (twice the affine
# map) with that forward's exact backward: right early, wrong later, so it would keep forward and backward points.
AFFINE_SWITCH_WRONG = _affine("2.0 * (x @ w + b)",
                              "    return 2.0 * (dout @ w.T), 2.0 * (x.T @ dout), 2.0 * dout.sum(axis=0)\n",
                              right_first=3)

AFFINE = {"constant": AFFINE_CONSTANT, "switch": AFFINE_SWITCH, "overflow": AFFINE_OVERFLOW,
          "switch_wrong": AFFINE_SWITCH_WRONG}

# Every loss is the sum of its scores (linear, blind to the labels) with the matching gradient of ones.
LOSSES_SUM = '''
import numpy as np

def _sum(s):
    return float(np.sum(s)), np.ones_like(s, dtype=np.float64)

def mse_loss(pred, y):
    return _sum(pred)

def bce_with_logits(z, y):
    return _sum(z)

def softmax_cross_entropy(logits, y):
    return _sum(logits)

def hinge_loss(scores, y):
    return _sum(scores)

def perceptron_loss(scores, y):
    return _sum(scores)

def kl_divergence(logits, target):
    return _sum(logits)

def l2_penalty(weights, lam):
    return 0.0, [np.zeros_like(w) for w in weights]
'''

# Every loss_grad is the sum of the weights with a gradient of ones; gradient descent as it should be.
LINEAR_MODELS_SUM = '''
import numpy as np

def _sum(w):
    return float(np.sum(w)), np.ones_like(w, dtype=np.float64)

def linear_regression_loss_grad(w, X, y):
    return _sum(w)

def logistic_regression_loss_grad(w, X, y):
    return _sum(w)

def softmax_regression_loss_grad(W, X, y):
    return _sum(W)

def perceptron_loss_grad(w, X, y):
    return _sum(w)

def svm_loss_grad(w, X, y, lam=0.0):
    return _sum(w)

def gradient_descent(loss_grad, w0, X, y, lr, num_steps):
    w, losses = w0.copy(), []
    for _ in range(num_steps):
        loss, dw = loss_grad(w, X, y)
        losses.append(loss)
        w = w - lr * dw
    return w, losses
'''

# Per exercise: files that must earn no gradient points.
FILES = {"affine": AFFINE, "losses": {"sum": LOSSES_SUM}, "linear_models": {"sum": LINEAR_MODELS_SUM}}
