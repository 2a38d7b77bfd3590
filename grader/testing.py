"""The one toolbox every hidden suite uses: points, checks and gradient checks.

Every check raises :class:`Feedback` with a message written for the student:
it names the function and the output, says what is wrong and where, and
never shows the suite's code.  All judgement happens here, in the grading
process, on plain data that came back from the sandbox.
"""
from __future__ import annotations

import copy
from typing import Any, Callable, Sequence

import numpy as np
import pytest

from .proxy import Submission

__all__ = [
    "Feedback", "points", "as_tuple", "as_array", "as_float", "rel_error", "assert_close",
    "assert_finite", "assert_no_warnings", "assert_not_mutated", "assert_no_global_random", "numerical_gradient",
    "numerical_gradient_array", "student_numerical_gradient", "check_layer_gradient", "fmt", "dyadic",
    "extreme_inputs",
]


class Feedback(AssertionError):
    """A failed check; the message is shown to the student as it is."""


def points(n: float, id: str | None = None) -> pytest.MarkDecorator:  # noqa: A002 - pytest's own word
    """Give a test its points and its stable id: ``@points(2, id="dx")``.

    The id names the test in every result (results.json, the gradebook, CSV
    columns, exported notebooks) and seeds its inputs, so renaming the function
    or rewording its docstring changes neither.  Ids are unique within a suite
    and listed in ``tests/suite_ids.json``.
    """
    return pytest.mark.points(n) if id is None else pytest.mark.points(n, id=id)


def fmt(value: Any) -> str:
    """A short readable rendering of a number or an array."""
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, np.ndarray):
        with np.printoptions(precision=4, threshold=12, edgeitems=2, linewidth=100):
            return np.array2string(value)
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _kind(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__} ({fmt(value)})"


def as_tuple(value: Any, n: int, fn: str, names: str) -> tuple:
    """``value`` as a tuple of ``n`` items, e.g. ``as_tuple(r, 2, "affine_forward", "(out, cache)")``."""
    if not isinstance(value, (tuple, list)) or len(value) != n:
        raise Feedback(f"{fn} should return {names}, {n} values; it returned {_kind(value)}")
    return tuple(value)


def as_array(value: Any, fn: str, name: str, shape: Sequence[int] | None = None) -> np.ndarray:
    """``value`` as a float64 array of the given shape, or a clear :class:`Feedback`."""
    if isinstance(value, (int, float, bool)) and not isinstance(value, bool):
        value = np.asarray(value, dtype=np.float64)
    if not isinstance(value, np.ndarray):
        raise Feedback(f"{fn}: {name} should be a NumPy array; it is {_kind(value)}")
    if value.dtype.kind not in "biuf":
        raise Feedback(f"{fn}: {name} should hold numbers; its dtype is {value.dtype}")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise Feedback(f"{fn}: {name} has shape {tuple(value.shape)}; expected {tuple(shape)}")
    return value.astype(np.float64, copy=False)


def as_float(value: Any, fn: str, name: str) -> float:
    """``value`` as a Python float (0-d and size-1 arrays are accepted)."""
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "biuf":
        return float(value.reshape(()))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise Feedback(f"{fn}: {name} should be a number; it is {_kind(value)}")


def dyadic(rng: np.random.Generator, shape: Any, denominator: int) -> np.ndarray:
    """Nonzero multiples of ``1/denominator`` in ``[-8, 8]/denominator``.

    Sums of a few products of them are exact in float64, so ties and kinks built
    from them survive any summation order: no correct answer can fail by rounding.
    """
    return rng.integers(1, 9, size=shape) * rng.choice([-1.0, 1.0], size=shape) / denominator


