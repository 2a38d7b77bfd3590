"""Reference for `batchnorm` (matches torch.nn.functional.batch_norm)."""
import numpy as np


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train=True, momentum=0.1, eps=1e-5):
    """Normalise each feature; training also moves the running statistics toward the batch's."""
    if not train:
        xhat = (x - running_mean) / np.sqrt(running_var + eps)
        return gamma * xhat + beta, None, running_mean.copy(), running_var.copy()
    mean = x.mean(axis=0)
    var = x.var(axis=0)  # biased (divides by N): used to normalise
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mean) * inv_std
    new_mean = (1 - momentum) * running_mean + momentum * mean
    new_var = (1 - momentum) * running_var + momentum * x.var(axis=0, ddof=1)  # unbiased (N - 1)
    return gamma * xhat + beta, (xhat, gamma, inv_std), new_mean, new_var


def batchnorm_backward(dout, cache):
    """Gradients of the training forward, with the batch statistics' dependence on x."""
    xhat, gamma, inv_std = cache
    n = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dx = gamma * inv_std / n * (n * dout - dbeta - xhat * dgamma)
    return dx, dgamma, dbeta
