"""练习 `optim`：五种优化器（optimizer）各走一步更新，做法与 torch.optim 完全相同。

完成这五个函数，然后运行 `dlx check optim`（可见测试）和
`dlx submit optim`（计分的隐藏测试）。需要提示时运行 `dlx hint optim`。

所有函数共同的约定：
- ``w``（参数）和 ``dw``（损失在 ``w`` 处的梯度，gradient）是形状相同的
  float64 数组，形状任意；每个状态数组（``v``、``s``、``m``）也是这个形状，
  在第一步之前全为零。
- 所有运算都是逐元素的。
- 返回新数组：绝不原地修改 ``w``、``dw`` 或任何状态数组
  （不要写 ``w -= ...``）。新的状态返回给调用者，由调用者在下一次调用时再传进来。
"""
import numpy as np


def sgd_step(w, dw, lr):
    """（随机）梯度下降（stochastic gradient descent）的一步，与 ``torch.optim.SGD(lr=lr)`` 相同。

        w_new = w - lr * dw

    参数：
        w: float64 数组，即参数。
        dw: 形状相同的 float64 数组，即 ``w`` 处的梯度。
        lr: 浮点数，学习率（learning rate）。

    返回：
        w_new: 形状与 ``w`` 相同的 float64 数组。
    """
    raise NotImplementedError("sgd_step")


def momentum_step(w, dw, v, lr, momentum=0.9):
    """带动量（momentum）的 SGD 的一步，与 ``torch.optim.SGD(lr=lr, momentum=momentum)`` 相同（dampening 为 0）。

        v_new = momentum * v + dw
        w_new = w - lr * v_new

    参数：
        w, dw: 同一形状的 float64 数组，即参数和梯度。
        v: 该形状的 float64 数组，即速度（velocity；第一步之前全为零）。
        lr: 浮点数，学习率。
        momentum: [0, 1) 中的浮点数，表示旧速度保留多少。

    返回：
        (w_new, v_new): 形状与 ``w`` 相同的 float64 数组。
    """
    raise NotImplementedError("momentum_step")


def adagrad_step(w, dw, s, lr=1e-2, eps=1e-10):
    """Adagrad 的一步，与 ``torch.optim.Adagrad(lr=lr, eps=eps)`` 相同（没有学习率衰减，s 从 0 开始）。

        s_new = s + dw ** 2
        w_new = w - lr * dw / (sqrt(s_new) + eps)

    参数：
        w, dw: 同一形状的 float64 数组，即参数和梯度。
        s: 该形状的 float64 数组，即过去所有梯度的平方之和。
        lr: 浮点数，学习率。
        eps: 浮点数，加在平方根上（根号之外），使和为零时也不会除以零。

    返回：
        (w_new, s_new): 形状与 ``w`` 相同的 float64 数组。
    """
    raise NotImplementedError("adagrad_step")


def rmsprop_step(w, dw, s, lr=1e-2, alpha=0.99, eps=1e-8):
    """RMSProp 的一步，与 ``torch.optim.RMSprop(lr=lr, alpha=alpha, eps=eps)`` 相同（不做中心化，不带动量）。

        s_new = alpha * s + (1 - alpha) * dw ** 2
        w_new = w - lr * dw / (sqrt(s_new) + eps)

    参数：
        w, dw: 同一形状的 float64 数组，即参数和梯度。
        s: 该形状的 float64 数组，即梯度平方的"漏"平均（leaky average）。
        lr: 浮点数，学习率。
        alpha: (0, 1) 中的浮点数，表示旧平均保留的比例。
        eps: 浮点数，加在平方根之外。

    返回：
        (w_new, s_new): 形状与 ``w`` 相同的 float64 数组。
    """
    raise NotImplementedError("rmsprop_step")


def adam_step(w, dw, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam 的一步，与 ``torch.optim.Adam(lr=lr, betas=(beta1, beta2), eps=eps)`` 相同。

        m_new = beta1 * m + (1 - beta1) * dw          # 一阶矩
        v_new = beta2 * v + (1 - beta2) * dw ** 2     # 二阶矩
        m_hat = m_new / (1 - beta1 ** t)              # 偏差修正
        v_hat = v_new / (1 - beta2 ** t)
        w_new = w - lr * m_hat / (sqrt(v_hat) + eps)  # eps 在平方根之外

    参数：
        w, dw: 同一形状的 float64 数组，即参数和梯度。
        m, v: 该形状的 float64 数组，即两个移动平均（moving average；第一步之前全为零）。
        t: 整数，本步的序号，第一步为 1。
        lr, beta1, beta2, eps: 浮点数，即各个超参数（hyperparameter）。

    返回：
        (w_new, m_new, v_new): 形状与 ``w`` 相同的 float64 数组。``m_new``
        和 ``v_new`` 就是移动平均本身，*而不是*修正后的
        ``m_hat`` 和 ``v_hat``。
    """
    raise NotImplementedError("adam_step")
