"""练习 `activations`：六个激活函数（activation function）的前向传播（forward propagation）与反向传播（backpropagation）。

完成全部十二个函数，然后运行 `dlx check activations`（可见
测试）和 `dlx submit activations`（计分的隐藏测试）。
需要帮助时运行 `dlx hint activations`。

这里每个函数都遵守的约定：
- 逐元素运算：x 是任意形状的 float64 数组；out 和 dx 的形状和 dtype
  都与 x 相同（float64：中途不要变成 float32）。
- ``<name>_forward`` 返回 ``(out, cache)``；缓存（cache）里放反向传播
  需要的任何东西（由你决定：x、out、alpha，或者它们组成的元组）。
- ``<name>_backward(dout, cache)`` 返回 ``dx = dout * f'(x)``。
- 在折点（kink）处（恰好 x == 0），导数取负半边的导数，
  与 PyTorch 相同。
- 绝不原地修改 x、dout 或缓存；返回新的数组。
"""
import numpy as np

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def sigmoid_forward(x):
    """Sigmoid：``out = 1 / (1 + exp(-x))``，取值于 (0, 1)。

    当 |x| 高达 1e4 时，结果必须保持有限，并且不能发出上溢（overflow）、除以零或
    无效值警告（下溢（underflow）为 0 没关系）：永远不要对很大的正数求 exp，即使它在
    np.where 之后会被丢弃的分支里也不行。

    返回：
        (out, cache)：out 的形状与 x 相同。
    """
    raise NotImplementedError("sigmoid_forward")


def sigmoid_backward(dout, cache):
    """sigmoid 的反向传播：``dx = dout * s * (1 - s)``，其中 ``s = sigmoid(x)``。

    和前向传播一样，|x| 高达 1e4 时也要有限且没有警告。
    """
    raise NotImplementedError("sigmoid_backward")


def tanh_forward(x):
    """双曲正切：``out = tanh(x)``，取值于 (-1, 1)。

    |x| 高达 1e4 时有限且没有警告。

    返回：
        (out, cache)：out 的形状与 x 相同。
    """
    raise NotImplementedError("tanh_forward")


def tanh_backward(dout, cache):
    """tanh 的反向传播：``dx = dout * (1 - tanh(x)**2)``；|x| 高达 1e4 时有限且没有警告。"""
    raise NotImplementedError("tanh_backward")


def relu_forward(x):
    """ReLU：``out = max(0, x)``。

    返回：
        (out, cache)：out 的形状与 x 相同。
    """
    raise NotImplementedError("relu_forward")


def relu_backward(dout, cache):
    """ReLU 的反向传播：x > 0 处 ``dx = dout``，x <= 0 处为 ``0``（所以 relu'(0) = 0）。"""
    raise NotImplementedError("relu_backward")


def leaky_relu_forward(x, alpha=0.01):
    """Leaky ReLU：x > 0 处 ``out = x``，x <= 0 处为 ``alpha * x``。

    参数：
        x: 任意形状的 float64 数组。
        alpha: 负输入一侧的斜率（slope），一个浮点数，0 <= alpha < 1。

    返回：
        (out, cache)：out 的形状与 x 相同；反向传播只拿得到缓存，
        所以缓存里必须带上 alpha。
    """
    raise NotImplementedError("leaky_relu_forward")


def leaky_relu_backward(dout, cache):
    """Leaky ReLU 的反向传播：x > 0 处斜率为 1，x <= 0 处为 ``alpha``（x == 0 处取 alpha）。"""
    raise NotImplementedError("leaky_relu_backward")


def elu_forward(x, alpha=1.0):
    """ELU：x > 0 处 ``out = x``，x <= 0 处为 ``alpha * (exp(x) - 1)``。

    对很大的正 x（高达 1e4）不能有上溢警告：exp 不能碰到这些值，
    即使是在 np.where 之后会丢弃的分支里也不行。

    参数：
        x: 任意形状的 float64 数组。
        alpha: 一个正浮点数；x -> -inf 时输出趋于 -alpha。

    返回：
        (out, cache)：out 的形状与 x 相同；缓存里必须带上 alpha。
    """
    raise NotImplementedError("elu_forward")


def elu_backward(dout, cache):
    """ELU 的反向传播：x > 0 处斜率为 1，x <= 0 处为 ``alpha * exp(x)``（x == 0 处取 alpha）。

    对很大的正 x 不能有上溢警告。
    """
    raise NotImplementedError("elu_backward")


def selu_forward(x):
    """SELU：``out = SELU_SCALE * elu(x, SELU_ALPHA)``，常数见上面（取 PyTorch 的值）。

    对很大的正 x（高达 1e4）不能有上溢警告。

    返回：
        (out, cache)：out 的形状与 x 相同。
    """
    raise NotImplementedError("selu_forward")


def selu_backward(dout, cache):
    """SELU 的反向传播：x > 0 处斜率为 ``SELU_SCALE``，x <= 0 处为 ``SELU_SCALE * SELU_ALPHA * exp(x)``。

    x == 0 处的斜率是 SELU_SCALE * SELU_ALPHA。对很大的正 x 不能有上溢警告。
    """
    raise NotImplementedError("selu_backward")
