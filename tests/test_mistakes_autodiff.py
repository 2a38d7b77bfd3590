"""Typical mistakes in `autodiff` lose the points they should, and only those."""
import importlib.util

import numpy as np
import pytest

from grader.catalog import get
from grader.sandbox.trusted import chain_plan, run_plan
from tests.helpers import edited, grade, mistake, mistake_tests, pick, seeds_agree_test, reference_text

from grader.suites.test_autodiff import random_graph

SOLUTION = reference_text("autodiff")
GRADIENTS = ("backward_seeds_one", "add_sub_neg", "mul_div", "pow", "functions", "maximum", "maximum_ties",
             "accumulation", "random_graphs", "deep_graph")
MUL_USERS = ("data_and_grad_types", "backward_seeds_one", "add_sub_neg", "mul_div", "accumulation", "random_graphs",
             "deep_graph")  # the tests that multiply
POW = "k * self.data ** (k - 1)"
PUSH = "child.grad += local * node.grad"
SIGMOID = "        s = _sigmoid(self.data)"
TIE = "share = 1.0 if a > b else 0.0 if a < b else 0.5"
RECURSIVE = ("        order, visited = [], set()\n\n"
             "        def visit(node):\n"
             "            if node not in visited:\n"
             "                visited.add(node)\n"
             "                for child, _ in node._inputs:\n"
             "                    visit(child)\n"
             "                order.append(node)\n\n"
             "        visit(self)\n")


def recursive_topological_sort(solution: str) -> str:
    """The reference with its iterative depth-first search replaced by a recursive one."""
    start, end = solution.index("        order, visited, stack"), solution.index("        return order\n")
    return solution[:start] + RECURSIVE + solution[end:]


MISTAKES = [
    mistake("overwriting_grad_instead_of_accumulating", PUSH, "child.grad = local * node.grad",
            "accumulation", "random_graphs", "deep_graph", "backward_seeds_one"),
    edited("recursive_topological_sort", [], "deep_graph", build=recursive_topological_sort,
           says={"deep_graph": "RecursionError"}),
    mistake("wrong_pow_derivative", POW, "k * self.data ** k", "pow", "mul_div", "random_graphs"),  # / is ** -1
    mistake("missing_rsub", "    def __rsub__(self, other):\n        return (-self) + other\n\n", "", "add_sub_neg",
            says={"add_sub_neg": ("unsupported operand type(s) for -:", "and 'Value'")}),  # an int or a float
    mistake("missing_rtruediv", "    def __rtruediv__(self, other):\n        return self ** -1 * other\n\n", "",
            "mul_div", "random_graphs"),
    mistake("backward_does_not_seed_the_output", "        self.grad = 1.0\n", "", *GRADIENTS, "sigmoid_stable",
            "relu_at_zero"),
    mistake("seeding_after_the_loop_keeps_only_the_seed_points",
            "        self.grad = 1.0\n        for node in reversed(order):\n            for child, local in node._inputs:\n"
            "                child.grad += local * node.grad\n",
            "        for node in reversed(order):\n            for child, local in node._inputs:\n"
            "                child.grad += local * node.grad\n        self.grad = 1.0\n", *GRADIENTS),
    mistake("ignoring_the_upstream_gradient", PUSH, "child.grad += local", "mul_div", "accumulation", "random_graphs",
            "deep_graph"),
    mistake("tie_goes_to_the_first_input", TIE, "share = 1.0 if a >= b else 0.0", "maximum_ties", lost=1),
    mistake("relu_slope_one_at_zero", "positive = self.data > 0", "positive = self.data >= 0", "relu_at_zero", lost=1),
    mistake("naive_sigmoid", SIGMOID, "        s = 1.0 / (1.0 + math.exp(-self.data))", "sigmoid_stable", lost=1),
    mistake("data_not_converted_to_float", "self.data = float(data)", "self.data = data", "data_and_grad_types",
            lost=1),
    # grads are never reset: zeroing them in backward() loses the accumulation and the second-call checks
    mistake("resetting_grads_in_backward", "        for node in reversed(order):",
            "        for node in order:\n            node.grad = 0.0\n        self.grad = 1.0\n"
            "        for node in reversed(order):", "accumulation", "backward_seeds_one"),
    mistake("sigmoid_with_numpy_overflow_warning", SIGMOID, "        s = float(1.0 / (1.0 + np.exp(-self.data)))",
            "sigmoid_stable", prefix="import numpy as np\n", says={"sigmoid_stable": "warning"}),
    # k * out / x is k * x ** (k - 1) except at x = 0, where it divides by zero
    mistake("pow_derivative_as_k_out_over_x", "        return Value(self.data ** k, [(self, k * self.data ** (k - 1))])",
            "        out = self.data ** k\n        return Value(out, [(self, k * out / self.data)])", "pow",
            says={"pow": ", x = 0.0"}),
    # feedback names the operation and what it returned, not an AttributeError of the grader; x - y is built on
    # -y = y * -1 in this file: the student's own code raises there, with its line
    mistake("mul_returning_none_is_named",
            "        return Value(self.data * other.data, [(self, other.data), (other, self.data)])",
            "        return None", *MUL_USERS,
            says={"data_and_grad_types": "v * 2.0 returned None; every operation must return a new Value",
                  "mul_div": "Value (x * y): x * y returned None"},
            never_says={test_id: ("could not be checked", "object has no attribute") for test_id in MUL_USERS}),
    mistake("exp_returning_a_float_is_named", "        return Value(e, [(self, e)])", "        return 2.5",
            "functions", "random_graphs",
            says={"functions": "x.exp() returned a float", "random_graphs": ".exp() returned a float"}),
    # clipping x to [-30, 30] avoids overflow, and gives 9e-14 where the value is 1e-44 or less
    mistake("sigmoid_clipped_at_30", SIGMOID, "        s = _sigmoid(min(max(self.data, -30.0), 30.0))",
            "sigmoid_stable", says={"sigmoid_stable": "must be right to within about 1e-16"}),
    mistake("near_ties_counted_as_ties", TIE, "share = 0.5 if math.isclose(a, b) else 1.0 if a > b else 0.0",
            "maximum", prefix="import math\n"),
    mistake("backward_adds_one_instead_of_setting_it", "self.grad = 1.0", "self.grad += 1.0", "backward_seeds_one"),
]

test_mistake = mistake_tests("autodiff", MISTAKES)
test_seeds_agree = seeds_agree_test("autodiff", pick(MISTAKES, "wrong_pow_derivative"), full_marks=20)


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
    spec = importlib.util.spec_from_file_location("reference_autodiff", get("autodiff").reference)
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

