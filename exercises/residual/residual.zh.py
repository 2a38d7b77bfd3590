"""练习 `residual`：全连接的残差块（residual block），前向传播（forward pass）与反向传播（backward pass）。

完成下面两个函数，然后运行 `dlx check residual`（可见测试）和
`dlx submit residual`（计分的隐藏测试）。需要提示时运行 `dlx hint residual`。
"""
import numpy as np


def residual_forward(x, w1, b1, w2, b2):
    """残差块的前向传播：一个两层的分支，加上一条恒等跳跃连接（identity skip connection）。

        h   = relu(x @ w1 + b1)          # (N, H)，分支的隐藏层
        out = relu(h @ w2 + b2 + x)      # (N, D)：跳跃连接在最后的 ReLU 之前加上 x

    参数：
        x: 形状为 (N, D) 的 float64 数组。
        w1: 形状为 (D, H) 的 float64 数组；b1 的形状为 (H,)。
        w2: 形状为 (H, D) 的 float64 数组；b2 的形状为 (D,)。分支必须映射回
            D 个特征，x 才能加上去。

    返回：
        (out, cache)：形状为 (N, D) 的 ``out``，以及 ``cache``，里面存放
        ``residual_backward`` 需要的任何东西。

    不要原地修改任何参数。
    """
    raise NotImplementedError("residual_forward")


def residual_backward(dout, cache):
    """残差块的反向传播。

    x 沿两条路径到达输出：一条经过分支，一条经过跳跃连接，所以它的梯度
    （gradient）是两者之和。ReLU 的输入恰为 0 时取导数 0（即负输入那一支，
    与 PyTorch 相同）。

    参数：
        dout: 形状为 (N, D) 的 float64 数组，即上游梯度（upstream gradient）dL/dout。
        cache: ``residual_forward`` 作为缓存（cache）返回的内容。

    返回：
        (dx, dw1, db1, dw2, db2)：对前向传播每个参数的梯度，按参数顺序排列，
        每个梯度的形状与对应参数相同。
    """
    raise NotImplementedError("residual_backward")
