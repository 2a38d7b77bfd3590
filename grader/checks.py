"""The one toolbox every hidden suite uses: points, checks and gradient checks.

Every check raises :class:`Feedback` with a message written for the student:
it names the function and the output, says what is wrong and where, and
never shows the suite's code.  All judgement happens here, in the grading
process, on plain data that came back from the sandbox.
"""
from __future__ import annotations

import copy
import inspect
import zlib
from typing import Any, Callable, Sequence

import numpy as np
import pytest

from .i18n import _
from .proxy import RemoteModule  # the `submission` fixture's type
# The grader's trusted objects and autodiff plans, built here exactly as in the worker: suites import them from here.
from .sandbox.trusted import build, chain_plan, plan_node, run_plan

__all__ = [
    "Feedback", "points", "graded", "as_tuple", "call_tuple", "as_array", "as_float", "rel_error",
    "relative_errors", "first_mismatch", "assert_close",
    "assert_finite", "assert_no_warnings", "assert_not_mutated", "assert_no_global_random", "numerical_gradient",
    "numerical_gradient_array", "student_numerical_gradient", "check_layer_gradient", "layer_gradient_check", "fmt",
    "dyadic", "extreme_inputs", "trivial_forward", "check_own_gradient", "CheckedCalls", "assert_matches", "draw_until",
    "forward_right_in_run", "attempts_loss", "build", "chain_plan", "plan_node", "run_plan",
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


FIXTURES = ("submission", "reference", "rng", "seed")


def graded(n: float, id: str, doc: str, check: Callable[..., None], *args: Any,  # noqa: A002 - as in points
           **kwargs: Any) -> Callable[..., None]:
    """A test worth ``n`` points, with stable ``id`` and ``doc`` as its name in the results, that runs
    ``check(<its fixtures>, *args, **kwargs)``: for tests that differ only in their arguments, as
    ``test_relu_backward = graded(1, "relu_backward", "relu_backward: dx is right", _check_backward, "relu")``.

    ``check``'s leading parameters name the fixtures it needs (``submission``, ``reference``, ``rng``,
    ``seed``). Write ``n`` as a number: the catalogue adds the points up from the suite's text.
    """
    fixtures = [name for name in inspect.signature(check).parameters if name in FIXTURES]

    @points(n, id=id)
    def test(**given: Any) -> None:
        check(*(given[name] for name in fixtures), *args, **kwargs)

    test.__signature__ = inspect.Signature(  # type: ignore[attr-defined] - what pytest reads for fixtures
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in fixtures])
    test.__doc__ = doc
    return test


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
        return _("an array of shape {shape} and dtype {dtype}").format(shape=value.shape, dtype=value.dtype)
    if isinstance(value, (tuple, list)):
        return _("a {type} of {n} items").format(type=type(value).__name__, n=len(value))
    return _("a {type} ({value})").format(type=type(value).__name__, value=fmt(value))


def as_tuple(value: Any, n: int, fn: str, names: str) -> tuple:
    """``value`` as a tuple of ``n`` items, e.g. ``as_tuple(r, 2, "affine_forward", "(out, cache)")``."""
    if not isinstance(value, (tuple, list)) or len(value) != n:
        raise Feedback(_("{fn} should return {names}, {n} values; it returned {kind}").format(
            fn=fn, names=names, n=n, kind=_kind(value)))
    return tuple(value)


def call_tuple(submission: RemoteModule, fn: str, names: str, /, *args: Any, **kwargs: Any) -> tuple:
    """The student's ``fn(*args, **kwargs)``, which must return the tuple ``names``, e.g.
    ``out, cache = call_tuple(submission, "affine_forward", "(out, cache)", x, w, b)``."""
    return as_tuple(submission.call(fn, *args, **kwargs), names.count(",") + 1, fn, names)


def as_array(value: Any, fn: str, name: str, shape: Sequence[int] | None = None) -> np.ndarray:
    """``value`` as a float64 array of the given shape, or a clear :class:`Feedback`."""
    if isinstance(value, (int, float, bool)) and not isinstance(value, bool):
        value = np.asarray(value, dtype=np.float64)
    if not isinstance(value, np.ndarray):
        raise Feedback(_("{fn}: {name} should be a NumPy array; it is {kind}")
            .format(fn=fn, name=name, kind=_kind(value)))
    if value.dtype.kind not in "biuf":
        raise Feedback(_("{fn}: {name} should hold numbers; its dtype is {dtype}")
            .format(fn=fn, name=name, dtype=value.dtype))
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise Feedback(_("{fn}: {name} has shape {shape}; expected {expected}").format(
            fn=fn, name=name, shape=tuple(value.shape), expected=tuple(shape)))
    return value.astype(np.float64, copy=False)


