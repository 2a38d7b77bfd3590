"""Hidden suite for `losses`."""
import numpy as np

from grader.i18n import _
from grader.checks import (
    CheckedCalls,
    Feedback,
    as_array,
    as_float,
    as_tuple,
    call_tuple,
    assert_close,
    assert_no_warnings,
    assert_not_mutated,
    attempts_loss,
    extreme_inputs,
    fmt,
    points,
    rel_error,
    student_numerical_gradient,
)

BIG = 1e4  # the catalogue's bound on |scores|
ATOL_BIG = 1e-13 * BIG  # absolute rounding error allowed when the inputs reach 1e4
GRAD = {"mse_loss": "dpred", "bce_with_logits": "dz", "softmax_cross_entropy": "dlogits",
        "hinge_loss": "dscores", "perceptron_loss": "dscores", "kl_divergence": "dlogits"}


# -- inputs ------------------------------------------------------------------------
def _labels01(rng, shape):
    return (rng.random(shape) < 0.5).astype(np.float64)


def _signs(rng, n):
    """n labels in {-1, +1}, both present."""
    return rng.permutation(np.resize([1.0, -1.0], n))


def _margin_scores(rng, y, offset, at_kink=0):
    """Scores with ``offset - y * s`` = +-uniform(0.1, 2), half of each sign, except the first ``at_kink``
    entries, which sit exactly on the kink (``offset - y * s == 0``)."""
    u = _signs(rng, len(y)) * rng.uniform(0.1, 2.0, size=len(y))
    u[:at_kink] = 0.0
    return y * (offset - u)  # y * y == 1, so offset - y * s == u exactly


def _targets(rng, n, c, zeros=False):
    """Rows of probabilities; with ``zeros``, about 40% exact zeros and a one-hot first row."""
    t = rng.dirichlet(np.ones(c), size=n)
    if zeros:
        drop = rng.random((n, c)) < 0.4
        drop[np.arange(n), t.argmax(axis=1)] = False
        t[drop] = 0.0
        t /= t.sum(axis=1, keepdims=True)
        t[0] = np.eye(c)[rng.integers(c)]
    return t


# -- checks ------------------------------------------------------------------------
def _result(value, fn, shape):
    """A loss function's return value as (loss, grad), checked."""
    name = GRAD[fn]
    loss, grad = as_tuple(value, 2, fn, f"(loss, {name})")
    return as_float(loss, fn, "loss"), as_array(grad, fn, name, shape)


def _check_loss(submission, reference, fn, *args):
    loss = as_float(call_tuple(submission, fn, f"(loss, {GRAD[fn]})", *args)[0], fn, "loss")
    assert_close(loss, getattr(reference, fn)(*args)[0], fn,
                 _("loss (inputs of shape {shape})").format(shape=np.shape(args[0])))


def _own_gradient(submission, fn, args, loss):
    """The numerical gradient of the student's own loss, or None if it cannot be taken."""
    try:
        return student_numerical_gradient(submission, fn, args, 0, np.array(1.0), output=0, centre=np.array(loss))
    except Feedback:
        return None


def _relabelled(fn, args):
    """``args`` with other labels of the same kind: a loss must depend on them."""
    scores, y = args
    if fn == "mse_loss":
        return scores, y + 1.0
    if fn == "bce_with_logits":
        return scores, 1.0 - y
    if fn == "softmax_cross_entropy":
        return scores, (y + 1) % scores.shape[1]
    if fn == "kl_divergence":
        return scores, y[:, ::-1].copy()
    return scores, -y  # hinge_loss, perceptron_loss


