"""Typical mistakes in `residual` lose the points they should, and only those."""
import numpy as np

from tests.grading import assert_reference_gradients, edited, mistake, mistake_tests, pick, seeds_agree_test

AFTER_RELU = "adds the skip connection after the final ReLU"


def test_reference_matches_numerical_gradient():
    rng = np.random.default_rng(7)
    args = [rng.normal(size=(4, 3)), rng.normal(size=(3, 5)), rng.normal(size=5), rng.normal(size=(5, 3)),
            rng.normal(size=3)]
    assert_reference_gradients("residual", "residual", args, rng.normal(size=(4, 3)), wrt=5)


MISTAKES = [
    mistake("dx_forgets_the_skip", "dx = da @ w1.T + ds", "dx = da @ w1.T", "backward_dx",
            says={"backward_dx": "misses the skip connection"}),
    mistake("forward_forgets_the_final_relu_keeps_backward_points", "return np.maximum(s, 0), (x", "return s, (x",
            "forward_values", "forward_other_shapes"),
    # dw1, dw2 and db2 are right for this (wrong) forward: partial credit, judged by a numerical gradient; every
    # failed test blames the forward's mistake, the kink test included (not relu'(0)); no_mutation: outputs wrong
    edited("skip_added_after_the_final_relu", [
        ("s = h @ w2 + b2 + x", "s = h @ w2 + b2"),
        ("return np.maximum(s, 0), (x", "return np.maximum(s, 0) + x, (x"),
    ], "forward_values", "forward_other_shapes", "backward_dx", "kinks", "no_mutation",
        says={"forward_values": AFTER_RELU, "forward_other_shapes": AFTER_RELU, "kinks": AFTER_RELU},
        never_says={"kinks": "relu'(0)"}),
    edited("relu_derivative_one_at_zero", [("(s > 0)", "(s >= 0)"), ("(a > 0)", "(a >= 0)")], "kinks",
           says={"kinks": "the hidden and the output ReLU passed gradient where its input is exactly 0; "
                          "relu'(0) must be 0"}),
    mistake("output_relu_derivative_one_at_zero", "(s > 0)", "(s >= 0)", "kinks",
            says={"kinks": "the output ReLU passed gradient"}),
    mistake("dw2_uses_the_pre_activation", "h.T @ ds", "a.T @ ds", "backward_dw2"),
    mistake("db1_averaged", "da.sum(axis=0)", "da.mean(axis=0)", "backward_db1", "kinks",
            never_says={"kinks": "relu'(0)"}),
    mistake("db2_averaged", "ds.sum(axis=0)", "ds.mean(axis=0)", "backward_db2", "kinks"),
    mistake("mutating_input", "    ds = dout * (s > 0)", "    ds = dout\n    ds[s <= 0] = 0  # overwrites dout",
            "no_mutation"),
]

test_mistake = mistake_tests("residual", MISTAKES)
test_seeds_agree = seeds_agree_test("residual", pick(MISTAKES, "dx_forgets_the_skip"))
