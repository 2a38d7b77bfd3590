"""练习 `stability`：数值稳定（numerically stable）的 log-sum-exp、softmax、log-softmax、sigmoid 和 log-sigmoid。

完成这五个函数，然后运行 `dlx check stability`（可见测试）和
`dlx submit stability`（计分的隐藏测试）。需要提示时运行 `dlx hint stability`。

对任何满足 |x| <= 1e4 的输入，每个函数都必须返回有限且精确的 float64 值，
并且不能发出上溢（overflow）、除以零或无效值的警告。
允许下溢（underflow）为 0。只用 NumPy；不要修改 x。
"""
import numpy as np


def logsumexp(x, axis=-1):
    """沿 ``axis`` 计算 log(sum(exp(x)))，不能上溢。

    参数：
        x: 任意形状（至少 1-D）的 float64 数组。
        axis: 一个 int，要归约的轴；负值从末尾开始数。

    返回：
        一个数组，形状为 ``x`` 的形状去掉 ``axis``（这个轴被去掉，
        与 ``torch.logsumexp(x, dim)`` 和 ``scipy.special.logsumexp`` 一样）；
        对 1-D 的 ``x``，结果是单个数。

    数学：对任意常数 m，log(sum(exp(x))) = m + log(sum(exp(x - m)))。
    沿该轴取 m = max(x)，这样每个 exp(x - m) 都不超过 1。
    """
    raise NotImplementedError("logsumexp")


def softmax(x, axis=-1):
    """沿 ``axis`` 计算 softmax(x)_i = exp(x_i) / sum_j exp(x_j)。

    参数：
        x: 任意形状（至少 1-D）的 float64 数组。
        axis: 一个 int，结果沿这个轴求和为 1。

    返回：
        一个与 ``x`` 形状相同的数组，元素非负，沿 ``axis`` 求和为 1。

    沿该轴给每个 x_i 减去同一个常数时，softmax 不变：
    先减去最大值。
    """
    raise NotImplementedError("softmax")


def log_softmax(x, axis=-1):
    """沿 ``axis`` 计算 log(softmax(x))，按 x - logsumexp(x) 来算。

    参数：
        x: 任意形状（至少 1-D）的 float64 数组。
        axis: 一个 int，softmax 所沿的轴。

    返回：
        一个与 ``x`` 形状相同的数组，每个元素 <= 0，并且即使在
        softmax(x) 下溢为 0 的地方也是有限的（例如 x = [1e4, -1e4] 时为 -2e4）。
    """
    raise NotImplementedError("log_softmax")


def sigmoid(x):
    """逐元素计算逻辑函数（logistic function）1 / (1 + exp(-x))。

    参数：
        x: 任意形状的 float64 数组。

    返回：
        一个与 ``x`` 形状相同的数组，值在 [0, 1] 中。

    当 x < -709.78 时 exp(-x) 会上溢：对负的 x，改用与之相等的形式
    exp(x) / (1 + exp(x))。按 x 的符号拆分，或者使用 exp(-|x|)。
    """
    raise NotImplementedError("sigmoid")


def log_sigmoid(x):
    """逐元素计算 log(sigmoid(x)) = -log(1 + exp(-x))。

    参数：
        x: 任意形状的 float64 数组。

    返回：
        一个与 ``x`` 形状相同的数组，每个元素 <= 0 且有限（x 非常负、
        sigmoid(x) 下溢为 0 的地方，结果约等于 x 本身）。

    数学：log(sigmoid(x)) = min(x, 0) - log(1 + exp(-|x|))；当 t 极小时，
    ``np.log1p(t)`` 能精确地计算 log(1 + t)。
    """
    raise NotImplementedError("log_sigmoid")
