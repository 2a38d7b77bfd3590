"""Typical mistakes in `init` lose the points they should, and only those."""
from tests.grading import (
    assert_loses,
    assert_loses_only,
    grade,
    mutate,
    output_of,
    solution_text,
)

SOLUTION = solution_text("init")


def test_he_uses_fan_out():
    source = mutate(SOLUTION, "np.sqrt(2.0 / n_in)", "np.sqrt(2.0 / n_out)")
    result = grade("init", source)
    assert_loses_only(result, "he_normal: standard deviation")
    assert "he_normal: W has standard deviation" in next(t.output for t in result.tests if not t.passed)


def test_variance_passed_as_scale():
    source = mutate(SOLUTION, "_normal(n_in, n_out, rng, np.sqrt(1.0 / n_in))", "_normal(n_in, n_out, rng, 1.0 / n_in)")
    assert_loses_only(grade("init", source), "lecun_normal: standard deviation")


def test_xavier_normal_drawn_uniform():
    source = mutate(SOLUTION, "    return _normal(n_in, n_out, rng, gain * np.sqrt(2.0 / (n_in + n_out)))",
                    "    a = gain * np.sqrt(6.0 / (n_in + n_out))\n    return rng.uniform(-a, a, size=(n_in, n_out))")
    result = grade("init", source)
    assert_loses_only(result, "xavier_normal: entries are normally distributed")
    assert result.score == result.max_score - 2


def test_xavier_uniform_drawn_normal():
    source = mutate(SOLUTION, "    return rng.uniform(-a, a, size=(n_in, n_out))",
                    "    return rng.normal(0.0, a / np.sqrt(3.0), size=(n_in, n_out))")
    assert_loses_only(grade("init", source), "xavier_uniform: entries lie in", "xavier_uniform: gain",
                         "xavier_uniform: entries are uniformly distributed")


def test_gain_ignored():
    source = mutate(SOLUTION, "a = gain * np.sqrt(6.0 / (n_in + n_out))", "a = np.sqrt(6.0 / (n_in + n_out))")
    result = grade("init", source)
    assert_loses_only(result, "xavier_uniform: gain scales the bound")
    assert result.score == result.max_score - 1


def test_global_random_state():
    source = mutate(SOLUTION, "rng.normal(0.0, std,", "np.random.normal(0.0, std,")
    result = grade("init", source)
    # the tests that forgive the scale judge draws from rng alone (issue 11)
    assert_loses_only(result, "the same generator state gives the same matrix", "W is a float64 array",
                      "normal: entries are normally distributed")


def test_own_fixed_seed():
    source = mutate(SOLUTION, "    return rng.uniform(-a, a, size=(n_in, n_out))",
                    "    return np.random.default_rng(0).uniform(-a, a, size=(n_in, n_out))")
    # an own generator is not drawing from rng (issue 11): it was 19/20
    assert_loses_only(grade("init", source), "different generator states give different matrices",
                      "drawn from rng alone", "W is a float64 array", "xavier_uniform: entries are uniformly")


def test_transposed_shape():
    source = mutate(SOLUTION, "rng.normal(0.0, std, size=(n_in, n_out))", "rng.normal(0.0, std, size=(n_out, n_in))")
    result = grade("init", source)
    assert_loses(result, "W is a float64 array of shape", "xavier_normal: standard deviation", "he_normal: standard",
                 "lecun_normal: entries are normally distributed")
    assert {t.name for t in result.tests if t.passed} == {
        "xavier_uniform: entries lie in [-a, a], a = sqrt(6 / (n_in + n_out)), and reach out to -a and a",
        "xavier_uniform: gain scales the bound", "xavier_uniform: entries are uniformly distributed"}


def test_float32():
    source = mutate(SOLUTION, "    return rng.uniform(-a, a, size=(n_in, n_out))",
                    "    return rng.uniform(-a, a, size=(n_in, n_out)).astype(np.float32)")
    result = grade("init", source)
    assert_loses_only(result, "W is a float64 array")


def test_seeds_agree():
    wrong = mutate(SOLUTION, "np.sqrt(2.0 / n_in)", "np.sqrt(2.0 / n_out)")
    assert grade("init", SOLUTION, 3).score == grade("init", SOLUTION, 4).score == 20
    assert grade("init", wrong, 3).score == grade("init", wrong, 4).score


def test_global_state_seeded_from_rng():
    """Seeding NumPy's global generator from rng is reproducible, but it is not drawing from rng."""
    source = mutate(SOLUTION, "    return rng.uniform(-a, a, size=(n_in, n_out))",
                    "    np.random.seed(int(rng.integers(2**31)))\n    return np.random.uniform(-a, a, size=(n_in, n_out))")
    result = assert_loses_only(grade("init", source), "the same generator state gives the same matrix",
                               "W is a float64 array", "xavier_uniform: entries are uniformly")
    assert "used the global random state" in output_of(result, "the same generator state")


def test_uniform_on_one_side_only():
    source = mutate(SOLUTION, "    return rng.uniform(-a, a, size=(n_in, n_out))",
                    "    return rng.uniform(0.0, a, size=(n_in, n_out))")
    result = assert_loses_only(grade("init", source), "xavier_uniform: entries lie in",
                               "xavier_uniform: entries are uniformly distributed", "xavier_uniform: gain")
    assert "reaches within" in output_of(result, "xavier_uniform: entries lie in")
