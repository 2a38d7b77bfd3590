"""练习 `label_shift`：用黑盒偏移估计（black-box shift estimation）求目标的标签分布。

完成这三个函数，然后运行 `dlx check label_shift`（可见测试）和
`dlx submit label_shift`（计分的隐藏测试）。需要提示时运行 `dlx hint label_shift`。

标签是整数数组，取值在 0 .. num_classes - 1 之间。
"""
import numpy as np


def confusion_matrix(y_true, y_pred, num_classes):
    """分类器在带标签数据上的联合混淆矩阵（confusion matrix）。

    C[i, j] = （满足 y_pred == i 且 y_true == j 的样本数）/ N：
    行是预测的类别，列是真实的类别，并且对整个矩阵
    （而不是每一行或每一列）归一化，所以它的元素之和为 1。
    从未出现的类别对应一行或一列零。

    参数：
        y_true: int 数组 (N,)，真实标签。
        y_pred: int 数组 (N,)，分类器的预测。
        num_classes: K，类别数（数据中可能缺少某些类别）。

    返回：
        C: 形状为 (K, K) 的 float64 数组。
    """
    raise NotImplementedError("confusion_matrix")


def label_shift_weights(y_val, y_val_pred, y_target_pred, num_classes):
    """只凭预测估计 w[j] = q(y = j) / p(y = j)（目标比源）。

    记 C = confusion_matrix(y_val, y_val_pred, num_classes)，它在源数据的
    带标签验证数据上计算；再记 mu[i] = 目标预测 y_target_pred 中等于 i
    的比例。求解 K x K 线性方程组

        C w = mu

    并把 w 中的负元素截断为 0（负权重是抽样噪声）。

    C 必须可逆。如果它是奇异的（np.linalg.matrix_rank(C) < K：例如
    某个类别从未在 y_val 中出现、某个类别从未被预测，或者分类器以完全
    相同的方式混淆两个类别），就抛出 ValueError，并在信息中说明这一点。

    参数：
        y_val: int 数组 (N_val,)，验证数据的真实标签。
        y_val_pred: int 数组 (N_val,)，分类器在验证数据上的预测。
        y_target_pred: int 数组 (N_target,)，分类器在无标签目标数据上的预测。
        num_classes: K。

    返回：
        w: 形状为 (K,) 的 float64 数组，所有元素 >= 0。

    求解方程组（np.linalg.solve）；不要对 C 求逆。不要修改参数。
    """
    raise NotImplementedError("label_shift_weights")


def target_label_distribution(w, y_source, num_classes):
    """由权重推出的目标标签分布：q(y) 正比于 w(y) p_source(y)。

    p_source[j] 是 y_source 中等于 j 的比例；返回 w * p_source
    除以它的总和，使结果之和为 1。

    参数：
        w: float64 数组 (K,)，标签偏移（label shift）权重（>= 0，在 p_source > 0 处不全为 0）。
        y_source: int 数组 (N,)，源（训练）数据的标签。
        num_classes: K。

    返回：
        q: 形状为 (K,) 的 float64 数组，元素 >= 0，和为 1。
    """
    raise NotImplementedError("target_label_distribution")
