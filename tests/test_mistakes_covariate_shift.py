"""Typical mistakes in `covariate_shift` lose the points they should, and only those."""
from tests.grading import assert_loses, failed_tests, grade, mutate, solution_text

SOLUTION = solution_text("covariate_shift")
BETA = "beta = np.exp(X_source @ w + b) * (len(X_source) / n_target)"
WLS_TESTS = {
    "weighted_least_squares: solves the weighted normal equations",
    "weighted_least_squares: l2 adds l2 * ||w||^2",
    "weighted_least_squares: rows with weight 0 have no influence",
    "weighted_least_squares: the weights are used as given, not normalised",
}
DCW_SHAPE = "domain_classifier_weights: one positive weight per source row; inputs unchanged"
DCW_RANKS = "domain_classifier_weights: ranks source rows like the true density ratio"
DCW_SIZE = "domain_classifier_weights: weights match the true density ratio in size"


def assert_keeps(result, *names):
    kept = failed_tests(result).intersection(names)
    assert not kept, f"these tests should still pass: {sorted(kept)}"


def test_forgets_class_proportions():
    result = grade("covariate_shift", mutate(SOLUTION, BETA, "beta = np.exp(X_source @ w + b)"))
    assert_loses(result, "weights are 1 when", "in size", "minimiser of the regularised", "l2 adds 0.5",
                 "clipped at max_weight")
    assert_keeps(result, DCW_SHAPE, DCW_RANKS, *WLS_TESTS)


def test_domain_labels_swapped():
    source = mutate(SOLUTION, "[np.zeros(len(X_source)), np.ones(len(X_target))]",
                    "[np.ones(len(X_source)), np.zeros(len(X_target))]")
    result = grade("covariate_shift", source)
    assert_loses(result, "weights are 1 when", "ranks source rows", "in size", "minimiser of the regularised")
    assert_keeps(result, DCW_SHAPE, *WLS_TESTS)


def test_probability_instead_of_odds():
    result = grade("covariate_shift", mutate(SOLUTION, BETA, BETA.replace("np.exp(", "_sigmoid(")))
    assert_loses(result, "weights are 1 when", "in size", "minimiser of the regularised")
    assert_keeps(result, DCW_SHAPE, DCW_RANKS, *WLS_TESTS)


def test_not_converged_keeps_statistical_points():
    result = grade("covariate_shift", mutate(SOLUTION, "for _ in range(100):", "for _ in range(2):"))
    assert_loses(result, "minimiser of the regularised", "clipped at max_weight")
    assert_keeps(result, DCW_SHAPE, DCW_RANKS, DCW_SIZE, *WLS_TESTS)


def test_fixed_count_of_gradient_steps():
    """800 gradient steps (step size 1) reach the optimum on the easy data, not on correlated features."""
    source = mutate(SOLUTION, "step = np.linalg.solve(hess, grad)", "step = grad")
    result = grade("covariate_shift", mutate(source, "for _ in range(100):", "for _ in range(800):"))
    assert_loses(result, "minimiser of the regularised")
    assert "two strongly correlated features" in next(t.output for t in result.tests if "minimiser" in t.name)
    assert_keeps(result, DCW_SHAPE, DCW_RANKS, DCW_SIZE, "l2 adds 0.5", "clipped at max_weight", *WLS_TESTS)


GRADIENT_DESCENT = '''def _fit_logistic(X_source, X_target, l2):
    features = np.vstack([X_source, X_target])
    features = np.hstack([features, np.ones((len(features), 1))])
    labels = np.concatenate([np.zeros(len(X_source)), np.ones(len(X_target))])
    penalty = np.full(features.shape[1], float(l2))
    penalty[-1] = 0.0
    theta = np.zeros(features.shape[1])
    while True:
        grad = features.T @ (_sigmoid(features @ theta) - labels) / len(labels) + penalty * theta
        if np.linalg.norm(grad) < 1e-6:
            return theta[:-1], theta[-1]
        theta = theta - grad


'''


def test_gradient_descent_to_the_documented_tolerance_scores_full_marks():
    """Gradient descent with step size 1 until the gradient norm is below 1e-6, as the docstring advises."""
    start, end = SOLUTION.index("def _fit_logistic("), SOLUTION.index("def _importance_weights(")
    source = SOLUTION[:start] + GRADIENT_DESCENT + SOLUTION[end:]
    for seed in (0, 1):
        result = grade("covariate_shift", source, seed)
        assert result.score == result.max_score, [t.output for t in result.tests if not t.passed]


def test_penalty_without_one_half():
    source = mutate(SOLUTION, "w, b = _fit_logistic(X_source, X_target, l2)",
                    "w, b = _fit_logistic(X_source, X_target, 2 * l2)")
    result = grade("covariate_shift", source)
    assert_loses(result, "l2 adds 0.5")
    assert_keeps(result, DCW_SHAPE, DCW_RANKS, "domain_classifier_weights: weights are 1 when the target repeats "
                 "the source rows", *WLS_TESTS)


def test_summed_instead_of_mean_log_loss():
    # Summing the log-loss over the n pooled rows has the same minimiser as the mean with l2 / n.
    source = mutate(SOLUTION, "w, b = _fit_logistic(X_source, X_target, l2)",
                    "w, b = _fit_logistic(X_source, X_target, l2 / (len(X_source) + len(X_target)))")
    result = grade("covariate_shift", source)
    assert_loses(result, "l2 adds 0.5", "minimiser of the regularised")
    assert_keeps(result, DCW_SHAPE, DCW_RANKS, DCW_SIZE, *WLS_TESTS)


def test_penalised_intercept_is_tolerated():
    source = mutate(SOLUTION, "w, b = _fit_logistic(X_source, X_target, l2)",
                    "w, b = _fit_logistic(X_source, X_target, l2, penalise_intercept=True)")
    result = grade("covariate_shift", source)
    assert result.score == result.max_score, failed_tests(result)


def test_clips_from_below():
    source = mutate(SOLUTION, "np.minimum(beta, max_weight)", "np.maximum(beta, max_weight)")
    result = grade("covariate_shift", source)
    assert_loses(result, "clipped at max_weight")
    assert result.score == result.max_score - 2


def test_wls_ignores_ridge():
    source = mutate(SOLUTION, " + l2 * np.eye(X.shape[1])", "")
    result = grade("covariate_shift", source)
    assert_loses(result, "l2 adds l2", "not normalised")
    assert result.score == result.max_score - 3


def test_wls_normalises_weights():
    source = mutate(SOLUTION, "    gram = X.T", "    weights = weights / weights.sum()\n    gram = X.T")
    result = grade("covariate_shift", source)
    assert_loses(result, "l2 adds l2", "not normalised")
    assert result.score == result.max_score - 3


def test_wls_squares_the_weights():
    source = mutate(SOLUTION, "X.T @ (weights[:, None] * X)", "X.T @ (weights[:, None] ** 2 * X)")
    source = mutate(source, "X.T @ (weights * y)", "X.T @ (weights ** 2 * y)")
    result = grade("covariate_shift", source)
    assert_loses(result, "weighted normal equations", "l2 adds l2", "weight 0", "not normalised")
    assert result.score == result.max_score - 6


def test_seeds_agree():
    assert grade("covariate_shift", SOLUTION, 3).score == grade("covariate_shift", SOLUTION, 4).score
    wrong = mutate(SOLUTION, BETA, "beta = np.exp(X_source @ w + b)")
    assert grade("covariate_shift", wrong, 3).score == grade("covariate_shift", wrong, 4).score
