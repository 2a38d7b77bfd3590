"""Exercise `torch_functions`: custom torch.autograd.Functions with hand-written backward passes.

Complete the three classes, then run `dlx check torch_functions` (visible tests)
and `dlx submit torch_functions` (the graded, hidden tests).
`dlx hint torch_functions` helps.

A `torch.autograd.Function` is used through `apply`: `SigmoidFunction.apply(x)`,
`LinearFunction.apply(x, w, b)`, `LogSumExpFunction.apply(x)`. torch calls
`forward(ctx, *inputs)` with autograd switched off and, during the backward
pass, `backward(ctx, grad_out)`, also with autograd off. `ctx` carries what
forward saves for backward: `ctx.save_for_backward(t1, t2, ...)` in forward,
`t1, t2, ... = ctx.saved_tensors` in backward.

Rules (the grader checks them):
- backward computes the gradient by hand from what forward saved. It must not
  call autograd (`torch.autograd.grad`, `.backward()`, `torch.autograd.functional`,
  `torch.func`), and forward must not build a graph for it (no `torch.enable_grad()`).
- Keep the inputs' dtype: the tests use float64 tensors and compare in double precision.
- Do not modify any input, or grad_out, in place; return new tensors.
"""
import torch


class SigmoidFunction(torch.autograd.Function):
    """The logistic sigmoid, elementwise: ``out = 1 / (1 + exp(-x))``."""

    @staticmethod
    def forward(ctx, x):
        """Args:
            ctx: the context; save what backward needs with ``ctx.save_for_backward``.
            x: a float64 tensor of any shape.

        Returns:
            ``sigmoid(x)``, a tensor of the same shape and dtype. (``torch.sigmoid`` may be
            used here: only the backward must be written by hand.)
        """
        raise NotImplementedError("SigmoidFunction.forward")

    @staticmethod
    def backward(ctx, grad_out):
        """Args:
            ctx: the context, holding what forward saved (``ctx.saved_tensors``).
            grad_out: dL/dout, a tensor with the shape of ``out``.

        Returns:
            dL/dx, a tensor with the shape of ``x``: ``grad_out * s * (1 - s)`` with
            ``s = sigmoid(x)``.
        """
        raise NotImplementedError("SigmoidFunction.backward")


class LinearFunction(torch.autograd.Function):
    """A fully connected layer: ``out = x @ w + b``, with ``b`` added to every row."""

    @staticmethod
    def forward(ctx, x, w, b):
        """Args:
            ctx: the context.
            x: float64 tensor of shape (N, D), a batch of N rows.
            w: float64 tensor of shape (D, M).
            b: float64 tensor of shape (M,), broadcast over the N rows.

        Returns:
            ``out`` of shape (N, M).
        """
        raise NotImplementedError("LinearFunction.forward")

    @staticmethod
    def backward(ctx, grad_out):
        """Args:
            ctx: the context.
            grad_out: dL/dout, shape (N, M).

        Returns:
            ``(dx, dw, db)``, in the order of forward's inputs and with their shapes:
            (N, D), (D, M) and (M,). ``b`` was used by every row, so ``db`` is the sum of
            ``grad_out`` over the rows (return exactly shape (M,), not (N, M) or (1, M)).
        """
        raise NotImplementedError("LinearFunction.backward")


class LogSumExpFunction(torch.autograd.Function):
    """``out = log(sum(exp(x), dim=-1))``: the last dimension is reduced (like
    ``torch.logsumexp(x, dim=-1)``, without keepdim), so x of shape (..., K) gives out of
    shape (...). Must be stable: finite and accurate for entries as large as 1e4 in
    absolute value, in forward and backward."""

    @staticmethod
    def forward(ctx, x):
        """Args:
            ctx: the context.
            x: float64 tensor of shape (..., K), K >= 1.

        Returns:
            ``out`` of shape ``x.shape[:-1]``. Subtract the row maximum ``m`` before
            exponentiating: ``log(sum(exp(x))) = m + log(sum(exp(x - m)))``.
            (Write it with max, exp, sum and log; ``torch.logsumexp`` would hide the lesson.)
        """
        raise NotImplementedError("LogSumExpFunction.forward")

    @staticmethod
    def backward(ctx, grad_out):
        """Args:
            ctx: the context.
            grad_out: dL/dout, shape ``x.shape[:-1]``.

        Returns:
            dL/dx, shape (..., K): ``grad_out[..., None] * softmax(x, dim=-1)``, where the
            softmax is computed stably (``exp(x - out[..., None])`` never overflows).
        """
        raise NotImplementedError("LogSumExpFunction.backward")
