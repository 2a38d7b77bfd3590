"""Typical mistakes in `resblock_torch` lose the points they should, and only those."""
from tests.grading import edited, mistake, mistake_tests, pick, seeds_agree_test

STATES = ("state_identity", "state_downsample", "state_more_channels")
TRAIN = ("train_identity", "train_downsample", "train_more_channels")
OUTPUTS = (*TRAIN, "eval_mode", "running_statistics", "gradient_reaches_input")
PROJECTION = "if stride != 1 or in_channels != out_channels:"
BN2 = "out = self.bn2(self.conv2(out))"

MISTAKES = [
    mistake("relu_before_the_addition", f"        {BN2}\n        return F.relu(out + self.shortcut(x))",
            "        out = F.relu(self.bn2(self.conv2(out)))\n        return out + self.shortcut(x)",
            *TRAIN, "eval_mode", "gradient_reaches_input"),  # names, shapes and running statistics are still right
    edited("bias_in_the_convolutions", [("padding=1, bias=False", "padding=1, bias=True", 2)],
           *STATES, "parameter_count", *OUTPUTS,
           says={"state_identity": "your block has key(s) the reference does not: conv1.bias, conv2.bias"}),
    mistake("bn2_defined_but_not_applied", BN2, "out = self.conv2(out)", *OUTPUTS),
    edited("bn2_missing", [("        self.bn2 = nn.BatchNorm2d(out_channels)\n", ""), (BN2, "out = self.conv2(out)")],
           *STATES, "parameter_count", *OUTPUTS,
           says={"state_identity": "your block lacks the reference's key(s): bn2.weight, bn2.bias, bn2.running_mean"}),
    # every test that builds ResidualBlock(c, c) fails; the projection shapes pass
    mistake("shortcut_always_projects", PROJECTION, "if True:", "state_identity", "parameter_count", "train_identity",
            "eval_mode", "running_statistics", "gradient_reaches_input", says={"state_identity": "shortcut.0.weight"}),
    mistake("shortcut_never_projects", PROJECTION, "if False:", "state_downsample", "state_more_channels",
            "parameter_count", "output_shape", "train_downsample", "train_more_channels", "eval_mode",
            "running_statistics", "gradient_reaches_input", "no_mutation"),
    mistake("projection_only_for_a_stride", PROJECTION, "if stride != 1:", "state_more_channels", "parameter_count",
            "train_more_channels"),
    # a strided block with equal channels needs the projection too: the identity cannot downsample
    mistake("projection_only_for_a_channel_change", PROJECTION, "if in_channels != out_channels:",
            "state_downsample", "parameter_count", "output_shape",
            says={"state_downsample": ("ResidualBlock(", "stride=2)")}),
    edited("stride_in_the_second_convolution", [
        ("kernel_size=3, stride=stride, padding=1", "kernel_size=3, stride=1, padding=1"),
        ("out_channels, kernel_size=3, stride=1, padding=1, bias=False)\n        self.bn2",
         "out_channels, kernel_size=3, stride=stride, padding=1, bias=False)\n        self.bn2"),
    ], "train_downsample", "eval_mode", "running_statistics", "gradient_reaches_input"),
    mistake("shortcut_detached", "out + self.shortcut(x)", "out + self.shortcut(x.detach())", "gradient_reaches_input"),
    mistake("batch_norm_momentum_changed", "self.bn1 = nn.BatchNorm2d(out_channels)",
            "self.bn1 = nn.BatchNorm2d(out_channels, momentum=0.2)", "running_statistics",
            says={"running_statistics": "bn1.running_mean"}),
    # `identity += out` adds into x itself when the shortcut is the identity; with x requiring a gradient, torch
    # refuses the in-place addition into a leaf: no gradient test either
    mistake("input_modified_in_place", "        return F.relu(out + self.shortcut(x))",
            "        identity = self.shortcut(x)\n        identity += out\n        return F.relu(identity)",
            "no_mutation", "gradient_reaches_input"),
]

test_mistake = mistake_tests("resblock_torch", MISTAKES)
test_seeds_agree = seeds_agree_test("resblock_torch", pick(MISTAKES, "shortcut_detached"))
