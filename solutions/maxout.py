"""Reference for `maxout`."""
import numpy as np


def maxout_forward(x, w, b):
    """out[n, m] = max_k (x @ w[:, :, k] + b[:, k])[n, m]; the cache keeps x, w and z."""
    z = np.einsum("nd,dmk->nmk", x, w) + b
    return z.max(axis=2), (x, w, z)


def maxout_backward(dout, cache):
    """Each unit's gradient goes to its winning piece, split evenly among tied winners."""
    x, w, z = cache
    winners = z == z.max(axis=2, keepdims=True)
    share = winners / winners.sum(axis=2, keepdims=True)
    dz = dout[:, :, None] * share
    return np.einsum("nmk,dmk->nd", dz, w), np.einsum("nd,nmk->dmk", x, dz), dz.sum(axis=0)
