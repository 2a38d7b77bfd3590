"""Visible tests for `linreg`: run them with `dlx check linreg`.

They check the basics on small inputs; the hidden tests of `dlx submit` also
replay your generator's draws and compare with a reference step for step.
"""
import numpy as np

from grader.proxy import RemoteObject
from grader.i18n import _
from grader.checks import Feedback, as_array, as_float, as_tuple


def _batches(submission, batch_size, X, y, rng):
    """Run data_iter in the sandbox and read its batches back."""
    value = submission.data_iter(batch_size, X, y, rng)
    items = submission.collect(value, len(X) + 1) if isinstance(value, RemoteObject) else list(value)
    return [as_tuple(item, 2, "data_iter", "(X_batch, y_batch)") for item in items]


def test_data_iter_batches(submission):
    """data_iter: N = 10, batch_size = 4 gives batches of 4, 4 and 2 that cover X once, aligned with y"""
    X = np.arange(20.0).reshape(10, 2)
    y = X[:, 0] * 10.0
    batches = _batches(submission, 4, X, y, np.random.default_rng(0))
    sizes = [len(xb) for xb, _ in batches]
    assert sizes == [4, 4, 2], _("data_iter: batch sizes should be [4, 4, 2]; they are {sizes}").format(
                                   sizes=sizes)
    rows = sorted(float(v) for xb, _ in batches for v in np.asarray(xb)[:, 0])
    assert rows == X[:, 0].tolist(), _("data_iter: one pass should yield every row of X exactly once")
    for xb, yb in batches:
        assert np.array_equal(yb, np.asarray(xb)[:, 0] * 10.0), \
            _("data_iter: y_batch[i] should be the target of X_batch[i]")


def test_linreg_train_fits_a_noiseless_line(submission):
    """linreg_train: recovers w = [2, -3.4], b = 4.2 from noiseless data"""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(100, 2))
    y = X @ np.array([2.0, -3.4]) + 4.2
    w, b, losses = as_tuple(submission.linreg_train(X, y, rng, lr=0.03, num_epochs=50, batch_size=10),
                            3, "linreg_train", "(w, b, losses)")
    w = as_array(w, "linreg_train", "w", (2,))
    b = as_float(b, "linreg_train", "b")
    if len(losses) != 50:
        raise Feedback(_("linreg_train: losses should hold 20 values (one per epoch); it holds {n}").format(
                           n=len(losses)))
    if not (np.allclose(w, [2.0, -3.4], atol=1e-3) and abs(b - 4.2) < 1e-3):
        raise Feedback(_("linreg_train: after 50 epochs expected w close to [2, -3.4] and b close to 4.2; got "
                         "w = {w}, b = {b:.4f}").format(w=w, b=b))
    if not losses[-1] < losses[0]:
        raise Feedback(_("linreg_train: the loss should go down from the first epoch to the last"))
