"""activations and stability: each function and its derivative over [-10, 10], and where the student's differs."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..i18n import N_, _
from .figure import STUDENT_COLOR, FigureSpec, Side, array, items, legend_lines, relative_error, student_and_reference

X = np.linspace(-10.0, 10.0, 401)  # step 0.05: holds 0 exactly, where the kinks are
LARGE = np.concatenate([-np.geomspace(1e4, 10, 25), np.geomspace(10, 1e4, 25)])  # the stability contract's range
H = 1e-5  # step of the centred differences for functions without a backward
TOLERANCE = 1e-6


def _activation(side: Side, name: str, x: np.ndarray, derivative: bool) -> tuple[np.ndarray, np.ndarray | None]:
    out, cache = items(side.call(f"{name}_forward", x), 2, f"{name}_forward")
    out = array(out, _("the output of {call}").format(call=f"{name}_forward(x)"), x.shape, finite=derivative)
    if not derivative:
        return out, None
    dx = array(side.call(f"{name}_backward", np.ones_like(x), cache), f"{name}_backward(dout, cache)", x.shape)
    return out, dx


def observe_activation(side: Side, name: str) -> dict:
    value, slope = _activation(side, name, X, derivative=True)
    large, _unused = _activation(side, name, LARGE, derivative=False)
    return {"f": value, "df": slope, "large": large}


# stability: 1-D views of each function; the axis functions act on rows (x, 0)
def _pair(x: np.ndarray) -> np.ndarray:
    return np.stack([x, np.zeros_like(x)], axis=1)


STABILITY: dict[str, tuple[str, Callable[[np.ndarray], tuple], Callable[[Any], Any]]] = {
    # name: (what is drawn, arguments from x, the drawn values from the result)
    "sigmoid": ("sigmoid(x)", lambda x: (x,), lambda r: r),
    "log_sigmoid": ("log_sigmoid(x)", lambda x: (x,), lambda r: r),
    "logsumexp": ("logsumexp([x, 0])", lambda x: (_pair(x),), lambda r: r),
    "softmax": ("softmax([x, 0])[0]", lambda x: (_pair(x),), lambda r: np.asarray(r, dtype=float)[:, 0]),
    "log_softmax": ("log_softmax([x, 0])[0]", lambda x: (_pair(x),), lambda r: np.asarray(r, dtype=float)[:, 0]),
}


def _stable(side: Side, name: str, x: np.ndarray, finite: bool) -> np.ndarray:
    label, args, pick = STABILITY[name]
    result = side.call(name, *args(x))
    shape = (len(x), 2) if name in ("softmax", "log_softmax") else x.shape
    checked = array(result, _("{name} for {n} inputs").format(name=name, n=len(x)), shape, finite=finite)
    return array(pick(checked), label, x.shape, finite=finite)


def observe_stable(side: Side, name: str) -> dict:
    value = _stable(side, name, X, finite=True)
    slope = (_stable(side, name, X + H, finite=True) - _stable(side, name, X - H, finite=True)) / (2 * H)
    return {"f": value, "df": slope, "large": _stable(side, name, LARGE, finite=False)}


def _painter(label: str, derivative: str):
    def draw(fig: Any, student: dict, reference: dict) -> None:
        axes = fig.subplots(1, 3)
        for ax, key, title in ((axes[0], "f", label), (axes[1], "df", _(derivative))):
            student_and_reference(ax, X, student[key], reference[key])
            off = relative_error(student[key], reference[key]) > TOLERANCE
            if off.any():
                ax.plot(X[off], student[key][off], "x", color=STUDENT_COLOR, markersize=5,
                        label=_("differs ({n} points)").format(n=int(off.sum())))
                where = X[off]
                title += "\n" + _("differs at {n} points in [{low}, {high}]").format(
                    n=int(off.sum()), low=f"{where.min():g}", high=f"{where.max():g}")
            ax.set_title(title, fontsize=8, color=STUDENT_COLOR if off.any() else "black")
            ax.set_xlabel("x")
            legend_lines(ax)
        ax = axes[2]
        bad = ~np.isfinite(student["large"])
        student_and_reference(ax, LARGE, np.where(bad, np.nan, student["large"]), reference["large"], marker=".")
        ax.set_xscale("symlog", linthresh=10)
        ax.set_yscale("symlog", linthresh=1)
        title = _("large inputs (|x| up to 1e4)")
        if bad.any():
            ax.plot(LARGE[bad], np.zeros(int(bad.sum())), "x", color=STUDENT_COLOR, markersize=7,
                    label=_("yours is NaN or inf"))
            title += "\n" + _("NaN or inf at {n} of {total} inputs").format(n=int(bad.sum()), total=len(LARGE))
        ax.set_title(title, fontsize=8, color=STUDENT_COLOR if bad.any() else "black")
        ax.set_xlabel("x")
        legend_lines(ax)
    return draw


ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu")
CAPTION = N_("Left: the function over [-10, 10]; middle: its derivative; right: large inputs. Red crosses mark "
             "where yours differs from the reference by more than {tolerance:g} (relative).")
FIGURES = {
    "activations": [FigureSpec("{name}", (lambda n: lambda side: observe_activation(side, n))(name),
                               _painter(f"{name}_forward(x)", f"{name}_backward(1, cache)"),
                               caption=CAPTION, size=(11.0, 3.4), values={"name": name, "tolerance": TOLERANCE})
                    for name in ACTIVATIONS],
    "stability": [FigureSpec("{name}", (lambda n: lambda side: observe_stable(side, n))(name),
                             _painter(STABILITY[name][0], N_("its derivative (centred differences)")),
                             caption=CAPTION, size=(11.0, 3.4), values={"name": name, "tolerance": TOLERANCE})
                  for name in STABILITY],
}
