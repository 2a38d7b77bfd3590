"""练习 `init`：随机权重初始化（initialization）方法（Xavier/Glorot、He/Kaiming、LeCun）。

完成这四个函数，然后运行 `dlx check init`（可见测试）和
`dlx submit init`（计分的隐藏测试）。需要提示时运行 `dlx hint init`。

所有函数共同遵守的约定：
- ``W`` 的形状为 ``(n_in, n_out)``：该层对形状为 ``(N, n_in)`` 的输入
  ``x`` 计算 ``x @ W``，所以 ``n_in`` 是扇入（fan-in，每个单元的输入数），
  ``n_out`` 是扇出（fan-out）。
- 每一个随机数都来自给你的 ``numpy.random.Generator``，即 ``rng``
  （``rng.uniform``、``rng.normal``、``rng.standard_normal`` 等）。
  永远不要使用 ``np.random.*`` 函数、``np.random.seed``、``random``
  模块或你自己创建的生成器：``rng`` 处于相同状态时必须给出
  相同的矩阵，处于不同状态时必须给出不同的矩阵。
- 返回 float64 数组。
"""
import numpy as np


def xavier_uniform(n_in, n_out, rng, gain=1.0):
    """Xavier（Glorot）均匀分布初始化，与 ``torch.nn.init.xavier_uniform_`` 相同。

    每个元素独立地从均匀分布 U(-a, a) 中抽取，其中

        a = gain * sqrt(6 / (n_in + n_out))

    这样 Var(W) = a**2 / 3 = gain**2 * 2 / (n_in + n_out)。

    参数：
        n_in: int，该层的输入数（扇入）。
        n_out: int，该层的输出数（扇出）。
        rng: numpy.random.Generator，唯一的随机性来源。
        gain: float，与后面所接激活函数（activation function）相适应的因子
            （``torch.nn.init.calculate_gain`` 对 tanh 给出 5/3）；默认为 1。

    返回：
        W: 形状为 (n_in, n_out) 的 float64 数组。
    """
    raise NotImplementedError("xavier_uniform")


def xavier_normal(n_in, n_out, rng, gain=1.0):
    """Xavier（Glorot）正态分布初始化，与 ``torch.nn.init.xavier_normal_`` 相同。

    每个元素独立地从 N(0, std**2) 中抽取，其中

        std = gain * sqrt(2 / (n_in + n_out))

    参数：
        n_in, n_out: int，扇入和扇出。
        rng: numpy.random.Generator，唯一的随机性来源。
        gain: float，乘到标准差上的因子。

    返回：
        W: 形状为 (n_in, n_out) 的 float64 数组。
    """
    raise NotImplementedError("xavier_normal")


def he_normal(n_in, n_out, rng):
    """适用于 ReLU 层的 He（Kaiming）正态分布初始化。

    与 ``torch.nn.init.kaiming_normal_(weight, nonlinearity="relu")`` 相同（模式 "fan_in"）。

    每个元素独立地从 N(0, std**2) 中抽取，其中

        std = sqrt(2 / n_in)        # 只用扇入，与 n_out 无关

    参数：
        n_in, n_out: int，扇入和扇出。
        rng: numpy.random.Generator，唯一的随机性来源。

    返回：
        W: 形状为 (n_in, n_out) 的 float64 数组。
    """
    raise NotImplementedError("he_normal")


def lecun_normal(n_in, n_out, rng):
    """LeCun 正态分布初始化，SELU 网络需要的就是它。

    与 ``torch.nn.init.kaiming_normal_(weight, nonlinearity="linear")`` 相同（模式 "fan_in"）。

    每个元素独立地从 N(0, std**2) 中抽取，其中

        std = sqrt(1 / n_in)        # 只用扇入

    参数：
        n_in, n_out: int，扇入和扇出。
        rng: numpy.random.Generator，唯一的随机性来源。

    返回：
        W: 形状为 (n_in, n_out) 的 float64 数组。
    """
    raise NotImplementedError("lecun_normal")
