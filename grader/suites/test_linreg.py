"""Hidden suite for `linreg`."""
import numpy as np

from grader.proxy import RemoteObject, StudentException
from grader.i18n import _
from grader.checks import (
    Feedback,
    as_array,
    as_float,
    assert_close,
    assert_not_mutated,
    call_tuple,
    fmt,
    points,
)

ITER, TRAIN = "data_iter", "linreg_train"


def _problem(rng, n, d, noise=0.1):
    """A random regression problem ``y = X @ w + b + noise``."""
    X = rng.normal(size=(n, d))
    y = X @ rng.uniform(-2, 2, size=d) + rng.uniform(-1, 1) + noise * rng.normal(size=n)
    return X, y


def _squared_loss(X, y, w, b):
    return float(np.mean(0.5 * (X @ w + b - y) ** 2))


# -- data_iter: run it in the sandbox and read its batches back -------------------------


def _drain(submission, iterable, cap):
    """The items of a handle to an iterable in the sandbox, at most ``cap`` of them, in one round trip."""
    try:
        items = submission.collect(iterable, cap + 1)
    except StudentException as exc:
        if exc.exc_type != "TypeError" or "not iterable" not in exc.detail:
            raise
        raise Feedback(_("{fn} should return a generator of (X_batch, y_batch); it returned a {type_name}, "
                         "which cannot be iterated").format(fn=ITER, type_name=iterable.type_name)) from None
    if len(items) > cap:
        raise Feedback(_("{fn} yielded more than {cap} batches; one pass over the data should stop sooner").format(
                           fn=ITER, cap=cap))
    return items


def _batches(submission, batch_size, X, y, rng):
    """The (X_batch, y_batch) pairs the student's data_iter yields, checked for shape."""
    value = submission.data_iter(batch_size, X, y, rng)
    cap = len(X) + 1
    items = _drain(submission, value, cap) if isinstance(value, RemoteObject) else value
    if not isinstance(items, (list, tuple)):
        raise Feedback(_("{fn} should return a generator of (X_batch, y_batch); it returned {items}").format(
                           fn=ITER, items=fmt(items)))
    batches = []
    for k, item in enumerate(items):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise Feedback(_("{fn}: batch {k} should be a pair (X_batch, y_batch); it is {item}").format(
                               fn=ITER, k=k, item=fmt(item)))
        xb = as_array(item[0], ITER, f"X_batch {k}")
        yb = as_array(item[1], ITER, f"y_batch {k}")
        if xb.ndim != 2 or xb.shape[1] != X.shape[1] or yb.shape != xb.shape[:1] or len(xb) == 0:
            raise Feedback(_("{fn}: batch {k} has shapes {shape} and {shape2}; expected (B, {shape3}) and (B,) "
                             "with B >= 1").format(
                               fn=ITER, k=k, shape=xb.shape, shape2=yb.shape, shape3=X.shape[1]))
        batches.append((xb, yb))
    return batches


def _one_pass(submission, rng, n, d, batch_size):
    """A problem of ``n`` examples with ``d`` features, and the batches of one pass over it."""
    X, y = _problem(rng, n, d)
    return X, y, _batches(submission, batch_size, X, y, rng)


def _indices(X, batches):
    """For each batch, the indices in X of the rows of X_batch (X's rows are distinct)."""
    where = {row.tobytes(): i for i, row in enumerate(X)}
    try:
        return [[where[row.tobytes()] for row in xb] for xb, _ in batches]
    except KeyError:
        raise Feedback(_("{fn}: an X_batch holds a row that is not a row of X; yield rows of X unchanged").format(
                           fn=ITER)) from None


@points(1, id="data_iter_covers_every_example_once")
def test_data_iter_covers_every_example_once(submission, rng):
    """data_iter: one pass yields every example exactly once"""
    X, _unused, batches = _one_pass(submission, rng, 23, 3, 5)
    seen = sorted(i for idx in _indices(X, batches) for i in idx)
    if seen != list(range(len(X))):
        missing = sorted(set(range(len(X))) - set(seen))
        twice = sorted({i for i in seen if seen.count(i) > 1})
        raise Feedback(_("{fn}: with N = 23 and batch_size = 5, one pass should yield each of the 23 examples "
                         "once; missing rows {missing}, repeated rows {twice}").format(
                           fn=ITER, missing=missing, twice=twice))


@points(2, id="data_iter_aligned")
def test_data_iter_aligned(submission, rng):
    """data_iter: y_batch[i] is the target of X_batch[i]"""
    X, y, batches = _one_pass(submission, rng, 23, 3, 4)
    for k, ((xb, yb), idx) in enumerate(zip(batches, _indices(X, batches))):
        if not np.array_equal(yb, y[idx]):
            raise Feedback(_("{fn}: y_batch {k} does not hold the targets of the rows in X_batch {k}; index X "
                             "and y with the same indices").format(fn=ITER, k=k))


