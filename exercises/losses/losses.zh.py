"""练习 `losses`：损失函数（loss function）及其梯度（gradient），分数大到 |1e4| 时也要算得对。

完成这七个函数，然后运行 `dlx check losses`（可见测试）和
`dlx submit losses`（计分的隐藏测试）。需要提示时运行 `dlx hint losses`。

每个损失 ``f(scores, y) -> (loss, dscores)`` 都遵循以下约定：
- ``loss`` 是一个 Python 浮点数，是批量（batch）上的平均值，即代价（cost）；
  ``dscores`` 是这个平均值的梯度：它的形状与 ``scores`` 相同，并带有因子 1/N。
- 对 |scores| 大到 1e4 的输入，结果必须有限，并且不产生上溢（overflow）、
  除以零或无效值（invalid value）警告（下溢为 0 没有关系）。
- 不原地修改任何参数。只能用 NumPy；需要的辅助函数（稳定的 sigmoid、
  log-softmax）都写在本文件里。
"""
import numpy as np


def mse_loss(pred, y):
    """均方误差（mean squared error），与 ``torch.nn.MSELoss()`` 相同。

    参数：
        pred: 任意形状的 float64 数组，即预测值。
        y: 形状相同的 float64 数组，即目标值。

    返回：
        (loss, dpred)：``loss = mean((pred - y) ** 2)``，对所有元素（共 K 个）
        取平均；以及 ``dpred = 2 * (pred - y) / K``。
    """
    raise NotImplementedError("mse_loss")


def bce_with_logits(z, y):
    """由 logits 计算的二元交叉熵（binary cross-entropy），与 ``torch.nn.BCEWithLogitsLoss()`` 相同。

    参数：
        z: 任意形状的 float64 数组，即 logits（p = sigmoid(z) 是预测为类别 1
            的概率）。
        y: 形状相同的 float64 数组，标签为 0.0 或 1.0。

    返回：
        (loss, dz)：对全部 K 个元素取
        ``-(y * log(sigmoid(z)) + (1 - y) * log(1 - sigmoid(z)))`` 的平均值，以及
        ``dz = (sigmoid(z) - y) / K``。

    永远不要对 sigmoid 的结果取对数：改用恒等式
    ``loss_i = max(z, 0) - z * y + log(1 + exp(-|z|))``。
    """
    raise NotImplementedError("bce_with_logits")


def softmax_cross_entropy(logits, y):
    """先做 softmax 再算交叉熵（cross-entropy），与 ``torch.nn.CrossEntropyLoss()`` 相同。

    参数：
        logits: 形状为 (N, C) 的 float64 数组，每个样本一行类别分数。
        y: 形状为 (N,) 的整数数组，即每一行的正确类别，取值在 0..C-1 之间。

    返回：
        (loss, dlogits)：``loss = -mean_n log softmax(logits[n])[y[n]]``，以及形状为
        (N, C) 的 ``dlogits = (softmax(logits) - onehot(y)) / N``。

    逐行计算 log softmax，写成 ``logits - logsumexp(logits)``，并且先减去该行的
    最大值。
    """
    raise NotImplementedError("softmax_cross_entropy")


def hinge_loss(scores, y):
    """线性支持向量机（linear SVM）的合页损失（hinge loss），即 ``max(0, 1 - y * s)`` 的平均值。

    参数：
        scores: 形状为 (N,) 的 float64 数组，即分数 s。
        y: 形状为 (N,) 的 float64 数组，标签为 -1.0 或 +1.0。

    返回：
        (loss, dscores)：在 N 个样本上的平均值，以及它的梯度：在
        ``1 - y[n] * s[n] > 0`` 处为 ``-y[n] / N``，其余处为 0。恰好在间隔上
        （``1 - y * s == 0``）时梯度为 0：在折点（kink）处，和 PyTorch 一样，
        采用 ``max(0, u)`` 负输入那一支。
    """
    raise NotImplementedError("hinge_loss")


def perceptron_loss(scores, y):
    """感知机损失（perceptron loss），即 ``max(0, -y * s)`` 的平均值。

    参数：
        scores: 形状为 (N,) 的 float64 数组，即分数 s。
        y: 形状为 (N,) 的 float64 数组，标签为 -1.0 或 +1.0。

    返回：
        (loss, dscores)：在 N 个样本上的平均值，以及它的梯度：在
        ``-y[n] * s[n] > 0`` 处为 ``-y[n] / N``，其余处为 0；恰在 ``s == 0`` 处
        梯度为 0（折点约定与 ``hinge_loss`` 相同）。
    """
    raise NotImplementedError("perceptron_loss")


def kl_divergence(logits, target):
    """KL(target || softmax(logits)) 在批量上的平均值，即 KL 散度（Kullback-Leibler divergence）。

    参数：
        logits: 形状为 (N, C) 的 float64 数组。
        target: 形状为 (N, C) 的 float64 数组，每一行是一个概率分布
            （非负，和为 1）；其中的元素可以恰好为 0。

    返回：
        (loss, dlogits)：记 q = softmax(logits)（逐行计算），
        ``loss = (1 / N) * sum_{n,c} t[n,c] * (log t[n,c] - log q[n,c])``，其中
        t = 0 的项按 0 计（0 log 0 = 0），与
        ``torch.nn.functional.kl_div(log_softmax(logits), target, reduction="batchmean")`` 相同；
        以及 ``dlogits = (q * sum_c t[n,c] - t) / N``；当 t 的每一行和为 1 时，
        它就是 ``(q - t) / N``。
    """
    raise NotImplementedError("kl_divergence")


def l2_penalty(weights, lam):
    """一组权重（weight）数组的 L2 惩罚（L2 penalty），也叫权重衰减（weight decay）。

    参数：
        weights: 由任意形状的 float64 数组组成的列表。
        lam: 一个浮点数，即正则化（regularization）强度。

    返回：
        (loss, grads)：``loss = 0.5 * lam * sum_k sum(weights[k] ** 2)``，是一个
        浮点数（不是平均值：它与批量无关）；以及列表 ``grads``，其中
        ``grads[k] = lam * weights[k]``，顺序与 ``weights`` 相同。
    """
    raise NotImplementedError("l2_penalty")
