"""练习 `torch_functions`：自定义 torch.autograd.Function，手写反向传播。

完成这三个类，然后运行 `dlx check torch_functions`（可见测试）
和 `dlx submit torch_functions`（计分的隐藏测试）。
需要帮助时运行 `dlx hint torch_functions`。

`torch.autograd.Function` 通过 `apply` 来使用：`SigmoidFunction.apply(x)`、
`LinearFunction.apply(x, w, b)`、`LogSumExpFunction.apply(x)`。torch 在关闭自动微分
（automatic differentiation，autograd）的情况下调用 `forward(ctx, *inputs)`，并在反向传播
（backpropagation）期间调用 `backward(ctx, grad_out)`，这时 autograd 同样是关闭的。上下文 `ctx`
携带前向传播（forward propagation）为反向传播保存下来的东西：在 forward 中调用
`ctx.save_for_backward(t1, t2, ...)`，在 backward 中用 `t1, t2, ... = ctx.saved_tensors` 取回。

规则（评分程序会检查）：
- backward 根据 forward 保存的内容手工计算梯度（gradient）。它不能调用 autograd
  （`torch.autograd.grad`、`.backward()`、`torch.autograd.functional`、
  `torch.func`），forward 也不能为它建立计算图（computational graph）：不要用 `torch.enable_grad()`。
- 保持输入的 dtype：测试使用 float64 张量，并以双精度比较。
- 不要原地修改任何输入或 grad_out；返回新的张量。
"""
import torch


class SigmoidFunction(torch.autograd.Function):
    """逐元素的 logistic sigmoid 函数：``out = 1 / (1 + exp(-x))``。"""

    @staticmethod
    def forward(ctx, x):
        """参数：
            ctx: 上下文；用 ``ctx.save_for_backward`` 保存反向传播需要的东西。
            x: 任意形状的 float64 张量。

        返回：
            ``sigmoid(x)``，形状和 dtype 都与输入相同的张量。（这里可以使用 ``torch.sigmoid``：
            只有反向传播必须手写。）
        """
        raise NotImplementedError("SigmoidFunction.forward")

    @staticmethod
    def backward(ctx, grad_out):
        """参数：
            ctx: 上下文，存有 forward 保存的东西（``ctx.saved_tensors``）。
            grad_out: dL/dout，形状与 ``out`` 相同的张量。

        返回：
            dL/dx，形状与 ``x`` 相同的张量：``grad_out * s * (1 - s)``，其中
            ``s = sigmoid(x)``。
        """
        raise NotImplementedError("SigmoidFunction.backward")


class LinearFunction(torch.autograd.Function):
    """全连接层（fully connected layer）：``out = x @ w + b``，``b`` 加到每一行上。"""

    @staticmethod
    def forward(ctx, x, w, b):
        """参数：
            ctx: 上下文。
            x: 形状为 (N, D) 的 float64 张量，即由 N 行组成的一个批量（batch）。
            w: 形状为 (D, M) 的 float64 张量。
            b: 形状为 (M,) 的 float64 张量，在 N 行上广播（broadcast）。

        返回：
            形状为 (N, M) 的 ``out``。
        """
        raise NotImplementedError("LinearFunction.forward")

    @staticmethod
    def backward(ctx, grad_out):
        """参数：
            ctx: 上下文。
            grad_out: dL/dout，形状为 (N, M)。

        返回：
            ``(dx, dw, db)``，顺序与 forward 的输入相同，形状也分别与它们相同：
            (N, D)、(D, M) 和 (M,)。每一行都用到了 ``b``，所以 ``db`` 是 ``grad_out``
            在各行上的和（返回的形状必须恰好是 (M,)，而不是 (N, M) 或 (1, M)）。
        """
        raise NotImplementedError("LinearFunction.backward")


class LogSumExpFunction(torch.autograd.Function):
    """``out = log(sum(exp(x), dim=-1))``：对最后一维做归约（与
    ``torch.logsumexp(x, dim=-1)`` 相同，不带 keepdim），所以形状为 (..., K) 的 x 给出形状为
    (...) 的 out。必须数值稳定（numerically stable）：元素的绝对值高达 1e4 时，前向传播和
    反向传播的结果都要有限且精确。"""

    @staticmethod
    def forward(ctx, x):
        """参数：
            ctx: 上下文。
            x: 形状为 (..., K) 的 float64 张量，K >= 1。

        返回：
            形状为 ``x.shape[:-1]`` 的 ``out``。求指数之前先减去每行的最大值 ``m``：
            ``log(sum(exp(x))) = m + log(sum(exp(x - m)))``。
            （用 max、exp、sum 和 log 写出来；用 ``torch.logsumexp`` 就学不到这一课了。）
        """
        raise NotImplementedError("LogSumExpFunction.forward")

    @staticmethod
    def backward(ctx, grad_out):
        """参数：
            ctx: 上下文。
            grad_out: dL/dout，形状为 ``x.shape[:-1]``。

        返回：
            dL/dx，形状为 (..., K)：``grad_out[..., None] * softmax(x, dim=-1)``，其中
            softmax 要以数值稳定的方式计算（``exp(x - out[..., None])`` 永远不会上溢（overflow））。
        """
        raise NotImplementedError("LogSumExpFunction.backward")
