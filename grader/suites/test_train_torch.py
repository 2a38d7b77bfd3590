"""Hidden suite for `train_torch`.

The grading process draws a synthetic classification task from the attempt's
seed: Gaussian blobs, several per class (so the classes are not linearly
separable), in 10 to 16 dimensions with 3 to 5 classes, then rescaled and
shifted feature by feature.  The student's ``train_classifier`` runs in the
worker and its model never leaves it: it comes back as a handle, and the
grader-written ``torch_predict`` returns the logits for held-out points of the
same distribution as a NumPy array.  Accuracy is computed here.

The reference (a small MLP with Adam) scores at least 99% on every seed tried;
a model that does not train scores about 1 / num_classes, and earns nothing:
the shape and seed points also need the 70% accuracy.  The training is done
once per submission and shared by the tests that need it.
"""
import weakref

import numpy as np

from grader.proxy import SandboxError, TrustedFunction, reported
from grader.i18n import _
from grader.checks import Feedback, as_array, points

PREDICT = TrustedFunction("torch_predict")
CLUSTERS_PER_CLASS = 4
MIN_SEPARATION = 5.0  # between blob centres of different classes, in units of the noise's standard deviation
_TRAINED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def make_task(rng, n_train, n_test):
    """``(X_train, y_train, X_test, y_test, num_classes)``: float32 inputs, int64 labels."""
    d, c = int(rng.integers(10, 17)), int(rng.integers(3, 6))
    labels = np.repeat(np.arange(c), CLUSTERS_PER_CLASS)
    centres = rng.normal(scale=2.0, size=(len(labels), d))
    distance = np.linalg.norm(centres[:, None] - centres[None], axis=-1)[labels[:, None] != labels[None]]
    centres *= max(1.0, MIN_SEPARATION / distance.min())
    scale, shift = rng.uniform(0.5, 2.0, size=d), rng.normal(size=d)

    def draw(n):
        blob = rng.integers(len(labels), size=n)
        x = (centres[blob] + rng.normal(size=(n, d))) * scale + shift
        return x.astype(np.float32), labels[blob].astype(np.int64)

    return (*draw(n_train), *draw(n_test), c)


def train_and_predict(submission, rng, n_train, n_test, seed_offset=0):
    """Train the student's model on a fresh task (with the drawn seed plus ``seed_offset``); the held-out
    logits, labels, class count, and the arguments the training changed in place."""
    X, y, X_test, y_test, c = make_task(rng, n_train, n_test)
    train_seed = int(rng.integers(2**31)) + seed_offset
    model = submission.call("train_classifier", X, y, c, train_seed, label="train_classifier")
    mutated = list(submission.last.mutated)
    result = submission.call(PREDICT, model, X_test, label="the model returned by train_classifier")
    if "problem" in result:
        raise Feedback(_("train_classifier: {result}").format(result=reported(result['problem'])))
    logits = as_array(result["logits"], "train_classifier", _("the model's output for X of shape {shape}").format(
                                                                shape=X_test.shape),
                      (len(X_test), c))
    if not np.all(np.isfinite(logits)):
        raise Feedback(_("train_classifier: the model's logits contain NaN or inf"))
    return logits, y_test, c, mutated


def main_run(submission, seed):
    """The one training on the main task (3000 points), shared by the accuracy tests."""
    runs = _TRAINED.setdefault(submission, {})
    if seed not in runs:
        try:
            runs[seed] = ("ok", train_and_predict(submission, np.random.default_rng([seed, 2024]), 3000, 1000))
        except (Feedback, SandboxError) as exc:
            runs[seed] = ("error", exc)
    status, value = runs[seed]
    if status == "error":
        raise value
    return value


def check_accuracy(submission, seed, threshold):
    logits, y_test, _unused, _unused = main_run(submission, seed)
    accuracy = float(np.mean(np.argmax(logits, axis=1) == y_test))
    if not accuracy >= threshold:
        raise Feedback(_("train_classifier: held-out accuracy {accuracy:.1%}; this test needs at least "
                         "{threshold:.0%}").format(accuracy=accuracy, threshold=threshold))


def require_training(submission, seed, what):
    """The shape and seed points belong to a model that learns: at least 70% on the main task."""
    logits, y_test, _unused, _unused = main_run(submission, seed)
    accuracy = float(np.mean(np.argmax(logits, axis=1) == y_test))
    if not accuracy >= 0.70:
        raise Feedback(_("train_classifier: {what} only counts for a model that learns; its held-out accuracy "
                         "is {accuracy:.1%} (at least 70% needed)").format(what=what, accuracy=accuracy))


@points(1, id="logits_shape")
def test_logits_shape(submission, seed):
    """train_classifier: the model maps (N, D) float32 inputs to (N, num_classes) logits, not probabilities; X and y
    are left unchanged; and it learns"""
    require_training(submission, seed, _("the right output shape"))
    logits, _unused, _unused, mutated = main_run(submission, seed)
    if mutated:
        names = ", ".join(["X", "y", "num_classes", "seed"][k] if isinstance(k, int) and k < 4 else str(k)
                          for k in mutated)
        raise Feedback(_("train_classifier changed its argument {names} in place (e.g. standardised it); work "
                         "on a copy, and put the normalisation inside the model").format(names=names))
    if np.all((logits >= 0) & (logits <= 1)) and np.allclose(logits.sum(axis=1), 1.0, atol=1e-4):
        raise Feedback(_("train_classifier: the model outputs probabilities (every row is in [0, 1] and sums to 1); "
                         "it must return logits: leave out the final softmax (CrossEntropyLoss applies it itself)"))


@points(3, id="accuracy_70")
def test_accuracy_70(submission, seed):
    """train_classifier: held-out accuracy at least 70%"""
    check_accuracy(submission, seed, 0.70)


@points(4, id="accuracy_85")
def test_accuracy_85(submission, seed):
    """train_classifier: held-out accuracy at least 85%"""
    check_accuracy(submission, seed, 0.85)


@points(2, id="seed_honoured")
def test_seed_honoured(submission, rng, seed):
    """train_classifier: the same seed gives the same model (torch.manual_seed(seed) inside), another seed another"""
    require_training(submission, seed, "reproducibility")
    task = rng.bit_generator.state
    first = train_and_predict(submission, rng, 300, 200)[0]
    rng.bit_generator.state = task
    second = train_and_predict(submission, rng, 300, 200)[0]
    scale = 1.0 + float(np.max(np.abs(first)))
    if not np.max(np.abs(first - second)) <= 1e-5 * scale:
        raise Feedback(_("train_classifier: two runs with the same data and the same seed gave different "
                         "models (logits differ by up to {value:.3g}); call torch.manual_seed(seed) before "
                         "creating the model, and draw all randomness from it").format(
                           value=float(np.max(np.abs(first - second)))))
    rng.bit_generator.state = task
    other = train_and_predict(submission, rng, 300, 200, seed_offset=1)[0]
    if np.max(np.abs(first - other)) <= 1e-5 * scale:
        raise Feedback(_("train_classifier: two runs with the same data and different seeds gave the same model; "
                         "call torch.manual_seed(seed) with the seed argument, not a constant"))
