"""Typical mistakes in `losses` lose the points they should, and only those."""
import numpy as np
import pytest

from grader.catalog import get
from grader.runner import load_reference
from grader.testing import numerical_gradient, rel_error
from tests.grading import assert_loses_only, grade, mutate, output_of, solution_text

SOLUTION = solution_text("losses")

BCE_LOSS = "loss = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))"
SIGMOID = "return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))"
SHIFT = "shifted = x - np.max(x, axis=1, keepdims=True)"
LOG_SOFTMAX = "return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))"
KL_LOG = "logt = np.log(np.where(target > 0, target, 1.0))  # log 1 = 0 where the target is 0"
KL_LOSS = "loss = np.sum(target * (logt - logq)) / n"
CE_RETURN = "return float(-np.mean(logp[rows, y])), dlogits / n"


def fails_exactly(source, *fragments):
    """Grade ``source``; exactly the tests naming one of ``fragments`` fail."""
    return assert_loses_only(grade("losses", source), *fragments)


def test_mse_gradient_not_divided():
    result = fails_exactly(mutate(SOLUTION, "2.0 * diff / diff.size", "2.0 * diff"), "mse_loss: dpred")
    assert result.score == result.max_score - 1
    assert "mse_loss: dpred: relative error" in output_of(result, "mse_loss: dpred")


def test_mse_averaged_over_rows_only_keeps_gradient_points():
    source = mutate(SOLUTION, "return float(np.mean(diff ** 2)), 2.0 * diff / diff.size",
                    "return float(np.sum(diff ** 2) / len(diff)), 2.0 * diff / len(diff)")
    fails_exactly(source, "mse_loss: loss")  # the gradient is right for the student's own loss


def test_bce_logs_of_sigmoid():
    source = mutate(SOLUTION, BCE_LOSS, "p = _sigmoid(z)\n    loss = -(y * np.log(p) + (1 - y) * np.log(1 - p))")
    result = fails_exactly(source, "bce_with_logits: finite")
    assert "raised a warning" in output_of(result, "bce_with_logits: finite")


def test_bce_naive_sigmoid_overflows():
    fails_exactly(mutate(SOLUTION, SIGMOID, "return 1.0 / (1.0 + np.exp(-z))"), "bce_with_logits: finite")


def test_log_softmax_without_max_subtraction():
    result = fails_exactly(mutate(SOLUTION, SHIFT, "shifted = x"),
                           "softmax_cross_entropy: finite", "kl_divergence: finite")
    assert "overflow" in output_of(result, "softmax_cross_entropy: finite")


def test_log_of_softmax():
    naive = "e = np.exp(shifted)\n    return np.log(e / np.sum(e, axis=1, keepdims=True))"
    source = mutate(SOLUTION, LOG_SOFTMAX, naive)
    result = fails_exactly(source, "softmax_cross_entropy: finite", "kl_divergence: finite")
    assert "divide by zero" in output_of(result, "kl_divergence: finite")


def test_cross_entropy_gradient_not_divided():
    result = fails_exactly(mutate(SOLUTION, CE_RETURN, CE_RETURN.replace(" / n", "")),
                           "softmax_cross_entropy: dlogits", "softmax_cross_entropy: finite")
    assert result.score == result.max_score - 3


def test_cross_entropy_summed_keeps_gradient_points():
    source = mutate(SOLUTION, CE_RETURN, "return float(-np.sum(logp[rows, y])), dlogits")
    fails_exactly(source, "softmax_cross_entropy: loss", "softmax_cross_entropy: finite")


def test_hinge_gradient_sign():
    result = fails_exactly(mutate(SOLUTION, "_relu_mean(1.0 - y * scores, y)", "_relu_mean(1.0 - y * scores, -y)"),
                           "hinge_loss: dscores is right")
    assert result.score == result.max_score - 1


def test_kink_uses_the_positive_branch():
    result = fails_exactly(mutate(SOLUTION, "np.where(u > 0, -y, 0.0)", "np.where(u >= 0, -y, 0.0)"),
                           "hinge_loss: dscores is 0", "perceptron_loss: dscores is 0")
    assert "branch for negative inputs" in output_of(result, "hinge_loss: dscores is 0")


def test_kl_log_of_zero_targets():
    result = fails_exactly(mutate(SOLUTION, KL_LOG, "logt = np.log(target)"), "kl_divergence: 0 log 0")
    assert "raised a warning" in output_of(result, "0 log 0")


def test_kl_where_still_warns():
    # np.where evaluates both branches: the value is right, but log(0) and 0 * -inf still happen
    source = mutate(mutate(SOLUTION, KL_LOG, ""), KL_LOSS,
                    "loss = np.sum(np.where(target > 0, target * np.log(target), 0.0) - target * logq) / n")
    fails_exactly(source, "kl_divergence: 0 log 0")


def test_l2_without_half():
    result = fails_exactly(mutate(SOLUTION, "loss = 0.5 * lam * sum(", "loss = lam * sum("), "l2_penalty: loss")
    assert result.score == result.max_score - 1


def test_l2_gradient_doubled():
    fails_exactly(mutate(SOLUTION, "[lam * w for w in weights]", "[2 * lam * w for w in weights]"), "l2_penalty: grads")


def test_cross_entropy_shifts_in_place():
    source = mutate(SOLUTION, "    n = logits.shape[0]\n    rows",
                    "    logits -= logits.max(axis=1, keepdims=True)\n    n = logits.shape[0]\n    rows")
    result = fails_exactly(source, "leave their arguments unchanged")
    assert "changed its argument logits in place" in output_of(result, "unchanged")


def test_seeds_agree():
    wrong = mutate(SOLUTION, CE_RETURN, CE_RETURN.replace(" / n", ""))
    assert grade("losses", wrong, 3).score == grade("losses", wrong, 4).score
    assert grade("losses", SOLUTION, 3).score == grade("losses", SOLUTION, 4).score


REFERENCE = load_reference(str(get("losses").solution))
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


def test_l2_penalty_scales_the_weights_in_place():
    source = mutate(SOLUTION, "    return float(loss), [lam * w for w in weights]",
                    "    for w in weights:\n        w *= lam\n    return float(loss), list(weights)")
    result = fails_exactly(source, "leave their arguments unchanged")
    assert "l2_penalty changed its argument weights[0]" in output_of(result, "leave their arguments")


def test_log_softmax_squeezes_the_batch_axis():
    """np.squeeze on the row-wise log-sum-exp: right for several rows, an error for a batch of one."""
    source = mutate(SOLUTION, "    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))",
                    "    lse = np.squeeze(np.log(np.sum(np.exp(shifted), axis=1, keepdims=True)))\n"
                    "    return shifted - lse[:, None]")
    result = grade("losses", source)
    assert {t.test_id for t in result.tests if not t.passed} == {"cross_entropy_value"}
