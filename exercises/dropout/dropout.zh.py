"""练习 `dropout`：反向暂退法（inverted dropout）的前向传播（forward propagation）与反向传播（backpropagation）。

完成这两个函数，然后运行 `dlx check dropout`（可见测试）和
`dlx submit dropout`（计分的隐藏测试）。需要帮助时运行 `dlx hint dropout`。
"""
import numpy as np


def dropout_forward(x, p, train, rng):
    """反向暂退法的前向传播；``p`` 是*丢弃*一个单元的概率（与 PyTorch 相同）。

    训练模式（training mode，``train=True``）：
        mask = rng.random(x.shape) >= p      # 只抽样一次，且只从 rng 抽样；True 表示保留
        out  = x * mask / (1 - p)            # 保留的单元放大 1 / (1 - p) 倍
    当 p == 1 时每个单元都被丢弃，``out`` 全为零（不能除以零，
    也不能有警告）。当 p == 0 时，``out`` 等于 x。

    评估模式（evaluation mode，``train=False``）：``out`` 等于 x，并且完全不使用 rng。

    参数：
        x: 任意形状的 float64 数组。
        p: [0, 1] 中的浮点数，丢弃每个单元的概率。
        train: True 表示训练模式，False 表示评估模式。
        rng: 一个 ``numpy.random.Generator``，唯一的随机性来源
            （绝不使用 ``np.random.random`` 或 ``random`` 模块）。

    返回：
        (out, cache)：形状与 x 相同的 ``out``，以及缓存 ``cache``，里面放
        ``dropout_backward`` 需要的任何东西（例如掩码，即 mask）。

    不要原地修改 x。
    """
    raise NotImplementedError("dropout_forward")


def dropout_backward(dout, cache):
    """反向暂退法的反向传播。

    梯度（gradient）只沿着被保留的单元往回流，并按与前向传播中相同的
    1 / (1 - p) 缩放，使用的是*同一个*掩码（不要抽取新的
    掩码）。评估模式的前向传播之后，dx 等于 dout。

    参数：
        dout: 形状与 x 相同的 float64 数组，即上游梯度（upstream gradient）dL/dout。
        cache: ``dropout_forward`` 作为缓存返回的东西。

    返回：
        dx: 关于 x 的梯度，形状与 x 相同。
    """
    raise NotImplementedError("dropout_backward")
