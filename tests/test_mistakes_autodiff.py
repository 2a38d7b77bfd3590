"""Typical mistakes in `autodiff` lose the points they should, and only those."""
import importlib.util

import numpy as np
import pytest

from grader.catalog import get
from grader.sandbox.trusted import chain_plan, run_plan
from tests.grading import assert_loses, assert_loses_only, failed_tests, grade, mutate, solution_text

from grader.suites.test_autodiff import random_graph

SOLUTION = solution_text("autodiff")

TYPES = "data is stored as a float"
SEED_ONE = "own grad becomes 1"
ADD_SUB = "+, - and unary -"
MUL_DIV = "* and /"
POW = "** with int and float"
FUNCTIONS = "exp, log, tanh, sigmoid and relu"
SIGMOID = "warning-free for |x| up to 1e4"
RELU_ZERO = "at exactly 0 is 0"
MAXIMUM = "goes to the larger input"
TIES = "tie splits the gradient"
ACCUMULATE = "sum of its gradients"
RANDOM = "random expression graphs"
DEEP = "10,000 nodes deep"


def test_overwriting_grad_instead_of_accumulating():
    source = mutate(SOLUTION, "child.grad += local * node.grad", "child.grad = local * node.grad")
    assert_loses_only(grade("autodiff", source), ACCUMULATE, RANDOM, DEEP, SEED_ONE)


def test_recursive_topological_sort():
    start, end = SOLUTION.index("        order, visited, stack"), SOLUTION.index("        return order\n")
    recursive = ("        order, visited = [], set()\n\n"
                 "        def visit(node):\n"
                 "            if node not in visited:\n"
                 "                visited.add(node)\n"
                 "                for child, _ in node._inputs:\n"
                 "                    visit(child)\n"
                 "                order.append(node)\n\n"
                 "        visit(self)\n")
    result = grade("autodiff", mutate(SOLUTION, SOLUTION[start:end], recursive))
    assert_loses_only(result, DEEP)
    assert "RecursionError" in next(t.output for t in result.tests if DEEP in t.name)


def test_wrong_pow_derivative():
    source = mutate(SOLUTION, "k * self.data ** (k - 1)", "k * self.data ** k")
    assert_loses_only(grade("autodiff", source), POW, MUL_DIV, RANDOM)  # division is built on ** -1


def test_missing_reflected_operators():
    source = mutate(SOLUTION, "    def __rsub__(self, other):\n        return (-self) + other\n\n", "")
    result = grade("autodiff", source)
    assert_loses(result, ADD_SUB)
    message = next(t.output for t in result.tests if ADD_SUB in t.name)
    assert "unsupported operand type(s) for -:" in message and "and 'Value'" in message  # an int or a float
    source = mutate(SOLUTION, "    def __rtruediv__(self, other):\n        return self ** -1 * other\n\n", "")
    result = grade("autodiff", source)
    assert_loses(result, MUL_DIV)
    assert failed_tests(result) <= {t.name for t in result.tests if MUL_DIV in t.name or RANDOM in t.name}


def test_backward_does_not_seed_the_output():
    result = grade("autodiff", mutate(SOLUTION, "        self.grad = 1.0\n", ""))
    assert failed_tests(result) == {t.name for t in result.tests if TYPES not in t.name}


def test_seeding_after_the_loop_keeps_only_the_seed_points():
    old = "        self.grad = 1.0\n        for node in reversed(order):\n            for child, local in node._inputs:\n                child.grad += local * node.grad\n"
    new = "        for node in reversed(order):\n            for child, local in node._inputs:\n                child.grad += local * node.grad\n        self.grad = 1.0\n"
    result = grade("autodiff", mutate(SOLUTION, old, new))
    assert {t.name for t in result.tests if t.passed} == {
        t.name for t in result.tests if any(f in t.name for f in (TYPES, SIGMOID, RELU_ZERO))}


def test_ignoring_the_upstream_gradient():
    source = mutate(SOLUTION, "child.grad += local * node.grad", "child.grad += local")
    assert_loses_only(grade("autodiff", source), MUL_DIV, ACCUMULATE, RANDOM, DEEP)


