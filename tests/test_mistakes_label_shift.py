"""Typical mistakes in `label_shift` lose the points they should, and only those.

Add a mistake by appending a row to ``MISTAKES``: the edit of the reference and the ids of the tests it must
fail; ``keeps=`` names the tests that must still pass when the others are free to fail.
"""
from tests.grading import mistake, mistake_tests, pick, seeds_agree_test

RANK_CHECK = "if np.linalg.matrix_rank(C) < num_classes:"
TARGET_DISTRIBUTION = ("target_distribution", "target_distribution_recovers_q")
SINGULAR = ("singular_missing_class", "singular_identical_confusion", "invertible_many_classes")

MISTAKES = [
    mistake("transposed_confusion_matrix", "(y_pred, y_true), 1.0", "(y_true, y_pred), 1.0",
            "confusion_orientation", "weights_confused_classifier", "singular_missing_class",
            "singular_identical_confusion", keeps=("weights_perfect_classifier", *TARGET_DISTRIBUTION),
            says={"confusion_orientation": "transposed",
                  "singular_missing_class": "does not follow the solution of C w = mu"},
            seeds=tuple(range(0, 24, 3))),
    # P(prediction | true class): columns normalised. Solving with it gives q itself, not q / p.
    mistake("conditional_instead_of_joint_confusion", "return counts / len(y_true)",
            "return counts / np.maximum(counts.sum(axis=0), 1)", "confusion_orientation",
            "confusion_joint_and_absent_classes", "weights_perfect_classifier", "weights_confused_classifier",
            "weights_large_sample", keeps=(*SINGULAR, *TARGET_DISTRIBUTION), seeds=(0, 5)),
    mistake("negative_weights_not_clipped", "np.maximum(np.linalg.solve(C, mu), 0.0)", "np.linalg.solve(C, mu)",
            "weights_clipped", lost=1),
    # np.linalg.solve raises LinAlgError (a ValueError) for a zero row or column, but rounding hides two
    # identical columns: it returns huge weights instead.
    mistake("no_singularity_check_relies_on_solve", RANK_CHECK, "if False:", "singular_identical_confusion", lost=1),
    mistake("determinant_threshold", RANK_CHECK, "if abs(np.linalg.det(C)) < 1e-8:", "invertible_many_classes",
            lost=1),
    mistake("wrong_exception_type", "raise ValueError(", "raise RuntimeError(", "singular_missing_class",
            "singular_identical_confusion", lost=2, says={"singular_identical_confusion": "raised RuntimeError"}),
    mistake("mu_as_counts", "mu = _fractions(y_target_pred, num_classes)",
            "mu = np.bincount(y_target_pred, minlength=num_classes)", "weights_perfect_classifier",
            "weights_confused_classifier", "weights_large_sample", keeps=(*SINGULAR, *TARGET_DISTRIBUTION), seeds=(0, 5)),
    mistake("target_distribution_not_normalised", "return q / q.sum()", "return q", *TARGET_DISTRIBUTION, lost=3),
    mistake("target_distribution_ignores_source_prior", "q = w * _fractions(y_source, num_classes)", "q = w",
            *TARGET_DISTRIBUTION, lost=3),
    # np.bincount without minlength: a class absent at the end gives a distribution that is too short
    mistake("class_counts_without_minlength", "np.bincount(labels, minlength=num_classes)", "np.bincount(labels)",
            "weights_perfect_classifier", "target_distribution", "weights_clipped"),
    # a correct solution may raise its own subclass of ValueError for a singular C
    mistake("a_value_error_subclass_is_a_value_error", "raise ValueError(", "raise SingularConfusionError(",
            prefix="class SingularConfusionError(ValueError):\n    pass\n\n\n"),
]

test_mistake = mistake_tests("label_shift", MISTAKES)
test_seeds_agree = seeds_agree_test("label_shift", pick(MISTAKES, "transposed_confusion_matrix"))
