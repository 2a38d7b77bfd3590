"""Typical mistakes in `batchnorm` lose the points they should, and only those."""
import numpy as np

from grader.catalog import get
from grader.runner import load_reference
from grader.testing import numerical_gradient_array, rel_error
from tests.grading import assert_loses_only, grade, mutate, solution_text

SOLUTION = solution_text("batchnorm")


def assert_loses_only_source(source, *fragments):
    """Grade ``source``: exactly the tests named by ``fragments`` fail."""
    return assert_loses_only(grade("batchnorm", source), *fragments)
RUNNING_MEAN = "(1 - momentum) * running_mean + momentum * mean"


def test_reference_matches_numerical_gradient():
    ref = load_reference(str(get("batchnorm").solution))
    rng = np.random.default_rng(7)
    args = [rng.normal(1, 2, size=(5, 3)), rng.normal(size=3), rng.normal(size=3), np.zeros(3), np.ones(3)]
    dout = rng.normal(size=(5, 3))
    grads = ref.batchnorm_backward(dout, ref.batchnorm_forward(*args)[1])
    for i in range(3):
        def forward(v, i=i):
            return ref.batchnorm_forward(*(v if j == i else a for j, a in enumerate(args)))[0]
        assert rel_error(grads[i], numerical_gradient_array(forward, args[i], dout)) < 1e-6


def test_reference_follows_pytorch_conventions():
    """Hand-computed values under torch.nn.functional.batch_norm's conventions (momentum 0.1, eps 1e-5)."""
    ref = load_reference(str(get("batchnorm").solution))
    x = np.array([[1.0, 2.0], [3.0, -1.0], [4.0, 0.5]])
    out, _, mean, var = ref.batchnorm_forward(x, np.array([1.0, 2.0]), np.array([0.0, 1.0]), np.zeros(2), np.ones(2))
    # batch means (8/3, 0.5), biased variances (14/9, 1.5), unbiased (7/3, 2.25)
    assert np.allclose(mean, [0.8 / 3, 0.05])
    assert np.allclose(var, [0.9 + 0.7 / 3, 0.9 + 0.225])
    assert np.allclose(out[:, 0], (x[:, 0] - 8 / 3) / np.sqrt(14 / 9 + 1e-5))


def test_running_var_biased():
    assert_loses_only_source(mutate(SOLUTION, "x.var(axis=0, ddof=1)", "x.var(axis=0)"), "unbiased batch variance",
                             "honours non-default momentum and eps")


def test_normalising_with_unbiased_variance():
    source = mutate(SOLUTION, "var = x.var(axis=0)  #", "var = x.var(axis=0, ddof=1)  #")
    # dgamma and dbeta stay right for this forward (partial credit); dx does not. Leaving the arguments alone
    # earns its point only where most of the calls judged are right (issue 11): here two of three are wrong.
    assert_loses_only_source(source, "biased variance", "non-default momentum", "dx is right",
                             "leave their arguments unchanged")


def test_keras_momentum_convention():
    source = mutate(SOLUTION, RUNNING_MEAN, "momentum * running_mean + (1 - momentum) * mean")
    source = mutate(source, "(1 - momentum) * running_var + momentum * x",
                    "momentum * running_var + (1 - momentum) * x")
    assert_loses_only_source(source, "running_mean moves", "unbiased batch variance", "non-default momentum")


def test_eps_ignored():
    source = mutate(SOLUTION, "np.sqrt(var + eps)", "np.sqrt(var + 1e-5)")
    source = mutate(source, "np.sqrt(running_var + eps)", "np.sqrt(running_var + 1e-5)")
    assert_loses_only_source(source, "non-default momentum", "normalises with the running statistics")


def test_evaluation_uses_batch_statistics():
    assert_loses_only_source(mutate(SOLUTION, "if not train:", "if False:"),
                  "normalises with the running statistics", "returns the running statistics unchanged")


def test_running_stats_updated_in_place():
    source = mutate(SOLUTION, f"new_mean = {RUNNING_MEAN}",
                    "running_mean *= 1 - momentum\n    running_mean += momentum * mean\n    new_mean = running_mean")
    assert_loses_only_source(source, "leave their arguments unchanged")


def test_dx_ignores_the_batch_statistics():
    source = mutate(SOLUTION, "gamma * inv_std / n * (n * dout - dbeta - xhat * dgamma)", "gamma * inv_std * dout")
    assert_loses_only_source(source, "dx is right")


def test_dgamma_not_summed():
    assert_loses_only_source(mutate(SOLUTION, "(dout * xhat).sum(axis=0)", "dout * xhat"), "dgamma is right", "dx is right")


def test_seeds_agree():
    assert grade("batchnorm", SOLUTION, 3).score == grade("batchnorm", SOLUTION, 4).score
    wrong = mutate(SOLUTION, "x.var(axis=0, ddof=1)", "x.var(axis=0)")
    assert grade("batchnorm", wrong, 3).score == grade("batchnorm", wrong, 4).score


def test_running_variance_ignores_momentum():
    source = mutate(SOLUTION, "new_var = (1 - momentum) * running_var + momentum * x.var(axis=0, ddof=1)",
                    "new_var = 0.9 * running_var + 0.1 * x.var(axis=0, ddof=1)")
    assert_loses_only(grade("batchnorm", source), "honours non-default momentum and eps")


def test_backward_without_eps():
    """A right forward whose backward drops eps is close to right, but not right: dx loses its points."""
    source = mutate(SOLUTION, "    return gamma * xhat + beta, (xhat, gamma, inv_std), new_mean, new_var",
                    "    return gamma * xhat + beta, (xhat, gamma, 1.0 / np.sqrt(var)), new_mean, new_var")
    for seed in (0, 1, 4, 5):
        assert_loses_only(grade("batchnorm", source, seed), "dx is right")
