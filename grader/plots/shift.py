"""covariate_shift and label_shift: the estimated importance weights against the true ones."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ..i18n import N_, _
from .figure import REFERENCE_COLOR, STUDENT_COLOR, FigureSpec, Side, array, demo_rng, legend_lines

# -- covariate shift: source N(0, 1), target N(1, 1) in 1-D, so the true ratio is exp(x - 1/2) -------------
N_SOURCE, N_TARGET, TARGET_MEAN = 300, 200, 1.0


@lru_cache(maxsize=1)
def covariate_task() -> tuple[np.ndarray, np.ndarray]:
    rng = demo_rng("covariate_shift task")
    return rng.normal(size=(N_SOURCE, 1)), rng.normal(TARGET_MEAN, 1.0, size=(N_TARGET, 1))


def true_ratio(x: np.ndarray) -> np.ndarray:
    """p_target(x) / p_source(x) for the two unit-variance normals."""
    return np.exp(TARGET_MEAN * x - 0.5 * TARGET_MEAN ** 2)


def observe_covariate(side: Side) -> dict:
    source, target = covariate_task()
    beta = array(side.call("domain_classifier_weights", source, target), "domain_classifier_weights: beta",
                 (N_SOURCE,))
    return {"beta": beta}


def draw_covariate(fig: Any, student: dict, reference: dict) -> None:
    source = covariate_task()[0]
    x = source[:, 0]
    order = np.argsort(x)
    by_x, versus = fig.subplots(1, 2)
    by_x.plot(x[order], true_ratio(x[order]), color="tab:blue", label=_("true p_target / p_source"))
    by_x.plot(x[order], reference["beta"][order], color=REFERENCE_COLOR, linestyle="--", label=_("reference"))
    by_x.plot(x[order], student["beta"][order], color=STUDENT_COLOR, marker=".", markersize=3, linestyle="none",
              label=_("yours"))
    by_x.set(xlabel=_("source point x"), ylabel=_("weight beta"), yscale="log",
             title=_("weight of each source point"))
    truth = true_ratio(x)
    top = max(truth.max(), student["beta"].max(), reference["beta"].max())
    versus.plot([0, top], [0, top], color="0.6", linewidth=0.8, label=_("estimate = truth"))
    versus.plot(truth, reference["beta"], ".", color=REFERENCE_COLOR, markersize=3, label=_("reference"))
    versus.plot(truth, student["beta"], ".", color=STUDENT_COLOR, markersize=3, label=_("yours"))
    versus.set(xlabel=_("true weight"), ylabel=_("estimated weight"), title=_("estimated against true"))
    for ax in (by_x, versus):
        ax.title.set_fontsize(9)
        legend_lines(ax)


# -- label shift: a fixed 3-class classifier, source and target label distributions --------------------------
P_SOURCE, P_TARGET = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.3, 0.5])
CLASSIFIER = np.array([[0.80, 0.15, 0.05], [0.10, 0.75, 0.15], [0.05, 0.20, 0.75]])  # P(predicted j | true i)
N_LABELS = 4000


@lru_cache(maxsize=1)
def label_task() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(y_val, y_val_pred, y_target_pred)`` drawn from the fixed classifier."""
    rng = demo_rng("label_shift task")

    def predict(labels: np.ndarray) -> np.ndarray:
        return np.array([rng.choice(3, p=CLASSIFIER[label]) for label in labels])

    y_val = rng.choice(3, size=N_LABELS, p=P_SOURCE)
    y_target = rng.choice(3, size=N_LABELS, p=P_TARGET)
    return y_val, predict(y_val), predict(y_target)


def observe_label(side: Side) -> dict:
    y_val, y_val_pred, y_target_pred = label_task()
    weights = array(side.call("label_shift_weights", y_val, y_val_pred, y_target_pred, 3), "label_shift_weights: w",
                    (3,))
    target = array(side.call("target_label_distribution", weights, y_val, 3), "target_label_distribution: q", (3,))
    confusion = array(side.call("confusion_matrix", y_val, y_val_pred, 3), "confusion_matrix: C", (3, 3))
    return {"w": weights, "q": target, "C": confusion}


def draw_label(fig: Any, student: dict, reference: dict) -> None:
    weights, target = fig.subplots(1, 2)
    x = np.arange(3)
    for ax, key, truth, title in ((weights, "w", P_TARGET / P_SOURCE, _("weights w = q(y) / p(y)")),
                                  (target, "q", P_TARGET, _("estimated target label distribution q(y)"))):
        ax.bar(x - 0.25, truth, 0.25, color="tab:blue", label=_("true"))
        ax.bar(x, reference[key], 0.25, color="0.3", label=_("reference"))
        ax.bar(x + 0.25, student[key], 0.25, color=STUDENT_COLOR, label=_("yours"))
        ax.set_xticks(x, [_("class {i}").format(i=i) for i in x])
        ax.set_title(title, fontsize=9)
        legend_lines(ax)


FIGURES = {
    "covariate_shift": [FigureSpec(N_("domain_classifier_weights: estimated against true weights"), observe_covariate,
                                   draw_covariate,
                                   caption=N_("{source} source points from N(0, 1) and {target} target points from "
                                              "N({mean:g}, 1): the true weight of x is exp(x - 1/2)."),
                                   values={"source": N_SOURCE, "target": N_TARGET, "mean": TARGET_MEAN})],
    "label_shift": [FigureSpec(N_("label_shift_weights: estimated against true weights"), observe_label, draw_label,
                               caption=N_("{n} validation and {n} target labels; source label distribution {source}, "
                                          "target {target}, and a fixed classifier whose accuracy is 75-80%."),
                               values={"n": N_LABELS, "source": P_SOURCE.tolist(), "target": P_TARGET.tolist()})],
}
