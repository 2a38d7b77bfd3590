"""Hidden suite for `torch_functions`.

The student's Functions run in their worker, the reference's in another; the
builder ``torch_function_probe`` (grader/sandbox/trusted_torch.py) returns the
forward's output, the backward's gradients for a given ``grad_out``, the forward
at perturbed inputs and what the code did with autograd, all as plain data.
Every judgement is made here, in float64, without importing torch: each
gradient is compared with the reference's and, for partial credit when the
forward is wrong, with the numerical Jacobian of the student's own forward
(centred differences, as ``torch.autograd.gradcheck`` does).
"""
import numpy as np

from grader.proxy import TrustedFunction, reported
from grader.i18n import _, ngettext
from grader.checks import (CheckedCalls, Feedback, as_array, assert_close, assert_finite, points, rel_error,
                            trivial_forward)

H = 1e-6
PROBE = TrustedFunction("torch_function_probe")
NUMERIC_PROBE = TrustedFunction("torch_function_probe", {"h": H})
ARGS = {"SigmoidFunction": ("x",), "LinearFunction": ("x", "w", "b"), "LogSumExpFunction": ("x",)}


def probe(proxy, name, inputs, grad_out=None, numeric=False):
    return proxy.call(NUMERIC_PROBE if numeric else PROBE, proxy.name(name), list(inputs), grad_out, label=name)


def autograd_used(calls):
    """The most telling entry of the probe's ``autograd`` list: a function called, else the graph built."""
    return reported(next((c for c in calls if not c.startswith("torch.enable_grad")), calls[0]))


def check_autograd(report, name):
    """Hand-written means hand-written: no autograd anywhere in the Function."""
    if report["autograd"]:
        raise Feedback(_("{name} must compute its gradient by hand, but your code used {value}; write the "
                         "backward from the tensors saved in ctx").format(
                           name=name, value=autograd_used(report['autograd'])))
    if report["kept_graph"]:
        raise Feedback(_("{name}.forward saved a tensor that still carries an autograd graph (built under "
                         "torch.enable_grad()); save plain tensors and compute the gradient by hand in backward").format(
                           name=name))


def forward_output(report, name, shape):
    if report["out"] is None:
        if report["autograd"]:
            check_autograd(report, name)
        raise Feedback(_("{name}.forward should return one tensor; it returned {report}").format(
                           name=name, report=report['out_kind']))
    out = as_array(report["out"], f"{name}.forward", "out", shape)
    if report["out_dtype"] != "float64":
        raise Feedback(_("{name}.forward: out has dtype {report}; keep the input's dtype (float64)").format(
                           name=name, report=report['out_dtype']))
    return out


def own_numerical_gradient(report, inputs, which, grad_out):
    """The numerical vector-Jacobian product of the student's forward for input ``which``, or None when it
    cannot be taken: the probe's calls at the unperturbed inputs, made among the perturbed ones in an order
    the code cannot predict, must give the forward's out again (as the NumPy gradient checks require)."""
    perturbed = report["perturbed"]
    if perturbed is None or report["out"] is None:
        return None
    out = np.asarray(report["out"], dtype=np.float64)
    for again in perturbed[2 * sum(np.size(a) for a in inputs):]:
        with np.errstate(all="ignore"):
            if not np.max(np.abs(np.asarray(again) - out), initial=0.0) <= 1e-12 * np.max(np.abs(out), initial=0.0):
                return None  # not one function of its inputs: its numerical gradient means nothing
    offset = sum(np.size(a) for a in inputs[:which])
    x = np.asarray(inputs[which])
    grad = np.zeros(x.shape)
    for j, i in enumerate(np.ndindex(x.shape)):
        plus, minus = perturbed[2 * (offset + j)], perturbed[2 * (offset + j) + 1]
        with np.errstate(all="ignore"):  # an overflow here gives inf, which earns nothing
            grad[i] = float(np.sum((np.asarray(plus, dtype=np.float64) - minus) * grad_out)) / (2 * H)
    return grad


def gradients(report, name, inputs):
    """The backward's gradients, one per input, or Feedback."""
    check_autograd(report, name)
    if report["out"] is None:
        forward_output(report, name, None)
    fn, names = f"{name}.backward", ARGS[name]
    grads, kinds = list(report["grads"]), list(report["grad_kinds"])
    while len(grads) > len(names) and kinds[-1] == "None":  # torch accepts extra trailing Nones
        grads, kinds = grads[:-1], kinds[:-1]
    if len(grads) != len(names):
        which = ", ".join(f"d{n}" for n in names)
        raise Feedback(ngettext("{fn} should return {n} gradient ({which}), one per input of forward; it returned {got}",
                                "{fn} should return {n} gradients ({which}), one per input of forward; it returned {got}",
                                len(names)).format(fn=fn, n=len(names), which=which, got=report['n_grads']))
    for k, (grad, kind, dtype) in enumerate(zip(grads, kinds, report["grad_dtypes"])):
        if grad is None:
            raise Feedback(_("{fn}: d{names} is {kind}; it should be a tensor of shape {value}").format(
                               fn=fn, names=names[k], kind=kind, value=np.shape(inputs[k])))
        if dtype != "float64":
            raise Feedback(_("{fn}: d{names} has dtype {dtype}; keep the input's dtype (float64)").format(
                               fn=fn, names=names[k], dtype=dtype))
    return grads