def extreme_inputs(rng: np.random.Generator, n: int, c: int | None = None, big: float = 1e4) -> np.ndarray:
    """Scores of both signs and magnitudes 1e-3 to ``big``, with exactly ``big``, ``-big`` and 0 among them.

    A matrix (``c`` columns) also gets a row of ``+big`` ties and a row of ``-big`` ties: the inputs on
    which a naive exp, log or division overflows.
    """
    shape = (n,) if c is None else (n, c)
    x = rng.choice([-1.0, 1.0], size=shape) * 10.0 ** rng.uniform(-3, np.log10(big), size=shape)
    x.flat[rng.choice(x.size, 3, replace=False)] = [big, -big, 0.0]
    if c is not None:
        x = np.vstack([np.full(c, big), np.full(c, -big), x])
    return x


def rel_error(a: Any, b: Any) -> float:
    """CS231n's relative error: ``max(|a - b| / max(1e-8, |a| + |b|))`` (NaN if either is not finite)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    with np.errstate(all="ignore"):
        err = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
    if err.size == 0:
        return 0.0
    return float(np.nan) if not np.all(np.isfinite(err)) else float(err.max())


def assert_finite(value: Any, fn: str, name: str) -> None:
    """No NaN or inf anywhere in ``value``."""
    arr = np.asarray(value, dtype=np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0]) if arr.ndim else ()
        raise Feedback(f"{fn}: {name} contains {fmt(arr[where])} at {list(where)}; it must stay finite")


def assert_close(got: Any, expected: Any, fn: str, name: str, tol: float = 1e-7, atol: float = 0.0) -> np.ndarray:
    """``got`` matches ``expected`` within relative error ``tol`` (plus an absolute rounding error ``atol``).

    Returns ``got`` as an array. NaN or inf in ``got`` always fails.
    """
    expected = np.asarray(expected, dtype=np.float64)
    got = as_array(got, fn, name, expected.shape)
    assert_finite(got, fn, name)
    with np.errstate(all="ignore"):
        diff = np.abs(got - expected)
        scale = np.maximum(1e-8, np.abs(got) + np.abs(expected))
        excess = diff / (tol * scale + atol)
    if excess.size and not float(excess.max()) <= 1.0:
        idx = np.unravel_index(int(np.argmax(excess)), excess.shape) if excess.ndim else ()
        at = f" at {list(int(i) for i in idx)}" if excess.ndim else ""
        want, have = fmt(expected[idx]), fmt(got[idx])
        if want == have:
            want, have = f"{float(expected[idx]):.15g}", f"{float(got[idx]):.15g}"
        raise Feedback(f"{fn}: {name}: relative error {float(diff[idx] / scale[idx]):.1e}{at}; "
                       f"expected {want}, got {have}")
    return got


def assert_no_warnings(submission: Submission, fn: str) -> None:
    """The last call raised no warning (overflow, divide by zero, invalid value, ...)."""
    if submission.last.warnings:
        raise Feedback(f"{fn} raised a warning: {submission.last.warnings[0]}")


def assert_no_global_random(submission: Submission, fn: str) -> None:
    """The last call drew nothing from NumPy's or Python's global random state (only from its ``rng``)."""
    if submission.last.global_random:
        raise Feedback(f"{fn} used the global random state (np.random.* or random.*); draw only from the rng argument")


def assert_not_mutated(submission: Submission, fn: str, names: Sequence[str]) -> None:
    """The last call left its array arguments as they were; ``names`` are the arguments' names."""
    if submission.last.mutated:
        which = [_argument_name(k, names) for k in submission.last.mutated]
        raise Feedback(f"{fn} changed its argument {', '.join(which)} in place; compute new arrays instead")


def _argument_name(key: Any, names: Sequence[str]) -> str:
    """``0`` -> ``names[0]``; ``"1[2]"`` -> ``names[1][2]``; keyword names stay as they are."""
    if isinstance(key, int):
        return names[key] if key < len(names) else f"argument {key}"
    head, bracket, rest = str(key).partition("[")
    if head.isdigit() and int(head) < len(names):
        return names[int(head)] + bracket + rest
    return str(key)


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Centred differences of a scalar function (trusted code: runs in the grading process)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def numerical_gradient_array(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, dout: np.ndarray,
                             h: float = 1e-6) -> np.ndarray:
    """The vector-Jacobian product ``sum((f(x+h e_i) - f(x-h e_i)) * dout) / 2h`` for each ``i``."""
    return numerical_gradient(lambda z: float(np.sum(f(z) * dout)), x, h)


