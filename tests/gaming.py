"""Files that try to collect backward points without doing the layer's maths (issue 11).

Each is graded by ``tests/test_lazy.py`` and measured by ``benchmarks/lazy_scores.py``.
"""

# A constant forward (the sum of the inputs, in out's shape) with the matching trivial backward.
AFFINE_CONSTANT = '''
import numpy as np

def affine_forward(x, w, b):
    return np.full((x.shape[0], w.shape[1]), x.sum() + w.sum() + b.sum()), (x, w, b)

def affine_backward(dout, cache):
    x, w, b = cache
    s = dout.sum()
    return np.full_like(x, s), np.full_like(w, s), np.full_like(b, s)
'''

# Right for the first calls (the forward tests), then the constant trick above.
AFFINE_SWITCH = '''
import numpy as np

CALLS = [0]

def affine_forward(x, w, b):
    CALLS[0] += 1
    if CALLS[0] <= 3:
        return x @ w + b, (x, w, b)
    return np.full((x.shape[0], w.shape[1]), x.sum() + w.sum() + b.sum()), (x, w, b)

def affine_backward(dout, cache):
    x, w, b = cache
    s = dout.sum()
    return np.full_like(x, s), np.full_like(w, s), np.full_like(b, s)
'''

# A forward near 1e308 whose centred differences overflow in the grader's arithmetic; any finite backward.
AFFINE_OVERFLOW = '''
import numpy as np

def affine_forward(x, w, b):
    return x @ w + b + 1e308 * np.cos(1e7 * (x.sum() + w.sum() + b.sum())), (x, w, b)

def affine_backward(dout, cache):
    x, w, b = cache
    return np.zeros_like(x), np.zeros_like(w), np.zeros_like(b)
'''

AFFINE = {"constant": AFFINE_CONSTANT, "switch": AFFINE_SWITCH, "overflow": AFFINE_OVERFLOW}