@pytest.mark.parametrize("old, new, lost", [
    ("share = 1.0 if a > b else 0.0 if a < b else 0.5", "share = 1.0 if a >= b else 0.0", TIES),
    ("positive = self.data > 0", "positive = self.data >= 0", RELU_ZERO),
    ("        s = _sigmoid(self.data)", "        s = 1.0 / (1.0 + math.exp(-self.data))", SIGMOID),
    ("self.data = float(data)", "self.data = data", TYPES),
])
def test_convention_mistakes_lose_one_test(old, new, lost):
    result = grade("autodiff", mutate(SOLUTION, old, new))
    assert_loses_only(result, lost)
    assert result.score == result.max_score - 1


def test_resetting_grads_in_backward():
    """Grads are never reset: zeroing them in backward() loses the accumulation and the second-call checks."""
    source = mutate(SOLUTION, "        for node in reversed(order):",
                    "        for node in order:\n            node.grad = 0.0\n        self.grad = 1.0\n"
                    "        for node in reversed(order):")
    assert_loses_only(grade("autodiff", source), ACCUMULATE, SEED_ONE)


def test_sigmoid_with_numpy_overflow_warning():
    source = mutate(SOLUTION, "        s = _sigmoid(self.data)", "        s = float(1.0 / (1.0 + np.exp(-self.data)))")
    result = grade("autodiff", "import numpy as np\n" + source)
    assert_loses_only(result, SIGMOID)
    assert "warning" in next(t.output for t in result.tests if SIGMOID in t.name)


def test_pow_derivative_as_k_out_over_x():
    """k * out / x is k * x ** (k - 1) except at x = 0, where it divides by zero."""
    source = mutate(SOLUTION, "        return Value(self.data ** k, [(self, k * self.data ** (k - 1))])",
                    "        out = self.data ** k\n        return Value(out, [(self, k * out / self.data)])")
    result = grade("autodiff", source)
    assert_loses_only(result, POW)
    assert "with x = 0.0" in next(t.output for t in result.tests if POW in t.name)


def test_an_operation_returning_none_is_named():
    """Feedback names the operation and what it returned, not an AttributeError of the grader."""
    result = grade("autodiff", mutate(SOLUTION, "        return Value(self.data * other.data, [(self, other.data), "
                                                "(other, self.data)])", "        return None"))
    outputs = {t.name: t.output for t in result.tests if not t.passed}
    assert "v * 2.0 returned None; every operation must return a new Value" in outputs[
        next(n for n in outputs if TYPES in n)]
    assert "Value (x * y): x * y returned None" in outputs[next(n for n in outputs if MUL_DIV in n)]
    # (x - y is built on -y = y * -1 in this file: the student's own code raises there, with its line)
    assert not any("could not be checked" in o or "object has no attribute" in o for o in outputs.values()), outputs
    result = grade("autodiff", mutate(SOLUTION, "        return Value(e, [(self, e)])", "        return 2.5"))
    assert_loses(result, FUNCTIONS, RANDOM)
    assert "x.exp() returned a float" in next(t.output for t in result.tests if FUNCTIONS in t.name)
    assert ".exp() returned a float" in next(t.output for t in result.tests if RANDOM in t.name)


def test_sigmoid_clipped_at_30():
    """Clipping x to [-30, 30] avoids overflow, and gives 9e-14 where the value is 1e-44 or less."""
    source = mutate(SOLUTION, "        s = _sigmoid(self.data)", "        s = _sigmoid(min(max(self.data, -30.0), 30.0))")
    result = grade("autodiff", source)
    assert_loses_only(result, SIGMOID)
    assert "must be right to within about 1e-16" in next(t.output for t in result.tests if SIGMOID in t.name)


def test_near_ties_counted_as_ties():
    source = "import math\n" + mutate(SOLUTION, "share = 1.0 if a > b else 0.0 if a < b else 0.5",
                                      "share = 0.5 if math.isclose(a, b) else 1.0 if a > b else 0.0")
    assert_loses_only(grade("autodiff", source), MAXIMUM)


def test_seeds_agree():
    wrong = mutate(SOLUTION, "k * self.data ** (k - 1)", "k * self.data ** k")
    assert grade("autodiff", wrong, 3).score == grade("autodiff", wrong, 4).score
    assert grade("autodiff", SOLUTION, 3).score == grade("autodiff", SOLUTION, 4).score == 20


