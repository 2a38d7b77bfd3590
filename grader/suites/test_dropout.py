"""Hidden suite for `dropout`.

The catalogue fixes the draws (``mask = rng.random(x.shape) >= p`` from the
given generator), so every check is exact: the student's generator is sent
to the worker with the same state as a generator here, and the suite replays
the draws. No statistical test is needed, so a correct solution never fails.
"""
import numpy as np

from grader.proxy import TrustedFunction
from grader.i18n import _
from grader.checks import (
    CheckedCalls,
    Feedback,
    as_array,
    assert_close,
    assert_no_warnings,
    assert_not_mutated,
    call_tuple,
    points,
    rel_error,
    trivial_forward,
)

FWD, BWD = "dropout_forward", "dropout_backward"


def _x(rng, shape=(6, 5)):
    """Inputs at least 0.1 away from zero, so a zero in ``out`` means a dropped unit."""
    return rng.uniform(0.1, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def _p(rng):
    return float(rng.uniform(0.2, 0.8))


def _generator(rng):
    """A fresh generator: sending it to the worker leaves it as it is, so the suite can replay the draws."""
    return np.random.default_rng(int(rng.integers(2**63)))


def _out(submission, x, p, train, gen):
    out, _ = call_tuple(submission, FWD, "(out, cache)", x, p, train, gen)
    return as_array(out, FWD, "out", x.shape)


def _check_backward(submission, reference, x, p, train, rng):
    """dx against the reference's for the same draws; or, for partial credit, against the student's own call.

    Dropout multiplies x elementwise by a factor fixed for the call, so the
    gradient of the student's own forward call is ``dout * out / x`` (x is
    kept away from 0). This judges the backward even when the forward is wrong
    or does not draw from ``rng`` (then a centred difference would see a new
    mask in every call), as long as it attempts dropout: an ``out`` that is x
    itself (or x scaled) earns nothing here.
    """
    gen, dout = _generator(rng), rng.normal(size=x.shape)
    out, cache = call_tuple(submission, FWD, "(out, cache)", x, p, train, gen)
    out = as_array(out, FWD, "out", x.shape)
    dx = as_array(submission.dropout_backward(dout, cache), BWD, "dx", x.shape)
    assert_no_warnings(submission, f"{BWD} (p={p:.3f})")
    expected = reference.dropout_backward(dout, reference.dropout_forward(x, p, train, gen)[1])
    try:
        assert_close(dx, expected, BWD, _("dx (p={p:.3f}, train={train})").format(p=p, train=train))
    except Feedback:
        own = dout * out / x
        if not (np.any(own != 0) and trivial_forward(out, [x]) is None and rel_error(dx, own) <= 1e-7):
            raise


def _assert_training_drops(submission, rng):
    """Training with p = 0.5 drops some units and keeps others: what makes the evaluation and p = 0 answers
    (x itself) and the p = 1 answer (zeros) mean something, since a file that does nothing gives them too."""
    x = _x(rng, (8, 5))
    out = _out(submission, x, 0.5, True, _generator(rng))
    if np.all(out == x) or not np.any(out):
        raise Feedback(_("{fn}: with train=True and p=0.5, out is {value}; training must drop about half of "
                         "the units and scale the others").format(
                           fn=FWD, value=_('x itself') if np.any(out) else _('all zeros')))


@points(3, id="mask")
def test_mask(submission, rng):
    """dropout_forward: drops exactly the units where rng.random(x.shape) < p"""
    x, p, gen = _x(rng), _p(rng), _generator(rng)
    kept = _out(submission, x, p, True, gen) != 0
    expected = gen.random(x.shape) >= p  # the suite's generator was not advanced by the call
    wrong = np.argwhere(kept != expected)
    if len(wrong):
        i = tuple(int(k) for k in wrong[0])
        what = _("kept") if kept[i] else _("dropped")
        raise Feedback(_("{fn}: out (p={p:.3f}): unit {i} was {what}, but the mask rng.random(x.shape) >= p "
                         "from the given rng says otherwise ({n} of {size} units differ)").format(
                           fn=FWD, p=p, i=list(i), what=what, n=len(wrong), size=x.size))


@points(2, id="scaling")
def test_scaling(submission, rng):
    """dropout_forward: kept units are scaled by 1 / (1 - p)"""
    x, p = _x(rng), _p(rng)
    out = _out(submission, x, p, True, _generator(rng))
    kept = out != 0
    if not kept.any():
        raise Feedback(_("{fn}: out (p={p:.3f}) is all zeros; about {value:.0%} of the units should be kept").format(
                           fn=FWD, p=p, value=1 - p))
    assert_close(out[kept], x[kept] / (1 - p), FWD, _("out at the kept units (p={p:.3f}, x / (1 - p) expected)").format(
                                                        p=p))


@points(1, id="other_shapes")
def test_other_shapes(submission, reference, rng):
    """dropout_forward: works for a 1-D and a 3-D x"""
    for shape in [(7,), (2, 3, 4)]:
        x, p, gen = _x(rng, shape), _p(rng), _generator(rng)
        out = _out(submission, x, p, True, gen)
        assert_close(out, reference.dropout_forward(x, p, True, gen)[0], FWD, _("out (x of shape {shape})").format(
                                                                                  shape=shape))


@points(1, id="p_one")
def test_p_one(submission, rng):
    """dropout_forward: p = 1 drops every unit, with no warning"""
    x = _x(rng)
    out = _out(submission, x, 1.0, True, _generator(rng))
    assert_no_warnings(submission, f"{FWD} (p=1)")
    assert_close(out, np.zeros_like(x), FWD, "out (p=1)")
    _assert_training_drops(submission, rng)


@points(1, id="p_zero")
def test_p_zero(submission, rng):
    """dropout_forward: p = 0 returns x unchanged"""
    x = _x(rng)
    assert_close(_out(submission, x, 0.0, True, _generator(rng)), x, FWD, "out (p=0)")
    _assert_training_drops(submission, rng)


@points(1, id="eval_returns_x")
def test_eval_returns_x(submission, rng):
    """dropout_forward: evaluation returns x"""
    x = _x(rng)
    assert_close(_out(submission, x, _p(rng), False, _generator(rng)), x, FWD, "out (train=False)")
    _assert_training_drops(submission, rng)


@points(1, id="eval_leaves_rng_alone")
def test_eval_leaves_rng_alone(submission, rng):
    """dropout_forward: evaluation does not draw from rng"""
    seed = int(rng.integers(2**31))
    gen = submission.make(TrustedFunction("generator", {"seed": seed}))
    x = _x(rng)
    out = _out(submission, x, _p(rng), False, gen)
    if gen.get("bit_generator").get("state") != np.random.default_rng(seed).bit_generator.state:
        raise Feedback(_("{fn}: with train=False the generator rng was used; evaluation must not draw from it").format(
                           fn=FWD))
    assert_close(out, x, FWD, "out (train=False)")
    _assert_training_drops(submission, rng)


@points(2, id="backward_train")
def test_backward_train(submission, reference, rng):
    """dropout_backward: dx uses the forward's mask and scale (p = 1 included)"""
    for p in (_p(rng), 1.0):
        _check_backward(submission, reference, _x(rng), p, True, rng)


@points(1, id="backward_eval")
def test_backward_eval(submission, reference, rng):
    """dropout_backward: dx = dout in evaluation"""
    _check_backward(submission, reference, _x(rng), _p(rng), False, rng)
    _assert_training_drops(submission, rng)


@points(1, id="no_mutation")
def test_no_mutation(submission, reference, rng):
    """dropout_forward and dropout_backward leave their arguments unchanged"""
    calls = CheckedCalls(submission, reference)
    x, dout = _x(rng), rng.normal(size=(6, 5))
    for train in (False, True):
        out, cache = calls.call(FWD, x, _p(rng), train, _generator(rng), skip=[1], what=f"train={train}")
        assert_not_mutated(submission, f"{FWD} (train={train})", ["x", "p", "train", "rng"])
    dx = as_array(submission.dropout_backward(dout, cache), BWD, "dx", x.shape)
    assert_not_mutated(submission, BWD, ["dout", "cache"])
    out = as_array(out, FWD, "out", x.shape)  # the backward is judged against the student's own training call
    right = trivial_forward(out, [x]) is None and rel_error(dx, dout * out / x) <= 1e-7
    calls.record(None if right else _("{fn}: dx is not dout times the mask and scale of the forward call").format(
                                        fn=BWD))
    calls.assert_work_done()