def as_float(value: Any, fn: str, name: str) -> float:
    """``value`` as a Python float (0-d and size-1 arrays are accepted)."""
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "biuf":
        return float(value.reshape(()))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise Feedback(_("{fn}: {name} should be a number; it is {kind}").format(fn=fn, name=name, kind=_kind(value)))


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


def draw_until(draw: Callable[[], Any], discriminates: Callable[[Any], bool], tries: int = 1000) -> Any:
    """Inputs from ``draw()`` that ``discriminates`` accepts: a draw on which a wrong answer would pass too (a
    reference gradient of zeros, a kink that changes nothing) tests nothing, so it is drawn again."""
    for _attempt in range(tries):
        inputs = draw()
        if discriminates(inputs):
            return inputs
    raise RuntimeError(f"no discriminating inputs in {tries} draws")  # a fault of the suite, not the student's


def relative_errors(a: Any, b: Any) -> np.ndarray:
    """CS231n's relative error of each entry: ``|a - b| / max(1e-8, |a| + |b|)`` (NaN where one is not finite)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    with np.errstate(all="ignore"):
        return np.abs(a - b) / _scale(a, b)


def _scale(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.maximum(1e-8, np.abs(a) + np.abs(b))


def rel_error(a: Any, b: Any) -> float:
    """CS231n's relative error: ``max(|a - b| / max(1e-8, |a| + |b|))`` (NaN if either is not finite)."""
    err = relative_errors(a, b)
    if err.size == 0:
        return 0.0
    return float(np.nan) if not np.all(np.isfinite(err)) else float(err.max())


def assert_finite(value: Any, fn: str, name: str) -> None:
    """No NaN or inf anywhere in ``value``."""
    arr = np.asarray(value, dtype=np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0]) if arr.ndim else ()
        raise Feedback(_("{fn}: {name} contains {value} at {index}; it must stay finite").format(
            fn=fn, name=name, value=fmt(arr[where]), index=list(where)))


def assert_close(got: Any, expected: Any, fn: str, name: str, tol: float | None = None,
                 atol: float = 0.0) -> np.ndarray:
    """``got`` matches ``expected`` within relative error ``tol`` (plus an absolute rounding error ``atol``).

    Without ``tol``, both are float64 results of the same computation: within 1e-7, and also to float64's
    precision (``FLOAT64_TOL``, unless the reference's values are all float32 numbers), so that a float32
    computation cast back to float64 fails. Pass ``tol`` for an approximation (a numerical gradient, an
    estimate). Returns ``got`` as an array. NaN or inf in ``got`` always fails.
    """
    precise, tol = tol is None, 1e-7 if tol is None else tol
    expected = np.asarray(expected, dtype=np.float64)
    got = as_array(got, fn, name, expected.shape)
    assert_finite(got, fn, name)
    with np.errstate(all="ignore"):
        diff = np.abs(got - expected)
        scale = _scale(got, expected)
        excess = diff / (tol * scale + atol)
    if excess.size and not float(excess.max()) <= 1.0:
        raise Feedback(_mismatch(got, expected, diff, scale, excess, fn, name))
    if precise and excess.size and not _float32_exact(expected):
        with np.errstate(all="ignore"):  # a float64 result must be float64-accurate, not float32-accurate
            excess = diff / (FLOAT64_TOL * scale + atol + FLOAT64_ATOL * float(np.max(np.abs(expected))))
        if not float(excess.max()) <= 1.0:
            raise Feedback(_mismatch(got, expected, diff, scale, excess, fn, name) + _(
                "; that is float32 precision: compute in float64 throughout, the inputs' dtype (no float32 on the way)"))
    return got


# A float64 computation of a float64 reference's result, in any order of operations, agrees with it to
# about 1e-15 relative (1e-16 of the largest entry where terms cancel); float32 only to about 6e-8.
FLOAT64_TOL, FLOAT64_ATOL = 1e-10, 1e-12


