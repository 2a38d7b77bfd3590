"""Visible tests for `covariate_shift`: run them with `dlx check covariate_shift`.

The hidden tests of `dlx submit` use other data, check the weights against the
exact optimum and the true density ratio, and test the l2 penalty and clipping.
"""
import numpy as np

from grader.i18n import _
from grader.checks import Feedback, as_array, assert_close


def test_no_shift_gives_unit_weights(submission):
    """domain_classifier_weights: weights are 1 when the target is the source repeated"""
    X_source = np.random.default_rng(0).normal(size=(40, 2))
    X_target = np.vstack([X_source, X_source])
    beta = submission.domain_classifier_weights(X_source, X_target, l2=0.0)
    assert_close(beta, np.ones(40), "domain_classifier_weights", "beta", 1e-3)


def test_shift_towards_target(submission):
    """domain_classifier_weights: rows near the target get larger weights"""
    rng = np.random.default_rng(1)
    X_source = rng.normal(size=(400, 1))
    X_target = rng.normal(size=(400, 1)) + 1.0  # true ratio exp(x - 0.5) grows with x
    beta = as_array(submission.domain_classifier_weights(X_source, X_target), "domain_classifier_weights",
                    "beta", (400,))
    order = np.argsort(X_source[:, 0])
    if not beta[order[-40:]].mean() > 3 * beta[order[:40]].mean():
        raise Feedback(_("domain_classifier_weights: the rows with the largest x (closest to the target) "
                         "should get much larger weights than those with the smallest x"))


def test_weighted_least_squares_small_example(submission):
    """weighted_least_squares: a weighted mean, and a zero weight"""
    X = np.ones((3, 1))
    y = np.array([0.0, 3.0, 100.0])
    w = submission.weighted_least_squares(X, y, np.array([1.0, 2.0, 0.0]))
    assert_close(w, [2.0], "weighted_least_squares", "w")  # (1 * 0 + 2 * 3) / (1 + 2)
