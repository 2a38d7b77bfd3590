"""Visible tests for `autodiff`: run them with `dlx check autodiff`.

They use small hand-checkable expressions; the hidden tests of `dlx submit`
check every operation on random inputs, random expression graphs with shared
sub-expressions, ties, kinks, large inputs to sigmoid, and a graph 10,000
nodes deep.
"""
import math

from grader.i18n import _
from grader.proxy import TrustedFunction
from grader.checks import as_float, assert_close


def test_small_expression(submission):
    """Value: z = x * y + x.tanh(), forward and backward"""
    x = submission.call(submission.name("Value"), 2.0, label="Value")
    y = submission.call(submission.name("Value"), -3.0, label="Value")
    z = submission.op("add", submission.op("mul", x, y), x.method("tanh"))
    z.method("backward")
    assert_close(as_float(z.get("data"), "Value", "z.data"), -6 + math.tanh(2), "Value", "z.data")
    assert_close(as_float(x.get("grad"), "Value", "x.grad"), -3 + 1 - math.tanh(2) ** 2, "Value", "x.grad")
    assert_close(as_float(y.get("grad"), "Value", "y.grad"), 2.0, "Value", "y.grad")


def test_numbers_on_either_side(submission):
    """Value: out = (2 + x) * (3 - x) + 1 / x + x ** 3 at x = 2"""
    x = submission.call(submission.name("Value"), 2.0, label="Value")
    left = submission.op("mul", submission.op("add", 2, x), submission.op("sub", 3, x))
    right = submission.op("add", submission.op("truediv", 1, x), submission.op("pow", x, 3))
    out = submission.op("add", left, right)
    out.method("backward")
    assert_close(as_float(out.get("data"), "Value", "out.data"), 12.5, "Value", "out.data")
    # d/dx: (3 - x) - (2 + x) - 1 / x**2 + 3 x**2 = 1 - 4 - 0.25 + 12
    assert_close(as_float(x.get("grad"), "Value", "x.grad"), 8.75, "Value", "x.grad")


def test_deep_chain(submission):
    """Value.backward: y = x + x + ... + x, a chain 2,000 nodes deep (no recursion)"""
    plan = [["leaf", 0.5]] + [["add", k, 0] for k in range(2000)]
    (_x_data, x_grad), (out_data, _out_grad) = submission.call(
        TrustedFunction("value_plan"), submission.name("Value"), plan, [0, len(plan) - 1],
        label="Value ({})".format(_("a chain {n:,} nodes deep").format(n=2000)))
    assert_close(as_float(out_data, "Value", "out.data"), 2001 * 0.5, "Value", "out.data")
    assert_close(as_float(x_grad, "Value", "x.grad"), 2001.0, "Value", "x.grad")