def _float32_exact(values: np.ndarray) -> bool:
    """Every entry is a float32 number: the reference itself computed in float32 (a torch module), or its
    result is too simple (integers, halves) for float32 to round it, so precision cannot be judged."""
    with np.errstate(all="ignore"):
        return bool(np.all(values.astype(np.float32).astype(np.float64) == values))


def _mismatch(got: np.ndarray, expected: np.ndarray, diff: np.ndarray, scale: np.ndarray, excess: np.ndarray,
              fn: str, name: str) -> str:
    """Where ``got`` differs most from ``expected`` (relative to what is allowed), for the student."""
    idx = np.unravel_index(int(np.argmax(excess)), excess.shape) if excess.ndim else ()
    at = _(" at {index}").format(index=list(int(i) for i in idx)) if excess.ndim else ""
    want, have = fmt(expected[idx]), fmt(got[idx])
    if want == have:
        want, have = f"{float(expected[idx]):.15g}", f"{float(got[idx]):.15g}"
    return _("{fn}: {name}: relative error {error}{at}; expected {expected}, got {got}").format(
        fn=fn, name=name, error=f"{float(diff[idx] / scale[idx]):.1e}", at=at, expected=want, got=have)


def first_mismatch(got: np.ndarray, expected: Any, where: np.ndarray, tol: float = 1e-7) -> tuple[int, ...] | None:
    """The first index where the mask ``where`` is true and ``got`` is off ``expected`` by more than ``tol``
    (relative error, NaN counting as off), or None: the check of special entries (exact zeros, ties)."""
    bad = where & ~(relative_errors(got, expected) <= tol)
    return tuple(int(i) for i in np.argwhere(bad)[0]) if bad.any() else None


def assert_no_warnings(submission: RemoteModule, fn: str) -> None:
    """The last call raised no warning (overflow, divide by zero, invalid value, ...)."""
    if submission.last.warnings:
        raise Feedback(_("{fn} raised a warning: {warning}").format(fn=fn, warning=submission.last.warnings[0]))


def assert_no_global_random(submission: RemoteModule, fn: str) -> None:
    """The last call drew nothing from NumPy's or Python's global random state (only from its ``rng``)."""
    if submission.last.global_random:
        raise Feedback(_("{fn} used the global random state (np.random.* or random.*); draw only from the rng argument")
                       .format(fn=fn))


def assert_not_mutated(submission: RemoteModule, fn: str, names: Sequence[str]) -> None:
    """The last call left its array arguments as they were; ``names`` are the arguments' names."""
    if submission.last.mutated:
        which = [_argument_name(k, names) for k in submission.last.mutated]
        raise Feedback(_("{fn} changed its argument {names} in place; compute new arrays instead").format(
            fn=fn, names=", ".join(which)))


def assert_matches(got: Any, expected: Any, fn: str, name: str, tol: float = 1e-7) -> None:
    """``got`` has ``expected``'s structure (tuples, lists, dicts) and its numbers match to ``tol``."""
    if isinstance(expected, (tuple, list)):
        got = as_tuple(got, len(expected), fn, name)
        for k, (g, e) in enumerate(zip(got, expected)):
            assert_matches(g, e, fn, f"{name}[{k}]", tol)
    elif isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            raise Feedback(_("{fn}: {name} should be a dict with keys {keys}; it is {kind}").format(
                fn=fn, name=name, keys=sorted(expected), kind=_kind(got)))
        for key in expected:
            assert_matches(got[key], expected[key], fn, f"{name}[{key!r}]", tol)
    elif expected is None or isinstance(expected, (bool, np.bool_, str)):
        if got != expected:
            raise Feedback(_("{fn}: {name} should be {expected}; it is {got}").format(
                fn=fn, name=name, expected=fmt(expected), got=fmt(got)))
    else:
        assert_close(got, expected, fn, name, tol)


