"""Hidden suite for `resblock_torch`.

Both blocks live in their workers (the reference's in a worker of its own) and
come back here as handles.  The reference block's state dict crosses as a dict
of NumPy arrays; its values are replaced by random ones drawn from ``rng`` (so
batch norm's scale, shift and running statistics are not trivially 1 and 0),
and the result is loaded with ``strict=True`` into both blocks, converted to
float64.  Forward passes, ``x.grad`` and the state afterwards come back as
NumPy arrays and are compared here.
"""
import numpy as np

from grader.proxy import TrustedFunction
from grader.i18n import _
from grader.checks import Feedback, as_array, assert_close, points

STATE = TrustedFunction("torch_state_dict")
LOAD = TrustedFunction("torch_load_state")
RUN = TrustedFunction("torch_module_run")
SUMMARY = TrustedFunction("torch_module_summary")
N = 4


def label(cin, cout, stride):
    return f"ResidualBlock({cin}, {cout}" + (f", stride={stride})" if stride != 1 else ")")


def construct(proxy, cin, cout, stride):
    """``ResidualBlock(cin, cout)`` or ``ResidualBlock(cin, cout, stride=s)``, as a handle."""
    kwargs = {"stride": stride} if stride != 1 else {}
    return proxy.call("ResidualBlock", cin, cout, label=label(cin, cout, stride), **kwargs)


def randomize(state, rng):
    """New values for every floating entry of a state dict, by the kind of entry."""
    new = {}
    for key, value in state.items():
        if not isinstance(value, np.ndarray):  # num_batches_tracked, a plain int
            new[key] = value
            continue
        leaf = key.rsplit(".", 1)[-1]
        if value.dtype.kind in "iub":
            new[key] = value.copy()
        elif value.ndim == 4:  # a convolution's weight: He-like scale
            new[key] = rng.normal(scale=np.sqrt(2.0 / np.prod(value.shape[1:])), size=value.shape)
        elif leaf == "running_var":
            new[key] = rng.uniform(0.5, 2.0, size=value.shape)
        elif leaf == "weight":
            new[key] = rng.uniform(0.5, 1.5, size=value.shape)
        else:  # bias, running_mean
            new[key] = rng.normal(scale=0.3, size=value.shape)
    return new


def _keys(keys):
    shown = ", ".join(keys[:6])
    return shown + (_(" and {value} more").format(value=len(keys) - 6) if len(keys) > 6 else "")


def load(proxy, block, state, what):
    """Load ``state`` strictly, or Feedback naming every offending key."""
    report = proxy.call(LOAD, block, state, label=what)
    problems = []
    if report["missing"]:
        problems.append(_("your block has key(s) the reference does not: {value}").format(
                            value=_keys(report['missing'])))
    if report["unexpected"]:
        problems.append(_("your block lacks the reference's key(s): {value}").format(
                            value=_keys(report['unexpected'])))
    for key, mine, theirs in report["mismatched"][:3]:
        problems.append(_("{key} has shape {value}; the reference's has shape {value2}").format(
                            key=key, value=tuple(mine), value2=tuple(theirs)))
    if problems:
        raise Feedback(_("{what}: the reference's state dict does not load with strict=True: ").format(
                           what=what) + "; ".join(problems))


def blocks(submission, reference, rng, cin, cout, stride):
    """The student's block and the reference's, both holding the same random float64 state."""
    what = label(cin, cout, stride)
    ref = construct(reference, cin, cout, stride)
    state = randomize(reference.call(STATE, ref), rng)
    load(reference, ref, state, _("the reference"))
    mine = construct(submission, cin, cout, stride)
    load(submission, mine, state, what)
    return mine, ref


def run_both(submission, reference, mine, ref, x, train, grad_out=None):
    got = submission.call(RUN, mine, x, train, grad_out, label="ResidualBlock.forward")
    expected = reference.call(RUN, ref, x, train, grad_out)
    return got, expected


