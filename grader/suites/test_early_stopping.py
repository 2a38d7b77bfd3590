"""Hidden suite for `early_stopping`.

Losses are multiples of 1/64 (and min_delta too), so every comparison with
``best_loss - min_delta`` is exact: no answer depends on rounding.
"""
import math

import numpy as np

from grader.proxy import TrustedFunction
from grader.i18n import _
from grader.checks import Feedback, as_float, fmt, points

CLS, STEP = "EarlyStopping", "EarlyStopping.step"


class _Remote:
    """An EarlyStopping in the sandbox, with its step method fetched once."""

    def __init__(self, submission, **kwargs):
        self.submission = submission
        self.obj = submission.call(submission.name(CLS), label=CLS, **kwargs)
        self._step = self.obj.get("step")

    def step(self, val_loss, *params):
        result = self.submission.call(self._step, val_loss, *params, label=STEP)
        if not isinstance(result, bool):
            kind = _("a numpy.bool_; convert it with bool(...)") if isinstance(result, np.bool_) else \
                f"a {type(result).__name__}"
            raise Feedback(_("{fn} should return True or False (a Python bool); it returned {result}, {kind}").format(
                               fn=STEP, result=fmt(result), kind=kind))
        return result

    def read(self, name):
        """The attribute ``name`` as it is now (best_loss as a float, if it is a number)."""
        value = self.obj.get(name)
        return as_float(value, CLS, name) if name == "best_loss" and value is not None else value


def _same(got, expected):
    if isinstance(expected, float):
        return isinstance(got, float) and (got == expected or (math.isnan(got) and math.isnan(expected)))
    return got == expected and type(got) is type(expected)


def _replay(submission, reference, losses, watch=(), **kwargs):
    """Feed the same losses to the student's and the reference's stopper; compare the returns and ``watch``."""
    got, expected = _Remote(submission, **kwargs), reference.EarlyStopping(**kwargs)
    setting = ", ".join(f"{k}={v}" for k, v in kwargs.items()) or _("the defaults")
    for i, loss in enumerate(losses):
        want, have = expected.step(loss), got.step(loss)
        where = _("with {setting}, after the losses {value}").format(
                    setting=setting, value=[float(v) for v in losses[:i + 1]])
        if have != want:
            raise Feedback(_("{fn} returned {have}, expected {want}, {where}").format(
                               fn=STEP, have=have, want=want, where=where))
        for name in watch:
            value = got.read(name)
            if not _same(value, getattr(expected, name)):
                raise Feedback(_("{fn}: {name} is {value}, expected {value2}, {where}").format(
                                   fn=CLS, name=name, value=fmt(value), value2=fmt(getattr(expected, name)), where=where))


def _losses(rng, n=20):
    """A random validation curve in steps of 1/64: improvements, plateaus, exact repeats of the best, rises."""
    k, best, out = int(rng.integers(100, 200)), None, []
    for _unused in range(n):
        move = rng.choice(["down", "flat", "best", "up"], p=[0.35, 0.2, 0.15, 0.3])
        if move == "down":
            k -= int(rng.integers(1, 6))
        elif move == "up":
            k += int(rng.integers(1, 6))
        elif move == "best" and best is not None:
            k = best
        best = k if best is None else min(best, k)
        out.append(k / 64)
    return out


@points(1, id="initial_state")
def test_initial_state(submission):
    """EarlyStopping: before any call, best_loss is inf and best_epoch and best_params are None"""
    stopper = _Remote(submission, patience=3)
    loss, epoch, params = (stopper.read(name) for name in ("best_loss", "best_epoch", "best_params"))
    if not (loss == math.inf and epoch is None and params is None):
        raise Feedback(_("{fn}: before any call expected best_loss = inf, best_epoch = None, best_params = "
                         "None; got {loss}, {epoch}, {params}").format(
                           fn=CLS, loss=fmt(loss), epoch=fmt(epoch), params=fmt(params)))


@points(2, id="stop_signal")
def test_stop_signal(submission, reference, rng):
    """EarlyStopping.step: True once patience calls in a row have not improved"""
    for _unused in range(3):
        _replay(submission, reference, _losses(rng), patience=int(rng.integers(2, 5)))


@points(2, id="best_loss_and_epoch")
def test_best_loss_and_epoch(submission, reference, rng):
    """EarlyStopping: best_loss and best_epoch follow the best call"""
    _replay(submission, reference, _losses(rng), ("best_loss", "best_epoch"), patience=3)


