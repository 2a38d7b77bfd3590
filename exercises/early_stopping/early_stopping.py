"""Exercise `early_stopping`: stop training when the validation loss stops improving.

Complete the class, then run `dlx check early_stopping` (visible tests) and
`dlx submit early_stopping` (the graded, hidden tests).
`dlx hint early_stopping` helps.
"""
import copy
import math


class EarlyStopping:
    """Watches the validation loss, one call of ``step`` per epoch.

    Usage::

        stopper = EarlyStopping(patience=5, min_delta=0.0)
        for epoch in range(max_epochs):
            train_one_epoch(params)
            if stopper.step(validation_loss(params), params):
                break
        params = stopper.best_params        # the weights of the best epoch

    Args:
        patience: int >= 1, how many calls in a row without improvement are
            tolerated before ``step`` returns True.
        min_delta: float >= 0. A call *improves* when its loss is lower than
            ``best_loss`` by MORE than ``min_delta``: ``val_loss < best_loss -
            min_delta``. Equal to the best, or better by exactly ``min_delta``
            or less, is not an improvement. NaN is never an improvement.

    Attributes (read by the grader; keep these names):
        best_loss: the best loss so far; ``math.inf`` before any call (and as
            long as no call has improved, e.g. after only NaN losses).
        best_epoch: the 0-based index of the call that set ``best_loss``
            (the first call has index 0); None before any improvement.
        best_params: a deep copy (``copy.deepcopy``) of the ``params`` passed
            to that call, so that later changes to the caller's object,
            however deeply nested, cannot touch it; None before any improvement.
    """

    def __init__(self, patience=5, min_delta=0.0):
        raise NotImplementedError("EarlyStopping.__init__")

    def step(self, val_loss, params=None):
        """Record one epoch's validation loss (a float, possibly NaN).

        On an improvement: update ``best_loss``, ``best_epoch`` and
        ``best_params`` and reset the count of calls without improvement;
        otherwise add one to that count.

        Returns:
            bool: True when the last ``patience`` calls in a row have all
            failed to improve (the count has reached ``patience``), else False.
            Later calls follow the same rule.
        """
        raise NotImplementedError("EarlyStopping.step")
