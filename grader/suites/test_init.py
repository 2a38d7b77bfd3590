"""Hidden suite for `init`.

The catalogue fixes the distributions, not which Generator methods draw them,
so the draws are judged statistically, on large matrices, with critical values
a correct sampler exceeds with probability below 1e-6 per test.  The bounds:

- Scale of a normal sampler.  With W_ij iid N(0, std^2) and n entries,
  n * T = sum(W^2) / std^2 is chi-square with n degrees of freedom.
  Laurent & Massart (2000, Lemma 1): P(T > 1 + 2 sqrt(x/n) + 2x/n) <= e^-x and
  P(T < 1 - 2 sqrt(x/n)) <= e^-x.  With x = 17 the band fails with
  probability <= 2 e^-17 = 8.3e-8.
- Shape (Kolmogorov-Smirnov).  For n iid draws from a continuous F, the
  Dvoretzky-Kiefer-Wolfowitz inequality with Massart's constant gives
  P(sup |F_n - F| > lam / sqrt(n)) <= 2 exp(-2 lam^2): with lam = 3, 3.0e-8.
  The statistic is taken on a grid (a lower bound of the supremum, so the
  bound still holds) after rescaling by the observed scale, so that a wrong
  scale does not also cost the shape points.  Rescaling by c times the true
  scale moves a CDF by at most sup |Phi(c x) - Phi(x)| <= phi(1) max(c - 1,
  (1 - c) / c) for a normal (c within the band above) and by d / 2 for a
  uniform (c = 1 - d below); that term is added to the critical value.
- Bounds of a uniform sampler.  For U(-a, a), P(max |W_ij| < a (1 - d)) =
  (1 - d)^n <= e^(-n d): with d = 20 / n, 2.1e-9.
A test combines at most one band and one KS statistic (8.3e-8 + 3.0e-8), or
one KS statistic and one maximum: a correct initialiser fails a test with
probability below 1.2e-7.
"""
import math

import numpy as np

from grader.proxy import TrustedFunction
from grader.i18n import _
from grader.checks import (
    Feedback,
    as_array,
    assert_finite,
    assert_no_global_random,
    graded,
    points,
)

FUNCTIONS = ("xavier_uniform", "xavier_normal", "he_normal", "lecun_normal")
LOG_BAND = 17.0  # x of the chi-square band: each side fails with probability e^-17 = 4.1e-8
KS_LAMBDA = 3.0  # sqrt(n) times the KS critical value: fails with probability 2 e^-18 = 3.0e-8
MAX_LOG = 20.0  # n d for the maximum of a uniform sample: fails with probability e^-20 = 2.1e-9
GRID = np.linspace(-4.0, 4.0, 801)  # where the standardised empirical CDF is compared with the target


# -- drawing and measuring ---------------------------------------------------------------------
def _generator(rng):
    """A fresh Generator seeded from ``rng``."""
    return np.random.default_rng(int(rng.integers(2**63)))


def _draw(submission, fn, n_in, n_out, rng, **kwargs):
    """The student's matrix for (n_in, n_out), drawn with a generator seeded from ``rng``."""
    W = as_array(submission.call(fn, n_in, n_out, _generator(rng), **kwargs), fn, "W", (n_in, n_out))
    assert_finite(W, fn, "W")
    return W


def _draw_from_rng(submission, fn, n_in, n_out, rng):
    """The student's matrix for (n_in, n_out), which must be drawn from the given generator alone.

    Tests that forgive the scale (the shape, the distribution's form) judge draws
    this way: any sampler of the student's own has the right form, and a matrix
    of zeros or constants has none.
    """
    seed = int(rng.integers(2**63))
    generator = submission.make(TrustedFunction("generator", {"seed": seed}))
    W = as_array(submission.call(fn, n_in, n_out, generator), fn, "W", (n_in, n_out))
    assert_finite(W, fn, "W")
    assert_no_global_random(submission, fn)
    if generator.get("bit_generator").get("state") == np.random.default_rng(seed).bit_generator.state:
        raise Feedback(_("{fn}: the generator rng was not used; draw every entry of W from rng").format(fn=fn))
    if W.size > 1 and np.all(W == W.flat[0]):
        raise Feedback(_("{fn}: every entry of W is {flat:.6g}; the entries must be random").format(
                           fn=fn, flat=W.flat[0]))
    return W


