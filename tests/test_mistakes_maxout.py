"""Typical mistakes in `maxout` lose the points they should, and only those."""
import numpy as np

from grader.catalog import get
from grader.runner import load_reference
from grader.testing import numerical_gradient_array, rel_error
from tests.grading import assert_loses, failed_tests, grade, mutate, solution_text

SOLUTION = solution_text("maxout")
EVEN_SPLIT = "winners / winners.sum(axis=2, keepdims=True)"


def test_reference_matches_numerical_gradient():
    ref = load_reference(str(get("maxout").solution))
    rng = np.random.default_rng(7)
    args = [rng.normal(size=(4, 5)), rng.normal(size=(5, 3, 2)), rng.normal(size=(3, 2))]
    dout = rng.normal(size=(4, 3))
    grads = ref.maxout_backward(dout, ref.maxout_forward(*args)[1])
    for i in range(3):
        def forward(v, i=i):
            return ref.maxout_forward(*(v if j == i else a for j, a in enumerate(args)))[0]
        assert rel_error(grads[i], numerical_gradient_array(forward, args[i], dout)) < 1e-7


def test_ties_go_to_the_first_winner():
    source = mutate(SOLUTION, EVEN_SPLIT, "np.eye(z.shape[2])[z.argmax(axis=2)]")
    result = grade("maxout", source)
    assert_loses(result, "share dw and db evenly", "splits dx evenly")
    assert len(failed_tests(result)) == 2


def test_ties_each_get_the_full_gradient():
    source = mutate(SOLUTION, EVEN_SPLIT, "winners * 1.0")
    result = grade("maxout", source)
    assert_loses(result, "share dw and db evenly", "splits dx evenly")
    assert len(failed_tests(result)) == 2


def test_dx_ignores_which_piece_won():
    source = mutate(SOLUTION, 'np.einsum("nmk,dmk->nd", dz, w)', 'np.einsum("nm,dmk->nd", dout, w)')
    result = grade("maxout", source)
    assert_loses(result, "dx is right", "splits dx evenly")
    assert len(failed_tests(result)) == 2


def test_db_averaged_over_the_batch():
    source = mutate(SOLUTION, "dz.sum(axis=0)", "dz.mean(axis=0)")
    result = grade("maxout", source)
    assert_loses(result, "db sums over the batch", "share dw and db evenly")
    assert len(failed_tests(result)) == 2


def test_forward_forgets_bias_keeps_backward_points():
    source = mutate(SOLUTION, 'np.einsum("nd,dmk->nmk", x, w) + b', 'np.einsum("nd,dmk->nmk", x, w)')
    result = grade("maxout", source)
    assert_loses(result, "out matches the reference", "works for a single row")
    assert {"maxout_backward: dx is right", "maxout_backward: dw reaches only the winning pieces"}.isdisjoint(
        failed_tests(result))


def test_mutating_input():
    source = mutate(SOLUTION, "    z = np.einsum", "    x *= 1.0\n    x[0, 0] += 1e-3\n    z = np.einsum")
    result = grade("maxout", source)
    assert_loses(result, "leave their arguments unchanged")


def test_near_ties_counted_as_ties():
    """np.isclose for the winners: a runner-up 2**-30 below the max shares a gradient it should not get."""
    source = mutate(SOLUTION, "winners = z == z.max(axis=2, keepdims=True)",
                    "winners = np.isclose(z, z.max(axis=2, keepdims=True))")
    result = grade("maxout", source)
    assert failed_tests(result) == {"maxout_backward: a tie between different pieces splits dx evenly; "
                                    "a near-tie does not"}
    assert "in unit 1 they differ by 2**-30" in next(t.output for t in result.tests if not t.passed)


def test_seeds_agree():
    assert grade("maxout", SOLUTION, 3).score == grade("maxout", SOLUTION, 4).score
    wrong = mutate(SOLUTION, EVEN_SPLIT, "winners * 1.0")
    assert grade("maxout", wrong, 3).score == grade("maxout", wrong, 4).score
