"""Typical mistakes in `maxout` lose the points they should, and only those."""
import numpy as np

from tests.grading import assert_reference_gradients, mistake, mistake_tests, pick, seeds_agree_test

EVEN_SPLIT = "winners / winners.sum(axis=2, keepdims=True)"
TIES = ("tie_identical_pieces", "tie_distinct_pieces")


def test_reference_matches_numerical_gradient():
    rng = np.random.default_rng(7)
    args = [rng.normal(size=(4, 5)), rng.normal(size=(5, 3, 2)), rng.normal(size=(3, 2))]
    assert_reference_gradients("maxout", "maxout", args, rng.normal(size=(4, 3)), wrt=3)


MISTAKES = [
    mistake("ties_go_to_the_first_winner", EVEN_SPLIT, "np.eye(z.shape[2])[z.argmax(axis=2)]", *TIES),
    mistake("ties_each_get_the_full_gradient", EVEN_SPLIT, "winners * 1.0", *TIES),
    mistake("dx_ignores_which_piece_won", 'np.einsum("nmk,dmk->nd", dz, w)', 'np.einsum("nm,dmk->nd", dout, w)',
            "backward_dx", "tie_distinct_pieces"),
    mistake("db_averaged_over_the_batch", "dz.sum(axis=0)", "dz.mean(axis=0)", "backward_db", "tie_identical_pieces"),
    # dx and dw keep their points
    mistake("forward_forgets_bias_keeps_backward_points", 'np.einsum("nd,dmk->nmk", x, w) + b',
            'np.einsum("nd,dmk->nmk", x, w)', "forward_values", "forward_other_shapes", "backward_db", *TIES,
            "no_mutation"),
    mistake("mutating_input", "    z = np.einsum", "    x *= 1.0\n    x[0, 0] += 1e-3\n    z = np.einsum",
            "forward_values", "forward_other_shapes", *TIES, "no_mutation"),
    # np.isclose for the winners: a runner-up 2**-30 below the max shares a gradient it should not get
    mistake("near_ties_counted_as_ties", "winners = z == z.max(axis=2, keepdims=True)",
            "winners = np.isclose(z, z.max(axis=2, keepdims=True))", "tie_distinct_pieces",
            says={"tie_distinct_pieces": "in unit 1 they differ by 2**-30"}),
]

test_mistake = mistake_tests("maxout", MISTAKES)
test_seeds_agree = seeds_agree_test("maxout", pick(MISTAKES, "ties_each_get_the_full_gradient"))
