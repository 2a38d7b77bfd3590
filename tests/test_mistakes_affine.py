"""Typical mistakes in `affine` lose the points they should, and only those."""
import pytest

from tests.grading import check_mistake, mistake, mistake_tests, pick, seeds_agree_test

MISTAKES = [
    # with a batch of one, mean and sum agree
    mistake("bias_gradient_not_summed", "dout.sum(axis=0)", "dout.mean(axis=0)", "backward_db", lost=1),
    mistake("dw_transposed", "x.T @ dout,", "dout.T @ x,", "backward_dw", "backward_single_row",
            says={"backward_dw": "dw has shape (3, 5); expected (5, 3)"}),
    mistake("forward_forgets_bias_keeps_backward_points", "return x @ w + b, (x, w, b)", "return x @ w, (x, w, b)",
            "forward_values", "forward_other_shapes"),
    mistake("mutating_input", "    return x @ w + b, (x, w, b)",
            "    x -= 0\n    x *= 1.0\n    x[0, 0] += 1e-3\n    return x @ w + b, (x, w, b)",
            "forward_values", "forward_other_shapes", "no_mutation"),
    mistake("backward_hardcoded_shape", "dout.sum(axis=0)",
            "dout.sum(axis=0) if dout.shape[0] > 1 else dout.reshape(-1) * 0", "backward_single_row", lost=1),
    # float32 arithmetic cast back to float64: the contract's dtype, but not its precision
    mistake("forward_in_float32_cast_back", "return x @ w + b, (x, w, b)",
            "return (x.astype(np.float32) @ w.astype(np.float32) + b.astype(np.float32)).astype(np.float64), "
            "(x, w, b)", "forward_values", "forward_other_shapes",
            says={"forward_values": "that is float32 precision"}),
]

test_mistake = mistake_tests("affine", MISTAKES)
test_seeds_agree = seeds_agree_test("affine", pick(MISTAKES, "bias_gradient_not_summed"))


@pytest.mark.parametrize("wrong", [
    mistake("unknown_id", "dout.sum(axis=0)", "dout.mean(axis=0)", "db"),
    mistake("a_test_that_passes_declared_failed", "dout.sum(axis=0)", "dout.mean(axis=0)", "backward_db",
            "backward_dx"),
    mistake("a_failed_test_not_declared", "dout.sum(axis=0)", "dout.mean(axis=0)"),
    mistake("kept_test_fails", "dout.sum(axis=0)", "dout.mean(axis=0)", keeps=("backward_db",)),
    mistake("wrong_points_lost", "dout.sum(axis=0)", "dout.mean(axis=0)", "backward_db", lost=2),
    mistake("feedback_not_said", "dout.sum(axis=0)", "dout.mean(axis=0)", "backward_db", says={"backward_db": "42"}),
    mistake("feedback_said", "x.T @ dout,", "dout.T @ x,", "backward_dw", "backward_single_row",
            never_says={"backward_dw": "dw has shape"}),
])
def test_the_runner_fails_a_wrong_row(wrong):
    """The shared runner is a test that can fail: every kind of wrong declaration is caught."""
    with pytest.raises(AssertionError):
        check_mistake("affine", wrong)
