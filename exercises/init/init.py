"""Exercise `init`: random weight initialisers (Xavier/Glorot, He/Kaiming, LeCun).

Complete the four functions, then run `dlx check init` (visible tests) and
`dlx submit init` (the graded, hidden tests). `dlx hint init` helps.

Conventions for every function:
- ``W`` has shape ``(n_in, n_out)``: the layer computes ``x @ W`` for inputs
  ``x`` of shape ``(N, n_in)``, so ``n_in`` is the fan-in (inputs per unit) and
  ``n_out`` the fan-out.
- Every random number comes from ``rng``, the ``numpy.random.Generator`` you
  are given (``rng.uniform``, ``rng.normal``, ``rng.standard_normal``, ...).
  Never use ``np.random.*`` functions, ``np.random.seed``, the ``random``
  module, or a generator of your own: the same ``rng`` state must give the
  same matrix, and a different state a different one.
- Return a float64 array.
"""
import numpy as np


def xavier_uniform(n_in, n_out, rng, gain=1.0):
    """Xavier (Glorot) uniform initialisation, as ``torch.nn.init.xavier_uniform_``.

    Every entry is drawn independently from the uniform distribution U(-a, a) with

        a = gain * sqrt(6 / (n_in + n_out))

    so that Var(W) = a**2 / 3 = gain**2 * 2 / (n_in + n_out).

    Args:
        n_in: int, the number of inputs of the layer (fan-in).
        n_out: int, the number of outputs of the layer (fan-out).
        rng: numpy.random.Generator, the only source of randomness.
        gain: float, a factor suited to the activation function that follows
            (``torch.nn.init.calculate_gain`` gives 5/3 for tanh); 1 by default.

    Returns:
        W: float64 array of shape (n_in, n_out).
    """
    raise NotImplementedError("xavier_uniform")


def xavier_normal(n_in, n_out, rng, gain=1.0):
    """Xavier (Glorot) normal initialisation, as ``torch.nn.init.xavier_normal_``.

    Every entry is drawn independently from N(0, std**2) with

        std = gain * sqrt(2 / (n_in + n_out))

    Args:
        n_in, n_out: ints, the fan-in and the fan-out.
        rng: numpy.random.Generator, the only source of randomness.
        gain: float, multiplies the standard deviation.

    Returns:
        W: float64 array of shape (n_in, n_out).
    """
    raise NotImplementedError("xavier_normal")


def he_normal(n_in, n_out, rng):
    """He (Kaiming) normal initialisation for ReLU layers.

    As ``torch.nn.init.kaiming_normal_(weight, nonlinearity="relu")`` (mode "fan_in").

    Every entry is drawn independently from N(0, std**2) with

        std = sqrt(2 / n_in)        # the fan-in only, whatever n_out is

    Args:
        n_in, n_out: ints, the fan-in and the fan-out.
        rng: numpy.random.Generator, the only source of randomness.

    Returns:
        W: float64 array of shape (n_in, n_out).
    """
    raise NotImplementedError("he_normal")


def lecun_normal(n_in, n_out, rng):
    """LeCun normal initialisation, the one SELU networks need.

    As ``torch.nn.init.kaiming_normal_(weight, nonlinearity="linear")`` (mode "fan_in").

    Every entry is drawn independently from N(0, std**2) with

        std = sqrt(1 / n_in)        # the fan-in only

    Args:
        n_in, n_out: ints, the fan-in and the fan-out.
        rng: numpy.random.Generator, the only source of randomness.

    Returns:
        W: float64 array of shape (n_in, n_out).
    """
    raise NotImplementedError("lecun_normal")