def output_shape(cin, cout, stride, h, w):
    return (N, cout, (h - 1) // stride + 1, (w - 1) // stride + 1)


def check_output(submission, reference, rng, cin, cout, stride, train, hw=(6, 6)):
    mine, ref = blocks(submission, reference, rng, cin, cout, stride)
    x = rng.normal(size=(N, cin, *hw))
    got, expected = run_both(submission, reference, mine, ref, x, train)
    mode = "training" if train else "evaluation"
    assert_close(got["out"], expected["out"], label(cin, cout, stride), _("out ({mode} mode)").format(mode=mode))


def channels(rng):
    return int(rng.integers(3, 6))


# -- structure --------------------------------------------------------------------------------
@points(1, id="state_identity")
def test_state_identity(submission, reference, rng):
    """ResidualBlock(c, c): parameters and buffers load strictly from the reference's"""
    c = channels(rng)
    blocks(submission, reference, rng, c, c, 1)


@points(1, id="state_downsample")
def test_state_downsample(submission, reference, rng):
    """ResidualBlock(c, 2c, stride=2) and (c, c, stride=2): parameters and buffers load strictly from the
    reference's"""
    c = channels(rng)
    blocks(submission, reference, rng, c, 2 * c, 2)
    blocks(submission, reference, rng, c, c, 2)  # equal channels, but strided: the shortcut projects too


@points(1, id="state_more_channels")
def test_state_more_channels(submission, reference, rng):
    """ResidualBlock(c, c + 2): parameters and buffers load strictly from the reference's"""
    c = channels(rng)
    blocks(submission, reference, rng, c, c + 2, 1)


@points(1, id="parameter_count")
def test_parameter_count(submission, reference, rng):
    """ResidualBlock: the number of parameters matches the reference's"""
    c = channels(rng)
    for cin, cout, stride in [(c, c, 1), (c, 2 * c, 2), (c, c + 2, 1), (c, c, 2)]:
        counts = []
        for proxy in (submission, reference):
            summary = proxy.call(SUMMARY, construct(proxy, cin, cout, stride), label=label(cin, cout, stride))
            counts.append(sum(int(np.prod(shape)) for _, shape in summary["parameters"]))
        if counts[0] != counts[1]:
            raise Feedback(_("{value} has {counts} parameters; the reference has {counts2}").format(
                               value=label(cin, cout, stride), counts=counts[0], counts2=counts[1]))


@points(1, id="output_shape")
def test_output_shape(submission, rng):
    """ResidualBlock: output shape, with odd heights and widths and stride 2"""
    c = channels(rng)
    for cin, cout, stride, h, w in [(c, c, 1, 5, 7), (c, 2 * c, 2, 7, 5), (c, c + 2, 2, 8, 6), (c, c, 2, 7, 7)]:
        block = construct(submission, cin, cout, stride)
        got = submission.call(RUN, block, rng.normal(size=(N, cin, h, w)), True, label="ResidualBlock.forward")
        as_array(got["out"], label(cin, cout, stride), _("out for x of shape {value}").format(
                                                           value=(N, cin, h, w)),
                 output_shape(cin, cout, stride, h, w))


# -- values -------------------------------------------------------------------------------------
@points(2, id="train_identity")
def test_train_identity(submission, reference, rng):
    """ResidualBlock(c, c): training-mode output matches the reference's"""
    c = channels(rng)
    check_output(submission, reference, rng, c, c, 1, True)


@points(2, id="train_downsample")
def test_train_downsample(submission, reference, rng):
    """ResidualBlock(c, 2c, stride=2): training-mode output matches the reference's"""
    c = channels(rng)
    check_output(submission, reference, rng, c, 2 * c, 2, True, hw=(8, 6))


@points(1, id="train_more_channels")
def test_train_more_channels(submission, reference, rng):
    """ResidualBlock(c, c + 2): training-mode output matches the reference's"""
    c = channels(rng)
    check_output(submission, reference, rng, c, c + 2, 1, True)


@points(2, id="eval_mode")
def test_eval_mode(submission, reference, rng):
    """ResidualBlock: evaluation mode normalises with the running statistics"""
    c = channels(rng)
    check_output(submission, reference, rng, c, c, 1, False)
    check_output(submission, reference, rng, c, 2 * c, 2, False, hw=(8, 6))


@points(1, id="running_statistics")
def test_running_statistics(submission, reference, rng):
    """ResidualBlock: a training-mode forward updates the running statistics like the reference's"""
    c = channels(rng)
    for cin, cout, stride in [(c, c, 1), (c, 2 * c, 2)]:
        mine, ref = blocks(submission, reference, rng, cin, cout, stride)
        got, expected = run_both(submission, reference, mine, ref, rng.normal(size=(N, cin, 6, 6)), True)
        for key, value in expected["state"].items():
            if key not in got["state"]:
                raise Feedback(_("{value}: {key} disappeared from the state dict").format(
                                   value=label(cin, cout, stride), key=key))
            if key.endswith("num_batches_tracked"):
                if int(np.asarray(got["state"][key])) != int(np.asarray(value)):
                    raise Feedback(_("{value}: {key} is {value2} after one training-mode forward; expected "
                                     "{value3}").format(
                                       value=label(cin, cout, stride), key=key, value2=int(np.asarray(got['state'][key])), value3=int(np.asarray(value))))
                continue
            assert_close(got["state"][key], value, label(cin, cout, stride),
                         _("{key} after one training-mode forward").format(key=key))


@points(2, id="gradient_reaches_input")
def test_gradient_reaches_input(submission, reference, rng):
    """ResidualBlock: the gradient reaches the input (x.grad matches the reference's)"""
    c = channels(rng)
    for cin, cout, stride in [(c, 2 * c, 2), (c, c, 1)]:
        mine, ref = blocks(submission, reference, rng, cin, cout, stride)
        x = rng.normal(size=(N, cin, 6, 6))
        grad_out = rng.normal(size=output_shape(cin, cout, stride, 6, 6))
        got, expected = run_both(submission, reference, mine, ref, x, True, grad_out)
        what = label(cin, cout, stride)
        as_array(got["out"], what, "out", grad_out.shape)
        if got["x_grad"] is None or not np.any(np.asarray(got["x_grad"]) != 0):
            raise Feedback(_("{what}: no gradient reached the input x (x.grad is {value}); is x detached "
                             "somewhere?").format(
                               what=what, value='None' if got['x_grad'] is None else _('all zeros')))
        assert_close(got["x_grad"], expected["x_grad"], what, "x.grad")


@points(1, id="no_mutation")
def test_no_mutation(submission, rng):
    """ResidualBlock: forward leaves its input x unchanged"""
    c = channels(rng)
    for cin, cout, stride in [(c, c, 1), (c, 2 * c, 2)]:
        block = construct(submission, cin, cout, stride)
        x = rng.normal(size=(N, cin, 6, 6))
        got = submission.call(RUN, block, x, True, label="ResidualBlock.forward")
        if got["x_changed"]:
            raise Feedback(_("{value}: forward changed its input x in place (an in-place operation such as "
                             "relu_ or += on x?); compute new tensors instead").format(
                               value=label(cin, cout, stride)))
