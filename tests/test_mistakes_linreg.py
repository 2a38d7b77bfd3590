"""Typical mistakes in `linreg` lose the points they should, and only those."""
from tests.grading import assert_loses_only, grade, mutate, solution_text

SOLUTION = solution_text("linreg")
STEP_TESTS = ("one epoch matches", "short last batch match", "losses match the reference", "defaults")


def test_last_batch_divided_by_batch_size():
    # the textbook's sgd divides by batch_size even when the last batch is shorter
    source = mutate(SOLUTION, "X_batch.T @ residual / len(y_batch)", "X_batch.T @ residual / batch_size")
    assert_loses_only(grade("linreg", source), "short last batch match", "losses match the reference")


def test_short_last_batch_dropped():
    source = mutate(SOLUTION, "range(0, len(X), batch_size)", "range(0, len(X) - batch_size + 1, batch_size)")
    result = grade("linreg", source)
    assert_loses_only(result, "every example exactly once", "the last batch holds what is left",
                      "short last batch match", "losses match the reference")
    sizes = next(t for t in result.tests if "the last batch holds" in t.name)
    assert "the batch sizes should be [5, 5, 5, 5, 3]; they are [5, 5, 5, 5]" in sizes.output


def test_gradient_of_the_sum_not_the_mean():
    source = mutate(SOLUTION, "X_batch.T @ residual / len(y_batch)", "X_batch.T @ residual")
    source = mutate(source, "float(np.mean(residual))", "float(np.sum(residual))")
    assert_loses_only(grade("linreg", source), *STEP_TESTS)  # it still converges: those points are kept


def test_zero_initial_weights():
    source = mutate(SOLUTION, "w = rng.normal(0, 0.01, size=X.shape[1])", "w = np.zeros(X.shape[1])")
    assert_loses_only(grade("linreg", source), "w starts as rng.normal", *STEP_TESTS)


def test_loss_without_the_half():
    source = mutate(SOLUTION, "np.mean(0.5 * (X @ w + b - y) ** 2)", "np.mean((X @ w + b - y) ** 2)")
    assert_loses_only(grade("linreg", source), "losses match the reference", "losses[-1] is the mean")


def test_targets_not_shuffled_with_the_inputs():
    source = mutate(SOLUTION, "yield X[idx], y[idx]", "yield X[idx], y[start:start + batch_size]")
    result = grade("linreg", source)
    # a model trained on mismatched targets does not fit, so the right types earn nothing either (issue 11)
    assert_loses_only(result, "y_batch[i] is the target", "converges to the least-squares", "returns (w, b, losses)",
                      "leaves X and y unchanged", *STEP_TESTS)


def test_global_random_state():
    source = mutate(SOLUTION, "order = rng.permutation(len(X))", "order = np.random.permutation(len(X))")
    assert_loses_only(grade("linreg", source), "follow rng.permutation", "the last batch holds what is left",
                      *STEP_TESTS)


def test_bias_never_updated():
    source = mutate(SOLUTION, "            b = b - lr * float(np.mean(residual))\n", "")
    assert_loses_only(grade("linreg", source), "converges to the least-squares", *STEP_TESTS)


def test_mutating_the_inputs():
    source = mutate(SOLUTION, "    w = rng.normal(0, 0.01, size=X.shape[1])\n",
                    "    w = rng.normal(0, 0.01, size=X.shape[1])\n    y -= 0.0\n    y *= 1.0 + 1e-12\n")
    assert_loses_only(grade("linreg", source), "leaves X and y unchanged")


def test_seeds_agree():
    assert grade("linreg", SOLUTION, 3).score == grade("linreg", SOLUTION, 4).score
    wrong = mutate(SOLUTION, "X_batch.T @ residual / len(y_batch)", "X_batch.T @ residual / batch_size")
    assert grade("linreg", wrong, 3).score == grade("linreg", wrong, 4).score


def test_initial_loss_recorded_too_costs_only_the_loss_tests():
    """One extra entry in losses (the loss before training) loses the loss tests, not those of w and b."""
    result = grade("linreg", mutate(SOLUTION, "losses = []", "losses = [squared_loss(X, y, w, b)]"))
    assert_loses_only(result, "losses")