def _tall(rng):
    """n_in much larger than n_out: a matrix of 45,000 to 66,000 entries."""
    return int(rng.integers(1000, 1200)), int(rng.integers(45, 55))


def _wide(rng):
    """n_in much smaller than n_out: a matrix of 45,000 to 66,000 entries."""
    return int(rng.integers(45, 55)), int(rng.integers(1000, 1200))


def _band(n):
    """The interval a correct sampler's mean(W^2) / std^2 stays in, on n entries."""
    return 1.0 - 2.0 * math.sqrt(LOG_BAND / n), 1.0 + 2.0 * math.sqrt(LOG_BAND / n) + 2.0 * LOG_BAND / n


def _normal_cdf(x):
    """The standard normal CDF (math.erf, on the few hundred points of a grid)."""
    return 0.5 * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def _ks_distance(values, cdf, grid):
    """max over ``grid`` of |empirical CDF - cdf|: a lower bound of the KS statistic."""
    ordered = np.sort(values.ravel())
    return float(np.max(np.abs(np.searchsorted(ordered, grid, side="right") / ordered.size - cdf(grid))))


# -- judging ---------------------------------------------------------------------------------------
def _check_std(W, fn, std, formula):
    """The root mean square of W is within the chi-square band around ``std``."""
    low, high = _band(W.size)
    ratio = float(np.mean(W ** 2)) / std ** 2
    if not low <= ratio <= high:
        raise Feedback(
            _("{fn}: W has standard deviation {value:.4g}; expected {std:.4g} = {formula} (for n_in = {shape}, "
              "n_out = {shape2}, a correct sampler is within {percent} of it)").format(
                fn=fn, value=math.sqrt(ratio) * std, std=std, formula=formula, shape=W.shape[0], shape2=W.shape[1],
                percent=f"{100 * (math.sqrt(high) - 1):.1f}%")
        )


def _check_normal_shape(W, fn):
    """W / rms(W) follows N(0, 1): a KS test on the standardised entries."""
    n = W.size
    low, high = _band(n)
    c_low, c_high = math.sqrt(low), math.sqrt(high)
    # |Phi(c x) - Phi(x)| <= phi(1) max(c - 1, (1 - c) / c): the most a scale error within the band moves the CDF
    delta = math.exp(-0.5) / math.sqrt(2 * math.pi) * max(c_high - 1.0, (1.0 - c_low) / c_low)
    rms = math.sqrt(float(np.mean(W ** 2)))
    if rms == 0.0:
        raise Feedback(_("{fn}: every entry of W is 0; the entries must be random").format(fn=fn))
    distance = _ks_distance(W / rms, _normal_cdf, GRID)
    if distance > KS_LAMBDA / math.sqrt(n) + delta:
        raise Feedback(
            _("{fn}: the entries of W do not look normally distributed: their distribution function is "
              "{distance:.3f} away from a normal one of the same spread (a normal sampler stays within "
              "{value:.3f} on {n} entries)").format(
                fn=fn, distance=distance, value=KS_LAMBDA / math.sqrt(n) + delta, n=n)
        )


