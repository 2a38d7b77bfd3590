"""Hidden suite for `optim`.

Every expected value comes from the reference applied to the very inputs the
student's function received, so a correct step differs from it only by
rounding: a few ulps of terms of size at most about 10 (a torch-style Adam,
with lerp and the corrections folded into the step size, differs by 1e-14),
far inside the 1e-7 relative tolerance.  Some gradient entries are made as
small as eps, with an empty state there, so that eps and where it goes
decide the step and a wrong eps cannot hide.
"""
import numpy as np

from grader.i18n import _
from grader.checks import (CheckedCalls, as_array, as_tuple, assert_close, assert_no_warnings, assert_not_mutated,
                            points)

SHAPE = (4, 5)
STEPS = 200
OUTPUTS = {
    "sgd_step": ("w_new",),
    "momentum_step": ("w_new", "v_new"),
    "adagrad_step": ("w_new", "s_new"),
    "rmsprop_step": ("w_new", "s_new"),
    "adam_step": ("w_new", "m_new", "v_new"),
}
ARGUMENTS = {
    "sgd_step": ("w", "dw", "lr"),
    "momentum_step": ("w", "dw", "v", "lr", "momentum"),
    "adagrad_step": ("w", "dw", "s", "lr", "eps"),
    "rmsprop_step": ("w", "dw", "s", "lr", "alpha", "eps"),
    "adam_step": ("w", "dw", "m", "v", "t", "lr", "beta1", "beta2", "eps"),
}


# -- helpers -------------------------------------------------------------------------
def _outputs(value, fn, shape):
    """What ``fn`` returned, as a tuple of arrays of the weights' shape."""
    names = OUTPUTS[fn]
    items = (value,) if len(names) == 1 else as_tuple(value, len(names), fn, "(" + ", ".join(names) + ")")
    return tuple(as_array(item, fn, name, shape) for item, name in zip(items, names))


def _check_step(submission, reference, fn, args, kwargs=None, only=None, where=""):
    """Call ``fn`` in the sandbox and compare the outputs named in ``only`` (default all) with the reference."""
    kwargs = kwargs or {}
    got = _outputs(submission.call(fn, *args, **kwargs), fn, np.shape(args[0]))
    expected = _outputs(getattr(reference, fn)(*args, **kwargs), fn, np.shape(args[0]))
    for name, g, e in zip(OUTPUTS[fn], got, expected):
        if only is None or name in only:
            assert_close(g, e, fn, name + where)


def _eps_sized(rng, eps, dw, *states):
    """Copies whose first row has gradients about eps in size and empty state: there eps shapes the step."""
    dw, states = dw.copy(), [s.copy() for s in states]
    dw[0] = eps * rng.uniform(0.5, 2.0, size=dw.shape[1]) * rng.choice([-1.0, 1.0], size=dw.shape[1])
    for s in states:
        s[0] = 0.0
    return (dw, *states)


def _weights_and_gradient(rng):
    return rng.normal(size=SHAPE), rng.normal(size=SHAPE)


def _positive(rng):
    """A running average of squared gradients: positive, of the size of a squared gradient."""
    return rng.normal(size=SHAPE) ** 2 + 0.01


def _quadratic(rng, d=8):
    """A well-conditioned quadratic 0.5 (w - c)^T A (w - c): its gradient and a starting point."""
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    a = q @ np.diag(rng.uniform(0.2, 1.0, size=d)) @ q.T
    c = rng.normal(size=d)
    return (lambda w: a @ (w - c)), c + rng.normal(size=d)


def _check_trajectory(submission, reference, fn, rng, hyper):
    """``STEPS`` steps on a quadratic: the student's step must take each state of the run to the next.

    The reference runs the whole trajectory (gradients taken at its weights); the
    student's step is called, in order and in one round trip, from the states of
    the first 20 steps and of every 20th step after (up to t = 200 for Adam's bias
    correction).  A step that is right at every state follows the whole run.
    """
    gradient, w = _quadratic(rng)
    state = [np.zeros_like(w)] * (len(OUTPUTS[fn]) - 1)
    checked = []  # (t, args, expected outputs)
    for t in range(1, STEPS + 1):
        args = (w, gradient(w), *state, *((t,) if fn == "adam_step" else ()), *hyper)
        out = _outputs(getattr(reference, fn)(*args), fn, w.shape)
        if t <= 20 or t % 20 == 0:
            checked.append((t, args, out))
        w, *state = out
    results = submission.map(fn, [args for _, args, _ in checked])
    for (t, _unused, want), value in zip(checked, results):
        for name, g, e in zip(OUTPUTS[fn], _outputs(value, fn, w.shape), want):
            assert_close(g, e, fn, _("{name} at step {t} of {steps} on a quadratic").format(
                                       name=name, t=t, steps=STEPS))