@points(2, id="data_iter_order")
def test_data_iter_order(submission, rng):
    """data_iter: batches follow rng.permutation(len(X))"""
    X, _unused, batches = _one_pass(submission, rng, 24, 2, 6)
    order = rng.permutation(len(X))  # the worker received a copy of rng in this same state
    expected = [order[k:k + 6].tolist() for k in range(0, len(X), 6)]
    got = _indices(X, batches)
    for k, (want, have) in enumerate(zip(expected, got)):
        if want != have:
            raise Feedback(_("{fn}: batch {k} should hold rows {want} of X (order = rng.permutation(len(X)) "
                             "cut into batches of 6); it holds rows {have}").format(
                               fn=ITER, k=k, want=want, have=have))
    if len(got) != len(expected):
        raise Feedback(_("{fn}: N = 24 and batch_size = 6 should give 4 batches; it gave {n}").format(
                           fn=ITER, n=len(got)))


@points(1, id="data_iter_short_last_batch")
def test_data_iter_short_last_batch(submission, rng):
    """data_iter: the last batch holds what is left, and no batch is empty"""
    for n, batch_size in [(23, 5), (20, 5), (4, 10)]:
        X, _unused, batches = _one_pass(submission, rng, n, 2, batch_size)
        order = rng.permutation(n).tolist()
        sizes = [len(xb) for xb, _ in batches]
        expected = [min(batch_size, n - k) for k in range(0, n, batch_size)]
        if sizes != expected:
            raise Feedback(_("{fn}: with N = {n} and batch_size = {batch_size} the batch sizes should be "
                             "{expected}; they are {sizes}").format(
                               fn=ITER, n=n, batch_size=batch_size, expected=expected, sizes=sizes))
        last = _indices(X, batches)[-1]
        if last != order[-sizes[-1]:]:
            raise Feedback(_("{fn}: with N = {n} and batch_size = {batch_size} the last batch should hold the "
                             "last {sizes} indices of the permutation, rows {order}; it holds rows {last}").format(
                               fn=ITER, n=n, batch_size=batch_size, sizes=sizes[-1], order=order[-sizes[-1]:], last=last))


# -- linreg_train ------------------------------------------------------------------------


def _train(submission, X, y, rng, **kwargs):
    """The student's (w, b, losses): w and b checked for type and shape, losses as returned.

    Only the tests about losses check them (with :func:`_epoch_losses`), so a
    wrong loss history costs those tests alone, not the tests of w and b.
    """
    w, b, losses = call_tuple(submission, TRAIN, "(w, b, losses)", X, y, rng, **kwargs)
    return as_array(w, TRAIN, "w", (X.shape[1],)), as_float(b, TRAIN, "b"), losses


def _epoch_losses(losses, epochs):
    """``losses`` as a list of ``epochs`` floats, or a clear :class:`Feedback`."""
    if not isinstance(losses, (list, tuple, np.ndarray)) or np.ndim(losses) != 1:
        raise Feedback(_("{fn}: losses should be a list of floats, one per epoch; it is {losses}").format(
                           fn=TRAIN, losses=fmt(losses)))
    losses = [as_float(v, TRAIN, f"losses[{e}]") for e, v in enumerate(losses)]
    if len(losses) != epochs:
        raise Feedback(_("{fn}: losses should hold one value per epoch ({epochs}); it holds {n}").format(
                           fn=TRAIN, epochs=epochs, n=len(losses)))
    return losses


def _compare_with_reference(submission, reference, X, y, rng, label, **kwargs):
    """The student's w and b match the reference's, both run from the same generator state."""
    got = _train(submission, X, y, rng, **kwargs)
    expected = reference.linreg_train(X, y, rng, **kwargs)
    assert_close(got[0], expected[0], TRAIN, f"w ({label})")
    assert_close(got[1], expected[1], TRAIN, f"b ({label})")


def _assert_trained(submission, reference, X, y, rng, start, w, b, **kwargs):
    """(w, b) fit X and y at least halfway from the untrained (0, 0) to the reference's fit, trained from the
    generator state ``start``, and so does the student's model trained on -y: the right types, or arguments
    left alone, earn points only for a trained model (no model that ignores y fits both y and -y halfway)."""
    _assert_fits(reference, X, y, rng, start, w, b, **kwargs)
    rng.bit_generator.state = start
    w, b, _ = _train(submission, X, -y, rng, **kwargs)
    _assert_fits(reference, X, -y, rng, start, w, b, **kwargs)


def _assert_fits(reference, X, y, rng, start, w, b, **kwargs):
    """(w, b) fit X and y at least halfway from the untrained (0, 0) to the reference's fit from ``start``."""
    rng.bit_generator.state = start
    ref_w, ref_b, _unused = reference.linreg_train(X, y, rng, **kwargs)
    got, untrained, trained = (_squared_loss(X, y, *m) for m in ((w, b), (np.zeros_like(w), 0.0), (ref_w, ref_b)))
    if not got <= (untrained + trained) / 2:
        raise Feedback(_("{fn}: after training, the mean loss over X is {got:.4g}, not much better than the "
                         "untrained model's {untrained:.4g} (the recipe reaches {trained:.4g}); the model was "
                         "not trained").format(fn=TRAIN, got=got, untrained=untrained, trained=trained))