def _check_grad(submission, reference, fn, args):
    """The gradient matches the reference's, or (partial credit for a right gradient of a wrong loss) the
    numerical gradient of the student's own loss, when that loss attempts a loss (``attempts_loss``)."""
    loss, got = _result(submission.call(fn, *args), fn, np.shape(args[0]))
    ref_loss, ref_grad = getattr(reference, fn)(*args)
    try:
        assert_close(got, ref_grad, fn, GRAD[fn])
    except Feedback as wrong:
        if rel_error(loss, ref_loss) <= 1e-7:
            raise  # a right loss gets no second chance: its gradient must be the reference's
        own = _own_gradient(submission, fn, args, loss)
        # within 1e-6 of the largest entry: centred differences are not accurate to 1e-6 on tiny entries
        if own is None or not np.any(own != 0) or not np.max(np.abs(got - own)) <= 1e-6 * np.max(np.abs(own)):
            raise
        why = attempts_loss(submission, reference, fn, args, 0, GRAD[fn][1:], _relabelled(fn, args))
        if why is not None:
            raise Feedback(_("{wrong}; it is the gradient of your own loss, but {why}, so it earns nothing").format(
                wrong=wrong, why=why)) from None


def _check_extreme(submission, reference, fn, *args):
    """Finite, warning-free and accurate when the scores reach |1e4|."""
    loss, grad = _result(submission.call(fn, *args), fn, np.shape(args[0]))
    assert_no_warnings(submission, fn)
    ref_loss, ref_grad = getattr(reference, fn)(*args)
    assert_close(loss, ref_loss, fn, _("{name} for |scores| up to 1e4").format(name="loss"), atol=ATOL_BIG)
    assert_close(grad, ref_grad, fn, _("{name} for |scores| up to 1e4").format(name=GRAD[fn]), atol=ATOL_BIG)


def _check_kink(submission, reference, fn, scores, y, kink, where):
    """The gradient is exactly 0 where the loss sits on its kink, and not 0 where the loss has a slope."""
    grad = _result(submission.call(fn, scores, y), fn, scores.shape)[1]
    wrong = kink & (grad != 0)
    if np.any(wrong):
        i = int(np.argmax(wrong))
        raise Feedback(_("{fn}: dscores[{i}] is {value} where {where} == 0 exactly; at the kink use the "
                         "branch for negative inputs of max(0, u), whose gradient is 0").format(
            fn=fn, i=i, value=fmt(float(grad[i])), where=where))
    expected = getattr(reference, fn)(scores, y)[1]
    flat = ~kink & (expected != 0) & (grad == 0)
    if np.any(flat):
        i = int(np.argmax(flat))
        raise Feedback(_("{fn}: dscores[{i}] is 0 where {where} > 0; there the loss has a slope").format(
            fn=fn, i=i, where=where))
    # Zeros in the right places earn nothing with wrong values elsewhere: off the kink, dscores must be the
    # reference's up to a factor (the factor and the sign are judged by the gradient tests).
    scale = float(grad @ expected) / float(expected @ expected)
    if not (scale != 0 and np.linalg.norm(grad - scale * expected) <= 1e-7 * np.linalg.norm(grad)):
        raise Feedback(_("{fn}: dscores is not a multiple of the loss's gradient (expected {expected} up to a "
                         "factor, got {got})").format(fn=fn, expected=fmt(expected), got=fmt(grad)))


# -- mse_loss --------------------------------------------------------------------------
@points(1, id="mse_loss_value")
def test_mse_loss_value(submission, reference, rng):
    """mse_loss: loss is the mean over all elements"""
    pred, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    _check_loss(submission, reference, "mse_loss", pred, y)
    pred = rng.normal(size=7)
    pred[:2] = [BIG, -BIG]
    _check_loss(submission, reference, "mse_loss", pred, rng.normal(size=7))


@points(1, id="mse_loss_grad")
def test_mse_loss_grad(submission, reference, rng):
    """mse_loss: dpred is right (mean over all elements)"""
    _check_grad(submission, reference, "mse_loss", (rng.normal(size=(5, 3)), rng.normal(size=(5, 3))))


# -- bce_with_logits ----------------------------------------------------------------
@points(1, id="bce_value")
def test_bce_value(submission, reference, rng):
    """bce_with_logits: loss matches torch.nn.BCEWithLogitsLoss (mean)"""
    for shape in [(8,), (4, 3)]:
        _check_loss(submission, reference, "bce_with_logits", 2.0 * rng.normal(size=shape), _labels01(rng, shape))


@points(1, id="bce_grad")
def test_bce_grad(submission, reference, rng):
    """bce_with_logits: dz is right (mean over all elements)"""
    _check_grad(submission, reference, "bce_with_logits", (2.0 * rng.normal(size=(4, 3)), _labels01(rng, (4, 3))))