class CheckedCalls:
    """The calls a property test judges (arguments left unchanged, no global random state), each also
    checked against the reference's result for the same call.

    Code that computes nothing leaves its arguments alone too, so the property
    earns its points only where the code does the work: :meth:`assert_work_done`
    fails unless at least half the calls (the only call, if there is one) gave
    right outputs, so that one mistake elsewhere does not also cost the property.
    """

    def __init__(self, submission: RemoteModule, reference: Any):
        self.submission, self.reference = submission, reference
        self.count = 0
        self.wrong: list[str] = []

    def call(self, fn: str, *args: Any, skip: Sequence[int] = (), reference_args: Sequence[Any] | None = None,
             tol: float = 1e-7, what: str = "", **kwargs: Any) -> Any:
        """The student's ``fn(*args, **kwargs)``; its result is compared with the reference's.

        Items of a returned tuple at the indices in ``skip`` (a layer's cache) are
        not compared; ``reference_args`` replace ``args`` for the reference (e.g. a
        backward given the reference's own cache). Generators are copied for the
        reference, so the student's call sees the same draws.
        """
        ref_args = [copy.deepcopy(a) if isinstance(a, np.random.Generator) else a
                    for a in (args if reference_args is None else reference_args)]
        expected = getattr(self.reference, fn)(*ref_args, **kwargs)
        got = self.submission.call(fn, *args, **kwargs)
        self.count += 1
        name = _("the result ({what})").format(what=what) if what else _("the result")
        try:
            if isinstance(expected, tuple):
                got = as_tuple(got, len(expected), fn, _("{n} values").format(n=len(expected)))
            keep = [k for k in range(len(expected)) if k not in skip] if isinstance(expected, tuple) else None
            if keep is None:
                assert_matches(got, expected, fn, name, tol)
            else:
                assert_matches(tuple(got[k] for k in keep), tuple(expected[k] for k in keep), fn, name, tol)
        except Feedback as exc:
            if skip and not isinstance(got, tuple):
                raise  # the caller needs the items it skipped (a cache)
            self.wrong.append(str(exc))
        return got

    def record(self, wrong: str | None) -> None:
        """Count a call the test judged itself: ``wrong`` says what was wrong with it, or is None."""
        self.count += 1
        if wrong is not None:
            self.wrong.append(wrong)

    def assert_work_done(self) -> None:
        """At least half the calls gave right outputs (all of them, when there is only one)."""
        if 2 * len(self.wrong) > self.count:
            raise Feedback(_("{wrong}; leaving the arguments alone earns its point only when the outputs are right too")
                           .format(wrong=self.wrong[0]))


def _argument_name(key: Any, names: Sequence[str]) -> str:
    """``0`` -> ``names[0]``; ``"1[2]"`` -> ``names[1][2]``; keyword names stay as they are."""
    if isinstance(key, int):
        return names[key] if key < len(names) else _("argument {n}").format(n=key)
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


def student_numerical_gradient(submission: RemoteModule, fn: str, args: Sequence[Any], index: int,
                               dout: np.ndarray, output: int | None = 0, h: float = 1e-6,
                               centre: Any = None) -> np.ndarray:
    """The numerical gradient of the student's own forward with respect to ``args[index]``.

    All perturbed calls go to the sandbox in one round trip, in an order drawn
    from the inputs (so the student's code cannot tell which call is which),
    with three more calls at the unperturbed point among them: each must give
    ``centre`` (the out of the call being judged) again, or the forward is not
    one function. Every output and every difference must be finite: an
    overflow in this arithmetic is the student's forward's fault, never a pass.
    Used for partial credit: see :func:`check_layer_gradient`.
    """
    x = np.array(args[index], dtype=np.float64)
    argsets = []
    for i in np.ndindex(x.shape):
        for step in (h, -h):
            moved = x.copy()
            moved[i] += step
            argsets.append(tuple(moved if k == index else a for k, a in enumerate(args)))
    repeats = 3 if centre is not None else 0
    argsets += [tuple(args)] * repeats
    order = _call_order(len(argsets), args)
    shuffled = submission.map(fn, [argsets[k] for k in order])
    results: list[Any] = [None] * len(argsets)
    for position, k in enumerate(order):
        results[k] = shuffled[position]
    shape = np.shape(dout)
    for again in results[len(argsets) - repeats:]:
        again = _output(again, output, fn, shape)
        with np.errstate(all="ignore"):
            same = float(np.max(np.abs(again - centre), initial=0.0)) <= 1e-12 * float(np.max(np.abs(centre), initial=0.0))
        if not same:
            raise Feedback(_("{fn} returned different outputs for the same inputs; a forward must be a function of "
                             "its arguments alone").format(fn=fn))
    grad = np.zeros_like(x)
    for j, i in enumerate(np.ndindex(x.shape)):
        plus, minus = (_output(results[2 * j + k], output, fn, shape) for k in (0, 1))
        with np.errstate(all="ignore"):
            grad[i] = float(np.sum((plus - minus) * dout)) / (2 * h)
        if not (np.all(np.isfinite(plus)) and np.all(np.isfinite(minus)) and np.isfinite(grad[i])):
            raise Feedback(_("{fn}: out is not finite, or changes by an infinite amount, when one entry of its input "
                             "moves by 1e-6; its gradient cannot be checked").format(fn=fn))
    return grad


