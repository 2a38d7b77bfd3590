"""A tiny, safe arithmetic evaluator for the answers of parameterised questions.

An expression is parsed with :mod:`ast` and checked node by node before it is
ever evaluated: only numbers, the question's names, ``+ - * / **``, unary
minus and plus, parentheses and calls of the whitelisted functions in
:data:`FUNCTIONS` are allowed. Nothing is ever passed to ``eval``.
"""
from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass
from typing import Callable, Mapping

MAX_LENGTH = 500

FUNCTIONS: dict[str, Callable[..., float]] = {
    "sqrt": math.sqrt,
    "exp": math.exp,
    "log": math.log,
    "tanh": math.tanh,
    "abs": abs,
    "min": min,
    "max": max,
}
ARITY: dict[str, tuple[int, int]] = {
    "sqrt": (1, 1), "exp": (1, 1), "log": (1, 1), "tanh": (1, 1), "abs": (1, 1),
    "min": (2, 8), "max": (2, 8),
}
BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow,
}
UNARY: dict[type, Callable[[float], float]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}


class ExprError(ValueError):
    """An expression is not allowed, or cannot be evaluated with these values."""


@dataclass(frozen=True)
class Expr:
    """A checked expression; :meth:`evaluate` computes it for given values."""

    source: str
    tree: ast.Expression
    names: frozenset[str]

    def evaluate(self, values: Mapping[str, float]) -> float:
        """The value as a finite float, or :class:`ExprError` saying what went wrong."""
        try:
            result = _eval(self.tree.body, values)
        except ZeroDivisionError:
            raise ExprError("division by zero") from None
        except OverflowError:
            raise ExprError("the result is too large (overflow)") from None
        except (ValueError, TypeError) as exc:  # sqrt(-1), log(0), a complex power
            raise ExprError(f"math error ({exc})") from None
        if isinstance(result, complex) or not math.isfinite(result):
            raise ExprError(f"the result is not a finite real number ({result})")
        return float(result)


def compile_expr(source: str, names: set[str] | frozenset[str]) -> Expr:
    """Parse and check ``source``; it may use ``names`` and the functions of :data:`FUNCTIONS`."""
    if not isinstance(source, str):
        raise ExprError(f"an expression must be a string, not {type(source).__name__}")
    if not source.strip():
        raise ExprError("the expression is empty")
    if len(source) > MAX_LENGTH:
        raise ExprError(f"the expression is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"invalid syntax in {source!r} ({exc.msg})") from None
    used: set[str] = set()
    _check(tree.body, frozenset(names), used)
    return Expr(source, tree, frozenset(used))


def _check(node: ast.AST, names: frozenset[str], used: set[str]) -> None:
    """Refuse every node that is not part of the tiny arithmetic language."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExprError(f"only numbers are allowed as constants, not {node.value!r}")
    elif isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise ExprError(f"{node.id!r} is a function: call it, e.g. {node.id}(x)")
        if node.id not in names:
            known = ", ".join(sorted(names)) or "none"
            raise ExprError(f"unknown name {node.id!r} (known names: {known})")
        used.add(node.id)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in BINARY:
            raise ExprError(f"operator {type(node.op).__name__} is not allowed (only + - * / **)")
        _check(node.left, names, used)
        _check(node.right, names, used)
    elif isinstance(node, ast.UnaryOp):
        if type(node.op) not in UNARY:
            raise ExprError(f"unary operator {type(node.op).__name__} is not allowed (only - and +)")
        _check(node.operand, names, used)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            allowed = ", ".join(FUNCTIONS)
            raise ExprError(f"only these functions may be called: {allowed}")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExprError(f"{node.func.id}() takes plain positional arguments only")
        low, high = ARITY[node.func.id]
        if not low <= len(node.args) <= high:
            expected = str(low) if low == high else f"{low} to {high}"
            raise ExprError(f"{node.func.id}() takes {expected} argument(s), not {len(node.args)}")
        for arg in node.args:
            _check(arg, names, used)
    else:
        raise ExprError(f"{type(node).__name__} is not allowed in an expression")


def _eval(node: ast.AST, values: Mapping[str, float]) -> float:
    """Evaluate a node already accepted by :func:`_check`; all numbers are floats."""
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, (int, float))
        return float(node.value)
    if isinstance(node, ast.Name):
        return float(values[node.id])
    if isinstance(node, ast.BinOp):
        return BINARY[type(node.op)](_eval(node.left, values), _eval(node.right, values))
    if isinstance(node, ast.UnaryOp):
        return UNARY[type(node.op)](_eval(node.operand, values))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return float(FUNCTIONS[node.func.id](*(_eval(a, values) for a in node.args)))
    raise ExprError(f"{type(node).__name__} is not allowed in an expression")  # unreachable after _check