@points(2, id="min_delta_is_strict")
def test_min_delta_is_strict(submission, reference, rng):
    """EarlyStopping: an improvement must beat best_loss - min_delta (by more than min_delta)"""
    d, b0 = int(rng.integers(2, 9)), int(rng.integers(200, 300))  # in 64ths
    b1 = b0 - d - 1  # beats b0 by d + 1: an improvement
    b2 = b1 - 2 * d
    losses = [v / 64 for v in (b0, b0 - d, b1, b1 - d, b1 - d + 1, b2, b2 - 1, b2 + d, b2 - d)]
    _replay(submission, reference, losses, ("best_loss",), patience=3, min_delta=d / 64)


@points(1, id="plateau_is_not_an_improvement")
def test_plateau_is_not_an_improvement(submission, reference, rng):
    """EarlyStopping: a loss equal to the best does not count as an improvement"""
    value = int(rng.integers(10, 200)) / 64
    _replay(submission, reference, [value, value, value, value], ("best_loss",), patience=3)


@points(1, id="nan_never_improves")
def test_nan_never_improves(submission, reference, rng):
    """EarlyStopping: NaN never counts as an improvement, even at the first call"""
    high, low = sorted((int(v) / 64 for v in rng.choice(np.arange(10, 300), size=2, replace=False)), reverse=True)
    losses = [math.nan, high, math.nan, low, math.nan, math.nan, math.nan]
    _replay(submission, reference, losses, ("best_loss",), patience=2)


@points(1, id="defaults")
def test_defaults(submission, reference, rng):
    """EarlyStopping: the defaults are patience = 5 and min_delta = 0.0"""
    start = int(rng.integers(100, 200)) / 64
    tiny = 2.0 ** -40  # with min_delta = 0, any decrease is an improvement
    losses = [start, start - tiny] + [start] * 6
    _replay(submission, reference, losses, ("best_loss",))


@points(1, id="best_params_from_best_call")
def test_best_params_from_best_call(submission, rng):
    """EarlyStopping: best_params holds the params of the best call"""
    stopper = _Remote(submission, patience=10)
    losses = _losses(rng, 12)
    while losses.count(min(losses)) < 2:  # the best loss comes back: only its first call is the best
        losses = _losses(rng, 12)
    params = [{"epoch": i, "w": rng.normal(size=3)} for i in range(len(losses))]
    for loss, p in zip(losses, params):
        stopper.step(loss, p)
    best = min(range(len(losses)), key=lambda i: (losses[i], i))
    got = stopper.read("best_params")
    if not (isinstance(got, dict) and got.get("epoch") == best and np.array_equal(got.get("w"), params[best]["w"])):
        raise Feedback(_("{fn}: after the losses {losses}, best_params should be the params passed at call "
                         "{best}; it is {got}").format(fn=CLS, losses=losses, best=best, got=fmt(got)))


@points(2, id="best_params_is_a_deep_copy")
def test_best_params_is_a_deep_copy(submission, rng):
    """EarlyStopping: best_params is a deep copy, untouched by later changes to the caller's object"""
    seed = int(rng.integers(2**31))
    state = np.random.default_rng(seed).bit_generator.state
    inner = submission.make(TrustedFunction("generator", {"seed": seed}))  # a mutable object living in the sandbox
    stopper = _Remote(submission, patience=3)
    w = rng.normal(size=2)
    stopper.step(1.0, {"layer": {"w": w, "state": inner}, "history": [1.0]})
    inner.method("random")  # the caller changes its own object after the best call
    stopper.step(2.0, {"layer": {"w": rng.normal(size=2), "state": inner}, "history": [1.0, 2.0]})
    got = stopper.read("best_params")
    try:
        kept = got["layer"]["state"].bit_generator.state
    except (TypeError, KeyError, AttributeError):
        raise Feedback(_("{fn}: best_params should be a copy of the params passed at the best call (a nested "
                         "dict here); it is {got}").format(fn=CLS, got=fmt(got))) from None
    if not (isinstance(got["layer"].get("w"), np.ndarray) and np.array_equal(got["layer"]["w"], w)):
        raise Feedback(_("{fn}: best_params should hold the params passed at the best call (the first here); "
                         "its ['layer']['w'] is {value}, expected {w}").format(
                           fn=CLS, value=fmt(got['layer'].get('w')), w=fmt(w)))
    if kept != state or got["history"] != [1.0]:
        raise Feedback(_("{fn}: best_params changed when the caller modified an object nested inside its "
                         "params after the best call; store a deep copy (copy.deepcopy), not a reference or a "
                         "shallow copy").format(fn=CLS))
