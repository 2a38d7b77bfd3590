"""Visible tests for `resblock_torch`: run them with `dlx check resblock_torch`.

Your block stays in a sandbox; grader-written helpers construct it, load a
state dict into it, run it and send back NumPy arrays. The hidden tests of
`dlx submit` load the reference's random weights into your block with
strict=True and compare outputs (training and evaluation mode), running
statistics and x.grad with the reference's, for several shapes.
"""
import numpy as np

from grader.proxy import TrustedFunction
from grader.i18n import _
from grader.checks import Feedback, as_array, assert_close

SUMMARY = TrustedFunction("torch_module_summary")
RUN = TrustedFunction("torch_module_run")


def test_names_and_shapes(submission):
    """ResidualBlock(3, 6, stride=2): parameter and buffer names and shapes"""
    block = submission.call("ResidualBlock", 3, 6, stride=2, label="ResidualBlock(3, 6, stride=2)")
    summary = submission.call(SUMMARY, block)
    params = {name: tuple(shape) for name, shape in summary["parameters"]}
    bn = (6,)
    expected = {"conv1.weight": (6, 3, 3, 3), "bn1.weight": bn, "bn1.bias": bn, "conv2.weight": (6, 6, 3, 3),
                "bn2.weight": bn, "bn2.bias": bn, "shortcut.0.weight": (6, 3, 1, 1), "shortcut.1.weight": bn,
                "shortcut.1.bias": bn}
    if params != expected:
        extra = sorted(set(params) - set(expected))
        missing = sorted(set(expected) - set(params))
        wrong = sorted(k for k in set(params) & set(expected) if params[k] != expected[k])
        raise Feedback(_("ResidualBlock(3, 6, stride=2): parameters differ: extra {extra}, missing {missing}, "
                         "wrong shape {wrong}").format(extra=extra, missing=missing, wrong=wrong))
    buffers = {name for name, _ in summary["buffers"]}
    for bn_name in ("bn1", "bn2", "shortcut.1"):
        for buffer in ("running_mean", "running_var", "num_batches_tracked"):
            if f"{bn_name}.{buffer}" not in buffers:
                raise Feedback(_("ResidualBlock(3, 6, stride=2): no buffer {bn_name}.{buffer}").format(
                                   bn_name=bn_name, buffer=buffer))


def test_identity_block_shape_and_residual(submission):
    """ResidualBlock(4, 4): output shape, empty shortcut, and out >= 0 after the final ReLU"""
    block = submission.call("ResidualBlock", 4, 4, label="ResidualBlock(4, 4)")
    summary = submission.call(SUMMARY, block)
    shortcut = [name for name, _ in summary["parameters"] + summary["buffers"] if name.startswith("shortcut")]
    if shortcut:
        raise Feedback(_("ResidualBlock(4, 4): the shortcut should be an empty nn.Sequential; "
                         "it has {shortcut}").format(
                           shortcut=shortcut))
    x = np.random.default_rng(0).normal(size=(2, 4, 5, 5))
    got = submission.call(RUN, block, x, True, label="ResidualBlock.forward")
    out = as_array(got["out"], "ResidualBlock(4, 4)", "out", (2, 4, 5, 5))
    if out.min() < 0:
        raise Feedback(_("ResidualBlock(4, 4): out has negative entries; the last step is a ReLU"))


def test_zero_branch_gives_relu_of_input(submission):
    """ResidualBlock(4, 4): with bn2's weight and bias at 0, evaluation mode gives relu(x)"""
    block = submission.call("ResidualBlock", 4, 4, label="ResidualBlock(4, 4)")
    state = submission.call(TrustedFunction("torch_state_dict"), block)
    state = {k: (np.zeros_like(v) if k.startswith("bn2.") and not k.endswith("num_batches_tracked") else v)
             for k, v in state.items()}
    report = submission.call(TrustedFunction("torch_load_state"), block, state)
    if any(report.values()):
        raise Feedback(_("ResidualBlock(4, 4): could not load its own state dict: {report}").format(
                           report=report))
    x = np.random.default_rng(1).normal(size=(2, 4, 6, 6))
    got = submission.call(RUN, block, x, False, label="ResidualBlock.forward")
    assert_close(got["out"], np.maximum(x, 0), "ResidualBlock(4, 4)", _("out (branch switched off)"))
