"""Training runs: loss (and accuracy) curves with the stopping point marked.

linreg and linear_models run the student's whole training loop; early_stopping
feeds a fixed, grader-computed overfitting run to the student's
``EarlyStopping`` and marks where it stops and what it keeps; train_torch
records the parameters after each optimiser step of the student's
``train_classifier`` inside the sandbox (``torch_training_curves``) and
evaluates them there.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ..i18n import N_, _
from ..proxy import TrustedFunction
from .figure import (REFERENCE_COLOR, REFERENCE_WIDTH, STUDENT_COLOR, FigureSpec, Side, Unusable, array, demo_rng,
                     items, legend_lines)


def _stop_line(ax: Any, at: float, color: str, style: str, label: str) -> None:
    ax.axvline(at, color=color, linestyle=style, linewidth=1.0, alpha=0.8, label=label)


def _curves(ax: Any, student: dict, reference: dict, x: str, y: str, what: str, log: bool = False) -> None:
    plot = ax.semilogy if log else ax.plot
    plot(reference[x], reference[y], color=REFERENCE_COLOR, linestyle="--", linewidth=REFERENCE_WIDTH,
         label=_("{what}, reference").format(what=what))
    plot(student[x], student[y], color=STUDENT_COLOR, linewidth=1.2, label=_("{what}, yours").format(what=what))


# -- linreg ------------------------------------------------------------------------------------
LINREG_EPOCHS, LINREG_TRUE = 8, (np.array([2.0, -3.4]), 4.2)


def _linreg_data() -> tuple[np.ndarray, np.ndarray]:
    rng = demo_rng("linreg data")
    X = rng.normal(size=(203, 2))  # the last batch of 10 is short
    return X, X @ LINREG_TRUE[0] + LINREG_TRUE[1] + 0.01 * rng.normal(size=len(X))


def observe_linreg(side: Side) -> dict:
    X, y = _linreg_data()
    w, b, losses = items(side.call("linreg_train", X, y, demo_rng("linreg train"), lr=0.03,
                                   num_epochs=LINREG_EPOCHS, batch_size=10), 3, "linreg_train")
    losses = array(losses, "linreg_train: losses", (LINREG_EPOCHS,))
    return {"epoch": np.arange(1, LINREG_EPOCHS + 1), "loss": losses, "w": array(w, "linreg_train: w", (2,)),
            "b": float(array(b, "linreg_train: b", ()))}


def draw_linreg(fig: Any, student: dict, reference: dict) -> None:
    curve, params = fig.subplots(1, 2)
    _curves(curve, student, reference, "epoch", "loss", _("loss over X"), log=True)
    _stop_line(curve, LINREG_EPOCHS, "0.4", ":", _("stops after epoch {epoch}").format(epoch=LINREG_EPOCHS))
    curve.set(xlabel=_("epoch"), ylabel=_("mean 0.5 (Xw + b - y)²"), title=_("losses[e] after each epoch"))
    curve.title.set_fontsize(9)
    legend_lines(curve)
    names = ["w[0]", "w[1]", "b"]
    truth = [*LINREG_TRUE[0], LINREG_TRUE[1]]
    x = np.arange(3)
    params.bar(x - 0.25, truth, 0.25, color="tab:blue", label=_("true"))
    params.bar(x, [*reference["w"], reference["b"]], 0.25, color="0.3", label=_("reference"))
    params.bar(x + 0.25, [*student["w"], student["b"]], 0.25, color=STUDENT_COLOR, label=_("yours"))
    params.set_xticks(x, names)
    params.set_title(_("the learned parameters"), fontsize=9)
    legend_lines(params)


# -- linear_models --------------------------------------------------------------------------------
CHECKPOINTS = (0, 1, 2, 3, 5, 8, 12, 20, 30, 45, 60, 80, 100)
STEPS = CHECKPOINTS[-1]


@lru_cache(maxsize=None)
def _model_task(name: str) -> tuple:
    """``(X with a bias column, y, w0, lr)`` for one model: 2-D blobs, overlapping a little."""
    rng = demo_rng(f"linear_models {name}")
    n = 90
    if name == "linear_regression":
        x = rng.normal(size=(n, 2))
        y = x @ np.array([1.5, -2.0]) + 0.5 + 0.5 * rng.normal(size=n)
    else:
        classes = 3 if name == "softmax_regression" else 2
        centres = np.array([[-1.5, -1.0], [1.5, 1.0], [-1.0, 2.0]])[:classes]
        labels = np.arange(n) % classes
        x = centres[labels] + rng.normal(size=(n, 2))
        y = labels if name == "softmax_regression" else labels.astype(float)
        if name in ("perceptron", "svm"):
            y = 2.0 * y - 1.0
    X = np.hstack([x, np.ones((n, 1))])
    shape = (3, 3) if name == "softmax_regression" else (3,)
    w0 = rng.normal(size=shape)  # a poor start, so the curves have somewhere to go
    lr = {"linear_regression": 0.1, "logistic_regression": 0.5, "softmax_regression": 0.5, "perceptron": 0.1,
          "svm": 0.1}[name]
    return X, y, w0, lr


def accuracy(name: str, w: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    scores = X @ w
    if name == "softmax_regression":
        return float(np.mean(scores.argmax(axis=1) == y))
    predicted = (scores > 0).astype(float)
    if name in ("perceptron", "svm"):
        predicted = 2.0 * predicted - 1.0
    return float(np.mean(predicted == y))


def observe_model(side: Side, name: str) -> dict:
    X, y, w0, lr = _model_task(name)
    loss_grad = side.function(f"{name}_loss_grad")
    w, losses = items(side.call("gradient_descent", loss_grad, w0, X, y, lr, STEPS), 2, "gradient_descent")
    result = {"step": np.arange(STEPS), "loss": array(losses, "gradient_descent: losses", (STEPS,)),
              "w": array(w, "gradient_descent: w", w0.shape)}
    if name != "linear_regression":
        accuracies = []
        for k in CHECKPOINTS:
            w_k = items(side.call("gradient_descent", loss_grad, w0, X, y, lr, k), 2, "gradient_descent")[0]
            what = _("gradient_descent after {k} steps: w").format(k=k)
            accuracies.append(accuracy(name, array(w_k, what, w0.shape), X, y))
        result.update(checkpoint=np.array(CHECKPOINTS), accuracy=np.array(accuracies))
    return result


def _model_painter(name: str):
    def draw(fig: Any, student: dict, reference: dict) -> None:
        panels = np.atleast_1d(fig.subplots(1, 1 if name == "linear_regression" else 2))
        _curves(panels[0], student, reference, "step", "loss", _("loss"))
        panels[0].set(xlabel=_("step"), ylabel=_("training loss"),
                      title=_("gradient_descent with {function}").format(function=f"{name}_loss_grad"))
        if len(panels) > 1:
            _curves(panels[1], student, reference, "checkpoint", "accuracy", _("accuracy"))
            panels[1].set(xlabel=_("steps"), ylabel=_("training accuracy"), ylim=(0, 1.02),
                          title=_("accuracy of w after that many steps"))
        for ax in panels:
            _stop_line(ax, STEPS, "0.4", ":", _("stops after {steps} steps").format(steps=STEPS))
            ax.title.set_fontsize(9)
            legend_lines(ax)
    return draw


MODELS = ("linear_regression", "logistic_regression", "softmax_regression", "perceptron", "svm")


# -- early_stopping ----------------------------------------------------------------------------------
PATIENCE, MIN_DELTA, EPOCHS = 8, 1e-3, 60


@lru_cache(maxsize=1)
def overfitting_run() -> dict:
    """A grader-computed run that overfits: logistic regression, 20 features, 100 training rows, plain SGD.

    The validation losses are noisy, as with any SGD, and rounded to 3 decimals, as a training log prints them.
    """
    rng = demo_rng("early_stopping run")
    d, n_train, n_val = 20, 100, 400
    truth = np.zeros(d)
    truth[:3] = [2.0, -1.5, 1.0]

    def draw(n: int) -> tuple[np.ndarray, np.ndarray]:
        X = rng.normal(size=(n, d))
        return X, (X @ truth + rng.normal(size=n) > 0).astype(float)

    (X, y), (X_val, y_val) = draw(n_train), draw(n_val)
    w, curves = np.zeros(d), {"train_loss": [], "val_loss": [], "val_acc": []}

    def log_loss(X: np.ndarray, y: np.ndarray) -> float:
        z = X @ w
        return float(np.mean(np.logaddexp(0, z) - y * z))

    for _epoch in range(EPOCHS):
        for i in rng.permutation(n_train):
            w = w - 0.1 * X[i] * (1 / (1 + np.exp(-X[i] @ w)) - y[i])
        curves["train_loss"].append(log_loss(X, y))
        curves["val_loss"].append(round(log_loss(X_val, y_val), 3))
        curves["val_acc"].append(float(np.mean((X_val @ w > 0) == y_val)))
    return {key: np.array(value) for key, value in curves.items()}


def observe_stopper(side: Side) -> dict:
    """Feed the run's validation losses to EarlyStopping(patience=8, min_delta=1e-3) until it says stop."""
    stopper = side.call("EarlyStopping", patience=PATIENCE, min_delta=MIN_DELTA)
    stop = -1
    for epoch, loss in enumerate(overfitting_run()["val_loss"]):
        flag = side.method(stopper, "step", float(loss), {"epoch": epoch})
        if isinstance(flag, (bool, int, np.bool_, np.integer)) and flag:  # as `if stopper.step(...)` would read it
            stop = epoch
            break
    best_epoch = side.attribute(stopper, "best_epoch")
    if not isinstance(best_epoch, int) or isinstance(best_epoch, bool):
        raise Unusable(_("EarlyStopping.best_epoch should be an int; it is {type}").format(
            type=type(best_epoch).__name__))
    kept = side.attribute(stopper, "best_params")
    kept_epoch = kept.get("epoch", -1) if isinstance(kept, dict) else -1
    notes = [] if kept_epoch == best_epoch else [
        _("best_params holds the params passed at epoch {kept}, but best_epoch is {best}").format(
            kept=kept_epoch, best=best_epoch)]
    return {"stop": stop, "best_epoch": best_epoch,
            "best_loss": float(array(side.attribute(stopper, "best_loss"), "EarlyStopping.best_loss", ())),
            "kept_epoch": kept_epoch, "notes": notes}


