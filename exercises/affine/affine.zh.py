"""练习 `affine`：全连接层（fully connected layer，即仿射层）的前向传播（forward pass）与反向传播（backward pass）。

完成下面两个函数，然后运行 `dlx check affine`（可见测试）和
`dlx submit affine`（计分的隐藏测试）。需要提示时运行 `dlx hint affine`。
"""
import numpy as np


def affine_forward(x, w, b):
    """仿射层（affine layer）的前向传播：``out = x @ w + b``。

    参数：
        x: 形状为 (N, D) 的 float64 数组，由 N 个输入组成的一个批量（batch）。
        w: 形状为 (D, M) 的 float64 数组，即权重（weights）。
        b: 形状为 (M,) 的 float64 数组，即偏置（bias），加到每一行上。

    返回：
        (out, cache)：形状为 (N, M) 的 ``out``，以及 ``cache``，里面存放
        ``affine_backward`` 需要的任何东西（例如元组 ``(x, w, b)``）。

    不要原地修改 x、w 或 b。
    """
    raise NotImplementedError("affine_forward")


def affine_backward(dout, cache):
    """仿射层的反向传播。

    参数：
        dout: 形状为 (N, M) 的 float64 数组，即上游梯度（upstream gradient）dL/dout。
        cache: ``affine_forward`` 作为缓存（cache）返回的内容。

    返回：
        (dx, dw, db)：损失（loss）对 x (N, D)、w (D, M) 和 b (M,) 的梯度，
        顺序与前向传播的参数顺序相同。
    """
    raise NotImplementedError("affine_backward")