def _check_uniform_bounds(W, fn, a, formula):
    """Every |W| is at most a, and both the largest and the smallest entry reach almost a and -a.

    Each side of a U(-a, a) sample of n entries stays below a (1 - d) with
    probability (1 - d / 2)^n <= e^(-n d / 2); d = 2 MAX_LOG / n makes that e^-20.
    """
    top = float(np.max(np.abs(W)))
    if not top <= a * (1 + 1e-12):
        raise Feedback(_("{fn}: W has an entry of size {top:.6g}, outside [-a, a] for a = {formula} = {a:.6g}").format(
                           fn=fn, top=top, formula=formula, a=a))
    reach = 2 * MAX_LOG / W.size
    high, low = float(np.max(W)), float(np.min(W))
    if not (high >= a * (1 - reach) and -low >= a * (1 - reach)):
        raise Feedback(
            _("{fn}: the entries of W run from {low:.6g} to {high:.6g}, but a uniform sample of {size} entries "
              "on [-a, a] reaches within {percent} of both -a and a = {formula} = {a:.6g}").format(
                fn=fn, low=low, high=high, size=W.size, percent=f"{100 * reach:.3f}%", formula=formula, a=a)
        )


def _check_uniform_shape(W, fn):
    """W follows U(-m, m), m = max |W|: a KS test; m is within a (1 - d) of a, which moves the CDF by d / 2."""
    n = W.size
    m = float(np.max(np.abs(W)))
    if m == 0.0:
        raise Feedback(_("{fn}: every entry of W is 0; the entries must be random").format(fn=fn))
    distance = _ks_distance(W, lambda x: (x + m) / (2 * m), np.linspace(-m, m, 801))
    limit = KS_LAMBDA / math.sqrt(n) + MAX_LOG / n / 2
    if distance > limit:
        raise Feedback(
            _("{fn}: the entries of W are not spread evenly over [-a, a]: their distribution function is "
              "{distance:.3f} away from a uniform one (a uniform sampler stays within {limit:.3f} on {n} "
              "entries)").format(fn=fn, distance=distance, limit=limit, n=n)
        )


def _xavier_a(n_in, n_out, gain=1.0):
    return gain * math.sqrt(6.0 / (n_in + n_out))


def _xavier_std(n_in, n_out, gain=1.0):
    return gain * math.sqrt(2.0 / (n_in + n_out))


# -- every initialiser -------------------------------------------------------------------------------
@points(1, id="shapes")
def test_shapes(submission, rng):
    """all initialisers: W is a float64 array of shape (n_in, n_out)"""
    sizes = [(int(rng.integers(2, 6)), int(rng.integers(8, 12))), (int(rng.integers(8, 12)), 3)]
    for fn in FUNCTIONS:
        for (n_in, n_out), W in zip(sizes, submission.map(fn, [(*size, _generator(rng)) for size in sizes])):
            as_array(W, fn, f"W for n_in = {n_in}, n_out = {n_out}", (n_in, n_out))
            if W.dtype != np.float64:
                raise Feedback(_("{fn}: W has dtype {dtype}; expected float64").format(fn=fn, dtype=W.dtype))
        _draw_from_rng(submission, fn, 7, 5, rng)  # the shape earns its point only for random draws from rng


@points(2, id="same_generator_state_same_matrix")
def test_same_generator_state_same_matrix(submission, rng):
    """all initialisers: the same generator state gives the same matrix, drawn from rng alone"""
    for fn in FUNCTIONS:
        generator = _generator(rng)  # sent by state: the worker rebuilds it afresh for each call
        first, second = (as_array(W, fn, "W", (7, 5)) for W in submission.map(fn, [(7, 5, generator)] * 2))
        assert_no_global_random(submission, fn)
        _draw_from_rng(submission, fn, 7, 5, rng)  # not from a generator or seed of the student's own
        if not np.array_equal(first, second):
            raise Feedback(
                _("{fn}: two calls with generators in the same state returned different matrices; draw every "
                  "random number from rng (never np.random.* or the random module)").format(fn=fn)
            )


@points(1, id="different_generator_states")
def test_different_generator_states(submission, rng):
    """all initialisers: different generator states give different matrices"""
    for fn in FUNCTIONS:
        argsets = [(7, 5, _generator(rng)), (7, 5, _generator(rng))]
        first, second = (as_array(W, fn, "W", (7, 5)) for W in submission.map(fn, argsets))
        assert_finite(first, fn, "W")
        if np.array_equal(first, second):
            raise Feedback(
                _("{fn}: generators in different states gave the same matrix; the draws must come from rng, "
                  "not from a generator or seed of your own").format(fn=fn)
            )


