"""Exercise `train_torch`: build and train a PyTorch classifier.

Complete `train_classifier`, then run `dlx check train_torch` (visible tests) and
`dlx submit train_torch` (the graded, hidden tests). `dlx hint train_torch` helps.

Time budget: the grader runs your code on one CPU core, one thread. One call of
`train_classifier` may take at most 60 s, and the whole grading (four
trainings) at most 120 s of CPU time; aim for a few seconds.
"""
import torch
from torch import nn


def train_classifier(X, y, num_classes, seed):
    """Build a ``torch.nn.Module`` classifier and train it on (X, y).

    Args:
        X: float32 NumPy array of shape (N, D): N training inputs (a few thousand,
            D between 10 and 16). The features have different scales and offsets.
        y: int64 NumPy array of shape (N,), class labels in ``0 .. num_classes - 1``.
        num_classes: the number of classes C (3 to 5).
        seed: an int. Call ``torch.manual_seed(seed)`` before creating the model, and
            take all randomness (initialisation, shuffling) from torch's generator, so
            that the same seed and data give exactly the same model (and another
            seed another model: use the argument, not a constant).

    Returns:
        The trained model, an ``nn.Module`` that maps a float32 tensor of shape (M, D)
        to logits of shape (M, C) (unnormalised scores, not probabilities: no final
        softmax; the predicted class is the argmax). The grader calls ``model.eval()`` and then ``model(x)`` under
        ``torch.no_grad()`` on held-out inputs from the same distribution, without
        any preprocessing: put any input normalisation inside the model.

    Do not modify X or y in place (standardise a copy, or inside the model).
    """
    raise NotImplementedError("train_classifier")
