"""Typical mistakes in `train_torch` lose the points they should, and only those."""
from tests.grading import assert_loses_only, grade, mutate, solution_text

SOLUTION = solution_text("train_torch")
ACCURACY = "held-out accuracy"
SEED = "same seed gives the same model"


def failure(result, fragment):
    return next(t.output for t in result.tests if fragment in t.name and not t.passed)


def test_model_returned_untrained():
    """A model that does not train scores zero (about 1 / num_classes), even with the right shape and seed."""
    result = grade("train_torch", mutate(SOLUTION, "for _ in range(30):", "for _ in range(0):"))
    assert result.score == 0
    assert "this test needs at least 70%" in failure(result, "at least 70%")
    assert "only counts for a model that learns" in failure(result, SEED)


def test_learning_rate_far_too_small():
    result = grade("train_torch", mutate(SOLUTION, "lr=3e-3", "lr=1e-7"))
    assert result.score == 0


def test_seed_not_used():
    result = grade("train_torch", mutate(SOLUTION, "    torch.manual_seed(seed)\n", ""))
    assert_loses_only(result, SEED)
    assert "torch.manual_seed(seed)" in failure(result, SEED)


def test_shuffling_from_numpy_global_state():
    source = mutate(SOLUTION, "order = torch.randperm(n)",
                    "order = torch.as_tensor(__import__('numpy').random.permutation(n))")
    result = grade("train_torch", source)
    assert_loses_only(result, SEED)


def test_wrong_number_of_outputs():
    result = grade("train_torch", mutate(SOLUTION, "nn.Linear(64, num_classes)", "nn.Linear(64, num_classes + 1)"))
    assert result.score == 0
    assert "has shape (1000, " in failure(result, "logits")


def test_returns_a_function_not_a_module():
    source = mutate(SOLUTION, "    model.eval()\n    return model", "    model.eval()\n    return lambda x: model(x)")
    result = grade("train_torch", source)
    assert result.score == 0
    assert "should return a torch.nn.Module; it returned a function" in failure(result, "logits")


def test_training_error_is_reported():
    """A crash in training fails every test with the student's own error message."""
    source = mutate(SOLUTION, "loss.backward()", "loss.backward(); raise ValueError('bad batch')")
    result = grade("train_torch", source)
    assert result.score == 0
    assert all("raised ValueError: bad batch" in t.output for t in result.tests)


def test_seed_replaced_by_a_constant():
    result = grade("train_torch", mutate(SOLUTION, "torch.manual_seed(seed)", "torch.manual_seed(0)"))
    assert_loses_only(result, SEED)
    assert "different seeds gave the same model" in failure(result, SEED)


def test_model_outputs_probabilities():
    """Trained on logits, but handed back with a softmax on top: the accuracy stays, the contract does not."""
    result = grade("train_torch", mutate(SOLUTION, "    model.eval()\n    return model",
                                         "    model.eval()\n    return nn.Sequential(model, nn.Softmax(dim=1))"))
    assert_loses_only(result, "logits")
    assert "outputs probabilities" in failure(result, "logits")


def test_inputs_standardised_in_place():
    source = mutate(SOLUTION, "    n, d = X.shape\n", "    n, d = X.shape\n    mean, std = X.mean(dim=0), X.std(dim=0) + 1e-6\n"
                    "    X -= mean  # torch.as_tensor shares the caller's array: this changes it\n    X /= std\n")
    source = mutate(source, "Standardize(X.mean(dim=0), X.std(dim=0) + 1e-6)", "Standardize(mean, std)")
    source = mutate(source, "model(X[idx])", "model[1:](X[idx])")
    result = grade("train_torch", source)
    assert_loses_only(result, "logits")
    assert "changed its argument X in place" in failure(result, "logits")


def test_seeds_agree():
    wrong = mutate(SOLUTION, "    torch.manual_seed(seed)\n", "")
    assert grade("train_torch", wrong, 3).score == grade("train_torch", wrong, 4).score
    assert grade("train_torch", SOLUTION, 3).score == grade("train_torch", SOLUTION, 4).score
