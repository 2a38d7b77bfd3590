"""Reference for `covariate_shift`."""
import numpy as np


def _sigmoid(z):
    """1 / (1 + exp(-z)) without overflow."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _fit_logistic(X_source, X_target, l2, penalise_intercept=False):
    """The domain classifier (w, b): Newton's method on the mean log-loss plus 0.5 * l2 * ||w||^2.

    The hidden suite also calls this with ``penalise_intercept=True``: the catalogue
    leaves open whether the intercept is penalised, so both optima are accepted.
    """
    features = np.vstack([X_source, X_target])
    features = np.hstack([features, np.ones((len(features), 1))])
    labels = np.concatenate([np.zeros(len(X_source)), np.ones(len(X_target))])
    n, d = features.shape
    penalty = np.full(d, float(l2))
    if not penalise_intercept:
        penalty[-1] = 0.0

    def objective(theta):
        z = features @ theta
        return np.mean(np.logaddexp(0.0, z) - labels * z) + 0.5 * np.sum(penalty * theta ** 2)

    theta = np.zeros(d)
    for _ in range(100):
        p = _sigmoid(features @ theta)
        grad = features.T @ (p - labels) / n + penalty * theta
        hess = (features.T * (p * (1 - p))) @ features / n + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        # Backtrack only on a real increase: near the optimum the decrease is below rounding.
        t, f0 = 1.0, objective(theta)
        while objective(theta - t * step) > f0 + 1e-12 * abs(f0) and t > 1e-8:
            t /= 2
        theta = theta - t * step
        if np.max(np.abs(step)) < 1e-12:
            break
    return theta[:-1], theta[-1]


def _importance_weights(X_source, n_target, w, b, max_weight=None):
    """beta_i = exp(x_i @ w + b) * n_source / n_target, clipped at max_weight."""
    beta = np.exp(X_source @ w + b) * (len(X_source) / n_target)
    return beta if max_weight is None else np.minimum(beta, max_weight)


def domain_classifier_weights(X_source, X_target, l2=1e-3, max_weight=None):
    """Importance weights p_target(x) / p_source(x) of the source rows, from a domain classifier."""
    w, b = _fit_logistic(X_source, X_target, l2)
    return _importance_weights(X_source, len(X_target), w, b, max_weight)


def weighted_least_squares(X, y, weights, l2=0.0):
    """argmin_w sum_i weights_i (x_i @ w - y_i)^2 + l2 ||w||^2, by the normal equations."""
    gram = X.T @ (weights[:, None] * X) + l2 * np.eye(X.shape[1])
    return np.linalg.solve(gram, X.T @ (weights * y))
