"""Hidden suite for `covariate_shift`."""
import numpy as np

from grader.i18n import _
from grader.checks import Feedback, as_array, assert_close, assert_finite, assert_not_mutated, fmt, points, rel_error

DCW = "domain_classifier_weights"
WLS = "weighted_least_squares"
OPTIMUM_TOL = 1e-3  # the docstring promises this tolerance against the exact minimiser


def _unit(rng, dim):
    d = rng.normal(size=dim)
    return d / np.linalg.norm(d)


def _gaussian_shift(rng, n_source=4000, n_target=2000, dim=2):
    """Source N(0, I), target N(mu, I): log p_target/p_source = x @ mu - |mu|^2 / 2, linear in x."""
    mu = _unit(rng, dim) * rng.uniform(0.6, 0.9)
    X_source = rng.normal(size=(n_source, dim))
    X_target = rng.normal(size=(n_target, dim)) + mu
    return X_source, X_target, X_source @ mu - mu @ mu / 2


def _weights(submission, X_source, X_target, **kwargs):
    beta = as_array(submission.domain_classifier_weights(X_source, X_target, **kwargs), DCW, "beta", (len(X_source),))
    assert_finite(beta, DCW, "beta")
    return beta


def _assert_positive(beta):
    if not np.all(beta > 0):
        raise Feedback(_("{fn}: beta must be positive (the exponential of a logit, times n_source / n_target); "
                         "got {value} at [{value2}]").format(
                           fn=DCW, value=fmt(beta.min()), value2=int(np.argmin(beta))))


def _assert_optimal(beta, reference, X_source, X_target, l2, max_weight=None, where=""):
    """beta is the reference optimum, with the intercept unpenalised (documented) or penalised (tolerated)."""
    candidates = []
    for penalise_intercept in (False, True):
        w, b = reference._fit_logistic(X_source, X_target, l2, penalise_intercept)
        candidates.append(reference._importance_weights(X_source, len(X_target), w, b, max_weight))
    if min(rel_error(beta, c) for c in candidates) <= OPTIMUM_TOL:
        return
    assert_close(beta, candidates[0], DCW, f"beta{where}", OPTIMUM_TOL)


def _ranks(a):
    """Ranks 0..n-1, ties sharing their mean rank."""
    order = np.argsort(a, kind="stable")
    ranks = np.empty(len(a))
    ranks[order] = np.arange(len(a))
    _, group, counts = np.unique(a, return_inverse=True, return_counts=True)
    return (np.bincount(group, weights=ranks) / counts)[group]


def _spearman(a, b):
    ra, rb = _ranks(a), _ranks(b)
    if np.std(ra) == 0 or np.std(rb) == 0:
        return 0.0
    return float(np.corrcoef(ra, rb)[0, 1])


def _assert_follows_reference(beta, reference, X_source, X_target):
    """beta orders the source rows as the reference's weights do (or in reverse, a mistake other tests judge):
    shapes, signs and answers that hold for constant weights (1 with no shift) earn their points only for
    weights that respond to the data."""
    rho = _spearman(beta, reference.domain_classifier_weights(X_source, X_target))
    if not abs(rho) > 0.9:
        raise Feedback(_("{fn}: beta should change with the odds that a row comes from the target; its "
                         "Spearman correlation with the right weights is {rho:.3f} (on a shifted target), "
                         "expected above 0.9").format(fn=DCW, rho=rho))


@points(1, id="weights_shape")
def test_weights_shape(submission, reference, rng):
    """domain_classifier_weights: one positive weight per source row; inputs unchanged"""
    X_source, X_target = rng.normal(size=(50, 1)), rng.normal(size=(80, 1)) + 0.5
    beta = _weights(submission, X_source, X_target)
    assert_not_mutated(submission, DCW, ["X_source", "X_target"])
    _assert_positive(beta)
    _assert_follows_reference(beta, reference, X_source, X_target)


@points(2, id="no_shift_gives_unit_weights")
def test_no_shift_gives_unit_weights(submission, reference, rng):
    """domain_classifier_weights: weights are 1 when the target repeats the source rows"""
    X_source = rng.normal(size=(200, 3))
    X_target = rng.permutation(np.vstack([X_source, X_source]))  # same distribution, n_target = 2 n_source
    beta = _weights(submission, X_source, X_target, l2=0.0)
    assert_close(beta, np.ones(len(X_source)), DCW, _("beta (no shift, n_target = 2 n_source, l2 = 0)"), OPTIMUM_TOL)
    X_source, X_target = rng.normal(size=(50, 1)), rng.normal(size=(80, 1)) + 0.5
    _assert_follows_reference(_weights(submission, X_source, X_target), reference, X_source, X_target)


