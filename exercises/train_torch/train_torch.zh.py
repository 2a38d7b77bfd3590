"""练习 `train_torch`：用 PyTorch 搭建并训练一个分类器（classifier）。

完成 `train_classifier`，然后运行 `dlx check train_torch`（可见测试）和
`dlx submit train_torch`（计分的隐藏测试）。需要帮助时运行 `dlx hint train_torch`。

时间预算：评分程序在一个 CPU 核上以单线程运行你的代码。一次
`train_classifier` 调用最多可用 60 s，整个评分（四次
训练）最多可用 120 s 的 CPU 时间；争取几秒内完成。
"""
import torch
from torch import nn


def train_classifier(X, y, num_classes, seed):
    """搭建一个 ``torch.nn.Module`` 分类器，并在 (X, y) 上训练它。

    参数：
        X: 形状为 (N, D) 的 float32 NumPy 数组：N 个训练输入（几千个，
            D 在 10 到 16 之间）。各个特征的尺度和偏移各不相同。
        y: 形状为 (N,) 的 int64 NumPy 数组，类别标签取值于 ``0 .. num_classes - 1``。
        num_classes: 类别数 C（3 到 5）。
        seed: 一个 int。在创建模型之前调用 ``torch.manual_seed(seed)``，并且
            所有随机性（初始化 initialisation、打乱顺序 shuffling）都取自 torch 的生成器，这样
            相同的种子和数据会给出完全相同的模型（而另一个种子给出另一个
            模型：要使用这个参数，而不是一个常数）。

    返回：
        训练好的模型，一个 ``nn.Module``，它把形状为 (M, D) 的 float32 张量映射为
        形状为 (M, C) 的 logits（未规范化的分数，不是概率：末尾不要
        softmax；预测的类别就是 argmax）。评分程序会先调用 ``model.eval()``，再在
        ``torch.no_grad()`` 下对来自同一分布的留出（held-out）输入调用 ``model(x)``，不做
        任何预处理：把输入的标准化（standardization）放在模型内部。

    不要原地修改 X 或 y（在副本上做标准化，或者放在模型内部做）。
    """
    raise NotImplementedError("train_classifier")