ALTERNATIVE = '''
import math


class Value:
    """A micrograd-style engine: closures, direct division, Kahn's algorithm, sigmoid through tanh."""

    def __init__(self, data, _children=()):
        self.data, self.grad = float(data), 0.0
        self._prev, self._backward = _children, lambda: None

    @staticmethod
    def _wrap(x):
        return x if isinstance(x, Value) else Value(x)

    def _out(self, data, children, backward):
        out = Value(data, children)
        out._backward = lambda: backward(out.grad)
        return out

    def __add__(self, other):
        other = self._wrap(other)
        def back(g):
            self.grad += g
            other.grad += g
        return self._out(self.data + other.data, (self, other), back)

    __radd__ = __add__

    def __mul__(self, other):
        other = self._wrap(other)
        def back(g):
            self.grad += other.data * g
            other.grad += self.data * g
        return self._out(self.data * other.data, (self, other), back)

    __rmul__ = __mul__

    def __truediv__(self, other):
        other = self._wrap(other)
        def back(g):
            self.grad += g / other.data
            other.grad -= g * self.data / other.data ** 2
        return self._out(self.data / other.data, (self, other), back)

    def __rtruediv__(self, other):
        return Value(other) / self

    def __neg__(self):
        def back(g):
            self.grad -= g
        return self._out(-self.data, (self,), back)

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return Value(other) - self

    def _unary(self, data, local):
        def back(g):
            self.grad += local * g
        return self._out(data, (self,), back)

    def __pow__(self, k):
        return self._unary(self.data ** k, k * self.data ** (k - 1))

    def exp(self):
        return self._unary(math.exp(self.data), math.exp(self.data))

    def log(self):
        return self._unary(math.log(self.data), 1 / self.data)

    def tanh(self):
        e = math.exp(-2 * abs(self.data))
        t = math.copysign((1 - e) / (1 + e), self.data)
        return self._unary(t, (1 - t) * (1 + t))

    def sigmoid(self):
        s = 0.5 * (1 + math.tanh(self.data / 2))
        return self._unary(s, s * (1 - s))

    def relu(self):
        return self._unary(max(self.data, 0.0), float(self.data > 0))

    def maximum(self, other):
        other = self._wrap(other)
        share = 0.5 if self.data == other.data else float(self.data > other.data)
        def back(g):
            self.grad += share * g
            other.grad += (1 - share) * g
        return self._out(max(self.data, other.data), (self, other), back)

    def backward(self):
        pending, seen, stack = {}, {id(self)}, [self]
        while stack:
            for child in stack.pop()._prev:
                pending[id(child)] = pending.get(id(child), 0) + 1
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append(child)
        self.grad, ready = 1.0, [self]
        while ready:
            node = ready.pop()
            node._backward()
            for child in node._prev:
                pending[id(child)] -= 1
                if pending[id(child)] == 0:
                    ready.append(child)
'''


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_another_correct_design_scores_full_marks(seed):
    result = grade("autodiff", ALTERNATIVE, seed)
    assert result.score == result.max_score, [(t.name, t.output) for t in result.tests if not t.passed]


def _reference():
    spec = importlib.util.spec_from_file_location("reference_autodiff", get("autodiff").solution)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("seed", range(5))
def test_reference_gradients_match_centred_differences(seed):
    """The suite's expected values (the reference) agree with a numerical gradient of the same plans."""
    value_cls = _reference().Value
    rng = np.random.default_rng(seed)
    for plan in (random_graph(rng, value_cls), chain_plan(seed, 30)):
        leaves = [i for i, step in enumerate(plan) if step[0] == "leaf"]
        grads = [g for _, g in run_plan(value_cls, plan, leaves)]
        for leaf, grad in zip(leaves, grads):
            moved = [[list(plan), plan[leaf][1] + s] for s in (1e-6, -1e-6)]
            outs = []
            for steps, x in moved:
                steps[leaf] = ["leaf", x]
                outs.append(run_plan(value_cls, steps, [len(steps) - 1], roots=[])[0][0])
            numeric = (outs[0] - outs[1]) / 2e-6
            assert abs(numeric - grad) <= 1e-5 * (abs(numeric) + abs(grad)) + 1e-7


def test_backward_adds_one_instead_of_setting_it():
    source = mutate(SOLUTION, "self.grad = 1.0", "self.grad += 1.0")
    assert_loses_only(grade("autodiff", source), SEED_ONE)
