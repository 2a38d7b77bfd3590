"""练习 `autodiff`：一个标量的反向模式自动微分（reverse-mode automatic differentiation）引擎。

完成类 `Value`，然后运行 `dlx check autodiff`（可见测试）和
`dlx submit autodiff`（计分的隐藏测试）。需要提示时运行 `dlx hint autodiff`。

每个运算都会创建一个新的 `Value` 节点，它记住自己的输入，以及自己对每个输入的
局部导数（local derivative），这就是链式法则（chain rule）在局部的一步。`backward()`
先给计算图排序，使每个节点都排在它的输入之前，然后从输出开始，把
`local derivative * node.grad` 加到每个输入的 `grad` 上。

只能用标准库和 NumPy；不能用 torch，也不能用任何自动微分库。
"""
import math


class Value:
    """计算图（computational graph）中的一个标量节点。

    属性：
        data: 节点的值，一个 Python 浮点数（``Value(3).data == 3.0``）。
        grad: 调用 ``output.backward()`` 之后的 d(output)/d(本节点)；一个从 0.0
            开始的浮点数。``backward()`` 把它自己所在节点的 grad 设为 1.0，并累加到
            它所依赖的每个节点的 grad 上。

    运算符 ``+ - * /`` 的任意一侧都可以是 Value 或 Python 的数（int 或 float）
    （``2 + v``、``v - 3``、``1 / v`` 都返回 Value）；``-v`` 和 ``v ** k``（``k`` 是
    int 或 float，不是 Value）也一样。数可以包装成常数叶节点，也可以直接使用：
    只有 Value 的梯度（gradient）才有意义。
    """

    def __init__(self, data, _inputs=()):
        """创建一个保存 ``float(data)``、并且 ``grad = 0.0`` 的节点。

        ``_inputs``（可选，私有）：计算出本节点所用的那些节点，连同反向传播
        向其中每一个传递梯度所需的信息，例如 ``(input, local derivative)`` 对
        （也可以保存输入，再加一个负责传递梯度的小函数）。叶节点（leaf）没有输入。
        """
        raise NotImplementedError("Value.__init__")

    # -- 运算符：每个都返回一个新的 Value -------------------------------------------
    def __add__(self, other):
        """``self + other``；导数 d/dself = 1，d/dother = 1。"""
        raise NotImplementedError("Value.__add__")

    def __radd__(self, other):
        """``other`` 是数时的 ``other + self``。"""
        raise NotImplementedError("Value.__radd__")

    def __sub__(self, other):
        """``self - other``；导数 d/dself = 1，d/dother = -1。"""
        raise NotImplementedError("Value.__sub__")

    def __rsub__(self, other):
        """``other`` 是数时的 ``other - self``。"""
        raise NotImplementedError("Value.__rsub__")

    def __mul__(self, other):
        """``self * other``；导数 d/dself = other，d/dother = self。"""
        raise NotImplementedError("Value.__mul__")

    def __rmul__(self, other):
        """``other`` 是数时的 ``other * self``。"""
        raise NotImplementedError("Value.__rmul__")

    def __truediv__(self, other):
        """``self / other``；导数 d/dself = 1 / other，d/dother = -self / other**2。"""
        raise NotImplementedError("Value.__truediv__")

    def __rtruediv__(self, other):
        """``other`` 是数时的 ``other / self``。"""
        raise NotImplementedError("Value.__rtruediv__")

    def __neg__(self):
        """``-self``；导数 d/dself = -1。"""
        raise NotImplementedError("Value.__neg__")

    def __pow__(self, k):
        """``self ** k``，其中 ``k`` 是数（int 或 float）：d/dself = k * self**(k - 1)。

        只需在实数幂有定义的地方能用即可（``k`` 为分数时要求 ``self > 0``，
        ``k`` 为负数时要求 ``self != 0``）；整数 ``k >= 1`` 在 ``self == 0`` 处也
        必须能用（``x ** 2`` 在那里的导数为 0）。
        """
        raise NotImplementedError("Value.__pow__")

    # -- 函数：每个都返回一个新的 Value ---------------------------------------------
    def exp(self):
        """``e ** self``；它的导数就是它自己。"""
        raise NotImplementedError("Value.exp")

    def log(self):
        """自然对数，要求 ``self > 0``；导数为 ``1 / self``。"""
        raise NotImplementedError("Value.log")

    def tanh(self):
        """``tanh(self)``；导数为 ``1 - tanh(self)**2``。"""
        raise NotImplementedError("Value.tanh")

    def sigmoid(self):
        """``1 / (1 + e**-self)``；导数为 ``s * (1 - s)``，其中 ``s`` 是输出。

        对 ``|self|`` 直到 1e4 的任何输入，都必须给出正确的值：结果有限，不抛出
        异常，也不发出警告（``math.exp(800)`` 会抛出 OverflowError；要找一种永远
        不对大正数求指数的写法）。极小的值也必须精确到约 1e-16 以内：
        sigmoid(-100) 约为 3.7e-44，而不是 -30 处的值（所以不要截断 x）。
        """
        raise NotImplementedError("Value.sigmoid")

    def relu(self):
        """``max(0, self)``；在 ``self > 0`` 处导数为 1，在 ``self <= 0`` 处为 0
        （恰在 0 处采用 PyTorch 的约定：0）。"""
        raise NotImplementedError("Value.relu")

    def maximum(self, other):
        """``self`` 与 ``other``（Value 或数）中较大的那个。

        梯度流向较大的输入；平局（data 相等）时梯度平分，各得 0.5，
        与 ``torch.maximum`` 的做法相同。
        """
        raise NotImplementedError("Value.maximum")

    # -- 反向模式 ----------------------------------------------------------------------
    def backward(self):
        """从本节点开始反向传播（backpropagation）。

        先设 ``self.grad = 1.0``，然后按逆拓扑排序（reverse topological order：
        每个节点排在它的所有输入之前）访问本节点所依赖的每个节点，执行它的局部
        链式法则步骤；这一步把结果*加到*它的输入的 ``grad`` 上：一个被多次使用的
        节点，收到的是各次使用的梯度之和。梯度从不重置，所以对共享同一个叶节点的
        两个输出分别调用 ``backward()``，两份贡献都会加到这个叶节点上，与 PyTorch
        相同。

        必须能处理 10,000 个节点深的图：用循环和显式的栈来构建拓扑排序，
        不要用递归（Python 在大约 1,000 层时就会停止递归）。
        """
        raise NotImplementedError("Value.backward")