def _call_order(n: int, args: Sequence[Any]) -> list[int]:
    """A permutation of ``range(n)`` drawn from the (hidden, random) arguments: fixed per attempt, unpredictable."""
    return [int(k) for k in np.random.default_rng(_inputs_crc(args)).permutation(n)]


def _inputs_crc(args: Sequence[Any]) -> int:
    """A checksum of the numeric arguments: a seed for draws the student's code cannot predict."""
    data = b"".join(np.ascontiguousarray(a, dtype=np.float64).tobytes() for a in args
                    if isinstance(a, (np.ndarray, float, int)) and not isinstance(a, bool))
    return zlib.crc32(data)


def _output(value: Any, output: int | None, fn: str, shape: tuple) -> np.ndarray:
    if output is not None:
        if not isinstance(value, (tuple, list)) or len(value) <= output:
            raise Feedback(_("{fn} should return a tuple with at least {n} items; it returned {kind}").format(
                fn=fn, n=output + 1, kind=_kind(value)))
        value = value[output]
    return as_array(value, fn, "out", shape)


TRIVIAL_TOL = 1e-3


def trivial_forward(out: np.ndarray, inputs: Sequence[Any]) -> str | None:
    """How ``out`` is a function that does none of a layer's work, or None.

    Trivial: a constant (every entry the same), or ``a * v + c`` for scalars
    ``a``, ``c`` and an input ``v`` of out's shape (the identity, a scaled or
    shifted input), up to ``TRIVIAL_TOL`` of out's spread.
    """
    out = np.asarray(out, dtype=np.float64).ravel()
    spread = float(np.linalg.norm(out - out.mean())) if out.size else 0.0
    if spread <= TRIVIAL_TOL * max(float(np.linalg.norm(out)), 1e-300):
        return "a constant"
    for v in inputs:
        if isinstance(v, np.ndarray) and v.size == out.size >= 4:  # with fewer entries, any input fits
            basis = np.stack([np.asarray(v, dtype=np.float64).ravel(), np.ones(out.size)], axis=1)
            fit = basis @ np.linalg.lstsq(basis, out, rcond=None)[0]
            if float(np.linalg.norm(out - fit)) <= TRIVIAL_TOL * spread:
                return "its input, scaled and shifted"
    return None


def check_own_gradient(got: np.ndarray, own: np.ndarray, out: np.ndarray, inputs: Sequence[Any],
                       tol: float = 1e-7) -> bool:
    """Partial credit: ``got`` is right for the student's own forward (``out`` at ``inputs``, numerical
    gradient ``own``), and that forward attempts the layer (see ``README``: "partial credit")."""
    size = float(np.max(np.abs(own))) if own.size else 0.0
    if not (np.isfinite(size) and size > 0) or trivial_forward(out, inputs) is not None:
        return False
    with np.errstate(all="ignore"):
        return bool(float(np.max(np.abs(got - own))) <= tol * size)


