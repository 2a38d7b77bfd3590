"""Visible tests for `stability`: run them with `dlx check stability`.

They use small hand-checkable inputs; the hidden tests of `dlx submit` use
random inputs, other axes and many inputs mixing magnitudes up to 1e4.
"""
import numpy as np

from grader.i18n import _
from grader.checks import assert_close, assert_no_warnings


def test_logsumexp_small_example_and_axis(submission):
    """logsumexp: log(1 + 3) = log 4, and the reduced axis is dropped"""
    x = np.array([[0.0, np.log(3.0)], [1.0, 1.0]])
    assert_close(submission.logsumexp(x), [np.log(4.0), 1.0 + np.log(2.0)], "logsumexp", "result")
    expected = [np.log(1.0 + np.e), np.log(3.0 + np.e)]
    assert_close(submission.logsumexp(x, axis=0), expected, "logsumexp", _("result for axis=0"))


def test_softmax_and_log_softmax_at_1e4(submission):
    """softmax and log_softmax: exact and warning-free for x = [1e4, 0, -1e4]"""
    x = np.array([1e4, 0.0, -1e4])
    p = submission.softmax(x)
    assert_no_warnings(submission, "softmax")
    assert_close(p, [1.0, 0.0, 0.0], "softmax", "result")
    logp = submission.log_softmax(x)
    assert_no_warnings(submission, "log_softmax")
    assert_close(logp, [0.0, -1e4, -2e4], "log_softmax", "result")


def test_sigmoid_and_log_sigmoid_at_1e4(submission):
    """sigmoid and log_sigmoid: exact and warning-free at -1e4, 0 and 1e4"""
    x = np.array([-1e4, 0.0, 1e4])
    s = submission.sigmoid(x)
    assert_no_warnings(submission, "sigmoid")
    assert_close(s, [0.0, 0.5, 1.0], "sigmoid", "result")
    logs = submission.log_sigmoid(x)
    assert_no_warnings(submission, "log_sigmoid")
    assert_close(logs, [-1e4, -np.log(2.0), 0.0], "log_sigmoid", "result")
