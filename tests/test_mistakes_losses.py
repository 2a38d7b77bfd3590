"""Typical mistakes in `losses` lose the points they should, and only those.

Add a mistake by appending a row to ``MISTAKES``: the edit of the reference and the ids of the tests it must fail.
"""
import numpy as np
import pytest

from grader.catalog import get
from grader.runner import load_reference
from grader.checks import numerical_gradient, rel_error
from tests.helpers import edited, mistake, mistake_tests, pick, seeds_agree_test

BCE_LOSS = "loss = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))"
SIGMOID = "return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))"
SHIFT = "shifted = x - np.max(x, axis=1, keepdims=True)"
LOG_SOFTMAX = "return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))"
KL_LOG = "logt = np.log(np.where(target > 0, target, 1.0))  # log 1 = 0 where the target is 0"
KL_LOSS = "loss = np.sum(target * (logt - logq)) / n"
CE_RETURN = "return float(-np.mean(logp[rows, y])), dlogits / n"


MISTAKES = [
    mistake("mse_gradient_not_divided", "2.0 * diff / diff.size", "2.0 * diff", "mse_loss_grad", lost=1,
            says={"mse_loss_grad": "mse_loss: dpred: relative error"}),
    mistake("mse_averaged_over_rows_only_keeps_gradient_points",  # the gradient is right for the student's own loss
            "return float(np.mean(diff ** 2)), 2.0 * diff / diff.size",
            "return float(np.sum(diff ** 2) / len(diff)), 2.0 * diff / len(diff)", "mse_loss_value"),
    mistake("bce_logs_of_sigmoid", BCE_LOSS, "p = _sigmoid(z)\n    loss = -(y * np.log(p) + (1 - y) * np.log(1 - p))",
            "bce_extreme", says={"bce_extreme": "raised a warning"}),
    mistake("bce_naive_sigmoid_overflows", SIGMOID, "return 1.0 / (1.0 + np.exp(-z))", "bce_extreme"),
    mistake("log_softmax_without_max_subtraction", SHIFT, "shifted = x", "cross_entropy_extreme", "kl_extreme",
            says={"cross_entropy_extreme": "overflow"}),
    mistake("log_of_softmax", LOG_SOFTMAX, "e = np.exp(shifted)\n    return np.log(e / np.sum(e, axis=1, keepdims=True))",
            "cross_entropy_extreme", "kl_extreme", says={"kl_extreme": "divide by zero"}),
    mistake("cross_entropy_gradient_not_divided", CE_RETURN, CE_RETURN.replace(" / n", ""), "cross_entropy_grad",
            "cross_entropy_extreme", lost=3),
    mistake("cross_entropy_summed_keeps_gradient_points", CE_RETURN, "return float(-np.sum(logp[rows, y])), dlogits",
            "cross_entropy_value", "cross_entropy_extreme"),
    mistake("hinge_gradient_sign", "_relu_mean(1.0 - y * scores, y)", "_relu_mean(1.0 - y * scores, -y)", "hinge_grad",
            lost=1),
    mistake("kink_uses_the_positive_branch", "np.where(u > 0, -y, 0.0)", "np.where(u >= 0, -y, 0.0)",
            "hinge_at_margin", "perceptron_at_zero", says={"hinge_at_margin": "branch for negative inputs"}),
    mistake("kl_log_of_zero_targets", KL_LOG, "logt = np.log(target)", "kl_zero_targets",
            says={"kl_zero_targets": "raised a warning"}),
    # np.where evaluates both branches: the value is right, but log(0) and 0 * -inf still happen
    edited("kl_where_still_warns", [(KL_LOG, ""), (
        KL_LOSS, "loss = np.sum(np.where(target > 0, target * np.log(target), 0.0) - target * logq) / n")],
        "kl_zero_targets"),
    mistake("l2_without_half", "loss = 0.5 * lam * sum(", "loss = lam * sum(", "l2_value", lost=1),
    mistake("l2_gradient_doubled", "[lam * w for w in weights]", "[2 * lam * w for w in weights]", "l2_grads"),
    mistake("cross_entropy_shifts_in_place", "    n = logits.shape[0]\n    rows",
            "    logits -= logits.max(axis=1, keepdims=True)\n    n = logits.shape[0]\n    rows", "no_mutation",
            says={"no_mutation": "changed its argument logits in place"}),
    mistake("l2_penalty_scales_the_weights_in_place", "    return float(loss), [lam * w for w in weights]",
            "    for w in weights:\n        w *= lam\n    return float(loss), list(weights)", "no_mutation",
            says={"no_mutation": "l2_penalty changed its argument weights[0]"}),
    # np.squeeze on the row-wise log-sum-exp: right for several rows, an error for a batch of one
    mistake("log_softmax_squeezes_the_batch_axis",
            "    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))",
            "    lse = np.squeeze(np.log(np.sum(np.exp(shifted), axis=1, keepdims=True)))\n"
            "    return shifted - lse[:, None]",
            "cross_entropy_value"),
    mistake("mse_loss_in_float32", "return float(np.mean(diff ** 2)), 2.0 * diff / diff.size",
            "return float(np.mean(diff.astype(np.float32) ** 2)), 2.0 * diff / diff.size", "mse_loss_value",
            says={"mse_loss_value": "that is float32 precision"}),
    mistake("cross_entropy_in_float32", "return float(-np.mean(logp[rows, y])), dlogits / n",
            "return float(-np.mean(logp[rows, y].astype(np.float32))), dlogits / n", "cross_entropy_value",
            "cross_entropy_extreme", says={"cross_entropy_value": "that is float32 precision"}),
]

test_mistake = mistake_tests("losses", MISTAKES)
test_seeds_agree = seeds_agree_test("losses", pick(MISTAKES, "cross_entropy_gradient_not_divided"))


REFERENCE = load_reference(str(get("losses").reference))
RNG = np.random.default_rng(2024)
SIGNS = np.array([1.0, -1.0, -1.0, 1.0, 1.0])


@pytest.mark.parametrize("fn, args", [
    ("mse_loss", (RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3)))),
    ("bce_with_logits", (2 * RNG.normal(size=(4, 3)), (RNG.random((4, 3)) < 0.5) * 1.0)),
    ("softmax_cross_entropy", (2 * RNG.normal(size=(5, 4)), RNG.integers(0, 4, 5))),
    ("hinge_loss", (SIGNS * np.array([0.5, -0.3, 2.0, 1.8, -1.0]), SIGNS)),
    ("perceptron_loss", (SIGNS * np.array([0.5, -0.3, 2.0, -1.8, -1.0]), SIGNS)),
    ("kl_divergence", (2 * RNG.normal(size=(5, 4)), np.vstack([RNG.dirichlet(np.ones(4), 4), [0.0, 0.5, 0.0, 0.5]]))),
])
def test_reference_gradients_match_numerical_gradients(fn, args):
    """The reference the suite trusts: its gradient is the gradient of its own loss."""
    f = getattr(REFERENCE, fn)
    numerical = numerical_gradient(lambda x: f(x, *args[1:])[0], args[0])
    assert rel_error(f(*args)[1], numerical) < 1e-7


def test_reference_l2_gradients_match_numerical_gradients():
    weights = [RNG.normal(size=(3, 2)), RNG.normal(size=4)]
    for k in range(2):
        def loss(w, k=k):
            return REFERENCE.l2_penalty([w if j == k else v for j, v in enumerate(weights)], 0.3)[0]
        assert rel_error(REFERENCE.l2_penalty(weights, 0.3)[1][k], numerical_gradient(loss, weights[k])) < 1e-7
