"""Typical mistakes in `early_stopping` lose the points they should, and only those."""
import numpy as np

from tests.grading import edited, mistake, mistake_tests, pick, seeds_agree_test

IMPROVES = "val_loss < self.best_loss - self.min_delta"
NOT_A_BOOL = "it returned np.False_, a numpy.bool_; convert it with bool(...)"

MISTAKES = [
    mistake("plateau_counted_as_improvement", IMPROVES, "val_loss <= self.best_loss - self.min_delta",
            "stop_signal", "best_loss_and_epoch", "min_delta_is_strict", "plateau_is_not_an_improvement",
            "best_params_from_best_call"),
    mistake("min_delta_ignored", IMPROVES, "val_loss < self.best_loss", "min_delta_is_strict"),
    mistake("best_params_not_copied", "copy.deepcopy(params)", "params", "best_params_is_a_deep_copy",
            says={"best_params_is_a_deep_copy": "copy.deepcopy"}),
    mistake("best_params_shallow_copy", "copy.deepcopy(params)", "copy.copy(params)", "best_params_is_a_deep_copy"),
    edited("best_loss_starts_at_none", [
        ("self.best_loss = math.inf", "self.best_loss = None"),
        (f"if {IMPROVES}", f"if self.best_loss is None or {IMPROVES}"),
    ], "initial_state", "nan_never_improves"),
    mistake("counter_not_reset_on_improvement", "            self.num_bad_epochs = 0\n", "",
            "stop_signal", "best_loss_and_epoch", "min_delta_is_strict", "nan_never_improves"),
    mistake("epochs_counted_from_one", "self.epoch = 0", "self.epoch = 1", "best_loss_and_epoch"),
    mistake("wrong_default_patience", "def __init__(self, patience=5,", "def __init__(self, patience=3,", "defaults"),
    # a np.bool_ reaches the suite as a np.bool_ (the wire keeps its type), so the bool contract is held
    mistake("numpy_bool_instead_of_bool", "return self.num_bad_epochs >= self.patience",
            "return np.int64(self.num_bad_epochs) >= self.patience", "stop_signal", "best_loss_and_epoch",
            "min_delta_is_strict", "plateau_is_not_an_improvement", "nan_never_improves", "defaults",
            "best_params_from_best_call", "best_params_is_a_deep_copy", prefix="import numpy as np\n",
            says={"stop_signal": NOT_A_BOOL, "defaults": NOT_A_BOOL}),
]

test_mistake = mistake_tests("early_stopping", MISTAKES)
test_seeds_agree = seeds_agree_test("early_stopping", pick(MISTAKES, "plateau_counted_as_improvement"))


def test_the_wire_keeps_numpy_bools_apart():
    from grader.sandbox.wire import decode, encode

    sent = (np.True_, np.float64(2.5), np.int64(3), True, [np.False_])
    got = decode(encode(sent))
    assert type(got[0]) is np.bool_ and got[0] and type(got[4][0]) is np.bool_ and not got[4][0]
    assert type(got[1]) is float and type(got[2]) is int and got[3] is True
