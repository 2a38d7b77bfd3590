"""Typical mistakes in `stability` lose the points they should, and only those."""
import pytest

from tests.grading import assert_loses_only, grade, mutate, output_of, solution_text

SOLUTION = solution_text("stability")

LSE = "return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(x - m), axis=axis))"
SOFTMAX = "e = np.exp(x - np.max(x, axis=axis, keepdims=True))\n    return e / np.sum(e, axis=axis, keepdims=True)"
LOG_SOFTMAX = ("shifted = x - np.max(x, axis=axis, keepdims=True)\n"
               "    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))")
SIGMOID = "return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))"
LOG_SIGMOID = "return np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x)))"


def fails_exactly(source, *fragments):
    """Grade ``source``; exactly the tests naming one of ``fragments`` fail."""
    return assert_loses_only(grade("stability", source), *fragments)


def test_naive_logsumexp_overflows():
    result = fails_exactly(mutate(SOLUTION, LSE, "return np.log(np.sum(np.exp(x), axis=axis))"),
                           "logsumexp: finite")
    assert result.score == result.max_score - 2
    assert "overflow" in output_of(result, "logsumexp: finite")


def test_logsumexp_keeps_the_axis():
    source = mutate(SOLUTION, LSE, "return m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))")
    result = fails_exactly(source, "logsumexp:")
    assert "has shape (5, 1); expected (5,)" in output_of(result, "logsumexp: values")


def test_squeeze_drops_other_length_one_axes():
    """np.squeeze without the axis: right unless another axis has length 1 too."""
    result = fails_exactly(mutate(SOLUTION, LSE, LSE.replace("np.squeeze(m, axis=axis)", "np.squeeze(m)")),
                           "logsumexp: respects axis")
    assert "x of shape (1, 4, 1)" in output_of(result, "logsumexp: respects axis")
    source = mutate(SOLUTION, SOFTMAX, "m = np.squeeze(np.max(x, axis=axis, keepdims=True))\n"
                    "    e = np.exp(x - np.expand_dims(m, axis))\n    return e / np.sum(e, axis=axis, keepdims=True)")
    fails_exactly(source, "softmax: respects axis")


def test_softmax_without_max_subtraction():
    source = mutate(SOLUTION, SOFTMAX, "e = np.exp(x)\n    return e / np.sum(e, axis=axis, keepdims=True)")
    fails_exactly(source, "softmax: finite")


def test_softmax_ignores_axis():
    source = mutate(SOLUTION, SOFTMAX, SOFTMAX.replace("axis=axis", "axis=-1"))
    result = fails_exactly(source, "softmax: respects axis")
    assert result.score == result.max_score - 1


def test_softmax_shifts_in_place():
    source = mutate(SOLUTION, SOFTMAX, "x -= np.max(x, axis=axis, keepdims=True)\n    e = np.exp(x)\n"
                    "    return e / np.sum(e, axis=axis, keepdims=True)")
    result = fails_exactly(source, "leave their argument unchanged")
    assert "changed its argument x in place" in output_of(result, "unchanged")


def test_log_of_softmax_gives_minus_inf():
    source = mutate(SOLUTION, LOG_SOFTMAX, "return np.log(softmax(x, axis))")
    result = fails_exactly(source, "log_softmax: finite")
    assert "divide by zero" in output_of(result, "log_softmax: finite")


@pytest.mark.parametrize("body", [
    "return 1.0 / (1.0 + np.exp(-x))",
    # np.where evaluates both branches: the values are right, the overflow happens anyway
    "return np.where(x >= 0, 1.0 / (1.0 + np.exp(-x)), np.exp(x) / (1.0 + np.exp(x)))",
])
def test_unstable_sigmoid(body):
    result = fails_exactly(mutate(SOLUTION, SIGMOID, body), "sigmoid: finite")
    assert "raised a warning" in output_of(result, "sigmoid: finite")


@pytest.mark.parametrize("body", ["return np.log(sigmoid(x))", "return -np.log1p(np.exp(-x))"])
def test_unstable_log_sigmoid(body):
    fails_exactly(mutate(SOLUTION, LOG_SIGMOID, body), "log_sigmoid: finite")


def test_sigmoid_clipped_at_30():
    """No overflow, but 9e-14 where the value is 1e-44 or less."""
    source = mutate(SOLUTION, SIGMOID, "e = np.exp(-np.abs(np.clip(x, -30, 30)))\n    " + SIGMOID)
    result = fails_exactly(source, "sigmoid: finite")
    assert [t.test_id for t in result.tests if not t.passed] == ["sigmoid_extreme"]


def test_seeds_agree():
    wrong = mutate(SOLUTION, LSE, "return np.log(np.sum(np.exp(x), axis=axis))")
    assert grade("stability", wrong, 3).score == grade("stability", wrong, 4).score
    assert grade("stability", SOLUTION, 3).score == grade("stability", SOLUTION, 4).score
