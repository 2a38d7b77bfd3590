"""练习 `gradcheck`：数值梯度检验器（numerical gradient checker），后面的每个练习都用它来评分。

完成这三个函数，然后运行 `dlx check gradcheck`（可见测试）
和 `dlx submit gradcheck`（计分的隐藏测试）。需要提示时运行 `dlx hint gradcheck`。

只用 NumPy。全程使用 float64。
"""
import numpy as np


def numerical_gradient(f, x, h=1e-6):
    """用中心差分（centred difference）计算标量函数 ``f`` 在 ``x`` 处的梯度（gradient）。

    参数：
        f: 一个函数，接受形状与 x 相同的数组，返回一个标量（
            Python 浮点数、NumPy 标量或 0-d 数组）。
        x: 任意形状的 float64 数组，包括 0-d（形状为 ``()``）。
        h: 步长。x 的元素 ``i`` 恰好移动 ``+h`` 和 ``-h``。

    返回：
        grad: 形状与 x 相同的 float64 数组，满足
        ``grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2 h)``，其中 ``e_i``
        在元素 ``i`` 处为 1，其余位置为 0。

    只在与 ``x`` 仅有一个元素不同的点上调用 ``f``，并让
    ``x`` 保持原样：在副本上操作，或者先保存旧元素、再把它放回去
    （``x[i] = old``，绝不要用 ``x[i] -= h``，后者不一定能得回
    原来那个浮点数）。
    """
    raise NotImplementedError("numerical_gradient")


def numerical_gradient_array(f, x, dout, h=1e-6):
    """用数值方法计算数组值函数 ``f`` 在 ``x`` 处的向量-雅可比积（vector-Jacobian product）。

    参数：
        f: 一个函数，接受形状与 x 相同的数组，返回一个数组
            ``out``（任意形状）。
        x: 任意形状的 float64 数组。
        dout: 形状与 out 相同的 float64 数组，即上游梯度 dL/dout。
        h: 步长，与 ``numerical_gradient`` 中的相同。

    返回：
        grad: 形状与 x 相同的 float64 数组，满足
        ``grad[i] = sum((f(x + h e_i) - f(x - h e_i)) * dout) / (2 h)``，
        也就是 ``L = sum(f(x) * dout)`` 时的 dL/dx。

    ``x`` 和 ``dout`` 保持原样，不被修改。
    """
    raise NotImplementedError("numerical_gradient_array")


def rel_error(a, b):
    """两个形状相同的数组（或数）之间的相对误差（relative error）。

    返回：
        所有元素上 ``max(|a - b| / max(1e-8, |a| + |b|))`` 的值，为浮点数。
        下限 1e-8 避免了 0 / 0：两个零给出 0.0，而不是 NaN。
        约 1e-7 或更小说明梯度正确；1e-2 或更大则说明梯度错误。
    """
    raise NotImplementedError("rel_error")
