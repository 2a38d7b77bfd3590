"""Exercise `covariate_shift`: importance weights from a domain classifier, and a weighted fit.

Complete both functions, then run `dlx check covariate_shift` (visible tests) and
`dlx submit covariate_shift` (the graded, hidden tests). `dlx hint covariate_shift` helps.
NumPy only: write the optimisation yourself (no scikit-learn, no SciPy optimisers).
"""
import numpy as np


def domain_classifier_weights(X_source, X_target, l2=1e-3, max_weight=None):
    """Importance weights beta_i ~ p_target(x_i) / p_source(x_i) for the source rows.

    Fit a logistic-regression domain classifier on the pooled rows, labelled
    z = 0 for every source row and z = 1 for every target row:

        h(x) = x @ w + b                      (the logit; b is the intercept)
        P(z = 1 | x) = sigmoid(h(x))
        J(w, b) = mean over all n_source + n_target rows of the log-loss
                  - [z log sigmoid(h) + (1 - z) log(1 - sigmoid(h))]
                  + 0.5 * l2 * ||w||^2        (the intercept b is not penalised)

    Minimise J yourself (gradient descent or Newton's method; J is convex). Then

        beta_i = exp(h(x_i)) * n_source / n_target      for each source row x_i,

    because the classifier's odds are p_target(x) n_target / (p_source(x) n_source).
    When ``max_weight`` is given, return ``minimum(beta, max_weight)``.

    Args:
        X_source: float64 array (n_source, D), the training (source) inputs.
        X_target: float64 array (n_target, D), unlabelled inputs from the target.
        l2: the strength of the L2 penalty on w (a float >= 0).
        max_weight: None (no clipping) or a float, the largest weight returned.

    Returns:
        beta: float64 array of shape (n_source,), all > 0.

    Accuracy and time: the tests compare beta with the exact minimiser of J to a
    relative error of 1e-3, so converge properly (gradient norm below ~1e-6).
    The tests use at most a few thousand rows and a few features of order 1;
    there, Newton's method converges in under ten steps; full-batch gradient
    descent with step size 1 (starting from zero) typically needs 100 to 400
    steps, but several thousand when two features are strongly correlated
    (one test has such a pair), so stop when the gradient norm is below 1e-6
    rather than after a fixed count. Newton takes well under a second,
    gradient descent about a second at most. Compute sigmoid and log-loss without overflow.
    Do not modify X_source or X_target.
    """
    raise NotImplementedError("domain_classifier_weights")


def weighted_least_squares(X, y, weights, l2=0.0):
    """The weighted, ridge-penalised least-squares fit (no intercept: fold it into X).

    Minimises  sum_i weights_i * (x_i @ w - y_i)^2 + l2 * ||w||^2,  whose minimiser
    solves the normal equations

        (X.T @ diag(weights) @ X + l2 * I) w = X.T @ diag(weights) @ y.

    The weights are used as given (do not normalise them): a row with weight 0
    has no influence, and multiplying every weight by c is the same as dividing
    l2 by c.

    Args:
        X: float64 array (N, D).
        y: float64 array (N,).
        weights: float64 array (N,), each >= 0 (for example importance weights).
        l2: the ridge strength (a float >= 0).

    Returns:
        w: float64 array of shape (D,).

    Solve the linear system (np.linalg.solve); do not form a matrix inverse.
    Do not modify the arguments.
    """
    raise NotImplementedError("weighted_least_squares")