@points(1, id="train_returns")
def test_train_returns(submission, reference, rng):
    """linreg_train: returns (w, b, losses) with w of shape (D,), b a float, one loss per epoch"""
    X, y = _problem(rng, 30, 4)
    start = rng.bit_generator.state
    w, b, losses = _train(submission, X, y, rng, num_epochs=2)
    losses = _epoch_losses(losses, 2)
    if not np.all(np.isfinite(w)) or not np.isfinite(b) or not np.all(np.isfinite(losses)):
        raise Feedback(_("{fn}: w, b and losses must be finite; got w = {w}, b = {b}, losses = {losses}").format(
                           fn=TRAIN, w=fmt(w), b=fmt(b), losses=losses))
    _assert_trained(submission, reference, X, y, rng, start, w, b, num_epochs=2)


@points(1, id="train_initial_weights")
def test_train_initial_weights(submission, rng):
    """linreg_train: w starts as rng.normal(0, 0.01, size=D), b as 0.0 (checked with lr = 0)"""
    X, y = _problem(rng, 12, 5)
    w, b, _unused = _train(submission, X, y, rng, lr=0.0, num_epochs=1, batch_size=4)
    assert_close(w, rng.normal(0, 0.01, size=5), TRAIN, _("w with lr = 0 (it should stay at its initial draw)"), 1e-12)
    if b != 0.0:
        raise Feedback(_("{fn}: with lr = 0, b should stay at its initial value 0.0; got {b}").format(
                           fn=TRAIN, b=fmt(b)))


@points(2, id="train_one_epoch")
def test_train_one_epoch(submission, reference, rng):
    """linreg_train: one epoch matches the reference step for step (batch_size divides N)"""
    X, y = _problem(rng, 40, 3)
    _compare_with_reference(submission, reference, X, y, rng, "1 epoch, N = 40, batch_size = 8",
                            lr=0.05, num_epochs=1, batch_size=8)


@points(2, id="train_short_last_batch")
def test_train_short_last_batch(submission, reference, rng):
    """linreg_train: several epochs with a short last batch match the reference"""
    X, y = _problem(rng, 37, 3)
    _compare_with_reference(submission, reference, X, y, rng, "3 epochs, N = 37, batch_size = 10",
                            lr=0.05, num_epochs=3, batch_size=10)


@points(1, id="train_losses_match_reference")
def test_train_losses_match_reference(submission, reference, rng):
    """linreg_train: losses match the reference"""
    X, y = _problem(rng, 37, 3)
    got = _epoch_losses(_train(submission, X, y, rng, num_epochs=4, batch_size=10)[2], 4)
    assert_close(np.array(got), reference.linreg_train(X, y, rng, num_epochs=4, batch_size=10)[2], TRAIN, "losses")


@points(1, id="train_losses_of_returned_weights")
def test_train_losses_of_returned_weights(submission, rng):
    """linreg_train: losses[-1] is the mean of 0.5 * (X @ w + b - y) ** 2 at the returned w and b"""
    X, y = _problem(rng, 25, 2)
    w, b, losses = _train(submission, X, y, rng, num_epochs=2, batch_size=5)
    losses = _epoch_losses(losses, 2)
    assert_close(losses[-1], _squared_loss(X, y, w, b), TRAIN, _("losses[-1] (the mean loss at the returned w, b)"))


@points(2, id="train_converges_to_least_squares")
def test_train_converges_to_least_squares(submission, rng):
    """linreg_train: converges to the least-squares solution"""
    X, y = _problem(rng, 200, 4, noise=0.01)
    w, b, _unused = _train(submission, X, y, rng, lr=0.03, num_epochs=30, batch_size=10)
    solution = np.linalg.lstsq(np.column_stack([X, np.ones(len(X))]), y, rcond=None)[0]
    gap = float(np.max(np.abs(np.append(w, b) - solution)))
    if not gap < 0.01:
        raise Feedback(_("{fn}: after 30 epochs (lr = 0.03, batch_size = 10) on a well-conditioned problem, "
                         "(w, b) = ({w}, {b}) is {gap:.3g} away from the least-squares solution ({solution}, "
                         "{solution2})").format(
                           fn=TRAIN, w=fmt(w), b=fmt(b), gap=gap, solution=fmt(solution[:-1]), solution2=fmt(solution[-1])))


@points(1, id="train_defaults")
def test_train_defaults(submission, reference, rng):
    """linreg_train: the defaults are lr = 0.03, num_epochs = 3, batch_size = 10"""
    X, y = _problem(rng, 50, 2)
    _compare_with_reference(submission, reference, X, y, rng, _("default arguments"))


@points(1, id="train_no_mutation")
def test_train_no_mutation(submission, reference, rng):
    """linreg_train: leaves X and y unchanged"""
    X, y = _problem(rng, 20, 3)
    start = rng.bit_generator.state
    # enough epochs that a trained model is far from any constant answer
    w, b, _ = _train(submission, X, y, rng, num_epochs=20, batch_size=6)
    assert_not_mutated(submission, TRAIN, ["X", "y", "rng"])
    _assert_trained(submission, reference, X, y, rng, start, w, b, num_epochs=20, batch_size=6)
