"""Typical mistakes in `covariate_shift` lose the points they should, and only those."""
from tests.grading import edited, mistake, mistake_tests, pick, seeds_agree_test

BETA = "beta = np.exp(X_source @ w + b) * (len(X_source) / n_target)"
FIT = "w, b = _fit_logistic(X_source, X_target, l2)"
WRONG_SIZE = ("no_shift_gives_unit_weights", "scales_like_true_ratio", "matches_optimum", "l2_penalty",
              "max_weight_clips")  # the domain classifier's weights rank the rows right, in the wrong size
WRONG_FIT = ("matches_optimum", "l2_penalty", "max_weight_clips")
WLS = ("wls_ridge", "wls_weights_not_normalised")
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


def gradient_descent_fit(solution: str) -> str:
    """The reference fitting its classifier by gradient descent (step 1) until the gradient norm is below 1e-6."""
    start, end = solution.index("def _fit_logistic("), solution.index("def _importance_weights(")
    return solution[:start] + GRADIENT_DESCENT + solution[end:]


MISTAKES = [
    mistake("forgets_class_proportions", BETA, "beta = np.exp(X_source @ w + b)", *WRONG_SIZE),
    mistake("domain_labels_swapped", "[np.zeros(len(X_source)), np.ones(len(X_target))]",
            "[np.ones(len(X_source)), np.zeros(len(X_target))]", *WRONG_SIZE, "ranks_like_true_ratio"),
    mistake("probability_instead_of_odds", BETA, BETA.replace("np.exp(", "_sigmoid("), *WRONG_SIZE),
    mistake("not_converged_keeps_statistical_points", "for _ in range(100):", "for _ in range(2):",
            "matches_optimum", "max_weight_clips"),
    # 800 gradient steps (step size 1) reach the optimum on the easy data, not on correlated features
    edited("fixed_count_of_gradient_steps", [
        ("step = np.linalg.solve(hess, grad)", "step = grad"),
        ("for _ in range(100):", "for _ in range(800):"),
    ], "matches_optimum", says={"matches_optimum": "two strongly correlated features"}),
    # gradient descent to the tolerance the docstring advises is right
    edited("gradient_descent_to_the_documented_tolerance_scores_full_marks", [], build=gradient_descent_fit,
           seeds=(0, 1)),
    mistake("penalty_without_one_half", FIT, "w, b = _fit_logistic(X_source, X_target, 2 * l2)", *WRONG_FIT),
    # summing the log-loss over the n pooled rows has the same minimiser as the mean with l2 / n
    mistake("summed_instead_of_mean_log_loss", FIT,
            "w, b = _fit_logistic(X_source, X_target, l2 / (len(X_source) + len(X_target)))", *WRONG_FIT),
    mistake("penalised_intercept_is_tolerated", FIT,
            "w, b = _fit_logistic(X_source, X_target, l2, penalise_intercept=True)"),
    mistake("clips_from_below", "np.minimum(beta, max_weight)", "np.maximum(beta, max_weight)", "max_weight_clips",
            lost=2),
    mistake("wls_ignores_ridge", " + l2 * np.eye(X.shape[1])", "", *WLS, lost=3),
    mistake("wls_normalises_weights", "    gram = X.T", "    weights = weights / weights.sum()\n    gram = X.T", *WLS,
            lost=3),
    edited("wls_squares_the_weights", [
        ("X.T @ (weights[:, None] * X)", "X.T @ (weights[:, None] ** 2 * X)"),
        ("X.T @ (weights * y)", "X.T @ (weights ** 2 * y)"),
    ], "wls_closed_form", "wls_zero_weights", *WLS, lost=6),
]

test_mistake = mistake_tests("covariate_shift", MISTAKES)
test_seeds_agree = seeds_agree_test("covariate_shift", pick(MISTAKES, "forgets_class_proportions"))
