"""Reference for `torch_functions`."""
import torch


class SigmoidFunction(torch.autograd.Function):
    """sigmoid(x) = 1 / (1 + exp(-x)); the backward reuses the saved output."""

    @staticmethod
    def forward(ctx, x):
        out = torch.sigmoid(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        (out,) = ctx.saved_tensors
        return grad_out * out * (1 - out)


class LinearFunction(torch.autograd.Function):
    """x @ w + b, with b broadcast over the rows."""

    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        return x @ w + b

    @staticmethod
    def backward(ctx, grad_out):
        x, w = ctx.saved_tensors
        return grad_out @ w.T, x.T @ grad_out, grad_out.sum(dim=0)


class LogSumExpFunction(torch.autograd.Function):
    """log(sum(exp(x))) over the last dimension, shifted by the maximum for stability."""

    @staticmethod
    def forward(ctx, x):
        m = x.max(dim=-1, keepdim=True).values
        out = (m + torch.log(torch.exp(x - m).sum(dim=-1, keepdim=True))).squeeze(-1)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        x, out = ctx.saved_tensors
        return grad_out.unsqueeze(-1) * torch.exp(x - out.unsqueeze(-1))
