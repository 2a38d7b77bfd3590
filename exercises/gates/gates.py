"""Exercise `gates`: the backward rules of the basic nodes of a computational graph.

Complete the five functions, then run `dlx check gates` (visible tests) and
`dlx submit gates` (the graded, hidden tests). `dlx hint gates` helps.

Every function is elementwise and works for arrays of any shape. `dout` is
the upstream gradient dL/dz of the node's output z; each function returns the
gradient of the loss L with respect to the node's input(s), each with the
shape of that input. Return new float64 arrays; never modify an argument.
"""
import numpy as np


def add_backward(dout):
    """Backward pass of the add node ``z = x + y``.

    Args:
        dout: float64 array, the upstream gradient dL/dz (x, y and z share its shape).

    Returns:
        (dx, dy): dL/dx and dL/dy. Since dz/dx = dz/dy = 1, both equal dout.
    """
    raise NotImplementedError("add_backward")


def mul_backward(x, y, dout):
    """Backward pass of the multiply node ``z = x * y`` (elementwise).

    Args:
        x, y: float64 arrays of the same shape, the node's inputs.
        dout: float64 array of that shape, the upstream gradient dL/dz.

    Returns:
        (dx, dy): dL/dx = y * dout and dL/dy = x * dout.
    """
    raise NotImplementedError("mul_backward")


def max_backward(x, y, dout):
    """Backward pass of the max node ``z = np.maximum(x, y)`` (elementwise).

    Args:
        x, y: float64 arrays of the same shape, the node's inputs.
        dout: float64 array of that shape, the upstream gradient dL/dz.

    Returns:
        (dx, dy): where x > y, dx = dout and dy = 0; where x < y, dx = 0 and
        dy = dout; where x == y (a tie), dx = dy = 0.5 * dout, as
        ``torch.maximum`` does.
    """
    raise NotImplementedError("max_backward")


def scale_backward(c, dout):
    """Backward pass of the scale node ``z = c * x``, with c a constant.

    Args:
        c: a Python float, the constant factor.
        dout: float64 array, the upstream gradient dL/dz.

    Returns:
        dx: dL/dx = c * dout, same shape as dout.
    """
    raise NotImplementedError("scale_backward")


def branch_backward(douts):
    """Backward pass of a branch: one value x is the input of several nodes.

    Args:
        douts: a non-empty list of float64 arrays, all of x's shape; item k is
            the gradient dL/dx that arrives through the k-th consumer of x.

    Returns:
        dx: the total gradient dL/dx, the sum of all arrays in ``douts``
        (a new array; do not accumulate into one of the arguments).
    """
    raise NotImplementedError("branch_backward")