def check_gradient(submission, reference, name, inputs, grad_out, which, tol=1e-7, numeric=True):
    """The gradient for input ``which`` matches the reference's or, if the student's forward is
    wrong but attempts the Function (not a constant, not a scaled or shifted input), the numerical
    gradient of that forward (finite, not identically zero, from calls that give the forward's out again
    at the unperturbed inputs). A right forward gets no second chance."""
    got_report = probe(submission, name, inputs, grad_out, numeric=numeric)
    expected_report = probe(reference, name, inputs, grad_out)
    got = gradients(got_report, name, inputs)[which]
    fn, arg = f"{name}.backward", f"d{ARGS[name][which]}"
    got = as_array(got, fn, arg, np.shape(inputs[which]))
    try:
        assert_close(got, expected_report["grads"][which], fn, arg, tol)
    except Feedback:
        own = own_numerical_gradient(got_report, inputs, which, grad_out) if numeric else None
        out = np.asarray(got_report["out"], dtype=np.float64) if got_report["out"] is not None else None
        forward_right = out is not None and rel_error(out, expected_report["out"]) <= tol  # no second chance
        if (own is not None and out is not None and not forward_right and np.all(np.isfinite(own))
                and np.any(own != 0) and trivial_forward(out, inputs) is None and rel_error(got, own) <= 1e-6):
            return  # right for the student's own forward, which attempts the Function: the points are earned
        raise


def check_forward(submission, reference, name, inputs, shape):
    """The forward's output matches the reference's, to float64's precision (not float32's, about 6e-8)."""
    got = forward_output(probe(submission, name, inputs), name, shape)
    expected = np.asarray(probe(reference, name, inputs)["out"])
    fn, what = f"{name}.forward", _("out (input shape {value})").format(value=np.shape(inputs[0]))
    assert_close(got, expected, fn, what)
    try:  # rounding of a float64 computation, in any order, stays far below this
        assert_close(got, expected, fn, what, tol=1e-12, atol=1e-14 * max(1.0, float(np.max(np.abs(expected)))))
    except Feedback as exc:
        raise Feedback(_("{exc}: that is float32 precision; compute in float64 throughout (no .float() or "
                         "float32 tensors on the way)").format(exc=exc)) from None


# -- inputs -------------------------------------------------------------------------------------
def linear_inputs(rng, n=4, d=5, m=3):
    return [rng.normal(size=(n, d)), rng.normal(size=(d, m)), rng.normal(size=m)]


def large_rows(rng, n=6):
    """Rows of entries up to about 1e4: spread out, all equal, all -1e4, and near 1e4 with small gaps."""
    return np.stack([
        rng.uniform(-1e4, 1e4, n),
        np.full(n, 1e4),
        np.full(n, -1e4),
        1e4 - rng.uniform(0, 3, n),
        -1e4 + rng.uniform(0, 3, n),
    ])


# -- SigmoidFunction ------------------------------------------------------------------------
@points(1, id="sigmoid_forward")
def test_sigmoid_forward(submission, reference, rng):
    """SigmoidFunction: forward matches 1 / (1 + exp(-x))"""
    for shape in [(3, 5), (2, 3, 4)]:
        x = rng.normal(scale=2.0, size=shape)
        check_forward(submission, reference, "SigmoidFunction", [x], shape)


@points(2, id="sigmoid_backward")
def test_sigmoid_backward(submission, reference, rng):
    """SigmoidFunction: backward gives the right gradient"""
    for shape in [(3, 5), (2, 3, 4)]:
        x = rng.normal(scale=2.0, size=shape)
        check_gradient(submission, reference, "SigmoidFunction", [x], rng.normal(size=shape), 0)


# -- LinearFunction -------------------------------------------------------------------------
@points(1, id="linear_forward")
def test_linear_forward(submission, reference, rng):
    """LinearFunction: forward matches x @ w + b (b added to every row)"""
    for n, d, m in [(4, 5, 3), (1, 6, 2)]:
        check_forward(submission, reference, "LinearFunction", linear_inputs(rng, n, d, m), (n, m))


@points(1, id="linear_dx")
def test_linear_dx(submission, reference, rng):
    """LinearFunction: backward gives the right dx"""
    check_gradient(submission, reference, "LinearFunction", linear_inputs(rng), rng.normal(size=(4, 3)), 0)


@points(1, id="linear_dw")
def test_linear_dw(submission, reference, rng):
    """LinearFunction: backward gives the right dw"""
    check_gradient(submission, reference, "LinearFunction", linear_inputs(rng), rng.normal(size=(4, 3)), 1)


@points(1, id="linear_db")
def test_linear_db(submission, reference, rng):
    """LinearFunction: db sums over the batch and has b's shape (M,)"""
    check_gradient(submission, reference, "LinearFunction", linear_inputs(rng), rng.normal(size=(4, 3)), 2)


