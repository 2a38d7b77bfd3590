"""Visible tests for `torch_functions`: run them with `dlx check torch_functions`.

Your classes run in a sandbox; a grader-written probe calls ``apply`` and then
your ``backward`` with a given ``grad_out``, and sends back the numbers as
NumPy arrays. The hidden tests of `dlx submit` use random inputs, other
shapes, inputs up to 1e4 and a numerical gradient check, and make sure that
backward does not use autograd.
"""
import numpy as np

from grader.proxy import TrustedFunction, reported
from grader.i18n import _
from grader.checks import Feedback, as_array, assert_close, numerical_gradient_array

PROBE = TrustedFunction("torch_function_probe")


def run(submission, name, inputs, grad_out):
    report = submission.call(PROBE, submission.name(name), inputs, grad_out, label=name)
    if report["autograd"]:
        raise Feedback(_("{name} must compute its gradient by hand, but your code used {report}").format(
                           name=name, report=reported(report['autograd'][0])))
    if report["out"] is None:
        raise Feedback(_("{name}.forward should return one tensor; it returned {report}").format(
                           name=name, report=report['out_kind']))
    return report


def test_sigmoid_small_example(submission):
    """SigmoidFunction: forward and backward at x = [-2, 0, 3]"""
    x = np.array([-2.0, 0.0, 3.0])
    grad_out = np.array([1.0, 2.0, -1.0])
    report = run(submission, "SigmoidFunction", [x], grad_out)
    s = 1 / (1 + np.exp(-x))
    assert_close(report["out"], s, "SigmoidFunction.forward", "out")
    assert report["grads"] and report["grads"][0] is not None, _("SigmoidFunction.backward returned no gradient")
    assert_close(report["grads"][0], grad_out * s * (1 - s), "SigmoidFunction.backward", "dx")


def test_linear_matches_numerical_gradient(submission):
    """LinearFunction: dx, dw and db agree with a numerical gradient"""
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=2)
    grad_out = rng.normal(size=(3, 2))
    report = run(submission, "LinearFunction", [x, w, b], grad_out)
    assert_close(report["out"], x @ w + b, "LinearFunction.forward", "out")
    if len(report["grads"]) != 3 or any(g is None for g in report["grads"]):
        raise Feedback(_("LinearFunction.backward should return three tensors (dx, dw, db)"))
    dx, dw, db = (as_array(g, "LinearFunction.backward", n, np.shape(a))
                  for g, n, a in zip(report["grads"], ("dx", "dw", "db"), (x, w, b)))
    assert_close(dx, numerical_gradient_array(lambda v: v @ w + b, x, grad_out), "LinearFunction.backward", "dx", 1e-6)
    assert_close(dw, numerical_gradient_array(lambda v: x @ v + b, w, grad_out), "LinearFunction.backward", "dw", 1e-6)
    assert_close(db, numerical_gradient_array(lambda v: x @ w + v, b, grad_out), "LinearFunction.backward", "db", 1e-6)


def test_logsumexp_large_inputs(submission):
    """LogSumExpFunction: a row of two entries equal to 1e4, and an ordinary row"""
    x = np.array([[1e4, 1e4], [0.0, np.log(3.0)]])
    grad_out = np.array([1.0, 2.0])
    report = run(submission, "LogSumExpFunction", [x], grad_out)
    assert_close(report["out"], [1e4 + np.log(2.0), np.log(4.0)], "LogSumExpFunction.forward", "out")
    assert report["grads"] and report["grads"][0] is not None, _("LogSumExpFunction.backward returned no gradient")
    assert_close(report["grads"][0], [[0.5, 0.5], [0.5, 1.5]], "LogSumExpFunction.backward", "dx")
