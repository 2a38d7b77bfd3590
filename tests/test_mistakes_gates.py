"""Typical mistakes in `gates` lose the points they should, and only those."""
from tests.grading import mistake, mistake_tests, pick, seeds_agree_test

TIE = "share = np.where(x > y, 1.0, np.where(x < y, 0.0, 0.5))"

MISTAKES = [
    mistake("add_splits_the_gradient", "return dout.copy(), dout.copy()", "return dout / 2, dout / 2",
            "add_backward", "small_graph"),
    mistake("mul_without_swap", "return y * dout, x * dout", "return x * dout, y * dout", "mul_backward", "small_graph"),
    mistake("max_tie_goes_to_x", TIE, "share = (x >= y).astype(float)", "max_backward_ties",
            says={"max_backward_ties": "where x == y: expected half of dout"}),
    mistake("max_forgets_dout", "return share * dout, (1.0 - share) * dout", "return share, 1.0 - share",
            "max_backward_routes", "max_backward_ties", "small_graph"),
    mistake("scale_ignores_c", "    return c * dout", "    return dout.copy()", "scale_backward", "small_graph"),
    mistake("scale_in_place", "    return c * dout", "    dout *= c\n    return dout", "no_mutation",
            says={"no_mutation": "scale_backward changed its argument dout in place"}),
    mistake("branch_sum_without_axis", "np.sum(douts, axis=0)", "np.sum(douts)",
            "branch_backward_two", "branch_backward_any_length", "small_graph",
            says={"branch_backward_two": "branch_backward: dx has shape (); expected (3, 4)"}),
    mistake("branch_only_two_consumers", "np.sum(douts, axis=0)", "douts[0] + douts[1]", "branch_backward_any_length"),
    mistake("near_ties_counted_as_ties", TIE, "share = np.where(np.isclose(x, y), 0.5, np.where(x > y, 1.0, 0.0))",
            "max_backward_routes"),
    mistake("branch_accumulates_into_the_first_gradient", "    return np.sum(douts, axis=0)",
            "    out = douts[0]\n    for d in douts[1:]:\n        out += d\n    return out", "no_mutation",
            says={"no_mutation": "branch_backward changed its argument douts[0] in place"}),
]

test_mistake = mistake_tests("gates", MISTAKES)
test_seeds_agree = seeds_agree_test("gates", pick(MISTAKES, "max_tie_goes_to_x"))
