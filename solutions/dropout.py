"""Reference for `dropout` (inverted dropout, p the probability of dropping)."""


def dropout_forward(x, p, train, rng):
    """Training: keep where rng.random(x.shape) >= p and scale by 1/(1-p); evaluation: x."""
    if not train:
        return x.copy(), None
    keep = rng.random(x.shape) >= p
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    mask = keep * scale
    return x * mask, mask


def dropout_backward(dout, cache):
    """The gradient passes through the kept units with the same scale (unchanged in evaluation)."""
    mask = cache
    return dout.copy() if mask is None else dout * mask
