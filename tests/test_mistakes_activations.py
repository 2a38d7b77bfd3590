"""Typical mistakes in `activations` lose the points they should, and only those."""
from tests.grading import assert_loses_only, grade, mutate, output_of, solution_text

SOLUTION = solution_text("activations")
NAIVE_SIGMOID = mutate(SOLUTION, """    e = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
""", "    out = 1.0 / (1.0 + np.exp(-x))\n")


def test_naive_sigmoid_overflows():
    result = grade("activations", NAIVE_SIGMOID)
    assert_loses_only(result, "sigmoid_forward: finite, right and warning-free")
    assert "overflow encountered in exp" in output_of(result, "sigmoid_forward: finite")


def test_sigmoid_backward_recomputes_exp():
    source = mutate(SOLUTION, "    return out, out\n\n\ndef sigmoid_backward",
                    "    return out, x\n\n\ndef sigmoid_backward")
    source = mutate(source, "return dout * cache * (1.0 - cache)",
                    "return dout * np.exp(-cache) / (1.0 + np.exp(-cache)) ** 2")
    result = grade("activations", source)
    assert_loses_only(result, "sigmoid_backward: finite, right and warning-free")
    assert "sigmoid_backward raised a warning" in output_of(result, "sigmoid_backward: finite")


def test_tanh_from_exponentials():
    source = mutate(SOLUTION, "out = np.tanh(x)", "out = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))")
    assert_loses_only(grade("activations", source), "tanh: forward and backward finite")


def test_relu_slope_one_at_zero():
    source = mutate(SOLUTION, "return dout * (cache > 0)", "return dout * (cache >= 0)")
    result = grade("activations", source)
    assert_loses_only(result, "relu_backward: the derivative at exactly 0")
    assert "where x is exactly 0: expected 0" in output_of(result, "relu_backward: the derivative")


def test_leaky_relu_backward_ignores_alpha():
    source = mutate(SOLUTION, "return dout * np.where(x > 0, 1.0, alpha)", "return dout * np.where(x > 0, 1.0, 0.01)")
    result = grade("activations", source)
    assert_loses_only(result, "leaky_relu_backward: dx is right")
    assert "forward called with alpha=" in output_of(result, "leaky_relu_backward: dx is right")


def test_leaky_relu_forward_ignores_alpha_keeps_backward_points():
    source = mutate(SOLUTION, "return np.where(x > 0, x, alpha * x), (x, alpha)",
                    "return np.where(x > 0, x, 0.01 * x), (x, 0.01)")
    assert_loses_only(grade("activations", source), "leaky_relu_forward: out matches")


def test_elu_exp_of_large_positives():
    source = mutate(SOLUTION, "alpha * np.expm1(np.minimum(x, 0.0))", "alpha * (np.exp(x) - 1.0)")
    result = grade("activations", source)
    assert_loses_only(result, "elu: forward and backward finite", "selu: forward and backward finite")
    assert "elu_forward raised a warning: RuntimeWarning: overflow" in output_of(result, "elu: forward")


def test_elu_slope_one_at_zero():
    source = mutate(SOLUTION, "return np.where(x > 0, 1.0, alpha * np.exp(",
                    "return np.where(x >= 0, 1.0, alpha * np.exp(")
    assert_loses_only(grade("activations", source), "elu_backward: the derivative at exactly 0",
                      "selu_backward: the derivative at exactly 0")


def test_selu_rounded_constants_keep_backward_points():
    source = mutate(SOLUTION, "SELU_ALPHA = 1.6732632423543772848170429916717", "SELU_ALPHA = 1.67")
    source = mutate(source, "SELU_SCALE = 1.0507009873554804934193349852946", "SELU_SCALE = 1.05")
    assert_loses_only(grade("activations", source), "selu_forward: out matches",
                      "selu_backward: the derivative at exactly 0", "selu: forward and backward finite")


def test_relu_backward_in_place():
    source = mutate(SOLUTION, "    return dout * (cache > 0)", "    dout[cache <= 0] = 0.0\n    return dout")
    result = grade("activations", source)
    assert_loses_only(result, "leave their arguments unchanged")
    assert "relu_backward changed its argument dout in place" in output_of(result, "unchanged")


def test_seeds_agree():
    assert grade("activations", SOLUTION, 3).score == grade("activations", SOLUTION, 4).score
    assert grade("activations", NAIVE_SIGMOID, 3).score == grade("activations", NAIVE_SIGMOID, 4).score


def test_sigmoid_computed_in_float32():
    """float32 is accurate to about 6e-8, within the 1e-7 of the value checks: the dtype gives it away."""
    source = mutate(SOLUTION, "    e = np.exp(-np.abs(x))\n    out = np.where",
                    "    x = x.astype(np.float32)\n    e = np.exp(-np.abs(x))\n    out = np.where")
    result = grade("activations", source)
    assert "sigmoid_forward" in {t.test_id for t in result.tests if not t.passed}
    assert "out has dtype float32; compute in float64" in output_of(result, "sigmoid_forward:")
    assert all(t.passed for t in result.tests if "sigmoid" not in t.name)
