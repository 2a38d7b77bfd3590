"""Reference for `early_stopping`."""
import copy
import math


class EarlyStopping:
    """Stop when `patience` calls in a row have not improved on the best loss by more than `min_delta`."""

    def __init__(self, patience=5, min_delta=0.0):
        self.patience = patience
        self.min_delta = min_delta
        self.best_loss = math.inf
        self.best_epoch = None
        self.best_params = None
        self.num_bad_epochs = 0
        self.epoch = 0

    def step(self, val_loss, params=None):
        """Record one validation loss; True when training should stop."""
        val_loss = float(val_loss)
        if val_loss < self.best_loss - self.min_delta:  # False for NaN
            self.best_loss = val_loss
            self.best_epoch = self.epoch
            self.best_params = copy.deepcopy(params)
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        self.epoch += 1
        return self.num_bad_epochs >= self.patience
