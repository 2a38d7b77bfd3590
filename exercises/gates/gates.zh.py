"""练习 `gates`：计算图（computational graph）中基本节点的反向传播（backpropagation）规则。

完成这五个函数，然后运行 `dlx check gates`（可见测试）和
`dlx submit gates`（计分的隐藏测试）。需要提示时运行 `dlx hint gates`。

每个函数都逐元素运算，适用于任意形状的数组。`dout` 是节点输出 z
的上游梯度（upstream gradient）dL/dz；每个函数返回损失（loss）L 关于节点各个输入的
梯度，每个梯度的形状与对应的输入相同。返回新的 float64 数组；不要修改任何参数。
"""
import numpy as np


def add_backward(dout):
    """加法节点 ``z = x + y`` 的反向传播。

    参数：
        dout: float64 数组，上游梯度 dL/dz（x、y 和 z 的形状都与它相同）。

    返回：
        (dx, dy): dL/dx 和 dL/dy。因为 dz/dx = dz/dy = 1，两者都等于 dout。
    """
    raise NotImplementedError("add_backward")


def mul_backward(x, y, dout):
    """乘法节点 ``z = x * y``（逐元素）的反向传播。

    参数：
        x, y: 形状相同的 float64 数组，节点的输入。
        dout: 同样形状的 float64 数组，上游梯度 dL/dz。

    返回：
        (dx, dy): dL/dx = y * dout，dL/dy = x * dout。
    """
    raise NotImplementedError("mul_backward")


def max_backward(x, y, dout):
    """最大值节点 ``z = np.maximum(x, y)``（逐元素）的反向传播。

    参数：
        x, y: 形状相同的 float64 数组，节点的输入。
        dout: 同样形状的 float64 数组，上游梯度 dL/dz。

    返回：
        (dx, dy): 在 x > y 处，dx = dout，dy = 0；在 x < y 处，dx = 0，
        dy = dout；在 x == y（平局）处，dx = dy = 0.5 * dout，与
        ``torch.maximum`` 的做法一致。
    """
    raise NotImplementedError("max_backward")


def scale_backward(c, dout):
    """缩放节点 ``z = c * x`` 的反向传播，c 是常数。

    参数：
        c: 一个 Python 浮点数，常数因子。
        dout: float64 数组，上游梯度 dL/dz。

    返回：
        dx: dL/dx = c * dout，形状与 dout 相同。
    """
    raise NotImplementedError("scale_backward")


def branch_backward(douts):
    """分支的反向传播：同一个值 x 是多个节点的输入。

    参数：
        douts: 由 float64 数组组成的非空列表，每个数组的形状都与 x 相同；第 k 项是
            经由 x 的第 k 个使用者传回的梯度 dL/dx。

    返回：
        dx: 总梯度 dL/dx，即 ``douts`` 中所有数组之和
        （一个新数组；不要累加到某个参数里）。
    """
    raise NotImplementedError("branch_backward")