@points(2, id="bce_extreme")
def test_bce_extreme(submission, reference, rng):
    """bce_with_logits: finite, accurate and warning-free for |z| up to 1e4"""
    z = extreme_inputs(rng, 14)
    _check_extreme(submission, reference, "bce_with_logits", z, _labels01(rng, z.shape))


# -- softmax_cross_entropy ----------------------------------------------------------
def _classes(rng, n, c):
    return rng.integers(0, c, size=n)


@points(1, id="cross_entropy_value")
def test_cross_entropy_value(submission, reference, rng):
    """softmax_cross_entropy: loss with integer labels, also for a batch of one row"""
    for n in (6, 1):  # with one row, the batch axis has length 1 beside the reduced class axis
        _check_loss(submission, reference, "softmax_cross_entropy", 2.0 * rng.normal(size=(n, 4)), _classes(rng, n, 4))


@points(1, id="cross_entropy_grad")
def test_cross_entropy_grad(submission, reference, rng):
    """softmax_cross_entropy: dlogits is right (mean over the batch)"""
    _check_grad(submission, reference, "softmax_cross_entropy", (2.0 * rng.normal(size=(6, 4)), _classes(rng, 6, 4)))


@points(2, id="cross_entropy_extreme")
def test_cross_entropy_extreme(submission, reference, rng):
    """softmax_cross_entropy: finite, accurate and warning-free for |logits| up to 1e4"""
    logits = extreme_inputs(rng, 6, 5)
    _check_extreme(submission, reference, "softmax_cross_entropy", logits, _classes(rng, len(logits), 5))


# -- hinge_loss and perceptron_loss ----------------------------------------------------------
@points(1, id="hinge_value")
def test_hinge_value(submission, reference, rng):
    """hinge_loss: loss is the mean of max(0, 1 - y * s)"""
    y = _signs(rng, 8)
    scores = 2.0 * rng.normal(size=8)
    scores[:2] = [BIG, -BIG]
    _check_loss(submission, reference, "hinge_loss", scores, y)


@points(1, id="hinge_grad")
def test_hinge_grad(submission, reference, rng):
    """hinge_loss: dscores is right (mean over the batch)"""
    y = _signs(rng, 8)
    _check_grad(submission, reference, "hinge_loss", (_margin_scores(rng, y, 1.0), y))


@points(1, id="hinge_at_margin")
def test_hinge_at_margin(submission, reference, rng):
    """hinge_loss: dscores is 0 exactly at the margin (y * s == 1)"""
    y = _signs(rng, 8)
    scores = _margin_scores(rng, y, 1.0, at_kink=3)
    _check_kink(submission, reference, "hinge_loss", scores, y, np.arange(8) < 3, "1 - y * s")


@points(1, id="perceptron_value")
def test_perceptron_value(submission, reference, rng):
    """perceptron_loss: loss is the mean of max(0, -y * s)"""
    y = _signs(rng, 8)
    scores = 2.0 * rng.normal(size=8)
    scores[:2] = [BIG, -BIG]
    _check_loss(submission, reference, "perceptron_loss", scores, y)


@points(1, id="perceptron_grad")
def test_perceptron_grad(submission, reference, rng):
    """perceptron_loss: dscores is right (mean over the batch)"""
    y = _signs(rng, 8)
    _check_grad(submission, reference, "perceptron_loss", (_margin_scores(rng, y, 0.0), y))


@points(1, id="perceptron_at_zero")
def test_perceptron_at_zero(submission, reference, rng):
    """perceptron_loss: dscores is 0 exactly at s == 0"""
    y = _signs(rng, 8)
    scores = _margin_scores(rng, y, 0.0, at_kink=3)
    _check_kink(submission, reference, "perceptron_loss", scores, y, np.arange(8) < 3, "-y * s")


# -- kl_divergence ------------------------------------------------------------------
@points(1, id="kl_value")
def test_kl_value(submission, reference, rng):
    """kl_divergence: loss is the batch mean of KL(target || softmax(logits))"""
    _check_loss(submission, reference, "kl_divergence", 2.0 * rng.normal(size=(6, 4)), _targets(rng, 6, 4))