@points(1, id="linear_batch_of_one")
def test_linear_batch_of_one(submission, reference, rng):
    """LinearFunction: all gradients right for a batch of one"""
    inputs = linear_inputs(rng, 1, 6, 2)
    for which in range(3):
        check_gradient(submission, reference, "LinearFunction", inputs, rng.normal(size=(1, 2)), which)


# -- LogSumExpFunction ----------------------------------------------------------------------
@points(1, id="logsumexp_forward")
def test_logsumexp_forward(submission, reference, rng):
    """LogSumExpFunction: forward reduces the last dimension"""
    for shape in [(4, 6), (2, 3, 5)]:
        x = rng.normal(scale=2.0, size=shape)
        check_forward(submission, reference, "LogSumExpFunction", [x], shape[:-1])


@points(2, id="logsumexp_backward")
def test_logsumexp_backward(submission, reference, rng):
    """LogSumExpFunction: backward gives the right gradient"""
    for shape in [(4, 6), (2, 3, 5)]:
        x = rng.normal(scale=2.0, size=shape)
        check_gradient(submission, reference, "LogSumExpFunction", [x], rng.normal(size=shape[:-1]), 0)


@points(1, id="logsumexp_stable_forward")
def test_logsumexp_stable_forward(submission, reference, rng):
    """LogSumExpFunction: forward finite and right for entries up to 1e4"""
    x = large_rows(rng)
    report = probe(submission, "LogSumExpFunction", [x])
    got = forward_output(report, "LogSumExpFunction", (x.shape[0],))
    assert_finite(got, "LogSumExpFunction.forward", _("out (entries up to 1e4)"))
    assert_close(got, probe(reference, "LogSumExpFunction", [x])["out"], "LogSumExpFunction.forward",
                 _("out (entries up to 1e4)"))


@points(1, id="logsumexp_stable_backward")
def test_logsumexp_stable_backward(submission, reference, rng):
    """LogSumExpFunction: backward finite and right for entries up to 1e4"""
    x = large_rows(rng)
    grad_out = rng.normal(size=x.shape[0])
    report = probe(submission, "LogSumExpFunction", [x], grad_out)
    got = as_array(gradients(report, "LogSumExpFunction", [x])[0], "LogSumExpFunction.backward", "dx", x.shape)
    assert_finite(got, "LogSumExpFunction.backward", _("dx (entries up to 1e4)"))
    assert_close(got, probe(reference, "LogSumExpFunction", [x], grad_out)["grads"][0],
                 "LogSumExpFunction.backward", _("dx (entries up to 1e4)"))


# -- all three ----------------------------------------------------------------------------------
@points(1, id="no_mutation")
def test_no_mutation(submission, reference, rng):
    """all three Functions: forward and backward leave their inputs and grad_out unchanged"""
    x = rng.normal(size=(3, 4))
    cases = [("SigmoidFunction", [x], x.shape), ("LinearFunction", linear_inputs(rng), (4, 3)),
             ("LogSumExpFunction", [x], (3,))]
    calls = CheckedCalls(submission, reference)
    for name, inputs, out_shape in cases:
        grad_out = rng.normal(size=out_shape)
        report = probe(submission, name, inputs, grad_out)
        if report["mutated"]:
            which = ["grad_out" if k == "grad_out" else ARGS[name][k] for k in report["mutated"]]
            raise Feedback(_("{name} changed {value} in place; compute new tensors instead").format(
                               name=name, value=', '.join(which)))
        expected = probe(reference, name, inputs, grad_out)
        try:  # leaving the inputs alone earns the point only where the Function's results are right too
            assert_close(forward_output(report, name, out_shape), expected["out"], f"{name}.forward", "out")
            for k, (got, want) in enumerate(zip(gradients(report, name, inputs), expected["grads"])):
                assert_close(got, want, f"{name}.backward", f"d{ARGS[name][k]}")
        except Feedback as exc:
            calls.record(str(exc))
        else:
            calls.record(None)
    calls.assert_work_done()


@points(1, id="chain")
def test_chain(submission, reference, rng):
    """all three Functions: gradients flow through LogSumExp(Linear(Sigmoid(x), w, b)) in torch's engine"""
    x, w, b = linear_inputs(rng, 4, 5, 3)
    weights = rng.normal(size=4)
    names = [submission.name(n) for n in ARGS]
    got = submission.call(TrustedFunction("torch_function_chain"), *names, x, w, b, weights,
                          label="LogSumExp(Linear(Sigmoid(x), w, b))")
    expected = reference.call(TrustedFunction("torch_function_chain"), *[reference.name(n) for n in ARGS],
                              x, w, b, weights)
    if got["autograd"]:
        raise Feedback(_("the Functions must compute their gradients by hand, but your code used {value}").format(
                           value=autograd_used(got['autograd'])))
    fn = "LogSumExp(Linear(Sigmoid(x), w, b))"
    assert_close(got["out"], expected["out"], fn, "out")
    for arg, g, e in zip("xwb", got["grads"], expected["grads"]):
        if g is None:
            raise Feedback(_("{fn}: no gradient reached {arg}").format(fn=fn, arg=arg))
        assert_close(g, e, fn, f"d{arg}")
