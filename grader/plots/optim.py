"""optim: each optimiser's trajectory on an ill-conditioned 2-D quadratic, and its loss over the steps."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..i18n import N_, _
from .figure import REFERENCE_COLOR, REFERENCE_WIDTH, STUDENT_COLOR, FigureSpec, Side, array, items, legend_lines

STEPS = 60
START = np.array([-4.0, 2.5])
_ANGLE = np.pi / 6
_ROTATION = np.array([[np.cos(_ANGLE), -np.sin(_ANGLE)], [np.sin(_ANGLE), np.cos(_ANGLE)]])
HESSIAN = _ROTATION @ np.diag([1.0, 15.0]) @ _ROTATION.T  # condition number 15: a narrow, tilted valley

# name -> (state names, hyper-parameters): step sizes chosen so that the reference visibly converges
OPTIMISERS: dict[str, tuple[tuple[str, ...], dict]] = {
    "sgd_step": ((), {"lr": 0.1}),
    "momentum_step": (("v",), {"lr": 0.02, "momentum": 0.9}),
    "adagrad_step": (("s",), {"lr": 1.5}),
    "rmsprop_step": (("s",), {"lr": 0.1}),
    "adam_step": (("m", "v"), {"lr": 0.3}),
}


def loss(w: np.ndarray) -> float:
    return float(0.5 * w @ HESSIAN @ w)


def trajectory(side: Side, name: str) -> dict:
    """The weights after each of ``STEPS`` steps from ``START`` (cut at the first non-finite step)."""
    state_names, hyper = OPTIMISERS[name]
    w, states = START.copy(), [np.zeros(2) for _state in state_names]
    path, notes = [w], []
    for t in range(1, STEPS + 1):
        args: list[Any] = [w, HESSIAN @ w, *states]
        if name == "adam_step":
            args.append(t)
        value = side.call(name, *args, **hyper)
        outputs = (value,) if not state_names else items(value, 1 + len(state_names), name)
        arrays = [array(v, _("{name} at step {t}: output {i}").format(name=name, t=t, i=i), (2,), finite=False)
                  for i, v in enumerate(outputs)]
        if not all(np.all(np.isfinite(a)) for a in arrays):
            notes.append(_("{name}: your weights became NaN or inf at step {t}; the path stops there").format(
                name=name, t=t))
            break
        w, states = arrays[0], arrays[1:]
        path.append(w)
        if np.max(np.abs(w)) > 1e6:
            notes.append(_("{name}: your weights exceed 1e6 at step {t}; the path stops there").format(name=name, t=t))
            break
    points = np.array(path)
    return {"path": points, "loss": np.array([loss(p) for p in points]), "notes": notes}


def _observer(name: str):
    return lambda side: trajectory(side, name)


def _painter(name: str):
    def draw(fig: Any, student: dict, reference: dict) -> None:
        contour, curve = fig.subplots(1, 2)
        span = np.linspace(-5, 5, 121)
        gx, gy = np.meshgrid(span, span)
        grid = np.stack([gx, gy], axis=-1)
        surface = 0.5 * np.einsum("...i,ij,...j->...", grid, HESSIAN, grid)
        contour.contour(gx, gy, surface, levels=np.geomspace(0.05, 200, 14), colors="0.75", linewidths=0.7)
        for data, color, style, label in ((reference, REFERENCE_COLOR, "--", _("reference")),
                                          (student, STUDENT_COLOR, "-", _("yours"))):
            path = data["path"]  # clipped to the axes: a diverging path shows where it leaves
            contour.plot(path[:, 0], path[:, 1], color=color, linestyle=style, marker=".",
                         markersize=3, linewidth=REFERENCE_WIDTH if color == REFERENCE_COLOR else 1.1, label=label)
            contour.plot(*path[-1], marker="X", markersize=9, color=color, linestyle="none")
        contour.plot(0, 0, marker="*", markersize=11, color="gold", markeredgecolor="black", linestyle="none",
                     label=_("minimum"))
        contour.set(xlim=(-5, 5), ylim=(-5, 5), aspect="equal",
                    title=_("{name}: {steps} steps from {start}").format(
                        name=name, steps=STEPS, start=f"({START[0]:g}, {START[1]:g})"))
        contour.title.set_fontsize(9)
        legend_lines(contour)
        for data, color, style, label in ((reference, REFERENCE_COLOR, "--", _("reference")),
                                          (student, STUDENT_COLOR, "-", _("yours"))):
            curve.semilogy(np.arange(len(data["loss"])), np.maximum(data["loss"], 1e-16), color=color,
                           linestyle=style, linewidth=REFERENCE_WIDTH if color == REFERENCE_COLOR else 1.1, label=label)
        curve.set(xlabel=_("step"), ylabel=_("loss 0.5 wᵀAw"), title=_("loss over the steps"))
        curve.title.set_fontsize(9)
        legend_lines(curve)
    return draw


FIGURES = {"optim": [FigureSpec(N_("{name}: trajectory and loss"), _observer(name), _painter(name),
                                caption=N_("{name} with {hyper} on f(w) = 0.5 wᵀAw, A with eigenvalues 1 and 15 (a "
                                           "tilted valley). The X marks where each run ends."),
                                size=(9.0, 4.0), varying=("path", "loss"),
                                values={"name": name, "hyper": OPTIMISERS[name][1]})
                     for name in OPTIMISERS]}
