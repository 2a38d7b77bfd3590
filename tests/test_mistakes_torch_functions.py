"""Typical mistakes in `torch_functions` lose the points they should, and only those."""
from tests.grading import assert_loses_only, grade, mutate, solution_text

SOLUTION = solution_text("torch_functions")
SIGMOID_BACKWARD = """        (out,) = ctx.saved_tensors
        return grad_out * out * (1 - out)"""
LSE_BACKWARD = """        x, out = ctx.saved_tensors
        return grad_out.unsqueeze(-1) * torch.exp(x - out.unsqueeze(-1))"""
CHAIN = "gradients flow through"


def failure(result, fragment):
    return next(t.output for t in result.tests if fragment in t.name and not t.passed)


def test_sigmoid_backward_calls_autograd():
    source = mutate(SOLUTION, SIGMOID_BACKWARD, """        (out,) = ctx.saved_tensors
        with torch.enable_grad():
            x = torch.logit(out).detach().requires_grad_()
            return torch.autograd.grad(torch.sigmoid(x), x, grad_out)""")
    result = grade("torch_functions", source)
    assert_loses_only(result, "SigmoidFunction: backward", CHAIN)
    message = failure(result, "SigmoidFunction: backward")
    assert "must compute its gradient by hand" in message and "torch.autograd.grad" in message


def test_autograd_imported_by_name_and_errors_swallowed():
    """`from torch.func import vjp` at the top, and a fallback when it fails: still detected."""
    source = mutate(SOLUTION, "import torch\n", "import torch\nfrom torch.func import vjp\n")
    source = mutate(source, LSE_BACKWARD, """        x, out = ctx.saved_tensors
        try:
            return vjp(lambda z: torch.logsumexp(z, dim=-1), x)[1](grad_out)[0]
        except Exception:
            return grad_out.unsqueeze(-1) * torch.exp(x - out.unsqueeze(-1))""")
    result = grade("torch_functions", source)
    assert_loses_only(result, "LogSumExpFunction: backward", CHAIN)
    assert "torch.func.vjp" in failure(result, "LogSumExpFunction: backward gives")


def test_tensor_backward_inside_backward():
    source = mutate(SOLUTION, SIGMOID_BACKWARD, """        (out,) = ctx.saved_tensors
        with torch.enable_grad():
            x = torch.logit(out).detach().requires_grad_()
            torch.sigmoid(x).backward(grad_out)
        return x.grad""")
    result = grade("torch_functions", source)
    assert_loses_only(result, "SigmoidFunction: backward", CHAIN)


def test_private_engine_inside_backward():
    """Bypassing torch.autograd entirely still builds a graph under enable_grad: detected."""
    source = mutate(SOLUTION, SIGMOID_BACKWARD, """        (out,) = ctx.saved_tensors
        with torch.enable_grad():
            x = torch.logit(out).detach().requires_grad_()
            y = torch.sigmoid(x)
            (g,) = torch._C._ImperativeEngine().run_backward((y,), (grad_out,), False, False, (x,), False, False)
        return g""")
    result = grade("torch_functions", source)
    assert_loses_only(result, "SigmoidFunction: backward", CHAIN)
    assert "enable_grad" in failure(result, "SigmoidFunction: backward")


def test_forward_keeps_a_graph():
    source = mutate(SOLUTION, """        out = torch.sigmoid(x)
        ctx.save_for_backward(out)
        return out""", """        with torch.enable_grad():
            out = torch.sigmoid(x.detach().requires_grad_())
        ctx.save_for_backward(out)
        return out.detach()""")
    result = grade("torch_functions", source)
    assert_loses_only(result, "SigmoidFunction: backward")
    assert "still carries an autograd graph" in failure(result, "SigmoidFunction: backward")


def test_logsumexp_without_the_max_shift():
    source = mutate(SOLUTION, "m = x.max(dim=-1, keepdim=True).values", "m = torch.zeros_like(x[..., :1])")
    result = grade("torch_functions", source)
    assert_loses_only(result, "forward finite and right for entries up to 1e4",
                      "backward finite and right for entries up to 1e4")
    assert "must stay finite" in failure(result, "forward finite")


def test_bias_gradient_not_summed():
    source = mutate(SOLUTION, "grad_out.sum(dim=0)", "grad_out")
    result = grade("torch_functions", source)
    assert_loses_only(result, "db sums over the batch", "batch of one")  # torch's engine would sum it: the chain passes
    assert "db has shape (4, 3); expected (3,)" in failure(result, "db sums")


def test_sigmoid_derivative_missing_a_factor():
    source = mutate(SOLUTION, "return grad_out * out * (1 - out)", "return grad_out * out")
    result = grade("torch_functions", source)
    assert_loses_only(result, "SigmoidFunction: backward", CHAIN)
    assert "SigmoidFunction.backward: dx: relative error" in failure(result, "SigmoidFunction: backward")


def test_linear_forward_forgets_bias_keeps_backward_points():
    source = mutate(SOLUTION, "return x @ w + b", "return x @ w")
    result = grade("torch_functions", source)
    assert_loses_only(result, "LinearFunction: forward", CHAIN)


def test_grad_out_modified_in_place():
    source = mutate(SOLUTION, "return grad_out * out * (1 - out)", "return grad_out.mul_(out * (1 - out))")
    result = grade("torch_functions", source)
    assert_loses_only(result, "unchanged")
    assert "SigmoidFunction changed grad_out in place" in failure(result, "unchanged")


def test_forward_in_single_precision():
    source = mutate(SOLUTION, "out = torch.sigmoid(x)", "out = torch.sigmoid(x.float())")
    result = grade("torch_functions", source)
    assert_loses_only(result, "SigmoidFunction: forward", "SigmoidFunction: backward", CHAIN)
    assert "dtype float32" in failure(result, "SigmoidFunction: forward")


def test_forward_in_single_precision_cast_back():
    """Cast back to float64, a float32 sigmoid has the right dtype and a relative error below 1e-7."""
    source = mutate(SOLUTION, "out = torch.sigmoid(x)", "out = torch.sigmoid(x.float()).double()")
    result = grade("torch_functions", source)
    assert_loses_only(result, "SigmoidFunction: forward", "SigmoidFunction: backward", CHAIN)  # 1 - out cancels
    assert "that is float32 precision" in failure(result, "SigmoidFunction: forward")


def test_logsumexp_keeps_the_reduced_dimension():
    source = mutate(SOLUTION, ".squeeze(-1)\n", "\n")
    result = grade("torch_functions", source)
    assert_loses_only(result, "LogSumExpFunction", CHAIN)
    assert "out has shape (4, 1); expected (4,)" in failure(result, "LogSumExpFunction: forward reduces")


def test_seeds_agree():
    wrong = mutate(SOLUTION, "return grad_out * out * (1 - out)", "return grad_out * out")
    assert grade("torch_functions", wrong, 3).score == grade("torch_functions", wrong, 4).score
    assert grade("torch_functions", SOLUTION, 3).score == grade("torch_functions", SOLUTION, 4).score