@points(1, id="kl_grad")
def test_kl_grad(submission, reference, rng):
    """kl_divergence: dlogits is right (mean over the batch)"""
    _check_grad(submission, reference, "kl_divergence", (2.0 * rng.normal(size=(6, 4)), _targets(rng, 6, 4)))


@points(1, id="kl_zero_targets")
def test_kl_zero_targets(submission, reference, rng):
    """kl_divergence: 0 log 0 = 0 for zero-probability targets, with no NaN and no warning"""
    logits, target = 2.0 * rng.normal(size=(6, 4)), _targets(rng, 6, 4, zeros=True)
    loss, grad = _result(submission.kl_divergence(logits, target), "kl_divergence", logits.shape)
    assert_no_warnings(submission, "kl_divergence")
    ref_loss, ref_grad = reference.kl_divergence(logits, target)
    assert_close(loss, ref_loss, "kl_divergence", _("{name} with zero targets").format(name="loss"))
    assert_close(grad, ref_grad, "kl_divergence", _("{name} with zero targets").format(name="dlogits"))


@points(1, id="kl_extreme")
def test_kl_extreme(submission, reference, rng):
    """kl_divergence: finite, accurate and warning-free for |logits| up to 1e4"""
    logits = extreme_inputs(rng, 5, 4)
    _check_extreme(submission, reference, "kl_divergence", logits, _targets(rng, len(logits), 4))


# -- l2_penalty ---------------------------------------------------------------------
def _weights(rng):
    return [rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(2, 3, 2))], float(rng.uniform(0.01, 1.0))


def _l2(submission, weights, lam):
    return call_tuple(submission, "l2_penalty", "(loss, grads)", weights, lam)


@points(1, id="l2_value")
def test_l2_value(submission, reference, rng):
    """l2_penalty: loss is 0.5 * lam * the sum of squares of all weights"""
    weights, lam = _weights(rng)
    loss = as_float(_l2(submission, weights, lam)[0], "l2_penalty", "loss")
    assert_close(loss, reference.l2_penalty(weights, lam)[0], "l2_penalty", "loss")


@points(1, id="l2_grads")
def test_l2_grads(submission, reference, rng):
    """l2_penalty: grads is a list with the gradient of each weight"""
    weights, lam = _weights(rng)
    grads = _l2(submission, weights, lam)[1]
    if not isinstance(grads, (list, tuple)) or len(grads) != len(weights):
        raise Feedback(_("l2_penalty: grads should be a list of {n} arrays, one per weight; "
                         "it is {kind}").format(n=len(weights), kind=_describe(grads)))
    for k, (got, expected) in enumerate(zip(grads, reference.l2_penalty(weights, lam)[1])):
        assert_close(got, expected, "l2_penalty", f"grads[{k}]")


def _describe(value):
    if isinstance(value, (list, tuple)):
        return _("a {type} of {n} items").format(type=type(value).__name__, n=len(value))
    return _("a {type}").format(type=type(value).__name__)


# -- conventions ----------------------------------------------------------------------
@points(1, id="no_mutation")
def test_no_mutation(submission, reference, rng):
    """all losses: leave their arguments unchanged"""
    calls = CheckedCalls(submission, reference)
    y = _signs(rng, 6)
    cases = [
        ("mse_loss", ["pred", "y"], rng.normal(size=(6, 2)), rng.normal(size=(6, 2))),
        ("bce_with_logits", ["z", "y"], rng.normal(size=6), _labels01(rng, 6)),
        ("softmax_cross_entropy", ["logits", "y"], rng.normal(size=(6, 3)), _classes(rng, 6, 3)),
        ("hinge_loss", ["scores", "y"], rng.normal(size=6), y),
        ("perceptron_loss", ["scores", "y"], rng.normal(size=6), y),
        ("kl_divergence", ["logits", "target"], rng.normal(size=(6, 3)), _targets(rng, 6, 3, zeros=True)),
        ("l2_penalty", ["weights", "lam"], *_weights(rng)),
    ]
    for fn, names, *args in cases:
        calls.call(fn, *args)
        assert_not_mutated(submission, fn, names)
    calls.assert_work_done()
