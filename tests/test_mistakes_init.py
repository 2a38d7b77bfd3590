"""Typical mistakes in `init` lose the points they should, and only those."""
from tests.grading import mistake, mistake_tests, pick, seeds_agree_test

UNIFORM = "    return rng.uniform(-a, a, size=(n_in, n_out))"
XAVIER_UNIFORM = ("xavier_uniform_bounds", "xavier_uniform_gain", "xavier_uniform_distribution")
NORMAL = ("xavier_normal_std", "xavier_normal_gain", "xavier_normal_distribution", "he_normal_std",
          "he_normal_distribution", "lecun_normal_std", "lecun_normal_distribution")

MISTAKES = [
    mistake("he_uses_fan_out", "np.sqrt(2.0 / n_in)", "np.sqrt(2.0 / n_out)", "he_normal_std",
            says={"he_normal_std": "he_normal: W has standard deviation"}),
    mistake("variance_passed_as_scale", "_normal(n_in, n_out, rng, np.sqrt(1.0 / n_in))",
            "_normal(n_in, n_out, rng, 1.0 / n_in)", "lecun_normal_std"),
    mistake("xavier_normal_drawn_uniform", "    return _normal(n_in, n_out, rng, gain * np.sqrt(2.0 / (n_in + n_out)))",
            "    a = gain * np.sqrt(6.0 / (n_in + n_out))\n    return rng.uniform(-a, a, size=(n_in, n_out))",
            "xavier_normal_distribution", lost=2),
    mistake("xavier_uniform_drawn_normal", UNIFORM, "    return rng.normal(0.0, a / np.sqrt(3.0), size=(n_in, n_out))",
            *XAVIER_UNIFORM),
    mistake("gain_ignored", "a = gain * np.sqrt(6.0 / (n_in + n_out))", "a = np.sqrt(6.0 / (n_in + n_out))",
            "xavier_uniform_gain", lost=1),
    # the tests that forgive the scale judge draws from rng alone (issue 11)
    mistake("global_random_state", "rng.normal(0.0, std,", "np.random.normal(0.0, std,", "shapes",
            "same_generator_state_same_matrix", "xavier_normal_distribution", "he_normal_distribution",
            "lecun_normal_distribution"),
    # an own generator is not drawing from rng (issue 11): it was 19/20
    mistake("own_fixed_seed", UNIFORM, "    return np.random.default_rng(0).uniform(-a, a, size=(n_in, n_out))",
            "shapes", "same_generator_state_same_matrix", "different_generator_states", "xavier_uniform_distribution"),
    mistake("transposed_shape", "rng.normal(0.0, std, size=(n_in, n_out))", "rng.normal(0.0, std, size=(n_out, n_in))",
            "shapes", "same_generator_state_same_matrix", "different_generator_states", *NORMAL),
    mistake("float32", UNIFORM, UNIFORM + ".astype(np.float32)", "shapes"),
    # seeding NumPy's global generator from rng is reproducible, but it is not drawing from rng
    mistake("global_state_seeded_from_rng", UNIFORM,
            "    np.random.seed(int(rng.integers(2**31)))\n    return np.random.uniform(-a, a, size=(n_in, n_out))",
            "shapes", "same_generator_state_same_matrix", "xavier_uniform_distribution",
            says={"same_generator_state_same_matrix": "used the global random state"}),
    mistake("uniform_on_one_side_only", UNIFORM, "    return rng.uniform(0.0, a, size=(n_in, n_out))", *XAVIER_UNIFORM,
            says={"xavier_uniform_bounds": "reaches within"}),
]

test_mistake = mistake_tests("init", MISTAKES)
test_seeds_agree = seeds_agree_test("init", pick(MISTAKES, "he_uses_fan_out"), full_marks=20)