def draw_stopper(fig: Any, student: dict, reference: dict) -> None:
    run = overfitting_run()
    epochs = np.arange(EPOCHS)
    losses, accuracy_ax = fig.subplots(1, 2)
    losses.plot(epochs, run["train_loss"], color="tab:blue", label=_("training loss"))
    losses.plot(epochs, run["val_loss"], color="tab:orange", label=_("validation loss"))
    accuracy_ax.plot(epochs, run["val_acc"], color="tab:orange", label=_("validation accuracy"))
    for ax in (losses, accuracy_ax):
        for data, color, style, who in ((reference, REFERENCE_COLOR, "--", _("reference")),
                                        (student, STUDENT_COLOR, "-", _("yours"))):
            if data["stop"] >= 0:
                _stop_line(ax, data["stop"], color, style,
                           _("{who}: stops at epoch {epoch}").format(who=who, epoch=data["stop"]))
        legend_lines(ax)
    for data, color, marker, who in ((reference, REFERENCE_COLOR, "o", _("reference")),
                                     (student, STUDENT_COLOR, "x", _("yours"))):
        if 0 <= data["best_epoch"] < EPOCHS:
            losses.plot(data["best_epoch"], data["best_loss"], marker=marker, color=color, markersize=9,
                        linestyle="none", label=_("{who}: best_epoch {epoch}, best_loss {loss}").format(
                            who=who, epoch=data["best_epoch"], loss=f"{data['best_loss']:.3f}"))
    legend_lines(losses)
    stop = student["stop"] if student["stop"] >= 0 else _("never")
    losses.set_title(_("{stopper}: yours stops at {stop}, the reference at {reference}").format(
        stopper=f"EarlyStopping(patience={PATIENCE}, min_delta={MIN_DELTA:g})", stop=stop,
        reference=reference["stop"]), fontsize=8,
        color=STUDENT_COLOR if student["stop"] != reference["stop"] else "black")
    losses.set(xlabel=_("epoch"), ylabel=_("log-loss"))
    accuracy_ax.set(xlabel=_("epoch"), ylabel=_("accuracy"), title=_("validation accuracy"))
    accuracy_ax.title.set_fontsize(9)


