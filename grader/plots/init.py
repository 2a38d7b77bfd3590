"""init: the sampled weights against the target density, and the activations' spread through 20 layers."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..i18n import N_, _
from .figure import REFERENCE_COLOR, REFERENCE_WIDTH, STUDENT_COLOR, FigureSpec, Side, array, demo_rng, legend_lines

FAN = (200, 100)  # n_in, n_out of the sampled matrix
WIDTHS, DEPTH, BATCH = (100, 50), 20, 200  # layers alternate 100 -> 50 -> 100: fan-in and fan-out differ
ACTIVATIONS = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0)}


def target(name: str, n_in: int, n_out: int) -> tuple[str, float]:
    """The contract's distribution: ("uniform", bound) or ("normal", std)."""
    if name == "xavier_uniform":
        return "uniform", float(np.sqrt(6.0 / (n_in + n_out)))
    std = {"xavier_normal": np.sqrt(2.0 / (n_in + n_out)), "he_normal": np.sqrt(2.0 / n_in),
           "lecun_normal": np.sqrt(1.0 / n_in)}[name]
    return "normal", float(std)


def observe(side: Side, name: str) -> dict:
    """One sampled matrix, and the standard deviation of tanh and ReLU activations after each of 20 layers."""
    n_in, n_out = FAN
    sample = array(side.call(name, n_in, n_out, demo_rng(name)), f"{name}({n_in}, {n_out}, rng)", (n_in, n_out))
    shapes = [(WIDTHS[i % 2], WIDTHS[(i + 1) % 2]) for i in range(DEPTH)]
    weights = [array(side.call(name, *shape, demo_rng(f"{name} layer {i}")), f"{name}({shape[0]}, {shape[1]}, rng)",
                     shape) for i, shape in enumerate(shapes)]
    stds = {}
    for label, act in ACTIVATIONS.items():
        h, spread = demo_rng("inputs").normal(size=(BATCH, WIDTHS[0])), []
        for w in weights:
            with np.errstate(all="ignore"):
                h = act(h @ w)
            spread.append(float(np.std(h)))
        stds[label] = np.array(spread)
    return {"sample": sample.ravel(), **stds}


def _painter(name: str):
    def draw(fig: Any, student: dict, reference: dict) -> None:
        hist, depth = fig.subplots(1, 2)
        kind, scale = target(name, *FAN)
        both = np.concatenate([student["sample"], reference["sample"]])
        edges = np.linspace(both.min(), both.max(), 60)
        hist.hist(reference["sample"], bins=edges, density=True, histtype="step", color=REFERENCE_COLOR,
                  linestyle="--", label=_("reference"))
        hist.hist(student["sample"], bins=edges, density=True, alpha=0.45, color=STUDENT_COLOR, label=_("yours"))
        xs = np.linspace(edges[0], edges[-1], 400)
        density = (np.where(np.abs(xs) <= scale, 0.5 / scale, 0.0) if kind == "uniform"
                   else np.exp(-0.5 * (xs / scale) ** 2) / (scale * np.sqrt(2 * np.pi)))
        what = f"U(-{scale:.3f}, {scale:.3f})" if kind == "uniform" else f"N(0, {scale:.3f}²)"
        hist.plot(xs, density, color="tab:blue", linewidth=1.2, label=_("target {density}").format(density=what))
        hist.set_title(_("{call}: std yours {yours}, reference {reference}").format(
            call=f"{name}({FAN[0]}, {FAN[1]})", yours=f"{np.std(student['sample']):.4f}",
            reference=f"{np.std(reference['sample']):.4f}"), fontsize=8)
        legend_lines(hist)
        layers = np.arange(1, DEPTH + 1)
        for label, marker in (("tanh", "o"), ("relu", "s")):
            depth.semilogy(layers, reference[label], color=REFERENCE_COLOR, linestyle="--", marker=marker,
                           markersize=3, linewidth=REFERENCE_WIDTH,
                           label=_("{activation}, reference").format(activation=label))
            depth.semilogy(layers, np.maximum(student[label], 1e-300), color=STUDENT_COLOR, marker=marker,
                           markersize=3, linewidth=1.2, label=_("{activation}, yours").format(activation=label))
        depth.set(xlabel=_("layer (input side = 1)"), ylabel=_("std of the activations"),
                  title=_("{depth} layers, widths {wide}, {narrow}, {wide}, ...: weights from {name}").format(
                      depth=DEPTH, wide=WIDTHS[0], narrow=WIDTHS[1], name=name))
        depth.title.set_fontsize(9)
        legend_lines(depth)
    return draw


NAMES = ("xavier_uniform", "xavier_normal", "he_normal", "lecun_normal")
FIGURES = {"init": [FigureSpec(N_("{name}: samples and depth"), (lambda n: lambda side: observe(side, n))(name),
                               _painter(name),
                               caption=N_("Left: a histogram of one sampled matrix against the density it should "
                                          "follow. Right: the spread of tanh and ReLU activations through "
                                          "{depth} layers whose weights come from this initialiser."),
                               values={"name": name, "depth": DEPTH})
                    for name in NAMES]}
