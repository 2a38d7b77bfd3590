"""Visible tests for `early_stopping`: run them with `dlx check early_stopping`.

They run one short validation curve by hand; the hidden tests of `dlx submit`
use random curves with plateaus, min_delta, NaN and nested params.
"""
import math

from grader.i18n import _
from grader.checks import Feedback


def _stopper(submission, **kwargs):
    return submission.call(submission.name("EarlyStopping"), label="EarlyStopping", **kwargs)


def test_patience_two(submission):
    """EarlyStopping(patience=2) on the losses 1.0, 0.5, 0.6, 0.5, 0.7"""
    stopper = _stopper(submission, patience=2)
    returned = [stopper.method("step", loss, {"epoch": i}) for i, loss in enumerate([1.0, 0.5, 0.6, 0.5, 0.7])]
    if returned != [False, False, False, True, True]:
        raise Feedback(_("EarlyStopping.step returned {returned}; expected [False, False, False, True, True] "
                         "(0.5 at call 3 only equals the best, so it is not an improvement)").format(
                           returned=returned))
    got = (stopper.get("best_loss"), stopper.get("best_epoch"), stopper.get("best_params"))
    if got != (0.5, 1, {"epoch": 1}):
        raise Feedback(_("EarlyStopping: (best_loss, best_epoch, best_params) is {got}; expected (0.5, 1, "
                         "{{'epoch': 1}})").format(got=got))


def test_initial_state(submission):
    """EarlyStopping: before any call best_loss is inf, best_epoch and best_params are None"""
    stopper = _stopper(submission)
    got = (stopper.get("best_loss"), stopper.get("best_epoch"), stopper.get("best_params"))
    if got != (math.inf, None, None):
        raise Feedback(_("EarlyStopping: before any call (best_loss, best_epoch, best_params) is {got}; "
                         "expected (inf, None, None)").format(got=got))
