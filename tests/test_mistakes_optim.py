"""Typical mistakes in `optim` lose the points they should, and only those."""
from tests.grading import edited, mistake, mistake_tests, seeds_agree_test

M_HAT = "m_hat = m_new / (1 - beta1 ** t)"
V_HAT = "v_hat = v_new / (1 - beta2 ** t)"
ADAM = ("adam_first_step", "adam_later_step", "adam_trajectory", "adam_defaults")

MISTAKES = [
    edited("adam_without_bias_correction", [(M_HAT, "m_hat = m_new"), (V_HAT, "v_hat = v_new")], *ADAM),
    mistake("adam_eps_inside_the_square_root", "(np.sqrt(v_hat) + eps)", "np.sqrt(v_hat + eps)", *ADAM),
    mistake("adam_returns_corrected_moments", "(np.sqrt(v_hat) + eps), m_new, v_new",
            "(np.sqrt(v_hat) + eps), m_hat, v_hat", "adam_moments", "adam_trajectory", "adam_defaults"),
    edited("adam_counts_steps_from_zero", [
        (M_HAT, "m_hat = m_new / (1 - beta1 ** (t - 1))"),
        (V_HAT, "v_hat = v_new / (1 - beta2 ** (t - 1))"),
    ], *ADAM, "zero_gradient"),
    mistake("adagrad_forgets_the_square", "s_new = s + dw ** 2", "s_new = s + dw", "adagrad_step", "adagrad_defaults",
            "adagrad_trajectory"),
    mistake("rmsprop_weights_swapped", "alpha * s + (1 - alpha) * dw ** 2", "(1 - alpha) * s + alpha * dw ** 2",
            "rmsprop_step", "rmsprop_defaults", "rmsprop_trajectory"),
    mistake("momentum_velocity_scaled_by_lr", "    v_new = momentum * v + dw\n    return w - lr * v_new, v_new",
            "    v_new = momentum * v - lr * dw\n    return w + v_new, v_new", "momentum_step", "momentum_default",
            "momentum_trajectory"),
    mistake("sgd_updates_in_place", "    return w - lr * dw\n", "    w -= lr * dw\n    return w\n", "no_mutation",
            lost=1),
    mistake("wrong_default_learning_rate", "adagrad_step(w, dw, s, lr=1e-2,", "adagrad_step(w, dw, s, lr=1e-3,",
            "adagrad_defaults", lost=1),
]

test_mistake = mistake_tests("optim", MISTAKES)
test_seeds_agree = seeds_agree_test("optim", mistake("m_hat_not_corrected", M_HAT, "m_hat = m_new", *ADAM),
                                    full_marks=20)
