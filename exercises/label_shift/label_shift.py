"""Exercise `label_shift`: black-box shift estimation of the target's label distribution.

Complete the three functions, then run `dlx check label_shift` (visible tests) and
`dlx submit label_shift` (the graded, hidden tests). `dlx hint label_shift` helps.

Labels are integer arrays with values in 0 .. num_classes - 1.
"""
import numpy as np


def confusion_matrix(y_true, y_pred, num_classes):
    """The joint confusion matrix of a classifier on labelled data.

    C[i, j] = (number of samples with y_pred == i and y_true == j) / N:
    rows are the predicted class, columns the true class, and the whole matrix
    (not each row or column) is normalised, so its entries sum to 1. A class
    that never occurs gives a row or column of zeros.

    Args:
        y_true: int array (N,), the true labels.
        y_pred: int array (N,), the classifier's predictions.
        num_classes: K, the number of classes (classes may be absent from the data).

    Returns:
        C: float64 array of shape (K, K).
    """
    raise NotImplementedError("confusion_matrix")


def label_shift_weights(y_val, y_val_pred, y_target_pred, num_classes):
    """Estimate w[j] = q(y = j) / p(y = j) (target over source) from predictions alone.

    With C = confusion_matrix(y_val, y_val_pred, num_classes) on labelled
    validation data from the source, and mu[i] = the fraction of the target
    predictions y_target_pred equal to i, solve the K x K linear system

        C w = mu

    and clip negative entries of w to 0 (a negative weight is sampling noise).

    C must be invertible. If it is singular (np.linalg.matrix_rank(C) < K: for
    example a class that never occurs in y_val, a class that is never predicted,
    or two classes the classifier confuses in exactly the same way), raise
    ValueError with a message saying so.

    Args:
        y_val: int array (N_val,), true labels of the validation data.
        y_val_pred: int array (N_val,), the classifier's predictions on it.
        y_target_pred: int array (N_target,), its predictions on the unlabelled target data.
        num_classes: K.

    Returns:
        w: float64 array of shape (K,), all >= 0.

    Solve the system (np.linalg.solve); do not invert C. Do not modify the arguments.
    """
    raise NotImplementedError("label_shift_weights")


def target_label_distribution(w, y_source, num_classes):
    """The target's label distribution implied by the weights: q(y) proportional to w(y) p_source(y).

    p_source[j] is the fraction of y_source equal to j; return w * p_source
    divided by its sum, so the result sums to 1.

    Args:
        w: float64 array (K,), label-shift weights (>= 0, not all 0 where p_source > 0).
        y_source: int array (N,), the source (training) labels.
        num_classes: K.

    Returns:
        q: float64 array of shape (K,), >= 0, summing to 1.
    """
    raise NotImplementedError("target_label_distribution")