# -- each initialiser: its scale, its gain, its distribution's form --------------------------------------
XAVIER_A, XAVIER_STD = "sqrt(6 / (n_in + n_out))", "sqrt(2 / (n_in + n_out))"


def _he_std(n_in, n_out):
    return math.sqrt(2.0 / n_in)


def _lecun_std(n_in, n_out):
    return math.sqrt(1.0 / n_in)


def _check_scale(submission, rng, fn, size, judge, scale, formula):
    """A matrix of ``size(rng)`` judged by ``judge`` (the std or the bounds) against ``scale(n_in, n_out)``."""
    n_in, n_out = size(rng)
    W = _draw(submission, fn, n_in, n_out, rng)
    judge(W, fn, scale(n_in, n_out), formula)


def _check_gain(submission, rng, fn, judge, scale, formula):
    """As :func:`_check_scale`, with a gain drawn from [1.5, 3)."""
    n_in, n_out = _wide(rng)
    gain = float(rng.uniform(1.5, 3.0))
    W = _draw(submission, fn, n_in, n_out, rng, gain=gain)
    judge(W, fn, scale(n_in, n_out, gain), f"{gain:.4g} * {formula}")


def _check_form(submission, rng, fn, size, judge):
    """The form of the distribution (``judge``: uniform or normal) of a matrix of ``size(rng)``."""
    n_in, n_out = size(rng)
    judge(_draw_from_rng(submission, fn, n_in, n_out, rng), fn)


test_xavier_uniform_bounds = graded(
    2, "xavier_uniform_bounds",
    "xavier_uniform: entries lie in [-a, a], a = sqrt(6 / (n_in + n_out)), and reach out to -a and a",
    _check_scale, "xavier_uniform", _tall, _check_uniform_bounds, _xavier_a, XAVIER_A)
test_xavier_uniform_gain = graded(1, "xavier_uniform_gain", "xavier_uniform: gain scales the bound", _check_gain,
                                  "xavier_uniform", _check_uniform_bounds, _xavier_a, XAVIER_A)
test_xavier_uniform_distribution = graded(2, "xavier_uniform_distribution",
                                          "xavier_uniform: entries are uniformly distributed", _check_form,
                                          "xavier_uniform", _tall, _check_uniform_shape)

test_xavier_normal_std = graded(2, "xavier_normal_std", f"xavier_normal: standard deviation {XAVIER_STD}",
                                _check_scale, "xavier_normal", _tall, _check_std, _xavier_std, XAVIER_STD)
test_xavier_normal_gain = graded(1, "xavier_normal_gain", "xavier_normal: gain scales the standard deviation",
                                 _check_gain, "xavier_normal", _check_std, _xavier_std, XAVIER_STD)
test_xavier_normal_distribution = graded(2, "xavier_normal_distribution",
                                         "xavier_normal: entries are normally distributed", _check_form,
                                         "xavier_normal", _wide, _check_normal_shape)

test_he_normal_std = graded(2, "he_normal_std", "he_normal: standard deviation sqrt(2 / n_in)", _check_scale,
                            "he_normal", _wide, _check_std, _he_std, "sqrt(2 / n_in)")
test_he_normal_distribution = graded(1, "he_normal_distribution", "he_normal: entries are normally distributed",
                                     _check_form, "he_normal", _tall, _check_normal_shape)

test_lecun_normal_std = graded(2, "lecun_normal_std", "lecun_normal: standard deviation sqrt(1 / n_in)",
                               _check_scale, "lecun_normal", _tall, _check_std, _lecun_std, "sqrt(1 / n_in)")
test_lecun_normal_distribution = graded(1, "lecun_normal_distribution",
                                        "lecun_normal: entries are normally distributed", _check_form,
                                        "lecun_normal", _wide, _check_normal_shape)
