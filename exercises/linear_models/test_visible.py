"""Visible tests for `linear_models`: run them with `dlx check linear_models`.

They check a small hand-computed example and that each gradient agrees with
a numerical gradient of your own loss; the hidden tests of `dlx submit` also
compare with a reference, try large scores and kinks, and test gradient_descent.
"""
import numpy as np

from grader.i18n import _
from grader.checks import (
    as_array,
    as_float,
    as_tuple,
    assert_close,
    student_numerical_gradient,
)


def test_linear_regression_small_example(submission):
    """linear_regression_loss_grad on a 3-example problem"""
    w, X, y = np.array([1.0, 2.0]), np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.ones(3)
    loss, dw = as_tuple(submission.linear_regression_loss_grad(w, X, y), 2, "linear_regression_loss_grad", "(loss, dw)")
    assert_close(as_float(loss, "linear_regression_loss_grad", "loss"), 2.5 / 3, "linear_regression_loss_grad", "loss")
    assert_close(dw, [2 / 3, 1.0], "linear_regression_loss_grad", "dw")


def test_gradients_match_your_own_losses(submission):
    """every dw agrees with a numerical gradient of your own loss"""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 3))
    cases = {
        "linear_regression_loss_grad": (rng.normal(size=3), X, rng.normal(size=6)),
        "logistic_regression_loss_grad": (rng.normal(size=3), X, np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])),
        "softmax_regression_loss_grad": (rng.normal(size=(3, 4)), X, np.array([0, 3, 1, 2, 2, 0])),
        "perceptron_loss_grad": (rng.normal(size=3), X, np.array([1.0, -1.0, 1.0, 1.0, -1.0, -1.0])),
        "svm_loss_grad": (rng.normal(size=3), X, np.array([1.0, -1.0, 1.0, 1.0, -1.0, -1.0]), 0.5),
    }
    for fn, args in cases.items():
        _loss, dw = as_tuple(submission.call(fn, *args), 2, fn, "(loss, dw)")
        numerical = student_numerical_gradient(submission, fn, args, 0, np.array(1.0), output=0)
        assert_close(as_array(dw, fn, "dw", np.shape(args[0])), numerical, fn, _("dw against a numerical gradient"), 1e-6)


def test_gradient_descent_lowers_the_loss(submission):
    """gradient_descent with your linear_regression_loss_grad: losses[0] is the loss at w0 and the loss falls"""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(20, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    w0 = np.zeros(3)
    result = submission.gradient_descent(submission.name("linear_regression_loss_grad"), w0, X, y, 0.3, 100)
    w, losses = as_tuple(result, 2, "gradient_descent", "(w, losses)")
    assert len(losses) == 100, _("gradient_descent: losses should hold num_steps = 100 values; it holds {n}").format(
                                   n=len(losses))
    assert_close(losses[0], 0.5 * np.mean(y ** 2), "gradient_descent", _("losses[0] (the loss at w0 = 0)"))
    assert losses[-1] < 1e-3 * losses[0], _("gradient_descent: after 100 steps the loss should be much smaller")
    assert_close(w, [1.0, -2.0, 0.5], "gradient_descent", "w after 100 steps", 1e-2)
