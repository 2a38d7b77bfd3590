"""Typical mistakes in `batchnorm` lose the points they should, and only those."""
import numpy as np

from grader.catalog import get
from grader.runner import load_reference
from tests.helpers import assert_reference_gradients, edited, mistake, mistake_tests, pick, seeds_agree_test

RUNNING_MEAN = "(1 - momentum) * running_mean + momentum * mean"


def test_reference_matches_numerical_gradient():
    rng = np.random.default_rng(7)
    args = [rng.normal(1, 2, size=(5, 3)), rng.normal(size=3), rng.normal(size=3), np.zeros(3), np.ones(3)]
    assert_reference_gradients("batchnorm", "batchnorm", args, rng.normal(size=(5, 3)), wrt=3, tolerance=1e-6)


def test_reference_follows_pytorch_conventions():
    """Hand-computed values under torch.nn.functional.batch_norm's conventions (momentum 0.1, eps 1e-5)."""
    ref = load_reference(str(get("batchnorm").reference))
    x = np.array([[1.0, 2.0], [3.0, -1.0], [4.0, 0.5]])
    out, _, mean, var = ref.batchnorm_forward(x, np.array([1.0, 2.0]), np.array([0.0, 1.0]), np.zeros(2), np.ones(2))
    # batch means (8/3, 0.5), biased variances (14/9, 1.5), unbiased (7/3, 2.25)
    assert np.allclose(mean, [0.8 / 3, 0.05])
    assert np.allclose(var, [0.9 + 0.7 / 3, 0.9 + 0.225])
    assert np.allclose(out[:, 0], (x[:, 0] - 8 / 3) / np.sqrt(14 / 9 + 1e-5))


MISTAKES = [
    mistake("running_var_biased", "x.var(axis=0, ddof=1)", "x.var(axis=0)", "running_var", "momentum_and_eps"),
    # dgamma and dbeta stay right for this forward (partial credit); dx does not. Leaving the arguments alone
    # earns its point only where most of the calls judged are right (issue 11): here two of three are wrong.
    mistake("normalising_with_unbiased_variance", "var = x.var(axis=0)  #", "var = x.var(axis=0, ddof=1)  #",
            "forward_train", "momentum_and_eps", "backward_dx", "no_mutation"),
    edited("keras_momentum_convention", [
        (RUNNING_MEAN, "momentum * running_mean + (1 - momentum) * mean"),
        ("(1 - momentum) * running_var + momentum * x", "momentum * running_var + (1 - momentum) * x"),
    ], "running_mean", "running_var", "momentum_and_eps"),
    edited("eps_ignored", [
        ("np.sqrt(var + eps)", "np.sqrt(var + 1e-5)"),
        ("np.sqrt(running_var + eps)", "np.sqrt(running_var + 1e-5)"),
    ], "momentum_and_eps", "eval_output"),
    mistake("evaluation_uses_batch_statistics", "if not train:", "if False:", "eval_output", "eval_keeps_running_stats"),
    mistake("running_stats_updated_in_place", f"new_mean = {RUNNING_MEAN}",
            "running_mean *= 1 - momentum\n    running_mean += momentum * mean\n    new_mean = running_mean",
            "no_mutation"),
    mistake("dx_ignores_the_batch_statistics", "gamma * inv_std / n * (n * dout - dbeta - xhat * dgamma)",
            "gamma * inv_std * dout", "backward_dx"),
    mistake("dgamma_not_summed", "(dout * xhat).sum(axis=0)", "dout * xhat", "backward_dgamma", "backward_dx"),
    mistake("running_variance_ignores_momentum",
            "new_var = (1 - momentum) * running_var + momentum * x.var(axis=0, ddof=1)",
            "new_var = 0.9 * running_var + 0.1 * x.var(axis=0, ddof=1)", "momentum_and_eps"),
    # a right forward whose backward drops eps is close to right, but not right: dx loses its points
    mistake("backward_without_eps", "    return gamma * xhat + beta, (xhat, gamma, inv_std), new_mean, new_var",
            "    return gamma * xhat + beta, (xhat, gamma, 1.0 / np.sqrt(var)), new_mean, new_var", "backward_dx",
            seeds=(0, 1, 4, 5)),
    mistake("running_mean_in_float32_cast_back", "new_mean = (1 - momentum) * running_mean + momentum * mean\n",
            "new_mean = ((1 - momentum) * running_mean + momentum * mean).astype(np.float32).astype(np.float64)\n",
            "running_mean", "momentum_and_eps", says={"running_mean": "that is float32 precision"}),
]

test_mistake = mistake_tests("batchnorm", MISTAKES)
test_seeds_agree = seeds_agree_test("batchnorm", pick(MISTAKES, "running_var_biased"))
