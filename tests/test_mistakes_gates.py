"""Typical mistakes in `gates` lose the points they should, and only those."""
from tests.grading import assert_loses_only, grade, mutate, output_of, solution_text

SOLUTION = solution_text("gates")
GRAPH = "all gates: chained"


def test_add_splits_the_gradient():
    source = mutate(SOLUTION, "return dout.copy(), dout.copy()", "return dout / 2, dout / 2")
    assert_loses_only(grade("gates", source), "add_backward: dx and dy", GRAPH)


def test_mul_without_swap():
    source = mutate(SOLUTION, "return y * dout, x * dout", "return x * dout, y * dout")
    assert_loses_only(grade("gates", source), "mul_backward: each input", GRAPH)


def test_max_tie_goes_to_x():
    source = mutate(SOLUTION, "share = np.where(x > y, 1.0, np.where(x < y, 0.0, 0.5))",
                    "share = (x >= y).astype(float)")
    result = grade("gates", source)
    assert_loses_only(result, "a tie splits dout")
    tie_test = next(t for t in result.tests if "a tie splits" in t.name)
    assert "where x == y: expected half of dout" in tie_test.output


def test_max_forgets_dout():
    source = mutate(SOLUTION, "return share * dout, (1.0 - share) * dout", "return share, 1.0 - share")
    assert_loses_only(grade("gates", source), "dout goes to the larger input", "a tie splits dout", GRAPH)


def test_scale_ignores_c():
    source = mutate(SOLUTION, "    return c * dout", "    return dout.copy()")
    assert_loses_only(grade("gates", source), "scale_backward: dx is c times dout", GRAPH)


def test_scale_in_place():
    source = mutate(SOLUTION, "    return c * dout", "    dout *= c\n    return dout")
    result = grade("gates", source)
    assert_loses_only(result, "leave their arguments unchanged")
    test = next(t for t in result.tests if "unchanged" in t.name)
    assert "scale_backward changed its argument dout in place" in test.output


def test_branch_sum_without_axis():
    source = mutate(SOLUTION, "np.sum(douts, axis=0)", "np.sum(douts)")
    result = grade("gates", source)
    assert_loses_only(result, "branch_backward: sums the gradients of two", "branch_backward: sums a list", GRAPH)
    test = next(t for t in result.tests if "of two consumers" in t.name)
    assert "branch_backward: dx has shape (); expected (3, 4)" in test.output


def test_branch_only_two_consumers():
    source = mutate(SOLUTION, "np.sum(douts, axis=0)", "douts[0] + douts[1]")
    assert_loses_only(grade("gates", source), "branch_backward: sums a list of any length")


def test_near_ties_counted_as_ties():
    source = mutate(SOLUTION, "share = np.where(x > y, 1.0, np.where(x < y, 0.0, 0.5))",
                    "share = np.where(np.isclose(x, y), 0.5, np.where(x > y, 1.0, 0.0))")
    assert_loses_only(grade("gates", source), "max_backward: dout goes to the larger input")


def test_seeds_agree():
    wrong = mutate(SOLUTION, "share = np.where(x > y, 1.0, np.where(x < y, 0.0, 0.5))",
                   "share = (x >= y).astype(float)")
    assert grade("gates", SOLUTION, 3).score == grade("gates", SOLUTION, 4).score
    assert grade("gates", wrong, 3).score == grade("gates", wrong, 4).score


def test_branch_accumulates_into_the_first_gradient():
    source = mutate(SOLUTION, "    return np.sum(douts, axis=0)",
                    "    out = douts[0]\n    for d in douts[1:]:\n        out += d\n    return out")
    result = assert_loses_only(grade("gates", source), "leave their arguments unchanged")
    assert "branch_backward changed its argument douts[0] in place" in output_of(result, "leave their arguments")
