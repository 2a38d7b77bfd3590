"""The reference `optim` steps are torch.optim's update rules, step for step.

Each optimiser runs 60 steps on a random quadratic, once in torch.optim and
once with the reference step function, both fed the same gradients; the
weights and the optimiser's state must agree at every step, with chosen
hyperparameters and with both sides' defaults.  torch is installed in CI, so
it is imported plainly.
"""
import numpy as np
import pytest
import torch

from grader.catalog import get
from grader.runner import load_reference

REF = load_reference(str(get("optim").reference))
STEPS = 60
DIM = 6

# torch optimiser, its options, the reference function, its options, torch's names for the state it returns
CASES = {
    "sgd": (torch.optim.SGD, {"lr": 0.1}, "sgd_step", {"lr": 0.1}, []),
    "momentum": (torch.optim.SGD, {"lr": 0.05, "momentum": 0.8, "dampening": 0.0},
                 "momentum_step", {"lr": 0.05, "momentum": 0.8}, ["momentum_buffer"]),
    "adagrad": (torch.optim.Adagrad, {"lr": 0.3, "eps": 1e-10, "lr_decay": 0.0, "initial_accumulator_value": 0.0},
                "adagrad_step", {"lr": 0.3, "eps": 1e-10}, ["sum"]),
    "rmsprop": (torch.optim.RMSprop, {"lr": 0.02, "alpha": 0.9, "eps": 1e-8, "centered": False, "momentum": 0.0},
                "rmsprop_step", {"lr": 0.02, "alpha": 0.9, "eps": 1e-8}, ["square_avg"]),
    "adam": (torch.optim.Adam, {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-8, "amsgrad": False},
             "adam_step", {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8}, ["exp_avg", "exp_avg_sq"]),
    "adagrad defaults": (torch.optim.Adagrad, {}, "adagrad_step", {}, ["sum"]),
    "rmsprop defaults": (torch.optim.RMSprop, {}, "rmsprop_step", {}, ["square_avg"]),
    "adam defaults": (torch.optim.Adam, {}, "adam_step", {}, ["exp_avg", "exp_avg_sq"]),
}


def _quadratic_gradient(rng):
    """The gradient of a well-conditioned quadratic 0.5 (w - c)^T A (w - c)."""
    q, _ = np.linalg.qr(rng.normal(size=(DIM, DIM)))
    a = q @ np.diag(rng.uniform(0.5, 2.0, size=DIM)) @ q.T
    c = rng.normal(size=DIM)
    return lambda w: a @ (w - c)


def _reference_step(name, w, g, state, t):
    """The reference's step: the new weights and the new state."""
    _, _, fn, options, _ = CASES[name]
    extra = [t] if fn == "adam_step" else []
    out = getattr(REF, fn)(w, g, *state, *extra, **options)
    return (out, []) if isinstance(out, np.ndarray) else (out[0], list(out[1:]))


def _assert_same(mine, theirs, what):
    np.testing.assert_allclose(mine, theirs, rtol=1e-11, atol=1e-14, err_msg=what)


@pytest.mark.parametrize("foreach", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", list(CASES))
def test_reference_matches_torch_optim(name, seed, foreach):
    optimiser, options, _, _, keys = CASES[name]
    rng = np.random.default_rng(seed)
    gradient = _quadratic_gradient(rng)
    w = rng.normal(size=DIM)
    param = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    opt = optimiser([param], foreach=foreach, **options)
    state = [np.zeros(DIM) for _ in keys]
    for t in range(1, STEPS + 1):
        g = gradient(w)  # both take the gradient at the reference's weights: rounding cannot snowball
        param.grad = torch.from_numpy(g.copy())
        opt.step()
        w, state = _reference_step(name, w, g, state, t)
        _assert_same(w, param.detach().numpy(), f"{name}: w at step {t}")
        for key, mine in zip(keys, state):
            _assert_same(mine, opt.state[param][key].numpy(), f"{name}: {key} at step {t}")

