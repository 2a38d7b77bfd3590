"""Exercise `autodiff`: a scalar reverse-mode automatic differentiation engine.

Complete the class `Value`, then run `dlx check autodiff` (visible tests) and
`dlx submit autodiff` (the graded, hidden tests). `dlx hint autodiff` helps.

Every operation creates a new `Value` node that remembers its inputs and the
local derivative with respect to each (the local chain-rule step). `backward()`
orders the graph so that each node comes before its inputs and, starting from
the output, adds `local derivative * node.grad` into each input's `grad`.

Standard library and NumPy only; no torch, no autodiff library.
"""
import math


class Value:
    """One scalar node of a computational graph.

    Attributes:
        data: the node's value, a Python float (``Value(3).data == 3.0``).
        grad: d(output)/d(this node) after ``output.backward()``; a float that
            starts at 0.0. ``backward()`` sets its own node's grad to 1.0 and
            adds into the grad of every node it depends on.

    Operators ``+ - * /`` accept a Value or a Python number (int or float) on
    either side (``2 + v``, ``v - 3``, ``1 / v`` all return a Value); ``-v`` and
    ``v ** k`` (``k`` an int or float, not a Value) too. Numbers are wrapped as
    constant leaves or used directly: only the gradients of Values matter.
    """

    def __init__(self, data, _inputs=()):
        """Make a node holding ``float(data)`` with ``grad = 0.0``.

        ``_inputs`` (optional, private): the nodes this one was computed from,
        with what the backward pass needs to pass a gradient to each of them,
        for example ``(input, local derivative)`` pairs (or keep the inputs and
        a small function that does the passing). A leaf has none.
        """
        raise NotImplementedError("Value.__init__")

    # -- operators: each returns a new Value --------------------------------------
    def __add__(self, other):
        """``self + other``: d/dself = 1, d/dother = 1."""
        raise NotImplementedError("Value.__add__")

    def __radd__(self, other):
        """``other + self`` when ``other`` is a number."""
        raise NotImplementedError("Value.__radd__")

    def __sub__(self, other):
        """``self - other``: d/dself = 1, d/dother = -1."""
        raise NotImplementedError("Value.__sub__")

    def __rsub__(self, other):
        """``other - self`` when ``other`` is a number."""
        raise NotImplementedError("Value.__rsub__")

    def __mul__(self, other):
        """``self * other``: d/dself = other, d/dother = self."""
        raise NotImplementedError("Value.__mul__")

    def __rmul__(self, other):
        """``other * self`` when ``other`` is a number."""
        raise NotImplementedError("Value.__rmul__")

    def __truediv__(self, other):
        """``self / other``: d/dself = 1 / other, d/dother = -self / other**2."""
        raise NotImplementedError("Value.__truediv__")

    def __rtruediv__(self, other):
        """``other / self`` when ``other`` is a number."""
        raise NotImplementedError("Value.__rtruediv__")

    def __neg__(self):
        """``-self``: d/dself = -1."""
        raise NotImplementedError("Value.__neg__")

    def __pow__(self, k):
        """``self ** k`` for a number ``k`` (int or float): d/dself = k * self**(k - 1).

        Only needs to work where the real power is defined (``self > 0`` for a
        fractional ``k``, ``self != 0`` for a negative one); an integer ``k >= 1``
        works at ``self == 0`` too (``x ** 2`` has derivative 0 there).
        """
        raise NotImplementedError("Value.__pow__")

    # -- functions: each returns a new Value ---------------------------------------
    def exp(self):
        """``e ** self``; its derivative is itself."""
        raise NotImplementedError("Value.exp")

    def log(self):
        """The natural logarithm, for ``self > 0``; derivative ``1 / self``."""
        raise NotImplementedError("Value.log")

    def tanh(self):
        """``tanh(self)``; derivative ``1 - tanh(self)**2``."""
        raise NotImplementedError("Value.tanh")

    def sigmoid(self):
        """``1 / (1 + e**-self)``; derivative ``s * (1 - s)`` with ``s`` the output.

        Must give the right value, finite and with no exception or warning, for
        any ``|self|`` up to 1e4 (``math.exp(800)`` raises OverflowError; find a
        form that never exponentiates a large positive number). Tiny values must
        be right to within about 1e-16: sigmoid(-100) is about 3.7e-44, not the
        value at -30 (so do not clip x).
        """
        raise NotImplementedError("Value.sigmoid")

    def relu(self):
        """``max(0, self)``; derivative 1 where ``self > 0`` and 0 where ``self <= 0``
        (at exactly 0, PyTorch's convention: 0)."""
        raise NotImplementedError("Value.relu")

    def maximum(self, other):
        """The larger of ``self`` and ``other`` (a Value or a number).

        The gradient goes to the larger input; on a tie (equal data) it is split
        evenly, 0.5 to each, as ``torch.maximum`` does.
        """
        raise NotImplementedError("Value.maximum")

    # -- reverse mode ----------------------------------------------------------------
    def backward(self):
        """Backpropagate from this node.

        Set ``self.grad = 1.0``, then visit every node this one depends on in
        reverse topological order (a node before all of its inputs) and run its
        local chain-rule step, which *adds* to its inputs' ``grad``: a node used
        several times receives the sum of the gradients of its uses. Grads are
        never reset, so calling ``backward()`` on two outputs that share a leaf
        adds both contributions to it, as in PyTorch.

        Must work on graphs 10,000 nodes deep: build the topological order with
        a loop and an explicit stack, not with recursion (Python stops recursion
        at about 1,000 frames).
        """
        raise NotImplementedError("Value.backward")
