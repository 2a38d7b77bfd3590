"""Visible tests for `optim`: run them with `dlx check optim`.

They use small hand-checkable inputs; the hidden tests of `dlx submit` use
random inputs, every optimiser's defaults, long runs on a quadratic and a
reference implementation.
"""
import numpy as np

from grader.checks import as_tuple, assert_close


def test_sgd_and_momentum_by_hand(submission):
    """sgd_step and momentum_step on a small example"""
    w, dw = np.array([1.0, -2.0]), np.array([0.5, 1.0])
    assert_close(submission.sgd_step(w, dw, 0.1), [0.95, -2.1], "sgd_step", "w_new")
    w_new, v_new = as_tuple(submission.momentum_step(w, dw, np.array([1.0, 0.0]), 0.1, momentum=0.5),
                            2, "momentum_step", "(w_new, v_new)")
    assert_close(v_new, [1.0, 1.0], "momentum_step", "v_new")  # 0.5 * [1, 0] + [0.5, 1]
    assert_close(w_new, [0.9, -2.1], "momentum_step", "w_new")


def test_adagrad_and_rmsprop_by_hand(submission):
    """adagrad_step and rmsprop_step on a small example"""
    w, dw, s = np.array([1.0, 1.0]), np.array([3.0, -4.0]), np.array([16.0, 9.0])
    w_new, s_new = as_tuple(submission.adagrad_step(w, dw, s, lr=0.1), 2, "adagrad_step", "(w_new, s_new)")
    assert_close(s_new, [25.0, 25.0], "adagrad_step", "s_new")
    assert_close(w_new, [1.0 - 0.1 * 3 / 5, 1.0 + 0.1 * 4 / 5], "adagrad_step", "w_new", 1e-9)
    w_new, s_new = as_tuple(submission.rmsprop_step(w, dw, s, lr=0.1, alpha=0.5), 2, "rmsprop_step", "(w_new, s_new)")
    assert_close(s_new, [12.5, 12.5], "rmsprop_step", "s_new")  # 0.5 * s + 0.5 * dw ** 2
    assert_close(w_new, [1.0 - 0.3 / 12.5 ** 0.5, 1.0 + 0.4 / 12.5 ** 0.5], "rmsprop_step", "w_new", 1e-9)


def test_adam_first_step_moves_by_lr(submission):
    """adam_step: the bias-corrected first step moves each weight by about lr"""
    w, dw, zeros = np.array([0.0, 1.0, 2.0]), np.array([0.3, -5.0, 2e3]), np.zeros(3)
    w_new, m_new, v_new = as_tuple(submission.adam_step(w, dw, zeros, zeros, 1, lr=0.01),
                                   3, "adam_step", "(w_new, m_new, v_new)")
    assert_close(m_new, 0.1 * dw, "adam_step", "m_new (uncorrected)")
    assert_close(v_new, 0.001 * dw ** 2, "adam_step", "v_new (uncorrected)")
    assert_close(w_new, w - 0.01 * np.sign(dw), "adam_step", "w_new", 1e-6)
