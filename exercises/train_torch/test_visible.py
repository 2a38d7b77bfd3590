"""Visible tests for `train_torch`: run them with `dlx check train_torch`.

Your model is trained and kept in a sandbox; a grader-written helper calls
`model.eval()` and sends back its logits for held-out inputs. The hidden tests
of `dlx submit` use a larger task (a few thousand points, 10 to 16 features,
3 to 5 classes, several clusters per class, features on different scales) and
score the held-out accuracy: points at 70% and at 85%.
"""
import numpy as np

from grader.proxy import TrustedFunction, reported
from grader.i18n import _
from grader.checks import Feedback, as_array

PREDICT = TrustedFunction("torch_predict")


def small_task(rng, n, d=10, c=3):
    centres = rng.normal(scale=3.0, size=(c, d))
    y = rng.integers(c, size=n)
    x = centres[y] + rng.normal(size=(n, d))
    return x.astype(np.float32), y.astype(np.int64)


def test_learns_an_easy_task(submission):
    """train_classifier: logits of shape (N, 3) and at least 85% accuracy on three well-separated blobs"""
    rng = np.random.default_rng(0)
    X, y = small_task(rng, 600)
    X_test, y_test = X[400:], y[400:]
    model = submission.call("train_classifier", X[:400], y[:400], 3, 0, label="train_classifier")
    result = submission.call(PREDICT, model, X_test, label=_("the model returned by train_classifier"))
    if "problem" in result:
        raise Feedback(_("train_classifier: {result}").format(result=reported(result['problem'])))
    logits = as_array(result["logits"], "train_classifier", _("the model's output"), (len(X_test), 3))
    accuracy = float(np.mean(np.argmax(logits, axis=1) == y_test))
    if not accuracy >= 0.85:
        raise Feedback(_("train_classifier: held-out accuracy {accuracy:.1%} on an easy task; expected at "
                         "least 85%").format(accuracy=accuracy))


def test_same_seed_same_model(submission):
    """train_classifier: two runs with the same seed give the same logits"""
    rng = np.random.default_rng(1)
    X, y = small_task(rng, 200)
    outputs = []
    for _unused in range(2):
        model = submission.call("train_classifier", X, y, 3, 7, label="train_classifier")
        result = submission.call(PREDICT, model, X[:50], label=_("the model returned by train_classifier"))
        if "problem" in result:
            raise Feedback(_("train_classifier: {result}").format(result=reported(result['problem'])))
        outputs.append(as_array(result["logits"], "train_classifier", _("the model's output"), (50, 3)))
    if not np.allclose(outputs[0], outputs[1], rtol=1e-5, atol=1e-5):
        raise Feedback(_("train_classifier: the same seed gave two different models; "
                         "call torch.manual_seed(seed) first"))
