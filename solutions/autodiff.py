"""Reference for `autodiff`."""
import math


def _sigmoid(x):
    """1 / (1 + exp(-x)), without overflow for any float x."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


class Value:
    """A scalar node of a computational graph: its value, its gradient, and its inputs with the
    local derivative with respect to each."""

    def __init__(self, data, _inputs=()):
        self.data = float(data)
        self.grad = 0.0
        self._inputs = tuple(_inputs)  # (input node, d(self)/d(input)) pairs

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    @staticmethod
    def _lift(x):
        return x if isinstance(x, Value) else Value(x)

    # -- operators ----------------------------------------------------------------
    def __add__(self, other):
        other = self._lift(other)
        return Value(self.data + other.data, [(self, 1.0), (other, 1.0)])

    def __mul__(self, other):
        other = self._lift(other)
        return Value(self.data * other.data, [(self, other.data), (other, self.data)])

    def __pow__(self, k):
        return Value(self.data ** k, [(self, k * self.data ** (k - 1))])

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __truediv__(self, other):
        return self * self._lift(other) ** -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return (-self) + other

    def __rtruediv__(self, other):
        return self ** -1 * other

    # -- functions ----------------------------------------------------------------
    def exp(self):
        e = math.exp(self.data)
        return Value(e, [(self, e)])

    def log(self):
        return Value(math.log(self.data), [(self, 1.0 / self.data)])

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, [(self, 1.0 - t * t)])

    def sigmoid(self):
        s = _sigmoid(self.data)
        return Value(s, [(self, s * (1.0 - s))])

    def relu(self):
        positive = self.data > 0
        return Value(self.data if positive else 0.0, [(self, 1.0 if positive else 0.0)])

    def maximum(self, other):
        other = self._lift(other)
        a, b = self.data, other.data
        share = 1.0 if a > b else 0.0 if a < b else 0.5
        return Value(max(a, b), [(self, share), (other, 1.0 - share)])

    # -- reverse mode ---------------------------------------------------------------
    def _topological_order(self):
        """Every node this one depends on, each after all of its inputs (iterative DFS)."""
        order, visited, stack = [], set(), [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child, _ in node._inputs if child not in visited)
        return order

    def backward(self):
        """Set this node's grad to 1 and accumulate d(self)/d(node) into every node's grad."""
        order = self._topological_order()
        self.grad = 1.0
        for node in reversed(order):
            for child, local in node._inputs:
                child.grad += local * node.grad
