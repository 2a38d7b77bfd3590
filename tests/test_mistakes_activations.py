"""Typical mistakes in `activations` lose the points they should, and only those."""
from tests.grading import edited, mistake, mistake_tests, pick, seeds_agree_test

MISTAKES = [
    mistake("naive_sigmoid_overflows",
            "    e = np.exp(-np.abs(x))\n    out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n",
            "    out = 1.0 / (1.0 + np.exp(-x))\n", "sigmoid_forward_extreme",
            says={"sigmoid_forward_extreme": "overflow encountered in exp"}),
    edited("sigmoid_backward_recomputes_exp", [
        ("    return out, out\n\n\ndef sigmoid_backward", "    return out, x\n\n\ndef sigmoid_backward"),
        ("return dout * cache * (1.0 - cache)", "return dout * np.exp(-cache) / (1.0 + np.exp(-cache)) ** 2"),
    ], "sigmoid_backward_extreme", says={"sigmoid_backward_extreme": "sigmoid_backward raised a warning"}),
    mistake("tanh_from_exponentials", "out = np.tanh(x)", "out = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))",
            "tanh_extreme"),
    mistake("relu_slope_one_at_zero", "return dout * (cache > 0)", "return dout * (cache >= 0)", "relu_slope_at_zero",
            says={"relu_slope_at_zero": "where x is exactly 0: expected 0"}),
    mistake("leaky_relu_backward_ignores_alpha", "return dout * np.where(x > 0, 1.0, alpha)",
            "return dout * np.where(x > 0, 1.0, 0.01)", "leaky_relu_backward",
            says={"leaky_relu_backward": "forward called with alpha="}),
    mistake("leaky_relu_forward_ignores_alpha_keeps_backward_points", "return np.where(x > 0, x, alpha * x), (x, alpha)",
            "return np.where(x > 0, x, 0.01 * x), (x, 0.01)", "leaky_relu_forward"),
    mistake("elu_exp_of_large_positives", "alpha * np.expm1(np.minimum(x, 0.0))", "alpha * (np.exp(x) - 1.0)",
            "elu_extreme", "selu_extreme", says={"elu_extreme": "elu_forward raised a warning: RuntimeWarning: overflow"}),
    mistake("elu_slope_one_at_zero", "return np.where(x > 0, 1.0, alpha * np.exp(",
            "return np.where(x >= 0, 1.0, alpha * np.exp(", "elu_slope_at_zero", "selu_slope_at_zero"),
    edited("selu_rounded_constants_keep_backward_points", [
        ("SELU_ALPHA = 1.6732632423543772848170429916717", "SELU_ALPHA = 1.67"),
        ("SELU_SCALE = 1.0507009873554804934193349852946", "SELU_SCALE = 1.05"),
    ], "selu_forward", "selu_slope_at_zero", "selu_extreme"),
    mistake("relu_backward_in_place", "    return dout * (cache > 0)", "    dout[cache <= 0] = 0.0\n    return dout",
            "no_mutation", says={"no_mutation": "relu_backward changed its argument dout in place"}),
    # float32 is accurate to about 6e-8, within the 1e-7 of the value checks: the dtype gives it away
    mistake("sigmoid_computed_in_float32", "    e = np.exp(-np.abs(x))\n    out = np.where",
            "    x = x.astype(np.float32)\n    e = np.exp(-np.abs(x))\n    out = np.where",
            "sigmoid_forward", "sigmoid_backward", "sigmoid_forward_extreme", "sigmoid_backward_extreme",
            says={"sigmoid_forward": "out has dtype float32; compute in float64"}),
]

test_mistake = mistake_tests("activations", MISTAKES)
test_seeds_agree = seeds_agree_test("activations", pick(MISTAKES, "naive_sigmoid_overflows"))
