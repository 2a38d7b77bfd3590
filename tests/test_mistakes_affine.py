"""Typical mistakes in `affine` lose the points they should, and only those."""
from tests.grading import assert_loses, failed_tests, grade, mutate, solution_text

SOLUTION = solution_text("affine")


def test_bias_gradient_not_summed():
    source = mutate(SOLUTION, "dout.sum(axis=0)", "dout.mean(axis=0)")
    result = grade("affine", source)
    assert_loses(result, "db sums over the batch")
    assert result.score == result.max_score - 1  # with a batch of one, mean and sum agree


def test_dw_transposed():
    source = mutate(SOLUTION, "x.T @ dout,", "dout.T @ x,")
    result = grade("affine", source)
    assert_loses(result, "dw is right", "batch of one")
    dw_test = next(t for t in result.tests if "dw is right" in t.name)
    assert "dw has shape (3, 5); expected (5, 3)" in dw_test.output


def test_forward_forgets_bias_keeps_backward_points():
    source = mutate(SOLUTION, "return x @ w + b, (x, w, b)", "return x @ w, (x, w, b)")
    result = grade("affine", source)
    assert_loses(result, "out matches the reference", "works for a single row")
    assert {"affine_backward: dx is right", "affine_backward: dw is right"}.isdisjoint(failed_tests(result))


def test_mutating_input():
    source = mutate(SOLUTION, "    return x @ w + b, (x, w, b)", "    x -= 0\n    x *= 1.0\n    x[0, 0] += 1e-3\n    return x @ w + b, (x, w, b)")
    result = grade("affine", source)
    assert_loses(result, "leave their arguments unchanged")


def test_backward_hardcoded_shape():
    source = mutate(SOLUTION, "dout.sum(axis=0)", "dout.sum(axis=0) if dout.shape[0] > 1 else dout.reshape(-1) * 0")
    result = grade("affine", source)
    assert_loses(result, "batch of one")
    assert result.score == result.max_score - 1


def test_seeds_agree():
    wrong = mutate(SOLUTION, "dout.sum(axis=0)", "dout.mean(axis=0)")
    assert grade("affine", wrong, 3).score == grade("affine", wrong, 4).score