@points(2, id="ranks_like_true_ratio")
def test_ranks_like_true_ratio(submission, rng):
    """domain_classifier_weights: ranks source rows like the true density ratio"""
    X_source, X_target, log_ratio = _gaussian_shift(rng)
    # For x ~ N(0, I), Spearman's rho of two linear scores is (6/pi) asin(cos(angle)/2); rho < 0.9 needs an
    # angle of 24.6 degrees between the fitted and the true w, a slope error of >= 0.27 across |mu| >= 0.6:
    # over 6 standard deviations of the fit (sd <= 0.043 per direction at n = 6000, see below): P < 1e-9.
    rho = _spearman(_weights(submission, X_source, X_target), log_ratio)
    if not rho > 0.9:
        raise Feedback(_("{fn}: beta should grow with p_target(x) / p_source(x) (source N(0, I), target N(mu, "
                         "I)); Spearman correlation with the true ratio is {rho:.3f}, expected above 0.9").format(
                           fn=DCW, rho=rho))


@points(2, id="scales_like_true_ratio")
def test_scales_like_true_ratio(submission, rng):
    """domain_classifier_weights: weights match the true density ratio in size"""
    X_source, X_target, log_ratio = _gaussian_shift(rng)
    beta = _weights(submission, X_source, X_target)
    _assert_positive(beta)
    # The model is well specified: log beta - log ratio = x~ @ d with x~ = (x, 1), d = theta_hat - theta, so
    # rms^2 = d^T S d, S the source rows' second moment of x~, whose largest eigenvalue is below 1.33 with
    # probability 1 - 1e-7 (n_source = 4000). Asymptotically d ~ N(0, F^-1 / n); for n = 6000 and |mu| <= 0.9
    # the largest eigenvalue of F^-1 / n is 1.8e-3 (computed by Monte Carlo), so
    # P(rms > 0.35) <= P(|d|^2 > 0.35^2 / 1.33) <= P(1.8e-3 chi2_3 > 0.092) = P(chi2_3 > 51) < 1e-10.
    # (The 1e-6 quantile of the rms is about 0.23; 3000 simulated fits gave a maximum of 0.12.)
    rms = float(np.sqrt(np.mean((np.log(beta) - log_ratio) ** 2)))
    if not rms < 0.35:
        ratio = float(np.median(beta / np.exp(log_ratio)))
        raise Feedback(_("{fn}: beta differs from the true ratio p_target(x) / p_source(x) by a factor "
                         "exp({rms:.2f}) (root mean square of log beta - log ratio; expected below 0.35); the "
                         "median of beta / ratio is {ratio:.3g}").format(fn=DCW, rms=rms, ratio=ratio))


@points(3, id="matches_optimum")
def test_matches_optimum(submission, reference, rng):
    """domain_classifier_weights: weights come from the minimiser of the regularised log-loss"""
    # A variance shift too: the logistic model is misspecified, but its optimum is well defined.
    X_source = rng.normal(size=(300, 3))
    X_target = rng.normal(0.0, 0.5, size=3) + rng.uniform(0.8, 1.25, size=3) * rng.normal(size=(200, 3))
    beta = _weights(submission, X_source, X_target)
    _assert_optimal(beta, reference, X_source, X_target, 1e-3)
    # Two strongly correlated features, shifted mostly in their small difference: the optimum lies along a flat
    # direction of the loss. Newton needs no more steps; gradient descent needs thousands (stop on the gradient).
    X_source, X_target = _correlated_shift(rng, 1500, 1000)
    beta = _weights(submission, X_source, X_target)
    _assert_optimal(beta, reference, X_source, X_target, 1e-3, where=_(" (two strongly correlated features)"))


