"""Typical mistakes in `optim` lose the points they should, and only those."""
from tests.grading import assert_loses_only, grade, mutate, solution_text

SOLUTION = solution_text("optim")


def test_adam_without_bias_correction():
    source = mutate(SOLUTION, "m_hat = m_new / (1 - beta1 ** t)", "m_hat = m_new")
    source = mutate(source, "v_hat = v_new / (1 - beta2 ** t)", "v_hat = v_new")
    assert_loses_only(grade("optim", source), "adam_step: w_new at the first step", "adam_step: w_new at a later",
                         "adam_step: 200 steps", "adam_step: the defaults")


def test_adam_eps_inside_the_square_root():
    source = mutate(SOLUTION, "(np.sqrt(v_hat) + eps)", "np.sqrt(v_hat + eps)")
    assert_loses_only(grade("optim", source), "adam_step: w_new at the first step", "adam_step: w_new at a later",
                         "adam_step: 200 steps", "adam_step: the defaults")


def test_adam_returns_corrected_moments():
    source = mutate(SOLUTION, "(np.sqrt(v_hat) + eps), m_new, v_new", "(np.sqrt(v_hat) + eps), m_hat, v_hat")
    assert_loses_only(grade("optim", source), "m_new and v_new are the moving averages", "adam_step: 200 steps",
                         "adam_step: the defaults")


def test_adam_counts_steps_from_zero():
    source = mutate(SOLUTION, "m_hat = m_new / (1 - beta1 ** t)", "m_hat = m_new / (1 - beta1 ** (t - 1))")
    source = mutate(source, "v_hat = v_new / (1 - beta2 ** t)", "v_hat = v_new / (1 - beta2 ** (t - 1))")
    result = grade("optim", source)
    assert_loses_only(result, "adam_step: w_new at the first step", "adam_step: w_new at a later",
                         "adam_step: 200 steps", "adam_step: the defaults", "a zero gradient")


def test_adagrad_forgets_the_square():
    source = mutate(SOLUTION, "s_new = s + dw ** 2", "s_new = s + dw")
    assert_loses_only(grade("optim", source), "adagrad_step: w_new and s_new", "adagrad_step: the defaults",
                         "adagrad_step: 200 steps")


def test_rmsprop_weights_swapped():
    source = mutate(SOLUTION, "alpha * s + (1 - alpha) * dw ** 2", "(1 - alpha) * s + alpha * dw ** 2")
    assert_loses_only(grade("optim", source), "rmsprop_step: w_new and s_new", "rmsprop_step: the defaults",
                         "rmsprop_step: 200 steps")


def test_momentum_velocity_scaled_by_lr():
    source = mutate(SOLUTION, "    v_new = momentum * v + dw\n    return w - lr * v_new, v_new",
                    "    v_new = momentum * v - lr * dw\n    return w + v_new, v_new")
    assert_loses_only(grade("optim", source), "momentum_step: w_new and v_new", "momentum_step: the default",
                         "momentum_step: 200 steps")


def test_sgd_updates_in_place():
    source = mutate(SOLUTION, "    return w - lr * dw\n", "    w -= lr * dw\n    return w\n")
    result = grade("optim", source)
    assert_loses_only(result, "the arguments are left unchanged")
    assert result.score == result.max_score - 1


def test_wrong_default_learning_rate():
    source = mutate(SOLUTION, "adagrad_step(w, dw, s, lr=1e-2,", "adagrad_step(w, dw, s, lr=1e-3,")
    result = grade("optim", source)
    assert_loses_only(result, "adagrad_step: the defaults")
    assert result.score == result.max_score - 1


def test_seeds_agree():
    wrong = mutate(SOLUTION, "m_hat = m_new / (1 - beta1 ** t)", "m_hat = m_new")
    assert grade("optim", SOLUTION, 3).score == grade("optim", SOLUTION, 4).score == 20
    assert grade("optim", wrong, 3).score == grade("optim", wrong, 4).score
