"""练习 `linear_models`：五种线性模型的损失与梯度，以及梯度下降（gradient descent）。

完成每个函数，然后运行 `dlx check linear_models`（可见测试）
和 `dlx submit linear_models`（计分的隐藏测试）。
需要提示时运行 `dlx hint linear_models`。

共同约定
    X: float64 数组 (N, D)，每行一个样本。没有单独的偏置（bias）：
       它被"并入 X"（添加一列全为一的列），因此它也是权重之一。
    w: float64 数组 (D,)（softmax 回归则是形状为 (D, C) 的 W）。
    每个损失都是 N 个样本上的平均值（MEAN）；每个函数都返回
    ``(loss, dw)``，其中 ``loss`` 是 Python 浮点数，``dw`` 是
    ``loss`` 关于 w 的梯度，形状与 w 相同。任何参数都不会被修改。
    在 max(0, u) 的折点（kink）处（u 恰为 0），像 PyTorch 一样使用平坦那一支的梯度，
    即 0。
"""
import numpy as np


def linear_regression_loss_grad(w, X, y):
    """平方损失（squared loss）：``0.5 * (X @ w - y) ** 2`` 在各行上的平均值。

    y: 由实数目标值组成的 float64 数组 (N,)。返回 (loss, dw)，dw 的形状为 (D,)。
    """
    raise NotImplementedError("linear_regression_loss_grad")


def logistic_regression_loss_grad(w, X, y):
    """逻辑回归（logistic regression）：平均对数损失（二元交叉熵，binary cross-entropy）。

    记 z = X @ w，p = sigmoid(z)，则一个样本的损失为
    ``-(y * log(p) + (1 - y) * log(1 - p))``，y 取值于 {0.0, 1.0}（float64 (N,)）。
    在 |z| 直到 1e4 时，它都必须保持有限，不能出现上溢或除以零的警告：
    把它写成 z 的函数，绝不要对算出来的 p 取对数。
    返回 (loss, dw)，dw 的形状为 (D,)。
    """
    raise NotImplementedError("logistic_regression_loss_grad")


def softmax_regression_loss_grad(W, X, y):
    """Softmax 回归（softmax regression）：softmax(X @ W) 的平均交叉熵（cross-entropy）。

    W: float64 (D, C)；y: 由类别索引组成的 int 数组 (N,)，取值于 [0, C)。
    一个样本的损失为 ``-log(softmax(X[i] @ W)[y[i]])``。分数的绝对值
    直到 1e4 时，它都必须保持有限，且没有警告。
    返回 (loss, dW)，dW 的形状为 (D, C)。
    """
    raise NotImplementedError("softmax_regression_loss_grad")


def perceptron_loss_grad(w, X, y):
    """感知机准则（perceptron criterion）：``max(0, -y * (X @ w))`` 的平均值。

    y 取值于 {-1.0, +1.0}（float64 (N,)）。只有被误分类的样本（y * score
    < 0）才有贡献；分数恰为 0 是一个折点：它的梯度为 0。
    返回 (loss, dw)，dw 的形状为 (D,)。
    """
    raise NotImplementedError("perceptron_loss_grad")


def svm_loss_grad(w, X, y, lam=0.0):
    """线性支持向量机（linear SVM）：平均合页损失（hinge loss）``max(0, 1 - y * (X @ w))`` 加上 ``0.5 * lam * ||w||^2``。

    y 取值于 {-1.0, +1.0}（float64 (N,)）；lam >= 0 是 L2 正则化
    （即权重衰减，weight decay）的强度；它作用于整个 w（包括并入的偏置）。
    恰好落在间隔上的样本（y * score == 1）是一个折点：它的合页损失梯度为 0。
    返回 (loss, dw)，dw 的形状为 (D,)。
    """
    raise NotImplementedError("svm_loss_grad")


def gradient_descent(loss_grad, w0, X, y, lr, num_steps):
    """全批量梯度下降。

    参数：
        loss_grad: 一个函数 ``(w, X, y) -> (loss, dw)``，例如上面那些函数
            （对 lam > 0 的 SVM，要把它包装一下，例如用 lambda），也可以是
            其他任何函数：不管它是哪种损失，调用它就行。
        w0: 初始权重（不会被修改）；X, y: 整个训练集。
        lr: 学习率（learning rate）；num_steps: 更新的次数。

    对 t = 0, ..., num_steps - 1：在当前的 w 处计算 ``loss, dw = loss_grad(w, X, y)``，
    记录 ``loss``，然后更新 ``w <- w - lr * dw``。
    所以 ``losses[t]`` 是第 t 步之前（BEFORE）的权重处的损失（这正是 PyTorch
    训练循环记录的值：先计算损失，再调用 backward，然后走一步），而
    ``losses[0]`` 是 w0 处的损失。

    返回：
        (w, losses): w 是 num_steps 次更新之后的权重（一个新数组，形状与
        w0 相同）；losses 是由 num_steps 个浮点数组成的列表。
    """
    raise NotImplementedError("gradient_descent")
