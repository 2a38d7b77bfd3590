"""Typical mistakes in `linear_models` lose the points they should, and only those."""
from tests.grading import assert_loses_only, grade, mutate, solution_text

SOLUTION = solution_text("linear_models")


def test_naive_log_of_sigmoid():
    source = mutate(SOLUTION, "    softplus = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))\n"
                              "    return float(np.mean(softplus - y * z)),",
                    "    p = 1.0 / (1.0 + np.exp(-z))\n"
                    "    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))),")
    result = grade("linear_models", source)
    assert_loses_only(result, "logistic_regression_loss_grad: finite and warning-free")
    assert "overflow" in next(t.output for t in result.tests if not t.passed)


def test_softmax_without_the_max_shift():
    source = mutate(SOLUTION, "    shifted = shifted - shifted.max(axis=1, keepdims=True)\n", "")
    assert_loses_only(grade("linear_models", source), "softmax_regression_loss_grad: finite and warning-free")


def test_kink_counted_as_active():
    source = mutate(SOLUTION, "active = u > 0", "active = u >= 0")
    result = grade("linear_models", source)
    assert_loses_only(result, "score of exactly 0", "exactly on the margin")
    assert all("flat branch" in t.output for t in result.tests if not t.passed)


def test_svm_gradient_forgets_weight_decay():
    source = mutate(SOLUTION, "dw + lam * w", "dw")
    assert_loses_only(grade("linear_models", source), "svm_loss_grad: dw is right")


def test_gradient_of_the_sum_with_a_mean_loss():
    source = mutate(SOLUTION, "X.T @ r / len(y)", "X.T @ r")
    assert_loses_only(grade("linear_models", source), "linear_regression_loss_grad: dw is right")


def test_sum_loss_with_its_own_gradient_keeps_the_gradient_point():
    source = mutate(SOLUTION, "return float(np.mean(0.5 * r ** 2)), X.T @ r / len(y)",
                    "return float(np.sum(0.5 * r ** 2)), X.T @ r")
    # gradient_descent is judged against the student's own loss_grad, so it keeps its points too
    assert_loses_only(grade("linear_models", source), "linear_regression_loss_grad: loss is the mean")


def test_softmax_loss_summed():
    source = mutate(SOLUTION, "return float(-np.mean(log_probs[np.arange(n), y]))",
                    "return float(-np.sum(log_probs[np.arange(n), y]))")
    assert_loses_only(grade("linear_models", source), "softmax_regression_loss_grad: loss is the mean",
                      "softmax_regression_loss_grad: finite and warning-free")


def test_loss_recorded_after_the_step():
    source = mutate(SOLUTION, "        losses.append(float(loss))\n        w = w - lr * dw\n",
                    "        w = w - lr * dw\n        losses.append(float(loss_grad(w, X, y)[0]))\n")
    assert_loses_only(grade("linear_models", source), "losses[t] is the loss at the weights before step t")


def test_descent_updates_w0_in_place():
    source = mutate(SOLUTION, "    w = np.array(w0, dtype=np.float64)\n", "    w = w0\n")
    source = mutate(source, "        w = w - lr * dw\n", "        w -= lr * dw\n")
    assert_loses_only(grade("linear_models", source), "gradient_descent: leaves w0 unchanged")


def test_descent_never_calls_loss_grad():
    """The linear-regression gradient written into gradient_descent: right for the student's own loss_grad only."""
    source = mutate(SOLUTION, "        loss, dw = loss_grad(w, X, y)\n",
                    "        r = X @ w - y\n        loss, dw = 0.5 * np.mean(r ** 2), X.T @ r / len(y)\n")
    result = assert_loses_only(grade("linear_models", source), "w follows w <- w - lr * dw")
    assert "call the loss_grad you are given" in next(t.output for t in result.tests if not t.passed)


def test_seeds_agree():
    assert grade("linear_models", SOLUTION, 3).score == grade("linear_models", SOLUTION, 4).score
    wrong = mutate(SOLUTION, "active = u > 0", "active = u >= 0")
    assert grade("linear_models", wrong, 3).score == grade("linear_models", wrong, 4).score


def test_final_loss_appended_costs_only_the_loss_test():
    """num_steps + 1 losses lose the loss-history test, not the test of the weights."""
    source = mutate(SOLUTION, "        w = w - lr * dw\n    return w, losses",
                    "        w = w - lr * dw\n    losses.append(float(loss_grad(w, X, y)[0]))\n    return w, losses")
    assert_loses_only(grade("linear_models", source), "losses[t] is the loss")