# -- train_torch ----------------------------------------------------------------------------------------
CURVES = TrustedFunction("torch_training_curves")


@lru_cache(maxsize=1)
def torch_task() -> tuple:
    """A fixed task like the hidden suite's kind (Gaussian blobs, 4 per class), drawn from a demonstration seed."""
    rng = demo_rng("train_torch task")
    d, c, per_class = 12, 4, 4
    labels = np.repeat(np.arange(c), per_class)
    centres = 2.5 * rng.normal(size=(len(labels), d))

    def draw(n: int) -> tuple[np.ndarray, np.ndarray]:
        blob = rng.integers(len(labels), size=n)
        return (centres[blob] + rng.normal(size=(n, d))).astype(np.float32), labels[blob].astype(np.int64)

    return (*draw(400), *draw(300), c)


def observe_torch(side: Side) -> dict:
    X, y, X_val, y_val, c = torch_task()
    result = side.call(CURVES, side.function("train_classifier"), X, y, c, 1234, X_val, y_val)
    if not isinstance(result, dict):
        raise Unusable(_("the training curves could not be recorded"))
    if "problem" in result:
        raise Unusable(f"train_classifier: {result['problem']}")
    steps = array(result.get("steps"), _("the recorded steps"))
    data = {key: array(result.get(key), key, steps.shape) for key in ("train_loss", "train_acc", "val_loss", "val_acc")}
    return {"steps": steps, **data, "notes": [result["note"]] if isinstance(result.get("note"), str) else []}


