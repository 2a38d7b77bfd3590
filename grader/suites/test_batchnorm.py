"""Hidden suite for `batchnorm`: matches torch.nn.functional.batch_norm."""

from grader.i18n import _
from grader.checks import CheckedCalls, assert_close, assert_not_mutated, call_tuple, check_layer_gradient, points

FWD, BWD = "batchnorm_forward", "batchnorm_backward"
NAMES = ["x", "gamma", "beta", "running_mean", "running_var"]
OUTPUTS = ("out", "cache", "new_running_mean", "new_running_var")


def _inputs(rng, n=6, d=4):
    """x with a different mean and scale per feature, and running statistics unlike the batch's."""
    x = rng.normal(rng.uniform(-3, 3, d), rng.uniform(0.5, 3, d), size=(n, d))
    gamma, beta = rng.uniform(0.5, 2, d) * rng.choice([-1, 1], d), rng.normal(size=d)
    return x, gamma, beta, rng.normal(size=d), rng.uniform(0.5, 2, d)


def _forward(submission, args, **kwargs):
    return call_tuple(submission, FWD, "(" + ", ".join(OUTPUTS) + ")", *args, **kwargs)


def _compare(submission, reference, args, which, note="", **kwargs):
    """The student's outputs named in ``which`` against the reference's, for the same call."""
    got, expected = _forward(submission, args, **kwargs), reference.batchnorm_forward(*args, **kwargs)
    for name in which:
        i = OUTPUTS.index(name)
        assert_close(got[i], expected[i], FWD, name + note)


@points(2, id="forward_train")
def test_forward_train(submission, reference, rng):
    """batchnorm_forward: training normalises with the batch mean and biased variance"""
    _compare(submission, reference, _inputs(rng), ["out"])


@points(1, id="running_mean")
def test_running_mean(submission, reference, rng):
    """batchnorm_forward: running_mean moves toward the batch mean with momentum 0.1"""
    _compare(submission, reference, _inputs(rng), ["new_running_mean"])


@points(2, id="running_var")
def test_running_var(submission, reference, rng):
    """batchnorm_forward: running_var moves toward the unbiased batch variance"""
    _compare(submission, reference, _inputs(rng, n=4), ["new_running_var"])


@points(2, id="momentum_and_eps")
def test_momentum_and_eps(submission, reference, rng):
    """batchnorm_forward: honours non-default momentum and eps"""
    x, *rest = _inputs(rng)
    x = rng.normal(size=x.shape) * 0.7  # variance about 0.5, so eps = 0.5 changes every output
    _compare(submission, reference, (x, *rest), ["out", "new_running_mean", "new_running_var"],
             _(" (momentum=0.3, eps=0.5)"), momentum=0.3, eps=0.5)


@points(2, id="eval_output")
def test_eval_output(submission, reference, rng):
    """batchnorm_forward: evaluation normalises with the running statistics"""
    args = _inputs(rng)
    _compare(submission, reference, args, ["out"], " (train=False)", train=False)
    _compare(submission, reference, args, ["out"], _(" (train=False, eps=0.5)"), train=False, eps=0.5)


@points(1, id="eval_keeps_running_stats")
def test_eval_keeps_running_stats(submission, reference, rng):
    """batchnorm_forward: evaluation returns the running statistics unchanged"""
    _compare(submission, reference, _inputs(rng), ["out", "new_running_mean", "new_running_var"], " (train=False)",
             train=False)  # out too: handing the running statistics back without normalising earns nothing


@points(3, id="backward_dx")
def test_backward_dx(submission, reference, rng):
    """batchnorm_backward: dx is right (the batch statistics depend on x)"""
    check_layer_gradient(submission, reference, "batchnorm", _inputs(rng), NAMES[:3], 0, rng.normal(size=(6, 4)))


@points(2, id="backward_dgamma")
def test_backward_dgamma(submission, reference, rng):
    """batchnorm_backward: dgamma is right"""
    check_layer_gradient(submission, reference, "batchnorm", _inputs(rng), NAMES[:3], 1, rng.normal(size=(6, 4)))


@points(1, id="backward_dbeta")
def test_backward_dbeta(submission, reference, rng):
    """batchnorm_backward: dbeta sums over the batch"""
    check_layer_gradient(submission, reference, "batchnorm", _inputs(rng), NAMES[:3], 2, rng.normal(size=(6, 4)))


@points(1, id="no_mutation")
def test_no_mutation(submission, reference, rng):
    """batchnorm_forward and batchnorm_backward leave their arguments unchanged"""
    calls = CheckedCalls(submission, reference)
    args, dout = _inputs(rng), rng.normal(size=(6, 4))
    for train in (False, True):
        _, cache, _, _ = calls.call(FWD, *args, train=train, skip=[1], what=f"train={train}")
        assert_not_mutated(submission, f"{FWD} (train={train})", NAMES)
    calls.call(BWD, dout, cache, reference_args=(dout, reference.batchnorm_forward(*args)[1]))
    assert_not_mutated(submission, BWD, ["dout", "cache"])
    calls.assert_work_done()
