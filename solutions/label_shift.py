"""Reference for `label_shift`."""
import numpy as np


def _fractions(labels, num_classes):
    """The fraction of ``labels`` equal to each class."""
    return np.bincount(labels, minlength=num_classes) / len(labels)


def confusion_matrix(y_true, y_pred, num_classes):
    """C[i, j] = fraction of all samples predicted i whose true label is j."""
    counts = np.zeros((num_classes, num_classes))
    np.add.at(counts, (y_pred, y_true), 1.0)
    return counts / len(y_true)


def label_shift_weights(y_val, y_val_pred, y_target_pred, num_classes):
    """Black-box shift estimation: solve C w = mu and clip negative weights to 0."""
    C = confusion_matrix(y_val, y_val_pred, num_classes)
    if np.linalg.matrix_rank(C) < num_classes:
        raise ValueError("the confusion matrix C is singular, so C w = mu has no unique solution "
                         "(is a class never predicted, or missing from y_val?)")
    mu = _fractions(y_target_pred, num_classes)
    return np.maximum(np.linalg.solve(C, mu), 0.0)


def target_label_distribution(w, y_source, num_classes):
    """q(y) proportional to w(y) p_source(y), normalised to sum 1."""
    q = w * _fractions(y_source, num_classes)
    return q / q.sum()
