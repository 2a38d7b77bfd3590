"""Typical mistakes in `resblock_torch` lose the points they should, and only those."""
from tests.grading import assert_loses_only, grade, mutate, solution_text

SOLUTION = solution_text("resblock_torch")
TRAIN = "training-mode output"
EVAL = "evaluation mode"
STATS = "updates the running statistics"
GRAD = "gradient reaches the input"
IDENTITY = "ResidualBlock(c, c):"
STATE = "load strictly"
COUNT = "number of parameters"


def failure(result, fragment):
    return next(t.output for t in result.tests if fragment in t.name and not t.passed)


def test_relu_before_the_addition():
    source = mutate(SOLUTION, """        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))""", """        out = F.relu(self.bn2(self.conv2(out)))
        return out + self.shortcut(x)""")
    result = grade("resblock_torch", source)
    assert_loses_only(result, TRAIN, EVAL, GRAD)  # names, shapes and running statistics are still right


def test_bias_in_the_convolutions():
    source = mutate(SOLUTION, "padding=1, bias=False", "padding=1, bias=True", count=2)
    result = grade("resblock_torch", source)
    assert_loses_only(result, STATE, COUNT, TRAIN, EVAL, STATS, GRAD)
    assert "your block has key(s) the reference does not: conv1.bias, conv2.bias" in failure(result, IDENTITY)


def test_bn2_defined_but_not_applied():
    source = mutate(SOLUTION, "out = self.bn2(self.conv2(out))", "out = self.conv2(out)")
    result = grade("resblock_torch", source)
    assert_loses_only(result, TRAIN, EVAL, STATS, GRAD)


def test_bn2_missing():
    source = mutate(SOLUTION, "        self.bn2 = nn.BatchNorm2d(out_channels)\n", "")
    source = mutate(source, "out = self.bn2(self.conv2(out))", "out = self.conv2(out)")
    result = grade("resblock_torch", source)
    assert_loses_only(result, STATE, COUNT, TRAIN, EVAL, STATS, GRAD)
    assert "your block lacks the reference's key(s): bn2.weight, bn2.bias, bn2.running_mean" in failure(result, STATE)


def test_shortcut_always_projects():
    source = mutate(SOLUTION, "if stride != 1 or in_channels != out_channels:", "if True:")
    result = grade("resblock_torch", source)
    # every test that builds ResidualBlock(c, c) fails; the projection shapes pass
    assert_loses_only(result, IDENTITY, COUNT, EVAL, STATS, GRAD)
    assert "shortcut.0.weight" in failure(result, IDENTITY)


def test_shortcut_never_projects():
    source = mutate(SOLUTION, "if stride != 1 or in_channels != out_channels:", "if False:")
    result = grade("resblock_torch", source)
    passed = {t.name for t in result.tests if t.passed}
    assert passed == {"ResidualBlock(c, c): parameters and buffers load strictly from the reference's",
                      "ResidualBlock(c, c): training-mode output matches the reference's"}


def test_projection_only_for_a_stride():
    source = mutate(SOLUTION, "if stride != 1 or in_channels != out_channels:", "if stride != 1:")
    result = grade("resblock_torch", source)
    assert_loses_only(result, "ResidualBlock(c, c + 2)", COUNT)


def test_projection_only_for_a_channel_change():
    """A strided block with equal channels needs the projection too: the identity cannot downsample."""
    source = mutate(SOLUTION, "if stride != 1 or in_channels != out_channels:", "if in_channels != out_channels:")
    result = grade("resblock_torch", source)
    assert_loses_only(result, "(c, c, stride=2)", COUNT, "output shape")
    assert "ResidualBlock(" in failure(result, "(c, c, stride=2)") and "stride=2)" in failure(result, "(c, c, stride=2)")


def test_stride_in_the_second_convolution():
    source = mutate(SOLUTION, "kernel_size=3, stride=stride, padding=1", "kernel_size=3, stride=1, padding=1")
    source = mutate(source, "out_channels, kernel_size=3, stride=1, padding=1, bias=False)\n        self.bn2",
                    "out_channels, kernel_size=3, stride=stride, padding=1, bias=False)\n        self.bn2")
    result = grade("resblock_torch", source)
    assert_loses_only(result, "ResidualBlock(c, 2c, stride=2): training", EVAL, STATS, GRAD)


def test_shortcut_detached():
    source = mutate(SOLUTION, "out + self.shortcut(x)", "out + self.shortcut(x.detach())")
    result = grade("resblock_torch", source)
    assert_loses_only(result, GRAD)


def test_batch_norm_momentum_changed():
    source = mutate(SOLUTION, "self.bn1 = nn.BatchNorm2d(out_channels)", "self.bn1 = nn.BatchNorm2d(out_channels, momentum=0.2)")
    result = grade("resblock_torch", source)
    assert_loses_only(result, STATS)
    assert "bn1.running_mean" in failure(result, STATS)


def test_input_modified_in_place():
    """`identity += out` adds into x itself when the shortcut is the identity."""
    source = mutate(SOLUTION, "        return F.relu(out + self.shortcut(x))", """        identity = self.shortcut(x)
        identity += out
        return F.relu(identity)""")
    result = grade("resblock_torch", source)
    # with x requiring a gradient, torch refuses the in-place addition into a leaf: no gradient test either
    assert_loses_only(result, "leaves its input x unchanged", GRAD)


def test_seeds_agree():
    wrong = mutate(SOLUTION, "out + self.shortcut(x)", "out + self.shortcut(x.detach())")
    assert grade("resblock_torch", wrong, 3).score == grade("resblock_torch", wrong, 4).score
    assert grade("resblock_torch", SOLUTION, 3).score == grade("resblock_torch", SOLUTION, 4).score
