"""Typical mistakes in `dropout` lose the points they should, and only those."""
from tests.grading import mistake, mistake_tests, pick, seeds_agree_test

MASK = "keep = rng.random(x.shape) >= p"
SCALE = "scale = 0.0 if p == 1 else 1.0 / (1.0 - p)"

MISTAKES = [
    # the kept units are still scaled by 1/(1-p), p = 1 is still guarded, the backward matches this forward
    mistake("p_taken_as_keep_probability", MASK, "keep = rng.random(x.shape) < p", "mask", "other_shapes", "p_zero"),
    mistake("keep_with_the_other_tail", MASK, "keep = rng.random(x.shape) < 1 - p", "mask", "other_shapes"),
    # the backward is judged against the student's own call, so it keeps its points
    mistake("global_random_state", MASK, "keep = np.random.random(x.shape) >= p", "mask", "other_shapes",
            prefix="import numpy as np\n"),
    mistake("not_inverted", SCALE, "scale = 1.0", "scaling", "other_shapes"),
    mistake("division_by_zero_at_p_one", SCALE, "scale = 1.0 / (1.0 - p)", "p_one", "backward_train"),
    mistake("numpy_division_at_p_one_warns", SCALE + "\n    mask = keep * scale",
            "mask = keep / (1.0 - p)  # NumPy: inf and nan at p = 1", "p_one", "backward_train"),
    mistake("evaluation_draws_from_rng",
            "    if not train:\n        return x.copy(), None\n    keep = rng.random(x.shape) >= p",
            "    keep = rng.random(x.shape) >= p\n    if not train:\n        return x.copy(), None",
            "eval_leaves_rng_alone"),
    # the backward is right for this forward, so "dx = dout in evaluation" keeps its point
    mistake("evaluation_applies_dropout", "if not train:", "if False:", "eval_returns_x", "eval_leaves_rng_alone"),
    mistake("backward_forgets_the_mask", "return dout.copy() if mask is None else dout * mask", "return dout.copy()",
            "backward_train"),
    mistake("mutating_input", "    return x * mask, mask", "    x *= mask\n    return x, mask", "no_mutation"),
]

test_mistake = mistake_tests("dropout", MISTAKES)
test_seeds_agree = seeds_agree_test("dropout", pick(MISTAKES, "not_inverted"))
