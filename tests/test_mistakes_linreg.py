"""Typical mistakes in `linreg` lose the points they should, and only those."""
from tests.grading import edited, mistake, mistake_tests, pick, seeds_agree_test

INIT = "    w = rng.normal(0, 0.01, size=X.shape[1])\n"
STEPS = ("train_one_epoch", "train_short_last_batch", "train_losses_match_reference", "train_defaults")

MISTAKES = [
    # the textbook's sgd divides by batch_size even when the last batch is shorter
    mistake("last_batch_divided_by_batch_size", "X_batch.T @ residual / len(y_batch)",
            "X_batch.T @ residual / batch_size", "train_short_last_batch", "train_losses_match_reference"),
    mistake("short_last_batch_dropped", "range(0, len(X), batch_size)", "range(0, len(X) - batch_size + 1, batch_size)",
            "data_iter_covers_every_example_once", "data_iter_short_last_batch", "train_short_last_batch",
            "train_losses_match_reference",
            says={"data_iter_short_last_batch": "the batch sizes should be [5, 5, 5, 5, 3]; they are [5, 5, 5, 5]"}),
    edited("gradient_of_the_sum_not_the_mean", [  # it still converges: those points are kept
        ("X_batch.T @ residual / len(y_batch)", "X_batch.T @ residual"),
        ("float(np.mean(residual))", "float(np.sum(residual))"),
    ], *STEPS),
    mistake("zero_initial_weights", INIT, "    w = np.zeros(X.shape[1])\n", "train_initial_weights", *STEPS),
    mistake("loss_without_the_half", "np.mean(0.5 * (X @ w + b - y) ** 2)", "np.mean((X @ w + b - y) ** 2)",
            "train_losses_match_reference", "train_losses_of_returned_weights"),
    # a model trained on mismatched targets does not fit, so the right types earn nothing either (issue 11)
    mistake("targets_not_shuffled_with_the_inputs", "yield X[idx], y[idx]", "yield X[idx], y[start:start + batch_size]",
            "data_iter_aligned", "train_converges_to_least_squares", "train_returns", "train_no_mutation", *STEPS),
    mistake("global_random_state", "order = rng.permutation(len(X))", "order = np.random.permutation(len(X))",
            "data_iter_order", "data_iter_short_last_batch", *STEPS),
    mistake("bias_never_updated", "            b = b - lr * float(np.mean(residual))\n", "",
            "train_converges_to_least_squares", *STEPS),
    mistake("mutating_the_inputs", INIT, INIT + "    y -= 0.0\n    y *= 1.0 + 1e-12\n", "train_no_mutation"),
    # one extra entry in losses (the loss before training) loses the loss tests, not those of w and b
    mistake("initial_loss_recorded_too_costs_only_the_loss_tests", "losses = []", "losses = [squared_loss(X, y, w, b)]",
            "train_returns", "train_losses_match_reference", "train_losses_of_returned_weights"),
]

test_mistake = mistake_tests("linreg", MISTAKES)
test_seeds_agree = seeds_agree_test("linreg", pick(MISTAKES, "last_batch_divided_by_batch_size"))