def draw_torch(fig: Any, student: dict, reference: dict) -> None:
    losses, accuracies = fig.subplots(1, 2)
    for ax, kind in ((losses, "loss"), (accuracies, "acc")):
        for data, color, who in ((reference, REFERENCE_COLOR, _("reference")), (student, STUDENT_COLOR, _("yours"))):
            ax.plot(data["steps"], data[f"train_{kind}"], color=color, linestyle=":",
                    label=_("training, {who}").format(who=who))
            ax.plot(data["steps"], data[f"val_{kind}"], color=color, label=_("held out, {who}").format(who=who),
                    linewidth=REFERENCE_WIDTH if data is reference else 1.2)
            _stop_line(ax, data["steps"][-1], color, "--",
                       _("{who}: stops after {steps} steps").format(who=who, steps=int(data["steps"][-1])))
        ax.set_xlabel(_("optimiser step"))
        legend_lines(ax)
    losses.set(ylabel=_("cross-entropy"), title=_("loss of the model after each step"))
    accuracies.set(ylabel=_("accuracy"), ylim=(0, 1.02),
                   title=_("held-out accuracy at the end: yours {yours}, reference {reference}").format(
                       yours=f"{student['val_acc'][-1]:.1%}", reference=f"{reference['val_acc'][-1]:.1%}"))
    for ax in (losses, accuracies):
        ax.title.set_fontsize(8)


FIGURES = {
    "linreg": [FigureSpec(N_("linreg_train: the loss after each epoch"), observe_linreg, draw_linreg,
                          caption=N_("{call} on 203 points of y = 2 x₀ - 3.4 x₁ + 4.2 + noise."),
                          values={"call": f"linreg_train(X, y, rng, lr=0.03, num_epochs={LINREG_EPOCHS}, "
                                          "batch_size=10)"})],
    "linear_models": [FigureSpec(N_("{name}: loss and accuracy"),
                                 (lambda n: lambda side: observe_model(side, n))(name), _model_painter(name),
                                 caption=N_("Your gradient_descent with your {function} on 90 fixed points in 2-D (a "
                                            "bias column added), against the reference's."),
                                 values={"name": name, "function": f"{name}_loss_grad"})
                      for name in MODELS],
    "early_stopping": [FigureSpec(N_("EarlyStopping on a run that overfits"), observe_stopper, draw_stopper,
                                  caption=N_("A fixed logistic-regression run that overfits (20 features, 100 "
                                             "training rows, SGD); its validation losses, rounded to 3 decimals, go "
                                             "to your EarlyStopping's {call} until it returns True."),
                                  size=(11.0, 4.0), values={"call": "step(val_loss, {'epoch': e})"})],
    "train_torch": [FigureSpec(N_("train_classifier: loss and accuracy during training"), observe_torch, draw_torch,
                               caption=N_("Your train_classifier on a fixed 4-class task (400 training, 300 held-out "
                                          "points); the parameters after each optimiser step are evaluated in the "
                                          "sandbox. The dashed line is where training stopped."),
                               size=(11.0, 4.0), varying=("steps", "train_loss", "train_acc", "val_loss", "val_acc"))],
}
