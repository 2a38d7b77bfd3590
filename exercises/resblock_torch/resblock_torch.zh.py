"""练习 `resblock_torch`：用 torch.nn.Module 实现 ResNet 的残差块（residual block）。

完成类 `ResidualBlock`，然后运行 `dlx check resblock_torch`（可见
测试）和 `dlx submit resblock_torch`（计分的隐藏测试）。
需要帮助时运行 `dlx hint resblock_torch`。

评分程序用 `load_state_dict(..., strict=True)` 把一个参考块的权重加载到
你的块中，所以下面的属性名（`conv1`、
`bn1`、`conv2`、`bn2`、`shortcut`）和各层的具体设置都很重要：多出、缺少
或改了名的参数或缓冲区（buffer）都会按它的键名报告出来。
"""
import torch
import torch.nn.functional as F
from torch import nn


class ResidualBlock(nn.Module):
    """``out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``。

    输入 x：形状为 (N, in_channels, H, W) 的浮点张量。输出：形状为
    (N, out_channels, H', W')，其中 ``H' = floor((H - 1) / stride) + 1``（即 H/stride
    向上取整），W 也一样。
    """

    def __init__(self, in_channels, out_channels, stride=1):
        """构建各层（先调用 ``super().__init__()``）：

        - ``conv1``：``nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)``；
          步幅（stride），也就是下采样（downsampling），放在这里，即第一个卷积（convolution）中。
        - ``bn1``：``nn.BatchNorm2d(out_channels)``。
        - ``conv2``：3x3，``out_channels -> out_channels``，步幅 1，填充（padding）1，``bias=False``。
        - ``bn2``：``nn.BatchNorm2d(out_channels)``。
        - ``shortcut``：当 ``stride == 1`` 且 ``in_channels == out_channels`` 时，是一个空的
          ``nn.Sequential()``（恒等映射，identity mapping）；否则是 ``nn.Sequential(conv, bn)``，由一个 1x1 的
          ``nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)`` 和一个
          ``nn.BatchNorm2d(out_channels)`` 组成，使 x 变成与输出相同的形状。

        卷积都不带偏置（bias）：每个卷积后面都跟着批量规范化（batch normalization），它的平移
        ``beta`` 反正会抵消偏置。保留 BatchNorm2d 的默认设置
        （eps=1e-5，momentum=0.1，跟踪滑动统计量（running statistics））。
        """
        raise NotImplementedError("ResidualBlock.__init__")

    def forward(self, x):
        """残差分支 ``bn2(conv2(relu(bn1(conv1(x)))))`` 加上 ``shortcut(x)``，然后接一个
        ReLU：最后的 ReLU 在加法*之后*。不要原地修改 x。"""
        raise NotImplementedError("ResidualBlock.forward")
