"""The rule for partial credit, and inputs that discriminate (issue 11)."""
import numpy as np
import pytest

from grader.catalog import get
from grader.runner import load_reference
from grader.suites import test_linear_models as linear_models_suite
from grader.suites import test_residual as residual_suite
from grader.checks import Feedback, assert_close, check_own_gradient, draw_until, rel_error, trivial_forward
from tests.gaming import FILES
from tests.helpers import grade, mutate, reference_text

RNG = np.random.default_rng(11)
X = RNG.normal(0.0, 2.0, size=(4, 5))


def test_trivial_forwards_are_recognised():
    for out in (X, 2 * X, 0.25 * X + 0.5, np.full((4, 5), 3.0), X + 1e-9 * RNG.normal(size=X.shape)):
        assert trivial_forward(out, [X]) is not None


def test_forwards_that_attempt_a_layer_are_not_trivial():
    w, b = RNG.normal(size=(5, 3)), RNG.normal(size=3)
    for out, inputs in [(np.maximum(X, 0), [X]), (np.where(X > 0, X, 0.01 * X), [X]), (np.tanh(X), [X]),
                        (X @ w, [X, w, b]), ((X - X.mean(0)) / X.std(0, ddof=1) * [1, 2, -1, 0.5, 3], [X])]:
        assert trivial_forward(out, inputs) is None


def test_an_overflowing_or_zero_numerical_gradient_earns_nothing():
    out, got = np.maximum(X, 0), RNG.normal(size=X.shape)
    assert not check_own_gradient(got, np.full(X.shape, np.inf), out, [X])
    assert not check_own_gradient(np.zeros(X.shape), np.zeros(X.shape), out, [X])
    assert check_own_gradient(got, got, out, [X])


def test_residual_inputs_keep_every_hidden_unit_alive():
    """Some seeds drew inputs where every hidden unit was dead: the reference's dw1 was all zeros."""
    ref = load_reference(str(get("residual").reference))
    for seed in range(2000):
        args = residual_suite._inputs(np.random.default_rng(seed))
        dw1 = ref.residual_backward(np.ones((4, 5)), ref.residual_forward(*args)[1])[1]
        assert np.all(np.any(dw1 != 0, axis=0)), seed


def test_perceptron_kink_inputs_discriminate():
    """Some seeds drew a kink test where the reference gradient was zero (so zeros passed)."""
    ref = load_reference(str(get("linear_models").reference))
    for margin, fn in ((0.0, "perceptron_loss_grad"), (1.0, "svm_loss_grad")):
        for seed in range(300):
            rng = np.random.default_rng(seed)
            w, X_, y = draw_until(lambda: linear_models_suite._kink_data(rng, margin),
                                  linear_models_suite._kink_counts(ref, fn, margin))
            assert np.any(getattr(ref, fn)(w, X_, y)[1] != 0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_losses_of_the_sum_of_the_scores_earn_nothing(seed):
    """Every loss a sum of its scores, with a gradient of ones: linear and blind to the labels, it attempts no
    loss, so the gradient of it earns nothing (it earned 6/23 in losses and 5/19 in linear_models)."""
    for exercise_id in ("losses", "linear_models"):
        result = grade(exercise_id, FILES[exercise_id]["sum"], seed)
        assert result.score == 0, (exercise_id, [t.name for t in result.tests if t.score > 0])


def test_a_forward_right_early_and_wrong_later_keeps_no_backward_points():
    """Right for the forward tests, then twice the affine map with its exact backward: it scored 10/10 (the
    backward was right for the wrong forward the backward tests saw); now only the forward points remain."""
    result = grade("affine", FILES["affine"]["switch_wrong"], 0)
    paid = {t.name for t in result.tests if t.score > 0}
    assert paid == {"affine_forward: out matches the reference", "affine_forward: works for a single row and for D = 1"}
    message = next(t.output for t in result.tests if t.name == "affine_backward: dx is right")
    assert "gave the right out on an earlier call" in message


def test_a_right_forward_with_other_settings_keeps_its_mistake_s_partial_credit():
    """leaky_relu ignoring a given alpha is right for the default alpha: it is a mistake, not a switch, and its
    backward (right for the forward it wrote) keeps its points."""
    source = mutate(reference_text("activations"), "return np.where(x > 0, x, alpha * x), (x, alpha)",
                    "return np.where(x > 0, x, 0.01 * x), (x, 0.01)")
    result = grade("activations", source, 0)
    assert {t.name for t in result.tests if not t.passed} == {
        "leaky_relu_forward: out matches the reference, for the default and a given alpha"}


def test_float64_results_must_be_float64_accurate():
    """A float32 computation cast back to float64 is within 1e-7 of the reference: assert_close's default
    now fails it, while another float64 order of operations, an explicit tolerance (an approximation) and a
    reference computed in float32 (a torch module) are judged as before."""
    w = RNG.normal(size=(5, 3))
    expected = X @ w
    float32 = expected.astype(np.float32).astype(np.float64)  # a float32 result, rounded once
    assert rel_error(float32, expected) < 1e-7
    with pytest.raises(Feedback, match="float32 precision"):
        assert_close(float32, expected, "affine_forward", "out")
    assert_close(np.einsum("nd,dm->nm", X[:, ::-1], w[::-1]), expected, "affine_forward", "out")
    assert_close(float32, expected, "numerical_gradient", "grad", 1e-7)
    assert_close(float32 * (1 + 1e-9), float32, "ResidualBlock", "out")
