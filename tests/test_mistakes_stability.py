"""Typical mistakes in `stability` lose the points they should, and only those."""
from tests.grading import mistake, mistake_tests, pick, seeds_agree_test

LSE = "return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(x - m), axis=axis))"
SOFTMAX = "e = np.exp(x - np.max(x, axis=axis, keepdims=True))\n    return e / np.sum(e, axis=axis, keepdims=True)"
LOG_SOFTMAX = ("shifted = x - np.max(x, axis=axis, keepdims=True)\n"
               "    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))")
SIGMOID = "return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))"
LOG_SIGMOID = "return np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x)))"


MISTAKES = [
    mistake("naive_logsumexp_overflows", LSE, "return np.log(np.sum(np.exp(x), axis=axis))", "logsumexp_extreme", lost=2,
            says={"logsumexp_extreme": "overflow"}),
    mistake("logsumexp_keeps_the_axis", LSE, "return m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))",
            "logsumexp_values", "logsumexp_axis", "logsumexp_extreme",
            says={"logsumexp_values": "has shape (5, 1); expected (5,)"}),
    # np.squeeze without the axis: right unless another axis has length 1 too
    mistake("logsumexp_squeeze_drops_other_length_one_axes", LSE,
            LSE.replace("np.squeeze(m, axis=axis)", "np.squeeze(m)"), "logsumexp_axis",
            says={"logsumexp_axis": "x of shape (1, 4, 1)"}),
    mistake("softmax_squeeze_drops_other_length_one_axes", SOFTMAX,
            "m = np.squeeze(np.max(x, axis=axis, keepdims=True))\n"
            "    e = np.exp(x - np.expand_dims(m, axis))\n    return e / np.sum(e, axis=axis, keepdims=True)",
            "softmax_axis"),
    mistake("softmax_without_max_subtraction", SOFTMAX, "e = np.exp(x)\n    return e / np.sum(e, axis=axis, keepdims=True)",
            "softmax_extreme"),
    mistake("softmax_ignores_axis", SOFTMAX, SOFTMAX.replace("axis=axis", "axis=-1"), "softmax_axis", lost=1),
    mistake("softmax_shifts_in_place", SOFTMAX, "x -= np.max(x, axis=axis, keepdims=True)\n    e = np.exp(x)\n"
            "    return e / np.sum(e, axis=axis, keepdims=True)", "no_mutation",
            says={"no_mutation": "changed its argument x in place"}),
    mistake("log_of_softmax_gives_minus_inf", LOG_SOFTMAX, "return np.log(softmax(x, axis))", "log_softmax_extreme",
            says={"log_softmax_extreme": "divide by zero"}),
    mistake("naive_sigmoid", SIGMOID, "return 1.0 / (1.0 + np.exp(-x))", "sigmoid_extreme",
            says={"sigmoid_extreme": "raised a warning"}),
    # np.where evaluates both branches: the values are right, the overflow happens anyway
    mistake("sigmoid_where_evaluates_both_branches", SIGMOID,
            "return np.where(x >= 0, 1.0 / (1.0 + np.exp(-x)), np.exp(x) / (1.0 + np.exp(x)))", "sigmoid_extreme",
            says={"sigmoid_extreme": "raised a warning"}),
    mistake("log_of_sigmoid", LOG_SIGMOID, "return np.log(sigmoid(x))", "log_sigmoid_extreme"),
    mistake("log_sigmoid_without_the_split", LOG_SIGMOID, "return -np.log1p(np.exp(-x))", "log_sigmoid_extreme"),
    # no overflow, but 9e-14 where the value is 1e-44 or less
    mistake("sigmoid_clipped_at_30", SIGMOID, "e = np.exp(-np.abs(np.clip(x, -30, 30)))\n    " + SIGMOID,
            "sigmoid_extreme"),
]

test_mistake = mistake_tests("stability", MISTAKES)
test_seeds_agree = seeds_agree_test("stability", pick(MISTAKES, "naive_logsumexp_overflows"))
