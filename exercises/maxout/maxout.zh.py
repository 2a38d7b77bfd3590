"""练习 `maxout`：maxout 层（maxout layer）的前向传播（forward pass）与反向传播（backward pass）。

完成下面两个函数，然后运行 `dlx check maxout`（可见测试）和
`dlx submit maxout`（计分的隐藏测试）。需要提示时运行 `dlx hint maxout`。
"""
import numpy as np


def maxout_forward(x, w, b):
    """maxout 层的前向传播：共 M 个单元（unit），每个单元有 K 个线性片段（piece）。

    对每个样本 n、单元 m 和片段 k：

        z[n, m, k] = sum_d x[n, d] * w[d, m, k] + b[m, k]
        out[n, m]  = max_k z[n, m, k]

    参数：
        x: 形状为 (N, D) 的 float64 数组，由 N 个输入组成的一个批量（batch）。
        w: 形状为 (D, M, K) 的 float64 数组：w[:, m, k] 是单元 m 的片段 k 的权重（weights）。
        b: 形状为 (M, K) 的 float64 数组，即各片段的偏置（bias）。

    返回：
        (out, cache)：形状为 (N, M) 的 ``out``，以及 ``cache``，里面存放
        ``maxout_backward`` 需要的任何东西。

    不要原地修改 x、w 或 b。
    """
    raise NotImplementedError("maxout_forward")


def maxout_backward(dout, cache):
    """maxout 层的反向传播。

    out[n, m] 的梯度（gradient）只流向该样本、该单元中取得最大值的片段。
    当几个片段恰好并列最大（平局）时，梯度在它们之间平分（j 个平局片段
    各得到 dout[n, m] / j），与 ``torch.maximum`` 的做法相同。

    参数：
        dout: 形状为 (N, M) 的 float64 数组，即上游梯度（upstream gradient）dL/dout。
        cache: ``maxout_forward`` 作为缓存（cache）返回的内容。

    返回：
        (dx, dw, db)：对 x (N, D)、w (D, M, K) 和 b (M, K) 的梯度，
        顺序与前向传播的参数顺序相同。
    """
    raise NotImplementedError("maxout_backward")
