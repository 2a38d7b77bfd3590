"""Typical mistakes in `torch_functions` lose the points they should, and only those.

Add a mistake by appending a row to ``MISTAKES``: the edit of the reference and the ids of the tests it must fail.
"""
from tests.grading import Mistake, edited, mistake, mistake_tests, pick, seeds_agree_test

SIGMOID_BACKWARD = """        (out,) = ctx.saved_tensors
        return grad_out * out * (1 - out)"""
LSE_BACKWARD = """        x, out = ctx.saved_tensors
        return grad_out.unsqueeze(-1) * torch.exp(x - out.unsqueeze(-1))"""
SIGMOID_OUT = "return grad_out * out * (1 - out)"
BY_AUTOGRAD = ("sigmoid_backward", "chain")
# A sigmoid Function whose forward is (wrongly) 1.5 * sigmoid on inputs that require a gradient (the call whose
# out is judged) and 0.5 * x on the probe's perturbed calls, with 0.5 * grad_out as its backward: the numerical
# gradient of "its forward" matches its backward. The probe's calls at the unperturbed inputs, made among the
# perturbed ones, give another out than the judged call, so the backward gets no partial credit.
SIGMOID_THAT_KNOWS_THE_PROBE = """class SigmoidFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return 1.5 * torch.sigmoid(x) if x.requires_grad else 0.5 * x

    @staticmethod
    def backward(ctx, grad_out):
        return 0.5 * grad_out


"""


def _sigmoid_that_knows_the_probe(reference: str) -> str:
    start = reference.index("class SigmoidFunction")
    end = reference.index("class ", start + 1)
    return reference[:start] + SIGMOID_THAT_KNOWS_THE_PROBE + reference[end:]


MISTAKES = [
    mistake("sigmoid_backward_calls_autograd", SIGMOID_BACKWARD, """        (out,) = ctx.saved_tensors
        with torch.enable_grad():
            x = torch.logit(out).detach().requires_grad_()
            return torch.autograd.grad(torch.sigmoid(x), x, grad_out)""", *BY_AUTOGRAD,
            says={"sigmoid_backward": ("must compute its gradient by hand", "torch.autograd.grad")}),
    # `from torch.func import vjp` at the top, and a fallback when it fails: still detected
    edited("autograd_imported_by_name_and_errors_swallowed", [
        ("import torch\n", "import torch\nfrom torch.func import vjp\n"),
        (LSE_BACKWARD, """        x, out = ctx.saved_tensors
        try:
            return vjp(lambda z: torch.logsumexp(z, dim=-1), x)[1](grad_out)[0]
        except Exception:
            return grad_out.unsqueeze(-1) * torch.exp(x - out.unsqueeze(-1))"""),
    ], "logsumexp_backward", "logsumexp_stable_backward", "chain", says={"logsumexp_backward": "torch.func.vjp"}),
    mistake("tensor_backward_inside_backward", SIGMOID_BACKWARD, """        (out,) = ctx.saved_tensors
        with torch.enable_grad():
            x = torch.logit(out).detach().requires_grad_()
            torch.sigmoid(x).backward(grad_out)
        return x.grad""", *BY_AUTOGRAD),
    # bypassing torch.autograd entirely still builds a graph under enable_grad: detected
    mistake("private_engine_inside_backward", SIGMOID_BACKWARD, """        (out,) = ctx.saved_tensors
        with torch.enable_grad():
            x = torch.logit(out).detach().requires_grad_()
            y = torch.sigmoid(x)
            (g,) = torch._C._ImperativeEngine().run_backward((y,), (grad_out,), False, False, (x,), False, False)
        return g""", *BY_AUTOGRAD, says={"sigmoid_backward": "enable_grad"}),
    mistake("forward_keeps_a_graph", """        out = torch.sigmoid(x)
        ctx.save_for_backward(out)
        return out""", """        with torch.enable_grad():
            out = torch.sigmoid(x.detach().requires_grad_())
        ctx.save_for_backward(out)
        return out.detach()""", "sigmoid_backward", says={"sigmoid_backward": "still carries an autograd graph"}),
    mistake("logsumexp_without_the_max_shift", "m = x.max(dim=-1, keepdim=True).values",
            "m = torch.zeros_like(x[..., :1])", "logsumexp_stable_forward", "logsumexp_stable_backward",
            says={"logsumexp_stable_forward": "must stay finite"}),
    mistake("bias_gradient_not_summed", "grad_out.sum(dim=0)", "grad_out",  # torch's engine would sum it: chain passes
            "linear_db", "linear_batch_of_one", says={"linear_db": "db has shape (4, 3); expected (3,)"}),
    mistake("sigmoid_derivative_missing_a_factor", SIGMOID_OUT, "return grad_out * out", *BY_AUTOGRAD,
            says={"sigmoid_backward": "SigmoidFunction.backward: dx: relative error"}),
    mistake("linear_forward_forgets_bias_keeps_backward_points", "return x @ w + b", "return x @ w",
            "linear_forward", "chain"),
    mistake("grad_out_modified_in_place", SIGMOID_OUT, "return grad_out.mul_(out * (1 - out))", "no_mutation",
            says={"no_mutation": "SigmoidFunction changed grad_out in place"}),
    mistake("forward_in_single_precision", "out = torch.sigmoid(x)", "out = torch.sigmoid(x.float())",
            "sigmoid_forward", *BY_AUTOGRAD, says={"sigmoid_forward": "dtype float32"}),
    # cast back to float64, a float32 sigmoid has the right dtype and a relative error below 1e-7; 1 - out cancels
    mistake("forward_in_single_precision_cast_back", "out = torch.sigmoid(x)", "out = torch.sigmoid(x.float()).double()",
            "sigmoid_forward", *BY_AUTOGRAD, says={"sigmoid_forward": "that is float32 precision"}),
    mistake("logsumexp_keeps_the_reduced_dimension", ".squeeze(-1)\n", "\n", "logsumexp_forward", "logsumexp_backward",
            "logsumexp_stable_forward", "logsumexp_stable_backward", "chain",
            says={"logsumexp_forward": "out has shape (4, 1); expected (4,)"}),
    Mistake("forward_that_knows_the_probe", build=_sigmoid_that_knows_the_probe,
            fails=frozenset({"sigmoid_forward", "sigmoid_backward", "chain"})),
]

test_mistake = mistake_tests("torch_functions", MISTAKES)
test_seeds_agree = seeds_agree_test("torch_functions", pick(MISTAKES, "sigmoid_derivative_missing_a_factor"))
