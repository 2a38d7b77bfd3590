"""Reference for `init`."""
import numpy as np


def xavier_uniform(n_in, n_out, rng, gain=1.0):
    """U(-a, a) with a = gain * sqrt(6 / (n_in + n_out))."""
    a = gain * np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-a, a, size=(n_in, n_out))


def xavier_normal(n_in, n_out, rng, gain=1.0):
    """N(0, std^2) with std = gain * sqrt(2 / (n_in + n_out))."""
    return _normal(n_in, n_out, rng, gain * np.sqrt(2.0 / (n_in + n_out)))


def he_normal(n_in, n_out, rng):
    """N(0, std^2) with std = sqrt(2 / n_in), for ReLU layers."""
    return _normal(n_in, n_out, rng, np.sqrt(2.0 / n_in))


def lecun_normal(n_in, n_out, rng):
    """N(0, std^2) with std = sqrt(1 / n_in), for SELU layers."""
    return _normal(n_in, n_out, rng, np.sqrt(1.0 / n_in))


def _normal(n_in, n_out, rng, std):
    return rng.normal(0.0, std, size=(n_in, n_out))
