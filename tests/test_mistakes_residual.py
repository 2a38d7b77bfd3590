"""Typical mistakes in `residual` lose the points they should, and only those."""
import numpy as np

from grader.catalog import get
from grader.runner import load_reference
from grader.testing import numerical_gradient_array, rel_error
from tests.grading import assert_loses, failed_tests, grade, mutate, output_of, solution_text

SOLUTION = solution_text("residual")


def loses_exactly(source, *fragments):
    """Grade ``source``: exactly the tests named by ``fragments`` fail, every other test passes; the result."""
    result = grade("residual", source)
    failed = failed_tests(result)
    assert len(failed) == len(fragments), sorted(failed)
    for fragment in fragments:
        assert any(fragment in name for name in failed), (fragment, sorted(failed))
    return result


def test_reference_matches_numerical_gradient():
    ref = load_reference(str(get("residual").solution))
    rng = np.random.default_rng(7)
    args = [rng.normal(size=(4, 3)), rng.normal(size=(3, 5)), rng.normal(size=5), rng.normal(size=(5, 3)),
            rng.normal(size=3)]
    dout = rng.normal(size=(4, 3))
    grads = ref.residual_backward(dout, ref.residual_forward(*args)[1])
    for i in range(5):
        def forward(v, i=i):
            return ref.residual_forward(*(v if j == i else a for j, a in enumerate(args)))[0]
        assert rel_error(grads[i], numerical_gradient_array(forward, args[i], dout)) < 1e-7


def test_dx_forgets_the_skip():
    result = loses_exactly(mutate(SOLUTION, "dx = da @ w1.T + ds", "dx = da @ w1.T"), "dx is right")
    dx_test = next(t for t in result.tests if "dx is right" in t.name)
    assert "misses the skip connection" in dx_test.output


def test_forward_forgets_the_final_relu_keeps_backward_points():
    loses_exactly(mutate(SOLUTION, "return np.maximum(s, 0), (x", "return s, (x"), "out matches the reference",
                  "works for a single row")


def test_skip_added_after_the_final_relu():
    source = mutate(SOLUTION, "s = h @ w2 + b2 + x", "s = h @ w2 + b2")
    source = mutate(source, "return np.maximum(s, 0), (x", "return np.maximum(s, 0) + x, (x")
    result = grade("residual", source)
    assert_loses(result, "out matches the reference", "works for a single row", "dx is right")
    # dw1, dw2 and db2 are right for this (wrong) forward: partial credit, judged by a numerical gradient
    kept = {"residual_backward: dw1 is right", "residual_backward: dw2 is right", "residual_backward: db2 is right"}
    assert kept.isdisjoint(failed_tests(result))
    # every failed test blames the forward's mistake, the kink test included (not relu'(0))
    for test in result.tests:
        if not test.passed and "dx" not in test.name and test.test_id != "no_mutation":  # that one: outputs wrong
            assert "adds the skip connection after the final ReLU" in test.output, (test.name, test.output)
    assert "relu'(0)" not in output_of(result, "passes no gradient")


def test_relu_derivative_one_at_zero():
    source = mutate(SOLUTION, "(s > 0)", "(s >= 0)")
    source = mutate(source, "(a > 0)", "(a >= 0)")
    result = loses_exactly(source, "passes no gradient")
    assert "the hidden and the output ReLU passed gradient where its input is exactly 0; relu'(0) must be 0" in \
        output_of(result, "passes no gradient")
    result = loses_exactly(mutate(SOLUTION, "(s > 0)", "(s >= 0)"), "passes no gradient")
    assert "the output ReLU passed gradient" in output_of(result, "passes no gradient")


def test_dw2_uses_the_pre_activation():
    loses_exactly(mutate(SOLUTION, "h.T @ ds", "a.T @ ds"), "dw2 is right")


def test_bias_gradients_averaged():
    result = loses_exactly(mutate(SOLUTION, "da.sum(axis=0)", "da.mean(axis=0)"), "db1 is right", "passes no gradient")
    assert "relu'(0)" not in output_of(result, "passes no gradient")
    loses_exactly(mutate(SOLUTION, "ds.sum(axis=0)", "ds.mean(axis=0)"), "db2 is right", "passes no gradient")


def test_mutating_input():
    source = mutate(SOLUTION, "    ds = dout * (s > 0)", "    ds = dout\n    ds[s <= 0] = 0  # overwrites dout")
    loses_exactly(source, "leave their arguments unchanged")


def test_seeds_agree():
    assert grade("residual", SOLUTION, 3).score == grade("residual", SOLUTION, 4).score
    wrong = mutate(SOLUTION, "dx = da @ w1.T + ds", "dx = da @ w1.T")
    assert grade("residual", wrong, 3).score == grade("residual", wrong, 4).score