def check_layer_gradient(submission: RemoteModule, reference: Any, layer: str, args: Sequence[Any],
                         arg_names: Sequence[str], which: int, dout: np.ndarray, tol: float | None = None,
                         consistency_tol: float = 1e-7) -> None:
    """Grade the gradient of ``<layer>_backward`` for ``args[which]``.

    ``args`` are the forward's positional arguments; the first ``len(arg_names)``
    are the arrays it returns gradients for, in order.  The gradient earns its
    points when it matches the reference's, or, if the student's forward is
    wrong but attempts the layer (not a constant, not a scaled or shifted
    input), when it matches the numerical gradient of the student's own forward
    to ``consistency_tol`` relative to that gradient's largest entry (that
    gradient finite, not identically zero, and taken from calls in an order the
    student cannot predict).  A right forward gets no such second chance: its
    backward must match the reference. Generator arguments are copied for the
    reference, so the student's call sees the same draws.
    """
    fwd, bwd = f"{layer}_forward", f"{layer}_backward"
    ref_args = [copy.deepcopy(a) if isinstance(a, np.random.Generator) else a for a in args]
    ref_out, ref_cache = getattr(reference, fwd)(*ref_args)[:2]
    expected = getattr(reference, bwd)(dout, ref_cache)
    expected = expected if isinstance(expected, tuple) else (expected,)
    result = submission.call(fwd, *args)
    if not isinstance(result, (tuple, list)) or len(result) < 2:
        raise Feedback(_("{fn} should return (out, cache); it returned {kind}").format(fn=fwd, kind=_kind(result)))
    out = as_array(result[0], fwd, "out", np.shape(ref_out))
    forward_right = rel_error(out, ref_out) <= (1e-7 if tol is None else tol)
    grads = submission.call(bwd, dout, result[1])
    if len(arg_names) == 1 and not isinstance(grads, (tuple, list)):
        grads = (grads,)
    grads = as_tuple(grads, len(arg_names), bwd, "(" + ", ".join(f"d{n}" for n in arg_names) + ")")
    name = f"d{arg_names[which]}"
    got = as_array(grads[which], bwd, name, np.shape(args[which]))
    try:
        assert_close(got, expected[which], bwd, name, tol)
    except Feedback as wrong:
        if forward_right or trivial_forward(out, args) is not None:
            raise
        right_before = forward_right_in_run(submission, reference, fwd, args, 1e-7 if tol is None else tol)
        if right_before is not None:
            raise Feedback(f"{wrong}; {right_before}") from None
        try:
            own = student_numerical_gradient(submission, fwd, args, which, dout, output=0, centre=out)
        except Feedback:
            raise wrong from None
        if check_own_gradient(got, own, out, args, consistency_tol):
            return  # right for the student's own forward, which attempts the layer: the backward points are earned
        raise


def forward_right_in_run(submission: RemoteModule, reference: Any, fwd: str, args: Sequence[Any],
                         tol: float = 1e-7) -> str | None:
    """Why the student's ``fwd``, wrong on ``args``, counts as a right forward over the whole run, or None.

    The calls of ``fwd`` recorded earlier in the run (the forward tests come first) are made again, in one
    round trip: a forward that gave the reference's out on one of them with the same settings (the same
    non-array arguments: a given alpha, a mode) is a right forward, and one that now gives another out for
    the same inputs is not one function of its arguments. Either way its backward gets no second chance:
    a file cannot be right while the forward is judged and wrong, with that wrong forward's gradient, while
    the backward is.
    """
    recorded = [(earlier, out) for earlier, result in getattr(submission, "forward_calls", {}).get(fwd, ())
                if (out := _recorded_out(result)) is not None]
    for earlier, out in recorded:
        if _settings(earlier) != _settings(args):
            continue  # e.g. right for the default alpha, wrong for a given one: a mistake, not a switch
        try:  # generators are copied too: the reference sees the draws the student's call saw
            expected = getattr(reference, fwd)(*copy.deepcopy(earlier))[0]
        except Exception:  # noqa: BLE001 - a call the reference does not take (bad input on purpose) says nothing
            continue
        if np.shape(out) == np.shape(expected) and rel_error(out, expected) <= tol:
            return _("your {fn} gave the right out on an earlier call, so its backward must give the right "
                     "gradient (partial credit is for a backward that is right for a forward that is wrong)").format(fn=fwd)
    if not recorded:
        return None
    for (_earlier, before), value in zip(recorded, submission.map(fwd, [earlier for earlier, _out in recorded])):
        now = _recorded_out(value)
        with np.errstate(all="ignore"):
            same = (now is not None and now.shape == before.shape and float(np.max(np.abs(now - before), initial=0.0))
                    <= 1e-12 * float(np.max(np.abs(before), initial=0.0)))
        if not same:
            return _("your {fn} returned a different out for inputs it was given earlier in the run; a forward "
                     "must be a function of its arguments alone").format(fn=fwd)
    return None


