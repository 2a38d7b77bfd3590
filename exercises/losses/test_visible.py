"""Visible tests for `losses`: run them with `dlx check losses`.

They use small hand-checkable inputs; the hidden tests of `dlx submit` use
random inputs, numerical gradients and scores mixing magnitudes up to 1e4.
"""
import numpy as np

from grader.i18n import _
from grader.checks import (
    as_tuple,
    assert_close,
    assert_no_warnings,
    numerical_gradient,
)


def test_cross_entropy_uniform_logits(submission):
    """softmax_cross_entropy: zero logits give log C, and dlogits = (1/C - onehot) / N"""
    logits, y = np.zeros((2, 3)), np.array([0, 2])
    loss, dlogits = as_tuple(submission.softmax_cross_entropy(logits, y), 2, "softmax_cross_entropy", "(loss, dlogits)")
    assert_close(loss, np.log(3.0), "softmax_cross_entropy", "loss")
    assert_close(dlogits, (np.full((2, 3), 1 / 3) - np.eye(3)[y]) / 2, "softmax_cross_entropy", "dlogits")


def test_hinge_small_example(submission):
    """hinge_loss: a violated example, one exactly at the margin and one beyond it"""
    scores, y = np.array([0.5, -1.0, 3.0]), np.array([1.0, -1.0, 1.0])
    loss, dscores = as_tuple(submission.hinge_loss(scores, y), 2, "hinge_loss", "(loss, dscores)")
    assert_close(loss, 0.5 / 3, "hinge_loss", "loss")
    assert_close(dscores, [-1 / 3, 0.0, 0.0], "hinge_loss", _("dscores (0 exactly at the margin)"))


def test_bce_at_1e4(submission):
    """bce_with_logits: exact and warning-free for z = [1e4, -1e4, 0]"""
    z, y = np.array([1e4, -1e4, 0.0]), np.array([0.0, 0.0, 1.0])
    loss, dz = as_tuple(submission.bce_with_logits(z, y), 2, "bce_with_logits", "(loss, dz)")
    assert_no_warnings(submission, "bce_with_logits")
    assert_close(loss, (1e4 + np.log(2.0)) / 3, "bce_with_logits", "loss")
    assert_close(dz, [1 / 3, 0.0, -0.5 / 3], "bce_with_logits", "dz")


def test_kl_gradient_matches_numerical_gradient(submission):
    """kl_divergence: dlogits agrees with a numerical gradient of the loss, with a zero target"""
    logits = np.array([[0.2, -1.0, 0.5], [1.5, 0.3, -0.7]])
    target = np.array([[0.5, 0.0, 0.5], [0.1, 0.6, 0.3]])
    _, dlogits = as_tuple(submission.kl_divergence(logits, target), 2, "kl_divergence", "(loss, dlogits)")
    assert_no_warnings(submission, "kl_divergence")
    numerical = numerical_gradient(lambda v: submission.kl_divergence(v, target)[0], logits)
    assert_close(dlogits, numerical, "kl_divergence", "dlogits", 1e-6)
