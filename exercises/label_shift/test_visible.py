"""Visible tests for `label_shift`: run them with `dlx check label_shift`.

Small hand-checkable cases; the hidden tests of `dlx submit` use random data,
singular confusion matrices, many classes and a large simulated shift.
"""
import numpy as np

from grader.checks import assert_close

Y_VAL = np.array([0, 0, 0, 1, 1])
Y_VAL_PRED = np.array([0, 0, 1, 1, 1])  # one sample of class 0 is predicted 1


def test_confusion_matrix_small_example(submission):
    """confusion_matrix: rows predicted, columns true, entries sum to 1"""
    C = submission.confusion_matrix(Y_VAL, Y_VAL_PRED, 3)
    assert_close(C, [[0.4, 0.0, 0.0], [0.2, 0.4, 0.0], [0.0, 0.0, 0.0]], "confusion_matrix", "C")


def test_label_shift_weights_small_example(submission):
    """label_shift_weights: solves C w = mu on a two-class example"""
    # C = [[0.4, 0], [0.2, 0.4]], mu = [0.25, 0.75]: w0 = 0.25 / 0.4, then 0.2 w0 + 0.4 w1 = 0.75.
    w = submission.label_shift_weights(Y_VAL, Y_VAL_PRED, np.array([0, 1, 1, 1]), 2)
    assert_close(w, [0.625, 1.5625], "label_shift_weights", "w")


def test_target_label_distribution_small_example(submission):
    """target_label_distribution: w * p_source, normalised"""
    q = submission.target_label_distribution(np.array([0.5, 2.0]), np.array([0, 0, 0, 1]), 2)
    assert_close(q, [0.375 / 0.875, 0.5 / 0.875], "target_label_distribution", "q")
