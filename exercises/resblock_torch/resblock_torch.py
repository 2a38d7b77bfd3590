"""Exercise `resblock_torch`: the residual block of ResNet as a torch.nn.Module.

Complete the class `ResidualBlock`, then run `dlx check resblock_torch` (visible
tests) and `dlx submit resblock_torch` (the graded, hidden tests).
`dlx hint resblock_torch` helps.

The grader loads a reference block's weights into yours with
`load_state_dict(..., strict=True)`, so the attribute names below (`conv1`,
`bn1`, `conv2`, `bn2`, `shortcut`) and the layers' exact settings matter: an
extra, missing or renamed parameter or buffer is reported by its key.
"""
import torch
import torch.nn.functional as F
from torch import nn


class ResidualBlock(nn.Module):
    """``out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``.

    Input x: a float tensor of shape (N, in_channels, H, W). Output: shape
    (N, out_channels, H', W') with ``H' = floor((H - 1) / stride) + 1`` (H/stride,
    rounded up), the same for W.
    """

    def __init__(self, in_channels, out_channels, stride=1):
        """Build the layers (call ``super().__init__()`` first):

        - ``conv1``: ``nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)``;
          the stride (downsampling) is here, in the first convolution.
        - ``bn1``: ``nn.BatchNorm2d(out_channels)``.
        - ``conv2``: 3x3, ``out_channels -> out_channels``, stride 1, padding 1, ``bias=False``.
        - ``bn2``: ``nn.BatchNorm2d(out_channels)``.
        - ``shortcut``: an empty ``nn.Sequential()`` (the identity) when ``stride == 1`` and
          ``in_channels == out_channels``; otherwise ``nn.Sequential(conv, bn)`` with a 1x1
          ``nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)`` and a
          ``nn.BatchNorm2d(out_channels)``, so that x has the output's shape.

        No biases in the convolutions: each is followed by batch norm, whose shift
        ``beta`` would cancel a bias anyway. Keep BatchNorm2d's defaults
        (eps=1e-5, momentum=0.1, running statistics tracked).
        """
        raise NotImplementedError("ResidualBlock.__init__")

    def forward(self, x):
        """The residual branch ``bn2(conv2(relu(bn1(conv1(x)))))`` plus ``shortcut(x)``, then a
        ReLU: the last ReLU comes AFTER the addition. Do not modify x in place."""
        raise NotImplementedError("ResidualBlock.forward")
