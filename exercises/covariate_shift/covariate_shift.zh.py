"""练习 `covariate_shift`：由领域分类器（domain classifier）得到重要性权重（importance weight），再做加权拟合。

完成这两个函数，然后运行 `dlx check covariate_shift`（可见测试）和
`dlx submit covariate_shift`（计分的隐藏测试）。需要提示时运行 `dlx hint covariate_shift`。
只用 NumPy：优化过程要自己写（不能用 scikit-learn，也不能用 SciPy 的优化器）。
"""
import numpy as np


def domain_classifier_weights(X_source, X_target, l2=1e-3, max_weight=None):
    """为每个源数据行计算重要性权重 beta_i ~ p_target(x_i) / p_source(x_i)。

    在合并后的数据行上拟合一个逻辑回归（logistic regression）领域分类器，
    每个源数据行的标签为 z = 0，每个目标数据行的标签为 z = 1：

        h(x) = x @ w + b                      (the logit; b is the intercept)
        P(z = 1 | x) = sigmoid(h(x))
        J(w, b) = mean over all n_source + n_target rows of the log-loss
                  - [z log sigmoid(h) + (1 - z) log(1 - sigmoid(h))]
                  + 0.5 * l2 * ||w||^2        (the intercept b is not penalised)

    也就是说：h(x) 是 logit，b 是截距；J 是全部 n_source + n_target 行上
    对数损失（log-loss）的平均值，加上对 w 的 L2 惩罚（截距 b 不受惩罚）。

    自己动手最小化 J（用梯度下降或牛顿法；J 是凸函数）。然后

        beta_i = exp(h(x_i)) * n_source / n_target      for each source row x_i,

    即对每个源数据行 x_i 计算上式，因为分类器给出的几率（odds）等于
    p_target(x) n_target / (p_source(x) n_source)。
    给定 ``max_weight`` 时，返回 ``minimum(beta, max_weight)``。

    参数：
        X_source: float64 数组 (n_source, D)，训练（源）数据的输入。
        X_target: float64 数组 (n_target, D)，来自目标分布的无标签输入。
        l2: 对 w 的 L2 惩罚强度（一个 >= 0 的浮点数）。
        max_weight: None（不截断）或一个浮点数，即返回的最大权重。

    返回：
        beta: 形状为 (n_source,) 的 float64 数组，所有元素 > 0。

    精度与用时：测试把 beta 与 J 的精确最小值点比较，相对误差须在
    1e-3 以内，所以要充分收敛（梯度范数低于约 1e-6）。
    测试最多用几千行数据、几个量级为 1 的特征；在这种规模下，
    牛顿法不到十步就能收敛；全批量梯度下降取步长 1（从零出发）
    通常需要 100 到 400 步，但当两个特征高度相关时需要几千步
    （有一个测试就含这样一对特征），所以要在梯度范数低于 1e-6 时停止，
    而不是跑固定的步数。牛顿法远不到一秒，
    梯度下降最多一秒左右。计算 sigmoid 和对数损失时不能溢出。
    不要修改 X_source 或 X_target。
    """
    raise NotImplementedError("domain_classifier_weights")


def weighted_least_squares(X, y, weights, l2=0.0):
    """带岭惩罚（ridge penalty）的加权最小二乘拟合（没有截距：把它并入 X）。

    最小化  sum_i weights_i * (x_i @ w - y_i)^2 + l2 * ||w||^2，其最小值点
    满足正规方程（normal equations）

        (X.T @ diag(weights) @ X + l2 * I) w = X.T @ diag(weights) @ y.

    权重按给定的值使用（不要归一化）：权重为 0 的行
    没有任何影响，而把每个权重乘以 c 等同于把 l2 除以 c。

    参数：
        X: float64 数组 (N, D)。
        y: float64 数组 (N,)。
        weights: float64 数组 (N,)，每个元素 >= 0（例如重要性权重）。
        l2: 岭惩罚强度（一个 >= 0 的浮点数）。

    返回：
        w: 形状为 (D,) 的 float64 数组。

    求解线性方程组（np.linalg.solve）；不要构造逆矩阵。
    不要修改参数。
    """
    raise NotImplementedError("weighted_least_squares")
