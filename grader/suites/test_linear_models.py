"""Hidden suite for `linear_models`."""
import numpy as np

from grader.proxy import SandboxError, TrustedFunction
from grader.i18n import N_, _
from grader.checks import (
    CheckedCalls,
    Feedback,
    as_array,
    as_float,
    as_tuple,
    assert_close,
    assert_no_warnings,
    assert_not_mutated,
    attempts_loss,
    build,
    call_tuple,
    draw_until,
    fmt,
    points,
    rel_error,
    student_numerical_gradient,
)

LINEAR, LOGISTIC = "linear_regression_loss_grad", "logistic_regression_loss_grad"
SOFTMAX, PERCEPTRON, SVM = "softmax_regression_loss_grad", "perceptron_loss_grad", "svm_loss_grad"
GD = "gradient_descent"
N, D, C = 10, 4, 3
KINK_NOTE = N_("; at a kink of max(0, u) (u exactly 0) use the flat branch's gradient, 0, as PyTorch does")


def _margin_data(rng, margin, n=N, d=D):
    """(w, X, y) for a hinge-type loss, y in {-1, +1}, every row at least 0.05 away from the kink."""
    w, X = rng.normal(size=d), rng.normal(size=(n, d))
    s = X @ w
    y = np.where(s >= 0, 1.0, -1.0)
    y[n // 2:] *= -1.0  # half the rows misclassified, so both branches of the hinge are used
    near = np.abs(margin - y * s) < 0.05
    X[near] -= 0.25 * y[near, None] * w / (w @ w)  # moves margin - y * s up by 0.25
    return w, X, y


def _data(rng, fn):
    """Arguments for ``fn``: weights, X and y of the right kinds."""
    X = rng.normal(size=(N, D))
    if fn == LINEAR:
        return rng.normal(size=D), X, rng.normal(size=N)
    if fn == LOGISTIC:
        return rng.normal(size=D), X, rng.integers(0, 2, size=N).astype(np.float64)
    if fn == SOFTMAX:
        return rng.normal(size=(D, C)), X, rng.integers(0, C, size=N)
    if fn == PERCEPTRON:
        return _margin_data(rng, 0.0)
    return (*_margin_data(rng, 1.0), float(rng.uniform(0.1, 1.0)))


def _gname(fn):
    return "dW" if fn == SOFTMAX else "dw"


def _call(submission, fn, args):
    """The student's (loss, dw), checked for type and shape."""
    loss, dw = call_tuple(submission, fn, "(loss, dw)", *args)
    return as_float(loss, fn, "loss"), as_array(dw, fn, _gname(fn), np.shape(args[0]))


def _check_loss(submission, reference, fn, args):
    loss, _ = _call(submission, fn, args)
    assert_close(loss, getattr(reference, fn)(*args)[0], fn, "loss")


def _relabelled(fn, args):
    """``args`` with other labels of the same kind: a loss must depend on them."""
    w, X, y, *rest = args
    other = {LINEAR: y + 1.0, LOGISTIC: 1.0 - y, SOFTMAX: (y + 1) % C}.get(fn, -y)  # perceptron and SVM: -y
    return (w, X, other, *rest)


def _check_grad(submission, reference, fn, args):
    """dw matches the reference, or (partial credit) the numerical gradient of the student's own loss, when
    that loss attempts a loss (``attempts_loss``)."""
    loss, dw = _call(submission, fn, args)
    ref_loss, ref_dw = getattr(reference, fn)(*args)
    try:
        assert_close(dw, ref_dw, fn, _gname(fn))
    except Feedback as wrong:
        if rel_error(loss, ref_loss) <= 1e-7:
            raise  # a right loss gets no second chance: its gradient must be the reference's
        try:
            own = student_numerical_gradient(submission, fn, args, 0, np.array(1.0), output=0, centre=np.array(loss))
        except Feedback:
            raise wrong from None
        if not (np.any(own != 0) and rel_error(dw, own) <= 1e-6):
            raise
        why = attempts_loss(submission, reference, fn, args, 0, _gname(fn)[1:], _relabelled(fn, args))
        if why is not None:
            raise Feedback(_("{wrong}; it is the gradient of your own loss, but {why}, so it earns nothing").format(
                               wrong=wrong, why=why)) from None


def _case(check, fn, test_id, doc):
    """A one-point test of ``check`` on fresh data for ``fn``; ``doc`` is its name in the results."""
    @points(1, id=test_id)
    def test(submission, reference, rng):
        check(submission, reference, fn, _data(rng, fn))
    test.__doc__ = doc
    return test


test_linear_loss = _case(_check_loss, LINEAR, "linear_loss", f"{LINEAR}: loss is the mean of 0.5 * (X @ w - y) ** 2")
test_linear_grad = _case(_check_grad, LINEAR, "linear_grad", f"{LINEAR}: dw is right")
test_logistic_loss = _case(_check_loss, LOGISTIC, "logistic_loss", f"{LOGISTIC}: loss is the mean log-loss")
test_logistic_grad = _case(_check_grad, LOGISTIC, "logistic_grad", f"{LOGISTIC}: dw is right")
test_softmax_loss = _case(_check_loss, SOFTMAX, "softmax_loss", f"{SOFTMAX}: loss is the mean cross-entropy")
test_softmax_grad = _case(_check_grad, SOFTMAX, "softmax_grad", f"{SOFTMAX}: dW is right")
test_perceptron_loss = _case(_check_loss, PERCEPTRON, "perceptron_loss", f"{PERCEPTRON}: loss is the mean of max(0, -y * s)")
test_perceptron_grad = _case(_check_grad, PERCEPTRON, "perceptron_grad", f"{PERCEPTRON}: dw is right")
test_svm_loss = _case(_check_loss, SVM, "svm_loss", f"{SVM}: loss is the mean hinge loss plus 0.5 * lam * ||w||^2")
test_svm_grad = _case(_check_grad, SVM, "svm_grad", f"{SVM}: dw is right, with the lam * w term")


def _check_large_scores(submission, reference, fn, args):
    """Finite, warning-free and right when the scores reach thousands."""
    loss, dw = _call(submission, fn, args)
    assert_no_warnings(submission, fn)
    expected_loss, expected_dw = getattr(reference, fn)(*args)
    assert_close(loss, expected_loss, fn, _("loss with scores of size up to 1e4"))
    assert_close(dw, expected_dw, fn, _("{value} with scores of size up to 1e4").format(value=_gname(fn)))


@points(1, id="logistic_large_scores")
def test_logistic_large_scores(submission, reference, rng):
    """logistic_regression_loss_grad: finite and warning-free for |X @ w| up to 1e4"""
    w, X, y = _data(rng, LOGISTIC)
    _check_large_scores(submission, reference, LOGISTIC, (w, X * (1e4 / np.abs(X @ w).max()), y))


@points(1, id="softmax_large_scores")
def test_softmax_large_scores(submission, reference, rng):
    """softmax_regression_loss_grad: finite and warning-free for scores up to 1e4"""
    W, X, y = _data(rng, SOFTMAX)
    _check_large_scores(submission, reference, SOFTMAX, (W, X * (1e4 / np.abs(X @ W).max()), y))


def _kink_data(rng, margin):
    """Integer data (exact arithmetic) where half the rows sit exactly on the kink, y * s == margin."""
    X = rng.integers(-3, 4, size=(N, D)).astype(np.float64)
    w = rng.integers(-2, 3, size=D).astype(np.float64)
    w[-1] = 1.0
    y = rng.choice([-1.0, 1.0], size=N)
    on = np.arange(N) % 2 == 0
    X[on, -1] += margin * y[on] - X[on] @ w  # now X[on] @ w == margin * y[on] exactly
    return w, X, y


def _kink_counts(reference, fn, margin):
    """Whether inputs test the kink: the reference's dw is not 0, and counting the rows on the kink changes it."""
    def discriminates(args):
        w, X, y = args
        dw = getattr(reference, fn)(w, X, y)[1]
        on = y * (X @ w) == margin
        return bool(np.any(dw != 0) and np.any(X[on].T @ -y[on] != 0))
    return discriminates


@points(1, id="perceptron_kink")
def test_perceptron_kink(submission, reference, rng):
    """perceptron_loss_grad: a score of exactly 0 contributes no gradient"""
    args = draw_until(lambda: _kink_data(rng, 0.0), _kink_counts(reference, PERCEPTRON, 0.0))
    _unused, dw = _call(submission, PERCEPTRON, args)
    try:
        assert_close(dw, reference.perceptron_loss_grad(*args)[1], PERCEPTRON, _("dw with some scores exactly 0"))
    except Feedback as exc:
        raise Feedback(f"{exc}{_(KINK_NOTE)}") from None


@points(1, id="svm_kink")
def test_svm_kink(submission, reference, rng):
    """svm_loss_grad: an example exactly on the margin contributes no gradient (default lam = 0)"""
    args = draw_until(lambda: _kink_data(rng, 1.0), _kink_counts(reference, SVM, 1.0))
    loss, dw = _call(submission, SVM, args)
    assert_close(loss, reference.svm_loss_grad(*args)[0], SVM, _("loss with the default lam"))
    try:
        assert_close(dw, reference.svm_loss_grad(*args)[1], SVM, _("dw with some examples exactly on the margin"))
    except Feedback as exc:
        raise Feedback(f"{exc}{_(KINK_NOTE)}") from None


@points(1, id="no_mutation")
def test_no_mutation(submission, reference, rng):
    """all five losses leave their arguments unchanged"""
    calls = CheckedCalls(submission, reference)
    for fn in (LINEAR, LOGISTIC, SOFTMAX, PERCEPTRON, SVM):
        calls.call(fn, *_data(rng, fn))
        assert_not_mutated(submission, fn, ["w", "X", "y"])
    calls.assert_work_done()


# -- gradient_descent, judged with one of the student's losses that is right as loss_grad ------------

LR, STEPS = 0.1, 5
LOSS_GRADS = (LINEAR, LOGISTIC, PERCEPTRON, SVM)  # the losses whose signature is loss_grad(w, X, y)


def _descent_case(submission, reference, rng):
    """``(fn, w0, X, y)``: the first of the student's losses that is right at w0 on its data, to run
    gradient_descent with. A loss_grad that computes nothing (zeros) would let a descent that does nothing
    pass, so the descent is judged only with a right one, against the reference's path."""
    errors = []
    for fn in LOSS_GRADS:
        w0, X, y = _data(rng, fn)[:3]
        try:
            loss, dw = _call(submission, fn, (w0, X, y))
            expected_loss, expected_dw = getattr(reference, fn)(w0, X, y)
            assert_close(loss, expected_loss, fn, "loss")
            assert_close(dw, expected_dw, fn, _gname(fn))
        except (Feedback, SandboxError) as exc:
            errors.append(exc)
            continue
        return fn, w0, X, y
    raise Feedback(_("{fn} is judged with one of your {value} as loss_grad, and none of them is right yet; "
                     "make one of them right first ({errors})").format(
                       fn=GD, value=', '.join(LOSS_GRADS), errors=errors[0]))


def _expected_descent(reference, fn, w0, X, y):
    """The weights and losses of STEPS steps of plain gradient descent on the reference's ``fn``."""
    path, losses = w0, []
    for _unused in range(STEPS):
        loss, dw = getattr(reference, fn)(path, X, y)
        losses.append(loss)
        path = path - LR * dw
    return path, np.array(losses)


def _descend(submission, reference, rng):
    """(w, losses) of the student's gradient_descent (losses as returned), then the expected (w, losses), and
    the name of the loss_grad it was given."""
    fn, w0, X, y = _descent_case(submission, reference, rng)
    result = submission.gradient_descent(submission.name(fn), w0, X, y, LR, STEPS)
    w, losses = as_tuple(result, 2, GD, "(w, losses)")
    return as_array(w, GD, "w", (D,)), losses, *_expected_descent(reference, fn, w0, X, y), fn


def _step_losses(losses):
    """``losses`` as an array of num_steps floats, or a clear :class:`Feedback` (checked by the loss test only)."""
    if not isinstance(losses, (list, tuple, np.ndarray)) or len(losses) != STEPS:
        raise Feedback(_("{fn}: losses should be a list of num_steps = {steps} floats; it is {losses}").format(
                           fn=GD, steps=STEPS, losses=fmt(losses)))
    return np.array([as_float(v, GD, f"losses[{t}]") for t, v in enumerate(losses)])


@points(2, id="gd_updates")
def test_gd_updates(submission, reference, rng):
    """gradient_descent: w follows w <- w - lr * dw of the loss_grad it is given, whichever it is"""
    w, _unused, expected, _unused, fn = _descend(submission, reference, rng)
    assert_close(w, expected, GD, _("w after {steps} steps with your {fn} as loss_grad").format(steps=STEPS, fn=fn))
    # a loss_grad of the grader's (ridge regression): gradient_descent must call the one it is given
    lam = float(rng.uniform(0.5, 2.0))
    w0, X, y = _data(rng, LINEAR)
    ridge = TrustedFunction("ridge_loss_grad", {"lam": lam})
    w, _unused = call_tuple(submission, GD, "(w, losses)", ridge, w0, X, y, LR, STEPS)
    expected, loss_grad = w0, build(ridge.name, ridge.params)
    for _unused in range(STEPS):
        expected = expected - LR * loss_grad(expected, X, y)[1]
    assert_close(w, expected, GD, _("w after {steps} steps with loss_grad = ridge regression (lam = {lam:.3g}): "
                                    "call the loss_grad you are given").format(steps=STEPS, lam=lam))



@points(1, id="gd_losses")
def test_gd_losses(submission, reference, rng):
    """gradient_descent: losses[t] is the loss at the weights before step t"""
    _unused, losses, _unused, expected, fn = _descend(submission, reference, rng)
    assert_close(_step_losses(losses), expected, GD, _("losses with your {fn} as loss_grad (losses[0] is the "
                                                       "loss at w0)").format(fn=fn))


@points(1, id="gd_no_mutation")
def test_gd_no_mutation(submission, reference, rng):
    """gradient_descent: leaves w0 unchanged"""
    w, _unused, expected, _unused, fn = _descend(submission, reference, rng)
    assert_not_mutated(submission, GD, ["loss_grad", "w0", "X", "y"])
    assert_close(w, expected, GD,  # and does the work
                 _("w after {steps} steps with your {fn} as loss_grad").format(steps=STEPS, fn=fn))
