"""Typical mistakes in `train_torch` lose the points they should, and only those."""
from tests.grading import edited, mistake, mistake_tests, pick, seeds_agree_test

EVERY_TEST = ("logits_shape", "accuracy_70", "accuracy_85", "seed_honoured")  # the mistake scores zero
RETURN = "    model.eval()\n    return model"

MISTAKES = [
    # a model that does not train scores zero (about 1 / num_classes), even with the right shape and seed
    mistake("model_returned_untrained", "for _ in range(30):", "for _ in range(0):", *EVERY_TEST,
            says={"accuracy_70": "this test needs at least 70%", "seed_honoured": "only counts for a model that learns"}),
    mistake("learning_rate_far_too_small", "lr=3e-3", "lr=1e-7", *EVERY_TEST),
    mistake("seed_not_used", "    torch.manual_seed(seed)\n", "", "seed_honoured",
            says={"seed_honoured": "torch.manual_seed(seed)"}),
    mistake("shuffling_from_numpy_global_state", "order = torch.randperm(n)",
            "order = torch.as_tensor(__import__('numpy').random.permutation(n))", "seed_honoured"),
    mistake("wrong_number_of_outputs", "nn.Linear(64, num_classes)", "nn.Linear(64, num_classes + 1)", *EVERY_TEST,
            says={"logits_shape": "has shape (1000, "}),
    mistake("returns_a_function_not_a_module", RETURN, "    model.eval()\n    return lambda x: model(x)", *EVERY_TEST,
            says={"logits_shape": "should return a torch.nn.Module; it returned a function"}),
    # a crash in training fails every test with the student's own error message
    mistake("training_error_is_reported", "loss.backward()", "loss.backward(); raise ValueError('bad batch')",
            *EVERY_TEST, says={test_id: "raised ValueError: bad batch" for test_id in EVERY_TEST}),
    mistake("seed_replaced_by_a_constant", "torch.manual_seed(seed)", "torch.manual_seed(0)", "seed_honoured",
            says={"seed_honoured": "different seeds gave the same model"}),
    # trained on logits, but handed back with a softmax on top: the accuracy stays, the contract does not
    mistake("model_outputs_probabilities", RETURN, "    model.eval()\n    return nn.Sequential(model, nn.Softmax(dim=1))",
            "logits_shape", says={"logits_shape": "outputs probabilities"}),
    edited("inputs_standardised_in_place", [
        ("    n, d = X.shape\n", "    n, d = X.shape\n    mean, std = X.mean(dim=0), X.std(dim=0) + 1e-6\n"
         "    X -= mean  # torch.as_tensor shares the caller's array: this changes it\n    X /= std\n"),
        ("Standardize(X.mean(dim=0), X.std(dim=0) + 1e-6)", "Standardize(mean, std)"),
        ("model(X[idx])", "model[1:](X[idx])"),
    ], "logits_shape", says={"logits_shape": "changed its argument X in place"}),
]

test_mistake = mistake_tests("train_torch", MISTAKES)
test_seeds_agree = seeds_agree_test("train_torch", pick(MISTAKES, "seed_not_used"))
