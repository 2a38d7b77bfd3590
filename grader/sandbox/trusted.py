"""Objects the grader builds inside the worker and hands to student code.

A suite names them with ``TrustedFunction(name, params)``; the worker calls
``build(name, params)``.  They are plain, deterministic functions of their
parameters, so the grading process can compute the same values itself and
judge whatever the student's code does with them.
"""
from __future__ import annotations

import gc
import operator
from typing import Any, Callable

import numpy as np

BUILDERS: dict[str, Callable[..., Any]] = {}


def builder(fn: Callable[..., Any]) -> Callable[..., Any]:
    BUILDERS[fn.__name__] = fn
    return fn


@builder
def generator(seed: int = 0) -> np.random.Generator:
    """A NumPy Generator that lives in the worker (pass it on, then read its state back)."""
    return np.random.default_rng(seed)


# -- autodiff: expression plans, run with the student's Value class ---------------
# A plan is a list of steps; each step makes one node.  ``["leaf", 2.0]`` is
# ``Value(2.0)``; otherwise ``[op, *operands]``, an operand being an int (an
# earlier node) or a one-item list (the Python number in it):
# ``["sub", [3], 0]`` is ``3 - node0``, ``["pow", 1, [0.5]]`` is ``node1 ** 0.5``.
PLAN_OPERATORS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
                  "truediv": operator.truediv, "pow": operator.pow, "neg": operator.neg}
PLAN_METHODS = ("exp", "log", "tanh", "sigmoid", "relu", "maximum")


def plan_node(value_cls: type, nodes: list, step: list) -> Any:
    """The node that one plan step makes from the earlier ``nodes``."""
    op, *operands = step
    if op == "leaf":
        return value_cls(operands[0])
    args = [nodes[a] if type(a) is int else a[0] for a in operands]
    if op in PLAN_OPERATORS:
        return PLAN_OPERATORS[op](*args)
    if op in PLAN_METHODS:
        return getattr(args[0], op)(*args[1:])
    raise ValueError(f"unknown plan step {op!r}")


def run_plan(value_cls: type, plan: list, report: list | None = None, roots: list | None = None) -> list | dict:
    """Build the plan's nodes, call ``backward()`` on each root (default: the last node) in
    turn, and return ``(data, grad)`` of the nodes listed in ``report`` (default: all).

    If a step returns something other than a ``value_cls``, stop there and return
    ``{"step": k, "returned": "None"}`` (or the type's name) so the suite can name the operation."""
    nodes: list = []
    collecting = gc.isenabled()
    gc.disable()  # full collections while 10,000 nodes are alive would cost ~0.1 s each
    try:
        for k, step in enumerate(plan):
            node = plan_node(value_cls, nodes, step)
            if not isinstance(node, value_cls):
                return {"step": k, "returned": "None" if node is None else type(node).__name__}
            nodes.append(node)
        for root in [len(nodes) - 1] if roots is None else roots:
            nodes[root].backward()
        return [(nodes[i].data, nodes[i].grad) for i in (range(len(nodes)) if report is None else report)]
    finally:
        if collecting:
            gc.enable()


@builder
def value_plan() -> Callable[..., list]:
    """:func:`run_plan`, called in the worker with the student's class:
    ``submission.call(TrustedFunction("value_plan"), submission.name("Value"), plan, report, roots)``."""
    return run_plan


def chain_plan(seed: int, depth: int) -> list:
    """A plan ``depth`` nodes deep on three leaves: multiply by a number in +-[0.5, 0.9], add a
    leaf, tanh, and again.  Values stay in (-2, 2) and gradients shrink along the chain."""
    rng = np.random.default_rng(seed)
    plan: list = [["leaf", v] for v in rng.uniform(-1, 1, 3).tolist()]
    factors = (rng.uniform(0.5, 0.9, depth) * rng.choice([-1.0, 1.0], depth)).tolist()
    leaves = rng.integers(3, size=depth).tolist()
    for k in range(depth):
        prev = len(plan) - 1
        plan.append(["mul", prev, [factors[k]]] if k % 3 == 0 else ["add", prev, leaves[k]] if k % 3 == 1
                    else ["tanh", prev])
    return plan


@builder
def value_chain(seed: int, depth: int) -> Callable[[type], list]:
    """Runs :func:`chain_plan` with a Value class (built in the worker, so the long plan never
    crosses the wire); reports ``(data, grad)`` of the three leaves and of the output."""
    def run(value_cls: type) -> list:
        plan = chain_plan(seed, depth)
        return run_plan(value_cls, plan, [0, 1, 2, len(plan) - 1])
    return run