# -- SGD and momentum ------------------------------------------------------------------
@points(1, id="sgd_step")
def test_sgd_step(submission, reference, rng):
    """sgd_step: w_new matches the reference"""
    w, dw = _weights_and_gradient(rng)
    _check_step(submission, reference, "sgd_step", (w, dw, rng.uniform(0.01, 0.5)))


@points(1, id="momentum_step")
def test_momentum_step(submission, reference, rng):
    """momentum_step: w_new and v_new after one step"""
    w, dw = _weights_and_gradient(rng)
    v = rng.normal(size=SHAPE)
    _check_step(submission, reference, "momentum_step", (w, dw, v, rng.uniform(0.01, 0.5)),
                {"momentum": rng.uniform(0.3, 0.8)})


@points(1, id="momentum_default")
def test_momentum_default(submission, reference, rng):
    """momentum_step: the default momentum is 0.9"""
    w, dw = _weights_and_gradient(rng)
    _check_step(submission, reference, "momentum_step", (w, dw, rng.normal(size=SHAPE), rng.uniform(0.01, 0.5)))


# -- Adagrad and RMSProp ------------------------------------------------------------------
@points(2, id="adagrad_step")
def test_adagrad_step(submission, reference, rng):
    """adagrad_step: w_new and s_new after one step"""
    w, dw = _weights_and_gradient(rng)
    eps = 10 ** rng.uniform(-8, -6)
    dw, s = _eps_sized(rng, eps, dw, _positive(rng))
    _check_step(submission, reference, "adagrad_step", (w, dw, s), {"lr": rng.uniform(0.05, 0.5), "eps": eps})


@points(1, id="adagrad_defaults")
def test_adagrad_defaults(submission, reference, rng):
    """adagrad_step: the defaults lr=1e-2 and eps=1e-10 are honoured"""
    w, dw = _weights_and_gradient(rng)
    dw, s = _eps_sized(rng, 1e-10, dw, _positive(rng))
    _check_step(submission, reference, "adagrad_step", (w, dw, s))


@points(2, id="rmsprop_step")
def test_rmsprop_step(submission, reference, rng):
    """rmsprop_step: w_new and s_new after one step"""
    w, dw = _weights_and_gradient(rng)
    eps = 10 ** rng.uniform(-7, -5)
    dw, s = _eps_sized(rng, eps, dw, _positive(rng))
    _check_step(submission, reference, "rmsprop_step", (w, dw, s),
                {"lr": rng.uniform(0.01, 0.1), "alpha": rng.uniform(0.6, 0.9), "eps": eps})


@points(1, id="rmsprop_defaults")
def test_rmsprop_defaults(submission, reference, rng):
    """rmsprop_step: the defaults lr=1e-2, alpha=0.99 and eps=1e-8 are honoured"""
    w, dw = _weights_and_gradient(rng)
    dw, s = _eps_sized(rng, 1e-8, dw, _positive(rng))
    _check_step(submission, reference, "rmsprop_step", (w, dw, s))


# -- Adam --------------------------------------------------------------------------------
def _adam_case(rng, t, eps):
    """Arguments of adam_step at step ``t`` (zero moments at t = 1) and hyperparameters other than the defaults."""
    w, dw = _weights_and_gradient(rng)
    m, v = (np.zeros(SHAPE), np.zeros(SHAPE)) if t == 1 else (rng.normal(size=SHAPE), _positive(rng))
    dw, m, v = _eps_sized(rng, eps, dw, m, v)
    hyper = {"lr": rng.uniform(0.01, 0.1), "beta1": rng.uniform(0.5, 0.85), "beta2": rng.uniform(0.9, 0.99), "eps": eps}
    return (w, dw, m, v, t), hyper


