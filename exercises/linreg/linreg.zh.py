"""练习 `linreg`：从零实现线性回归（linear regression），用小批量随机梯度下降（minibatch SGD）训练。

完成这两个函数，然后运行 `dlx check linreg`（可见测试）和
`dlx submit linreg`（计分的隐藏测试）。需要提示时运行 `dlx hint linreg`。
"""
import numpy as np


def data_iter(batch_size, X, y, rng):
    """按随机顺序、以小批量产出所有样本，每个样本恰好一次。

    参数：
        batch_size: int >= 1，每个批量（batch）的样本数。
        X: 形状为 (N, D) 的 float64 数组，每行一个样本。
        y: 形状为 (N,) 的 float64 数组，目标值。
        rng: 一个 ``numpy.random.Generator``，唯一的随机性来源。

    生成：
        (X_batch, y_batch) 对，形状分别为 (B, D) 和 (B,)。顺序是固定的：
        抽取一次 ``order = rng.permutation(len(X))``，然后把它切成每段
        ``batch_size`` 个索引的连续片段；最后一段装剩下的部分
        （当 N 不是 ``batch_size`` 的倍数时，少于 ``batch_size`` 个）。
        ``y_batch[i]`` 是 ``X_batch[i]`` 的目标值。

    把它写成生成器（用 ``yield``）。不要修改 X 或 y。
    """
    raise NotImplementedError("data_iter")


def linreg_train(X, y, rng, lr=0.03, num_epochs=3, batch_size=10):
    """用小批量随机梯度下降拟合 ``y ~ X @ w + b``。

    参数：
        X: 形状为 (N, D) 的 float64 数组；y: 形状为 (N,) 的 float64 数组。
        rng: 一个 ``numpy.random.Generator``，先用于初始权重（weight），
            然后在一个又一个迭代周期（epoch）中由 ``data_iter`` 使用。
        lr: 学习率（learning rate）；num_epochs: 遍历数据的次数；
        batch_size: 每个小批量的样本数。

    具体步骤，必须严格照做（评分程序会逐步重放）：
        1. ``w = rng.normal(0, 0.01, size=D)``（在抽取任何批量之前），``b = 0.0``。
        2. 对每个迭代周期，对 ``data_iter(batch_size, X, y, rng)`` 给出的每个
           ``(X_batch, y_batch)``：以每个样本的损失（loss）
           ``0.5 * (X_batch @ w + b - y_batch) ** 2`` 为准，求该批量的
           平均（MEAN）损失关于 w 和 b 的梯度（gradient），注意除以这个批量的
           实际大小（最后一个较短的批量更小），然后更新
           ``w <- w - lr * dw``，``b <- b - lr * db``。
        3. 每个迭代周期结束后，在当前的 (w, b) 处计算全部 X 上的平均损失，
           把它追加到 ``losses``。

    返回：
        (w, b, losses): ``w`` 是形状为 (D,) 的 float64 数组，``b`` 是 Python
        浮点数，``losses`` 是由 ``num_epochs`` 个浮点数组成的列表。

    不要原地修改 X 或 y。
    """
    raise NotImplementedError("linreg_train")