def student_numerical_gradient(submission: Submission, fn: str, args: Sequence[Any], index: int,
                               dout: np.ndarray, output: int | None = 0, h: float = 1e-6) -> np.ndarray:
    """The numerical gradient of the student's own forward with respect to ``args[index]``.

    All perturbed calls go to the sandbox in one round trip; the differences are
    taken here.  ``output`` picks the item of a returned tuple (None: the whole
    return value).  Used for partial credit: a backward that is right for the
    student's own forward earns its points even when that forward is wrong.
    """
    x = np.array(args[index], dtype=np.float64)
    argsets = []
    for i in np.ndindex(x.shape):
        for step in (h, -h):
            moved = x.copy()
            moved[i] += step
            argsets.append(tuple(moved if k == index else a for k, a in enumerate(args)))
    results = submission.map(fn, argsets)
    grad = np.zeros_like(x)
    for j, i in enumerate(np.ndindex(x.shape)):
        plus, minus = (_output(results[2 * j + k], output, fn, np.shape(dout)) for k in (0, 1))
        grad[i] = float(np.sum((plus - minus) * dout)) / (2 * h)
    return grad


def _output(value: Any, output: int | None, fn: str, shape: tuple) -> np.ndarray:
    if output is not None:
        if not isinstance(value, (tuple, list)) or len(value) <= output:
            raise Feedback(f"{fn} should return a tuple with at least {output + 1} items; it returned {_kind(value)}")
        value = value[output]
    return as_array(value, fn, "out", shape)



def check_layer_gradient(submission: Submission, reference: Any, layer: str, args: Sequence[Any],
                         arg_names: Sequence[str], which: int, dout: np.ndarray, tol: float = 1e-7,
                         consistency_tol: float = 1e-7) -> None:
    """Grade the gradient of ``<layer>_backward`` for ``args[which]``.

    ``args`` are the forward's positional arguments; the first ``len(arg_names)``
    are the arrays it returns gradients for, in order.  The gradient earns its
    points when it matches the reference's, or, if the student's forward is
    wrong, when it matches the numerical gradient of the student's own forward
    to ``consistency_tol`` relative to that gradient's largest entry (and that
    gradient is not identically zero). A right forward gets no such second
    chance: its backward must match the reference. Generator arguments are copied for the
    reference, so the student's call sees the same draws.
    """
    fwd, bwd = f"{layer}_forward", f"{layer}_backward"
    ref_args = [copy.deepcopy(a) if isinstance(a, np.random.Generator) else a for a in args]
    ref_out, ref_cache = getattr(reference, fwd)(*ref_args)[:2]
    expected = getattr(reference, bwd)(dout, ref_cache)
    expected = expected if isinstance(expected, tuple) else (expected,)
    result = submission.call(fwd, *args)
    if not isinstance(result, (tuple, list)) or len(result) < 2:
        raise Feedback(f"{fwd} should return (out, cache); it returned {_kind(result)}")
    forward_right = rel_error(as_array(result[0], fwd, "out", np.shape(ref_out)), ref_out) <= tol
    grads = submission.call(bwd, dout, result[1])
    if len(arg_names) == 1 and not isinstance(grads, (tuple, list)):
        grads = (grads,)
    grads = as_tuple(grads, len(arg_names), bwd, "(" + ", ".join(f"d{n}" for n in arg_names) + ")")
    name = f"d{arg_names[which]}"
    got = as_array(grads[which], bwd, name, np.shape(args[which]))
    try:
        assert_close(got, expected[which], bwd, name, tol)
    except Feedback:
        if forward_right:
            raise
        own = student_numerical_gradient(submission, fwd, args, which, dout, output=0)
        size = float(np.max(np.abs(own))) if own.size else 0.0
        if size > 0 and float(np.max(np.abs(got - own))) <= consistency_tol * size:
            return  # right for the student's own forward: the backward points are earned
        raise
