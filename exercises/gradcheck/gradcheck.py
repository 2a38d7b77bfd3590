"""Exercise `gradcheck`: the numerical gradient checker that every later exercise is graded with.

Complete the three functions, then run `dlx check gradcheck` (visible tests)
and `dlx submit gradcheck` (the graded, hidden tests). `dlx hint gradcheck` helps.

NumPy only. float64 throughout.
"""
import numpy as np


def numerical_gradient(f, x, h=1e-6):
    """The gradient of a scalar function ``f`` at ``x``, by centred differences.

    Args:
        f: a function taking an array of x's shape and returning a scalar (a
            Python float, a NumPy scalar or a 0-d array).
        x: float64 array of any shape, including 0-d (shape ``()``).
        h: the step. Element ``i`` of x is moved by exactly ``+h`` and ``-h``.

    Returns:
        grad: float64 array of x's shape with
        ``grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2 h)``, where ``e_i`` is
        1 at element ``i`` and 0 elsewhere.

    Call ``f`` at points that differ from ``x`` in one element only, and leave
    ``x`` exactly as it was: work on a copy, or save the old element and put
    it back (``x[i] = old``, never ``x[i] -= h``, which need not give back the
    same float).
    """
    raise NotImplementedError("numerical_gradient")


def numerical_gradient_array(f, x, dout, h=1e-6):
    """The vector-Jacobian product of an array-valued ``f`` at ``x``, numerically.

    Args:
        f: a function taking an array of x's shape and returning an array
            ``out`` (any shape).
        x: float64 array of any shape.
        dout: float64 array of out's shape, the upstream gradient dL/dout.
        h: the step, as in ``numerical_gradient``.

    Returns:
        grad: float64 array of x's shape with
        ``grad[i] = sum((f(x + h e_i) - f(x - h e_i)) * dout) / (2 h)``,
        that is dL/dx for ``L = sum(f(x) * dout)``.

    Leaves ``x`` and ``dout`` exactly as they were.
    """
    raise NotImplementedError("numerical_gradient_array")


def rel_error(a, b):
    """The relative error between two arrays (or numbers) of the same shape.

    Returns:
        ``max(|a - b| / max(1e-8, |a| + |b|))`` over all elements, as a float.
        The 1e-8 floor keeps 0 / 0 away: two zeros give 0.0, not NaN.
        About 1e-7 or less means a gradient is right; 1e-2 or more, wrong.
    """
    raise NotImplementedError("rel_error")
