"""练习 `batchnorm`：批量规范化（batch normalization），前向传播（训练与评估）和反向传播。

完成这两个函数，然后运行 `dlx check batchnorm`（可见测试）和
`dlx submit batchnorm`（计分的隐藏测试）。需要提示时运行 `dlx hint batchnorm`。
其行为与 `torch.nn.functional.batch_norm` 一致。
"""
import numpy as np


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train=True, momentum=0.1, eps=1e-5):
    """批量规范化沿批量轴的前向传播（forward pass），D 个特征各自独立处理。

    训练（``train=True``；需要 N >= 2）：
        mean = x.mean(axis=0);  var = x.var(axis=0)      # 有偏：除以 N
        out  = gamma * (x - mean) / sqrt(var + eps) + beta
        new_running_mean = (1 - momentum) * running_mean + momentum * mean
        new_running_var  = (1 - momentum) * running_var  + momentum * var_unbiased
    其中 ``var_unbiased`` 除以 N - 1 而不是 N（PyTorch 的约定）。

    评估（``train=False``）：
        out = gamma * (x - running_mean) / sqrt(running_var + eps) + beta
        并且滑动统计量原样返回。

    参数：
        x: 形状为 (N, D) 的 float64 数组。
        gamma, beta: 形状为 (D,) 的 float64 数组，即可学习的缩放和平移。
        running_mean, running_var: 形状为 (D,) 的 float64 数组，即滑动估计（running estimates）。
        train: True 表示训练模式，False 表示评估模式。
        momentum: 当前批量在滑动估计中所占的权重。
        eps: 开平方之前加到方差上的数。

    返回：
        (out, cache, new_running_mean, new_running_var): ``out`` 的形状为 (N, D)；
        ``cache`` 是 ``batchnorm_backward`` 需要的任何东西（评估模式下
        可以是 None）；以及滑动统计量，以形状为 (D,) 的新数组返回。

    不要原地修改任何参数，包括滑动统计量。
    """
    raise NotImplementedError("batchnorm_forward")


def batchnorm_backward(dout, cache):
    """训练模式下批量规范化的反向传播（backward pass）。

    记住：批量的均值和方差本身也是 x 的函数。

    参数：
        dout: 形状为 (N, D) 的 float64 数组，即上游梯度（gradient）dL/dout。
        cache: ``batchnorm_forward`` 返回的 cache（训练模式）。

    返回：
        (dx, dgamma, dbeta): 分别关于 x (N, D)、
        gamma (D,) 和 beta (D,) 的梯度。
    """
    raise NotImplementedError("batchnorm_backward")
