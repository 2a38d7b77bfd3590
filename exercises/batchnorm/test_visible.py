"""Visible tests for `batchnorm`: run them with `dlx check batchnorm`.

They use small hand-checkable inputs; the hidden tests of `dlx submit` use
random inputs, non-default momentum and eps, and a numerical gradient check.
"""
import numpy as np

from grader.checks import as_tuple, assert_close, numerical_gradient_array

FWD = "batchnorm_forward"
OUTPUTS = "(out, cache, new_running_mean, new_running_var)"


def test_training_forward_small_example(submission):
    """batchnorm_forward in training on a 2x1 batch: values and running statistics"""
    x = np.array([[1.0], [3.0]])  # mean 2, biased variance 1, unbiased variance 2
    out, _, mean, var = as_tuple(submission.batchnorm_forward(x, np.array([2.0]), np.array([0.5]), np.zeros(1),
                                                              np.ones(1), eps=0.0), 4, FWD, OUTPUTS)
    assert_close(out, [[-1.5], [2.5]], FWD, "out")
    assert_close(mean, [0.2], FWD, "new_running_mean")
    assert_close(var, [1.1], FWD, "new_running_var (0.9 * 1 + 0.1 * unbiased variance 2)")


def test_evaluation_forward_small_example(submission):
    """batchnorm_forward in evaluation uses the running statistics"""
    x = np.array([[1.0, 0.0], [3.0, 4.0]])
    out, _, mean, var = as_tuple(submission.batchnorm_forward(x, np.ones(2), np.zeros(2), np.array([1.0, 2.0]),
                                                              np.array([4.0, 1.0]), train=False, eps=0.0),
                                 4, FWD, OUTPUTS)
    assert_close(out, [[0.0, -2.0], [1.0, 2.0]], FWD, "out")
    assert_close(mean, [1.0, 2.0], FWD, "new_running_mean")
    assert_close(var, [4.0, 1.0], FWD, "new_running_var")


def test_backward_matches_numerical_gradient(submission):
    """batchnorm_backward agrees with a numerical gradient"""
    rng = np.random.default_rng(0)
    x, gamma, beta = rng.normal(size=(5, 3)), rng.normal(size=3), rng.normal(size=3)
    dout = rng.normal(size=(5, 3))

    def forward(x, gamma, beta):
        return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-5) + beta

    _, cache, _, _ = as_tuple(submission.batchnorm_forward(x, gamma, beta, np.zeros(3), np.ones(3)), 4, FWD, OUTPUTS)
    dx, dgamma, dbeta = as_tuple(submission.batchnorm_backward(dout, cache), 3, "batchnorm_backward",
                                 "(dx, dgamma, dbeta)")
    fn = "batchnorm_backward"
    assert_close(dx, numerical_gradient_array(lambda v: forward(v, gamma, beta), x, dout), fn, "dx", 1e-5)
    assert_close(dgamma, numerical_gradient_array(lambda v: forward(x, v, beta), gamma, dout), fn, "dgamma", 1e-6)
    assert_close(dbeta, numerical_gradient_array(lambda v: forward(x, gamma, v), beta, dout), fn, "dbeta", 1e-6)
