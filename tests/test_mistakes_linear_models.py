"""Typical mistakes in `linear_models` lose the points they should, and only those.

Add a mistake by appending a row to ``MISTAKES``: the edit of the reference and the ids of the tests it must fail.
"""
from tests.grading import edited, mistake, mistake_tests, pick, seeds_agree_test

MISTAKES = [
    mistake("naive_log_of_sigmoid", "    softplus = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))\n"
                                    "    return float(np.mean(softplus - y * z)),",
            "    p = 1.0 / (1.0 + np.exp(-z))\n    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))),",
            "logistic_large_scores", says={"logistic_large_scores": "overflow"}),
    mistake("softmax_without_the_max_shift", "    shifted = shifted - shifted.max(axis=1, keepdims=True)\n", "",
            "softmax_large_scores"),
    mistake("kink_counted_as_active", "active = u > 0", "active = u >= 0", "perceptron_kink", "svm_kink",
            says={"perceptron_kink": "flat branch", "svm_kink": "flat branch"}),
    mistake("svm_gradient_forgets_weight_decay", "dw + lam * w", "dw", "svm_grad"),
    mistake("gradient_of_the_sum_with_a_mean_loss", "X.T @ r / len(y)", "X.T @ r", "linear_grad"),
    # gradient_descent is judged with a right loss of the file (here logistic), so it keeps its points too
    mistake("sum_loss_with_its_own_gradient_keeps_the_gradient_point",
            "return float(np.mean(0.5 * r ** 2)), X.T @ r / len(y)", "return float(np.sum(0.5 * r ** 2)), X.T @ r",
            "linear_loss"),
    mistake("softmax_loss_summed", "return float(-np.mean(log_probs[np.arange(n), y]))",
            "return float(-np.sum(log_probs[np.arange(n), y]))", "softmax_loss", "softmax_large_scores"),
    mistake("loss_recorded_after_the_step", "        losses.append(float(loss))\n        w = w - lr * dw\n",
            "        w = w - lr * dw\n        losses.append(float(loss_grad(w, X, y)[0]))\n", "gd_losses"),
    edited("descent_updates_w0_in_place", [
        ("    w = np.array(w0, dtype=np.float64)\n", "    w = w0\n"),
        ("        w = w - lr * dw\n", "        w -= lr * dw\n"),
    ], "gd_no_mutation"),
    # the linear-regression gradient written into gradient_descent: right for the student's own loss_grad only
    mistake("descent_never_calls_loss_grad", "        loss, dw = loss_grad(w, X, y)\n",
            "        r = X @ w - y\n        loss, dw = 0.5 * np.mean(r ** 2), X.T @ r / len(y)\n", "gd_updates",
            says={"gd_updates": "call the loss_grad you are given"}),
    # num_steps + 1 losses lose the loss-history test, not the test of the weights
    mistake("final_loss_appended_costs_only_the_loss_test", "        w = w - lr * dw\n    return w, losses",
            "        w = w - lr * dw\n    losses.append(float(loss_grad(w, X, y)[0]))\n    return w, losses", "gd_losses"),
    mistake("linear_gradient_in_float32", "X.T @ r / len(y)", "X.T.astype(np.float32) @ r / len(y)",
            "linear_grad", says={"linear_grad": "that is float32 precision"}),
]

test_mistake = mistake_tests("linear_models", MISTAKES)
test_seeds_agree = seeds_agree_test("linear_models", pick(MISTAKES, "kink_counted_as_active"))