@points(2, id="adam_first_step")
def test_adam_first_step(submission, reference, rng):
    """adam_step: w_new at the first step (t = 1) is bias-corrected"""
    args, hyper = _adam_case(rng, 1, 10 ** rng.uniform(-7, -5))
    _check_step(submission, reference, "adam_step", args, hyper, only=["w_new"])


@points(1, id="adam_moments")
def test_adam_moments(submission, reference, rng):
    """adam_step: m_new and v_new are the moving averages, without bias correction"""
    args, hyper = _adam_case(rng, int(rng.integers(2, 40)), 10 ** rng.uniform(-7, -5))
    _check_step(submission, reference, "adam_step", args, hyper, only=["m_new", "v_new"])


@points(1, id="adam_later_step")
def test_adam_later_step(submission, reference, rng):
    """adam_step: w_new at a later step t"""
    args, hyper = _adam_case(rng, int(rng.integers(2, 40)), 10 ** rng.uniform(-7, -5))
    _check_step(submission, reference, "adam_step", args, hyper, only=["w_new"])


@points(1, id="adam_defaults")
def test_adam_defaults(submission, reference, rng):
    """adam_step: the defaults lr=1e-3, beta1=0.9, beta2=0.999 and eps=1e-8 are honoured"""
    args, _ = _adam_case(rng, int(rng.integers(2, 40)), 1e-8)
    _check_step(submission, reference, "adam_step", args)


# -- long runs -------------------------------------------------------------------------------
@points(1, id="momentum_trajectory")
def test_momentum_trajectory(submission, reference, rng):
    """momentum_step: 200 steps on a quadratic follow the reference"""
    _check_trajectory(submission, reference, "momentum_step", rng, (rng.uniform(0.05, 0.2), rng.uniform(0.5, 0.9)))


@points(1, id="adagrad_trajectory")
def test_adagrad_trajectory(submission, reference, rng):
    """adagrad_step: 200 steps on a quadratic follow the reference"""
    _check_trajectory(submission, reference, "adagrad_step", rng, (rng.uniform(0.1, 0.5), 1e-10))


@points(1, id="rmsprop_trajectory")
def test_rmsprop_trajectory(submission, reference, rng):
    """rmsprop_step: 200 steps on a quadratic follow the reference"""
    hyper = (rng.uniform(0.005, 0.02), rng.uniform(0.9, 0.99), 10 ** rng.uniform(-4, -3))
    _check_trajectory(submission, reference, "rmsprop_step", rng, hyper)


@points(1, id="adam_trajectory")
def test_adam_trajectory(submission, reference, rng):
    """adam_step: 200 steps on a quadratic (t = 1, 2, ...) follow the reference"""
    hyper = (rng.uniform(0.01, 0.05), rng.uniform(0.8, 0.95), rng.uniform(0.99, 0.9999), 10 ** rng.uniform(-4, -3))
    _check_trajectory(submission, reference, "adam_step", rng, hyper)


# -- conventions -------------------------------------------------------------------------------
def _every_optimiser(w, dw, state):
    """One call of every optimiser, each state array equal to ``state``."""
    return [("sgd_step", (w, dw, 0.1)), ("momentum_step", (w, dw, state, 0.1)),
            ("adagrad_step", (w, dw, state)), ("rmsprop_step", (w, dw, state)),
            ("adam_step", (w, dw, state, state.copy(), 1))]


@points(1, id="zero_gradient")
def test_zero_gradient(submission, reference, rng):
    """all optimisers: a zero gradient from a fresh state leaves w unchanged, with no warning"""
    w, zeros = rng.normal(size=SHAPE), np.zeros(SHAPE)
    for fn, args in _every_optimiser(w, zeros, zeros):
        _check_step(submission, reference, fn, args, where=_(" (zero gradient, fresh state)"))
        assert_no_warnings(submission, fn)


@points(1, id="no_mutation")
def test_no_mutation(submission, reference, rng):
    """all optimisers: the arguments are left unchanged"""
    calls = CheckedCalls(submission, reference)
    w, dw = _weights_and_gradient(rng)
    for fn, args in _every_optimiser(w, dw, _positive(rng)):
        calls.call(fn, *args)
        assert_not_mutated(submission, fn, ARGUMENTS[fn])
    calls.assert_work_done()
