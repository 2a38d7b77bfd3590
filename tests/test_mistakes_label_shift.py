"""Typical mistakes in `label_shift` lose the points they should, and only those."""
from tests.grading import assert_loses, failed_tests, grade, mutate, solution_text

SOLUTION = solution_text("label_shift")
RANK_CHECK = "if np.linalg.matrix_rank(C) < num_classes:"
TLD_TESTS = {"target_label_distribution: w * p_source, normalised",
             "target_label_distribution: the true weights give back the target distribution"}
SINGULAR_TESTS = {"label_shift_weights: raises ValueError when a class is missing from y_val or never predicted",
                  "label_shift_weights: raises ValueError when two classes are confused identically",
                  "label_shift_weights: no ValueError for a well-conditioned C with many classes"}


def assert_keeps(result, *names):
    kept = failed_tests(result).intersection(names)
    assert not kept, f"these tests should still pass: {sorted(kept)}"


def test_transposed_confusion_matrix():
    result = grade("label_shift", mutate(SOLUTION, "(y_pred, y_true), 1.0", "(y_true, y_pred), 1.0"))
    assert_loses(result, "rows are predicted classes", "solves C w = mu for an imperfect classifier")
    assert_keeps(result, "label_shift_weights: a perfect classifier gives w = q / p exactly", *TLD_TESTS)
    message = next(t.output for t in result.tests if "rows are predicted" in t.name)
    assert "transposed" in message


def test_conditional_instead_of_joint_confusion():
    # P(prediction | true class): columns normalised. Solving with it gives q itself, not q / p.
    source = mutate(SOLUTION, "return counts / len(y_true)", "return counts / np.maximum(counts.sum(axis=0), 1)")
    result = grade("label_shift", source)
    assert_loses(result, "rows are predicted classes", "normalised over all samples", "perfect classifier",
                 "imperfect classifier", "large simulated shift")
    assert_keeps(result, *SINGULAR_TESTS, *TLD_TESTS)


def test_negative_weights_not_clipped():
    result = grade("label_shift", mutate(SOLUTION, "np.maximum(np.linalg.solve(C, mu), 0.0)", "np.linalg.solve(C, mu)"))
    assert_loses(result, "clipped to 0")
    assert result.score == result.max_score - 1


def test_no_singularity_check_relies_on_solve():
    # np.linalg.solve raises LinAlgError (a ValueError) for a zero row or column, but rounding hides two
    # identical columns: it returns huge weights instead.
    result = grade("label_shift", mutate(SOLUTION, RANK_CHECK, "if False:"))
    assert_loses(result, "confused identically")
    assert result.score == result.max_score - 1


def test_determinant_threshold():
    result = grade("label_shift", mutate(SOLUTION, RANK_CHECK, "if abs(np.linalg.det(C)) < 1e-8:"))
    assert_loses(result, "many classes")
    assert result.score == result.max_score - 1


def test_wrong_exception_type():
    result = grade("label_shift", mutate(SOLUTION, "raise ValueError(", "raise RuntimeError("))
    assert_loses(result, "missing from y_val", "confused identically")
    assert result.score == result.max_score - 2
    message = next(t.output for t in result.tests if "confused identically" in t.name)
    assert "raised RuntimeError" in message


def test_mu_as_counts():
    result = grade("label_shift", mutate(SOLUTION, "mu = _fractions(y_target_pred, num_classes)",
                                         "mu = np.bincount(y_target_pred, minlength=num_classes)"))
    assert_loses(result, "perfect classifier", "imperfect classifier", "large simulated shift")
    assert_keeps(result, *SINGULAR_TESTS, *TLD_TESTS)


def test_target_distribution_not_normalised():
    result = grade("label_shift", mutate(SOLUTION, "return q / q.sum()", "return q"))
    assert_loses(result, *TLD_TESTS)
    assert result.score == result.max_score - 3


def test_target_distribution_ignores_source_prior():
    result = grade("label_shift", mutate(SOLUTION, "q = w * _fractions(y_source, num_classes)", "q = w"))
    assert_loses(result, *TLD_TESTS)
    assert result.score == result.max_score - 3


def test_class_counts_without_minlength():
    """np.bincount without minlength: a class absent at the end gives a distribution that is too short."""
    result = grade("label_shift", mutate(SOLUTION, "np.bincount(labels, minlength=num_classes)", "np.bincount(labels)"))
    assert_loses(result, "a perfect classifier", "w * p_source, normalised", "clipped to 0")
    assert failed_tests(result) == {t.name for t in result.tests if "a perfect classifier" in t.name
                                    or "w * p_source, normalised" in t.name or "clipped to 0" in t.name}


def test_seeds_agree():
    assert grade("label_shift", SOLUTION, 3).score == grade("label_shift", SOLUTION, 4).score
    wrong = mutate(SOLUTION, "(y_pred, y_true), 1.0", "(y_true, y_pred), 1.0")
    assert grade("label_shift", wrong, 3).score == grade("label_shift", wrong, 4).score


def test_a_value_error_subclass_is_a_value_error():
    """A correct solution may raise its own subclass of ValueError for a singular C."""
    source = "class SingularConfusionError(ValueError):\n    pass\n\n\n" + SOLUTION.replace(
        "raise ValueError(", "raise SingularConfusionError(")
    assert source != "class SingularConfusionError(ValueError):\n    pass\n\n\n" + SOLUTION
    result = grade("label_shift", source)
    assert result.score == result.max_score, [t.output for t in result.tests if not t.passed]