def _settings(value: Any) -> Any:
    """A call's arguments with every array (and generator) replaced by its kind: what the call is asked to do."""
    if isinstance(value, np.ndarray):
        return "array"
    if isinstance(value, np.random.Generator):
        return "rng"
    if isinstance(value, dict):
        return tuple(sorted((str(k), _settings(v)) for k, v in value.items()))
    if isinstance(value, (tuple, list)):
        return tuple(_settings(v) for v in value)
    return repr(value)


def _recorded_out(result: Any) -> np.ndarray | None:
    """The out of a recorded forward's ``(out, cache)``, as float64, or None if it returned something else."""
    if not isinstance(result, (tuple, list)) or not result:
        return None
    out = result[0]
    if not isinstance(out, np.ndarray) or out.dtype.kind not in "biuf":
        return None
    return out.astype(np.float64)


def attempts_loss(submission: RemoteModule, reference: Any, fn: str, args: Sequence[Any], which: int, name: str,
                  relabelled: Sequence[Any]) -> str | None:
    """How the student's loss ``fn(*args)`` (the loss is its first output) fails to attempt a loss, or None.

    Partial credit for a loss's gradient (right for the student's own, wrong loss) needs a loss that attempts
    one: it depends on the labels (``relabelled``, ``args`` with other labels, on which the reference's loss
    differs, gives another loss) and is not linear in ``args[which]`` (moved by -step, 0 and +step along a
    step drawn from the inputs, on which the reference's loss curves, its values are not on a line).  A sum
    of the scores with a gradient of ones attempts nothing.
    """
    x = np.asarray(args[which], dtype=np.float64)
    ref_loss = getattr(reference, fn)
    gen = np.random.default_rng([_inputs_crc(args), zlib.crc32(fn.encode())])

    def moved(step: np.ndarray) -> list[tuple]:
        return [tuple(x + t * step if k == which else a for k, a in enumerate(args)) for t in (-1.0, 0.0, 1.0)]

    def curvature(values: Sequence[float]) -> float:
        minus, centre, plus = values
        with np.errstate(all="ignore"):
            return abs(plus + minus - 2 * centre) / max(abs(plus) + abs(minus) + 2 * abs(centre), 1e-300)

    scale = 2.0 * (float(np.std(x)) + 1.0)
    step = draw_until(lambda: scale * gen.normal(size=x.shape),
                      lambda s: curvature([float(ref_loss(*a)[0]) for a in moved(s)]) > 1e-3)
    argsets = moved(step) + [tuple(relabelled)]
    values = [as_float(_first(v, fn), fn, "loss") for v in submission.map(fn, argsets)]
    if not np.all(np.isfinite(values)):
        return _("your {fn} gives a loss that is not finite when {name} moves by a few units").format(fn=fn, name=name)
    if curvature(values[:3]) <= 1e-9:
        return _("your {fn} gives a loss that is linear in {name}, which no loss is").format(fn=fn, name=name)
    if abs(values[3] - values[1]) <= 1e-12 * max(abs(values[1]), 1e-300):
        return _("your {fn} gives a loss that does not depend on the labels").format(fn=fn)
    return None


def _first(value: Any, fn: str) -> Any:
    """The first item of a returned tuple (a loss and its gradient)."""
    if not isinstance(value, (tuple, list)) or not value:
        raise Feedback(_("{fn} should return a tuple (loss, gradient); it returned {kind}").format(
            fn=fn, kind=_kind(value)))
    return value[0]


def layer_gradient_check(layer: str, inputs: Callable[[np.random.Generator], Sequence[Any]], arg_names: Sequence[str],
                         dout_shape: Sequence[int]) -> Callable[..., None]:
    """The check, for :func:`graded`, of one gradient of ``<layer>_backward``: ``check(submission, reference, rng,
    which)`` runs :func:`check_layer_gradient` on ``inputs(rng)`` and a ``dout`` drawn after them."""
    def check(submission: RemoteModule, reference: Any, rng: np.random.Generator, which: int) -> None:
        check_layer_gradient(submission, reference, layer, inputs(rng), arg_names, which, rng.normal(size=dout_shape))
    return check
