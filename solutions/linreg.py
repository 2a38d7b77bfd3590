"""Reference for `linreg`."""
import numpy as np


def data_iter(batch_size, X, y, rng):
    """Yield (X_batch, y_batch) in the order rng.permutation(len(X)), the last batch possibly shorter."""
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]


def squared_loss(X, y, w, b):
    """The mean over the rows of 0.5 * (X @ w + b - y) ** 2."""
    return float(np.mean(0.5 * (X @ w + b - y) ** 2))


def linreg_train(X, y, rng, lr=0.03, num_epochs=3, batch_size=10):
    """Minibatch SGD on the squared loss; losses[e] is the mean loss over X after epoch e."""
    w = rng.normal(0, 0.01, size=X.shape[1])
    b = 0.0
    losses = []
    for _ in range(num_epochs):
        for X_batch, y_batch in data_iter(batch_size, X, y, rng):
            residual = X_batch @ w + b - y_batch
            w = w - lr * X_batch.T @ residual / len(y_batch)
            b = b - lr * float(np.mean(residual))
        losses.append(squared_loss(X, y, w, b))
    return w, b, losses