# -- gradcheck: functions with known gradients that record where they were evaluated --
class Probe:
    """A trusted test function; ``seen`` keeps a copy of every point it was called at."""

    def __init__(self, shape: list, zero_d: bool = False):
        self.shape, self.zero_d = tuple(shape), zero_d
        self.seen: list[np.ndarray] = []

    def __call__(self, x: Any) -> Any:
        x = np.array(x, dtype=np.float64)
        self.seen.append(x)
        value = self.value(x)
        return np.asarray(value) if self.zero_d else value

    def value(self, x: np.ndarray) -> Any:
        raise NotImplementedError


class QuadraticForm(Probe):
    """``f(x) = 0.5 d^T A d + (cubic / 3) sum(t * d**3)`` with ``d = x - center`` (x flattened);
    ``A`` is diagonally dominant (diagonal in [1, 2], weak coupling), ``t`` in [0.5, 1.5]."""

    def __init__(self, seed: int, shape: list, cubic: float = 0.0, zero_d: bool = False):
        super().__init__(shape, zero_d)
        rng, n = np.random.default_rng(seed), int(np.prod(self.shape))
        coupling = 0.005 * rng.normal(size=(n, n))
        self.a = np.diag(rng.uniform(1.0, 2.0, n)) + (coupling + coupling.T) / 2
        self.t = cubic * rng.uniform(0.5, 1.5, n)
        self.center = rng.normal(size=self.shape)

    def value(self, x: np.ndarray) -> float:
        d = (x - self.center).reshape(-1)
        return float(0.5 * d @ self.a @ d + np.sum(self.t * d**3) / 3)

    def gradient(self, x: np.ndarray) -> np.ndarray:
        d = (x - self.center).reshape(-1)
        return (self.a @ d + self.t * d**2).reshape(self.shape)


class MatrixFunction(Probe):
    """``f(x) = tanh(x) @ w`` (or ``x**3 @ w`` when ``cube``) for x of shape (N, D); w of shape
    (D, M) has entries in [0.5, 1.5]."""

    def __init__(self, seed: int, shape: list, m: int, cube: bool = False):
        super().__init__(shape)
        self.w = np.random.default_rng(seed).uniform(0.5, 1.5, size=(self.shape[1], m))
        self.cube = cube

    def value(self, x: np.ndarray) -> np.ndarray:
        return (x**3 if self.cube else np.tanh(x)) @ self.w

    def vjp(self, x: np.ndarray, dout: np.ndarray) -> np.ndarray:
        local = 3 * x**2 if self.cube else 1 - np.tanh(x) ** 2
        return local * (dout @ self.w.T)


@builder
def quadratic_form(seed: int, shape: list, cubic: float = 0.0, zero_d: bool = False) -> QuadraticForm:
    """A scalar function of x with a known gradient (see :class:`QuadraticForm`)."""
    return QuadraticForm(seed, shape, cubic, zero_d)


@builder
def matrix_function(seed: int, shape: list, m: int, cube: bool = False) -> MatrixFunction:
    """An array-valued function of x with a known vector-Jacobian product (see :class:`MatrixFunction`)."""
    return MatrixFunction(seed, shape, m, cube)


def call_with_scalar_array(fn: Callable[..., Any], f: Any, value: float) -> Any:
    """``fn(f, x)`` for the 0-d array ``x = np.array(value)``.  An array result comes back as
    ``(shape, values)``, so that its shape survives the trip even if the array does not."""
    result = fn(f, np.array(value, dtype=np.float64))
    if isinstance(result, np.ndarray):
        return list(result.shape), np.asarray(result, dtype=np.float64).tolist()
    return result


@builder
def scalar_array_call() -> Callable[..., Any]:
    """:func:`call_with_scalar_array`: hands student code a 0-d x built in the worker."""
    return call_with_scalar_array


# -- linear_models: a loss_grad of the grader's, to hand to the student's gradient_descent --
@builder
def ridge_loss_grad(lam: float) -> Callable[..., tuple]:
    """``loss_grad(w, X, y)`` for ``0.5 * mean((X @ w - y) ** 2) + 0.5 * lam * ||w||²``, with its gradient."""
    def loss_grad(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple:
        r = X @ w - y
        return 0.5 * float(np.mean(r**2)) + 0.5 * lam * float(w @ w), X.T @ r / len(y) + lam * w
    return loss_grad


def build(name: str, params: dict) -> Any:
    """The object called ``name``, built from ``params``."""
    if name not in BUILDERS:
        raise KeyError(f"no trusted object called {name!r}")
    return BUILDERS[name](**params)
