"""Typical mistakes in `early_stopping` lose the points they should, and only those."""
import numpy as np

from tests.grading import assert_loses_only, grade, mutate, solution_text

SOLUTION = solution_text("early_stopping")
IMPROVES = "val_loss < self.best_loss - self.min_delta"


def test_plateau_counted_as_improvement():
    source = mutate(SOLUTION, IMPROVES, "val_loss <= self.best_loss - self.min_delta")
    assert_loses_only(grade("early_stopping", source), "True once patience calls", "follow the best call",
                      "by more than min_delta", "equal to the best", "params of the best call")


def test_min_delta_ignored():
    source = mutate(SOLUTION, IMPROVES, "val_loss < self.best_loss")
    assert_loses_only(grade("early_stopping", source), "by more than min_delta")


def test_best_params_not_copied():
    source = mutate(SOLUTION, "copy.deepcopy(params)", "params")
    result = grade("early_stopping", source)
    assert_loses_only(result, "is a deep copy")
    assert "copy.deepcopy" in next(t.output for t in result.tests if not t.passed)


def test_best_params_shallow_copy():
    source = mutate(SOLUTION, "copy.deepcopy(params)", "copy.copy(params)")
    assert_loses_only(grade("early_stopping", source), "is a deep copy")


def test_best_loss_starts_at_none():
    source = mutate(SOLUTION, "self.best_loss = math.inf", "self.best_loss = None")
    source = mutate(source, f"if {IMPROVES}", f"if self.best_loss is None or {IMPROVES}")
    assert_loses_only(grade("early_stopping", source), "before any call", "NaN never counts")


def test_counter_not_reset_on_improvement():
    source = mutate(SOLUTION, "            self.num_bad_epochs = 0\n", "")
    assert_loses_only(grade("early_stopping", source), "True once patience calls", "follow the best call",
                      "by more than min_delta", "NaN never counts")


def test_epochs_counted_from_one():
    source = mutate(SOLUTION, "self.epoch = 0", "self.epoch = 1")
    assert_loses_only(grade("early_stopping", source), "best_loss and best_epoch follow the best call")


def test_wrong_default_patience():
    source = mutate(SOLUTION, "def __init__(self, patience=5,", "def __init__(self, patience=3,")
    assert_loses_only(grade("early_stopping", source), "the defaults are")


def test_numpy_bool_instead_of_bool():
    """A np.bool_ reaches the suite as a np.bool_ (the wire keeps its type), so the bool contract is held."""
    source = "import numpy as np\n" + mutate(SOLUTION, "return self.num_bad_epochs >= self.patience",
                                             "return np.int64(self.num_bad_epochs) >= self.patience")
    result = grade("early_stopping", source)
    assert result.score < result.max_score / 2
    messages = [t.output for t in result.tests if not t.passed]
    assert any("it returned np.False_, a numpy.bool_; convert it with bool(...)" in m for m in messages), messages


def test_the_wire_keeps_numpy_bools_apart():
    from grader.sandbox.wire import decode, encode

    sent = (np.True_, np.float64(2.5), np.int64(3), True, [np.False_])
    got = decode(encode(sent))
    assert type(got[0]) is np.bool_ and got[0] and type(got[4][0]) is np.bool_ and not got[4][0]
    assert type(got[1]) is float and type(got[2]) is int and got[3] is True


def test_seeds_agree():
    assert grade("early_stopping", SOLUTION, 3).score == grade("early_stopping", SOLUTION, 4).score
    wrong = mutate(SOLUTION, IMPROVES, "val_loss <= self.best_loss - self.min_delta")
    assert grade("early_stopping", wrong, 3).score == grade("early_stopping", wrong, 4).score
