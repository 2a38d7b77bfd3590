"""Visible tests for `init`: run them with `dlx check init`.

They are quick sanity checks; the hidden tests of `dlx submit` judge the
scale and the shape of the distributions statistically on large matrices.
"""
import numpy as np

from grader.i18n import _
from grader.checks import Feedback, as_array

FUNCTIONS = ("xavier_uniform", "xavier_normal", "he_normal", "lecun_normal")


def test_shape_and_reproducibility(submission):
    """all initialisers: shape (n_in, n_out), and the same seed gives the same matrix"""
    for fn in FUNCTIONS:
        first = as_array(submission.call(fn, 3, 8, np.random.default_rng(0)), fn, "W", (3, 8))
        second = as_array(submission.call(fn, 3, 8, np.random.default_rng(0)), fn, "W", (3, 8))
        if not np.array_equal(first, second):
            raise Feedback(_("{fn}: the same seed gave two different matrices; draw only from rng").format(
                               fn=fn))


def test_xavier_uniform_bound(submission):
    """xavier_uniform: every entry lies in [-a, a], a = sqrt(6 / (n_in + n_out))"""
    W = as_array(submission.xavier_uniform(300, 100, np.random.default_rng(1)), "xavier_uniform", "W", (300, 100))
    a = np.sqrt(6 / 400)
    if np.abs(W).max() > a * (1 + 1e-12) or np.abs(W).max() < 0.99 * a:
        raise Feedback(_("xavier_uniform: max |W| is {value:.4f}; expected just below a = {a:.4f}").format(
                           value=np.abs(W).max(), a=a))


def test_he_normal_scale(submission):
    """he_normal: the standard deviation is about sqrt(2 / n_in), not sqrt(2 / n_out)"""
    W = as_array(submission.he_normal(20, 5000, np.random.default_rng(2)), "he_normal", "W", (20, 5000))
    std, expected = W.std(), np.sqrt(2 / 20)
    if abs(std / expected - 1) > 0.05:
        raise Feedback(_("he_normal: W has standard deviation {std:.4f}; expected about {expected:.4f}").format(
                           std=std, expected=expected))