def _correlated_shift(rng, n_source, n_target):
    """Features x, x + 0.1 * noise and an independent one; the target moves x by 0.5 and the difference by 0.05."""
    def draw(n, shift, gap):
        x = rng.normal(size=n) + shift
        return np.c_[x, x + 0.1 * rng.normal(size=n) + gap, rng.normal(size=n) - 0.6 * shift]
    return draw(n_source, 0.0, 0.0), draw(n_target, 0.5, float(rng.choice([-1, 1]) * rng.uniform(0.04, 0.06)))


@points(2, id="l2_penalty")
def test_l2_penalty(submission, reference, rng):
    """domain_classifier_weights: l2 adds 0.5 * l2 * ||w||^2 to the mean log-loss"""
    X_source = rng.normal(size=(100, 2))
    X_target = rng.normal(size=(150, 2)) + 1.5 * _unit(rng, 2)
    beta = _weights(submission, X_source, X_target, l2=0.5)
    _assert_optimal(beta, reference, X_source, X_target, 0.5, where=" (l2 = 0.5)")


@points(2, id="max_weight_clips")
def test_max_weight_clips(submission, reference, rng):
    """domain_classifier_weights: weights are clipped at max_weight"""
    X_source = rng.normal(size=(300, 2))
    X_target = rng.normal(size=(200, 2)) + _unit(rng, 2)
    w, b = reference._fit_logistic(X_source, X_target, 1e-3)
    max_weight = float(np.median(reference._importance_weights(X_source, len(X_target), w, b)))
    beta = _weights(submission, X_source, X_target, max_weight=max_weight)
    _assert_optimal(beta, reference, X_source, X_target, 1e-3, max_weight, f" (max_weight = {max_weight:.3g})")


def _regression(rng, n=60, dim=4):
    """A noisy linear problem whose solution has no entry near 0 (relative errors stay meaningful)."""
    X = rng.normal(size=(n, dim))
    w_true = rng.choice([-1.0, 1.0], size=dim) * rng.uniform(0.5, 2.0, size=dim)
    y = X @ w_true + 0.1 * rng.normal(size=n)
    return X, y, rng.uniform(0.1, 3.0, size=n)


def _wls(submission, X, y, weights, **kwargs):
    w = submission.weighted_least_squares(X, y, weights, **kwargs)
    assert_not_mutated(submission, WLS, ["X", "y", "weights"])
    return as_array(w, WLS, "w", (X.shape[1],))


@points(2, id="wls_closed_form")
def test_wls_closed_form(submission, reference, rng):
    """weighted_least_squares: solves the weighted normal equations"""
    X, y, weights = _regression(rng)
    assert_close(_wls(submission, X, y, weights), reference.weighted_least_squares(X, y, weights), WLS, "w", 1e-7)


@points(2, id="wls_ridge")
def test_wls_ridge(submission, reference, rng):
    """weighted_least_squares: l2 adds l2 * ||w||^2"""
    X, y, weights = _regression(rng)
    weights = weights / weights.mean()
    l2 = float(rng.uniform(5.0, 20.0))
    assert_close(_wls(submission, X, y, weights, l2=l2), reference.weighted_least_squares(X, y, weights, l2),
                 WLS, f"w (l2 = {l2:.3g})", 1e-7)


@points(1, id="wls_zero_weights")
def test_wls_zero_weights(submission, reference, rng):
    """weighted_least_squares: rows with weight 0 have no influence"""
    X, y, weights = _regression(rng)
    dropped = rng.permutation(len(y))[:20]
    weights[dropped], y[dropped] = 0.0, 1e3 * rng.normal(size=20)
    kept = np.setdiff1d(np.arange(len(y)), dropped)
    expected = reference.weighted_least_squares(X[kept], y[kept], weights[kept])
    assert_close(_wls(submission, X, y, weights), expected, WLS, _("w (20 rows with weight 0)"), 1e-7)


@points(1, id="wls_weights_not_normalised")
def test_wls_weights_not_normalised(submission, reference, rng):
    """weighted_least_squares: the weights are used as given, not normalised"""
    X, y, weights = _regression(rng)
    scale, l2 = float(rng.uniform(5.0, 10.0)), float(rng.uniform(5.0, 20.0))
    expected = reference.weighted_least_squares(X, y, scale * weights, l2)
    assert_close(_wls(submission, X, y, scale * weights, l2=l2), expected, WLS,
                 _("w (weights multiplied by {scale:.3g}, l2 = {l2:.3g})").format(scale=scale, l2=l2), 1e-7)
