"""Mistakes of issue 11's last holes: float32 computations cast back to float64, a transposed confusion matrix
on every seed, mistakes in scale that keep label_shift's ValueError points, and a torch Function whose forward
behaves differently on the probe's calls."""
import pytest

from tests.grading import assert_loses, grade, mutate, output_of, solution_text

FLOAT32 = "that is float32 precision"


def _float32(exercise_id, old, new):
    return grade(exercise_id, mutate(solution_text(exercise_id), old, new))


def test_affine_forward_in_float32_cast_back():
    result = _float32("affine", "return x @ w + b, (x, w, b)",
                      "return (x.astype(np.float32) @ w.astype(np.float32) + b.astype(np.float32)).astype(np.float64), "
                      "(x, w, b)")
    assert_loses(result, "affine_forward: out matches the reference")
    assert FLOAT32 in output_of(result, "affine_forward: out matches the reference")


def test_batchnorm_running_mean_in_float32_cast_back():
    result = _float32("batchnorm", "new_mean = (1 - momentum) * running_mean + momentum * mean\n",
                      "new_mean = ((1 - momentum) * running_mean + momentum * mean)"
                      ".astype(np.float32).astype(np.float64)\n")
    assert_loses(result, "running_mean moves toward the batch mean", "honours non-default momentum and eps")
    assert FLOAT32 in output_of(result, "running_mean moves toward the batch mean")


@pytest.mark.parametrize("fn, old, new", [
    ("mse_loss", "return float(np.mean(diff ** 2)), 2.0 * diff / diff.size",
     "return float(np.mean(diff.astype(np.float32) ** 2)), 2.0 * diff / diff.size"),
    ("softmax_cross_entropy", "return float(-np.mean(logp[rows, y])), dlogits / n",
     "return float(-np.mean(logp[rows, y].astype(np.float32))), dlogits / n"),
])
def test_losses_in_float32(fn, old, new):
    result = _float32("losses", old, new)
    assert_loses(result, f"{fn}: loss")
    assert FLOAT32 in output_of(result, f"{fn}: loss")


def test_linear_models_gradient_in_float32():
    solution = solution_text("linear_models")
    grad = next(line for line in solution.splitlines() if line.strip().startswith("return") and "X.T @" in line)
    result = grade("linear_models", mutate(solution, grad, grad.replace("X.T @", "X.T.astype(np.float32) @")))
    assert result.score < result.max_score
    assert any(FLOAT32 in t.output for t in result.tests if not t.passed)


TRANSPOSED = ("(y_pred, y_true), 1.0", "(y_true, y_pred), 1.0")
RAISES = ("raises ValueError when a class is missing", "raises ValueError when two classes are confused")


@pytest.mark.parametrize("seed", range(0, 24, 3))
def test_transposed_confusion_matrix_loses_the_value_error_points_on_every_seed(seed):
    """They were kept on 23 of 24 seeds: the solve check before them did not see C's orientation."""
    result = grade("label_shift", mutate(solution_text("label_shift"), *TRANSPOSED), seed)
    assert_loses(result, *RAISES)
    assert "does not follow the solution of C w = mu" in output_of(result, RAISES[0])


def test_label_shift_mistakes_in_scale_keep_the_value_error_points():
    """A mu of counts or a per-class C only scale w: raising where C is singular still earns its points."""
    solution = solution_text("label_shift")
    for old, new in [("mu = _fractions(y_target_pred, num_classes)",
                      "mu = np.bincount(y_target_pred, minlength=num_classes)"),
                     ("return counts / len(y_true)", "return counts / np.maximum(counts.sum(axis=0), 1)")]:
        for seed in (0, 5):
            result = grade("label_shift", mutate(solution, old, new), seed)
            kept = [t for t in result.tests if any(r in t.name for r in RAISES)]
            assert len(kept) == 2 and all(t.passed for t in kept), (old, seed, [t.output for t in kept])


# A sigmoid Function whose forward is (wrongly) 1.5 * sigmoid on inputs that require a gradient (the call whose
# out is judged) and 0.5 * x on the probe's perturbed calls, with 0.5 * grad_out as its backward: the numerical
# gradient of "its forward" matched its backward. The probe's calls at the unperturbed inputs, made among the
# perturbed ones, now give another out than the judged call.
TORCH_SIGMOID_SPLIT = """class SigmoidFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return 1.5 * torch.sigmoid(x) if x.requires_grad else 0.5 * x

    @staticmethod
    def backward(ctx, grad_out):
        return 0.5 * grad_out


class """


def test_torch_forward_that_knows_the_probe_gets_no_backward_points():
    solution = solution_text("torch_functions")
    start = solution.index("class SigmoidFunction")
    end = solution.index("class ", start + 1)
    result = grade("torch_functions", solution[:start] + TORCH_SIGMOID_SPLIT + solution[end + len("class "):])
    assert_loses(result, "SigmoidFunction: forward", "SigmoidFunction: backward")
