"""Typical mistakes in `dropout` lose the points they should, and only those."""
from tests.grading import failed_tests, grade, mutate, solution_text

SOLUTION = solution_text("dropout")
MASK = "keep = rng.random(x.shape) >= p"
SCALE = "scale = 0.0 if p == 1 else 1.0 / (1.0 - p)"


def loses_exactly(source, *fragments):
    """Grade ``source``: exactly the tests named by ``fragments`` fail, every other test passes."""
    failed = failed_tests(grade("dropout", source))
    assert len(failed) == len(fragments), sorted(failed)
    for fragment in fragments:
        assert any(fragment in name for name in failed), (fragment, sorted(failed))


def test_p_taken_as_keep_probability():
    source = mutate(SOLUTION, MASK, "keep = rng.random(x.shape) < p")
    # the kept units are still scaled by 1/(1-p), p = 1 is still guarded, the backward matches this forward
    loses_exactly(source, "drops exactly the units", "1-D and a 3-D", "p = 0 returns x")


def test_keep_with_the_other_tail():
    loses_exactly(mutate(SOLUTION, MASK, "keep = rng.random(x.shape) < 1 - p"), "drops exactly the units",
                  "1-D and a 3-D")


def test_global_random_state():
    # the backward is judged against the student's own call, so it keeps its points
    source = "import numpy as np\n" + mutate(SOLUTION, MASK, "keep = np.random.random(x.shape) >= p")
    loses_exactly(source, "drops exactly the units", "1-D and a 3-D")


def test_not_inverted():
    loses_exactly(mutate(SOLUTION, SCALE, "scale = 1.0"), "scaled by 1 / (1 - p)", "1-D and a 3-D")


def test_division_by_zero_at_p_one():
    loses_exactly(mutate(SOLUTION, SCALE, "scale = 1.0 / (1.0 - p)"), "p = 1 drops", "dx uses the forward's mask")


def test_numpy_division_at_p_one_warns():
    source = mutate(SOLUTION, SCALE + "\n    mask = keep * scale", "mask = keep / (1.0 - p)  # NumPy: inf and nan at p = 1")
    loses_exactly(source, "p = 1 drops", "dx uses the forward's mask")


def test_evaluation_draws_from_rng():
    source = mutate(SOLUTION, "    if not train:\n        return x.copy(), None\n    keep = rng.random(x.shape) >= p",
                    "    keep = rng.random(x.shape) >= p\n    if not train:\n        return x.copy(), None")
    loses_exactly(source, "evaluation does not draw from rng")


def test_evaluation_applies_dropout():
    # the backward is right for this forward, so "dx = dout in evaluation" keeps its point
    loses_exactly(mutate(SOLUTION, "if not train:", "if False:"), "evaluation returns x",
                  "evaluation does not draw from rng")


def test_backward_forgets_the_mask():
    source = mutate(SOLUTION, "return dout.copy() if mask is None else dout * mask", "return dout.copy()")
    loses_exactly(source, "dx uses the forward's mask")


def test_mutating_input():
    loses_exactly(mutate(SOLUTION, "    return x * mask, mask", "    x *= mask\n    return x, mask"),
                  "leave their arguments unchanged")


def test_seeds_agree():
    assert grade("dropout", SOLUTION, 3).score == grade("dropout", SOLUTION, 4).score
    wrong = mutate(SOLUTION, SCALE, "scale = 1.0")
    assert grade("dropout", wrong, 3).score == grade("dropout", wrong, 4).score
