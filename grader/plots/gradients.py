"""Layers and losses: heat maps of the relative error of every output and gradient, entry by entry.

The student's forward and backward run on fixed inputs; the reference's
forward and backward (themselves checked against numerical gradients by the
project's tests) run on the same inputs, and each entry's relative error is
drawn, so the picture shows *where* a gradient is wrong: a column, a row, the
bias, every entry.  The residual exercise also shows the gradient's norm
through a stack of 20 of the student's blocks.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..i18n import N_, _
from .figure import (REFERENCE_COLOR, REFERENCE_WIDTH, STUDENT_COLOR, FigureSpec, Side, array, demo_rng, error_map,
                     items, legend_lines, relative_error)


@dataclass(frozen=True)
class Layer:
    forward: str
    backward: str
    inputs: Callable[[np.random.Generator], tuple]
    grads: tuple[str, ...]
    forward_outputs: int = 2  # (out, cache), batchnorm (out, cache, running_mean, running_var)


def _normal(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.normal(size=shape)


LAYERS = {
    "affine": Layer("affine_forward", "affine_backward",
                    lambda r: (_normal(r, 6, 5), _normal(r, 5, 4), _normal(r, 4)), ("dx", "dw", "db")),
    "batchnorm": Layer("batchnorm_forward", "batchnorm_backward",
                       lambda r: (2 * _normal(r, 8, 5) + 1, 1 + 0.5 * _normal(r, 5), _normal(r, 5), np.zeros(5),
                                  np.ones(5)), ("dx", "dgamma", "dbeta"), forward_outputs=4),
    "residual": Layer("residual_forward", "residual_backward",
                      lambda r: (_normal(r, 6, 5), _normal(r, 5, 7), _normal(r, 7), _normal(r, 7, 5), _normal(r, 5)),
                      ("dx", "dw1", "db1", "dw2", "db2")),
    "maxout": Layer("maxout_forward", "maxout_backward",
                    lambda r: (_normal(r, 6, 5), _normal(r, 5, 4, 3), _normal(r, 4, 3)), ("dx", "dw", "db")),
}


def observe_layer(side: Side, exercise: str) -> dict:
    layer, rng = LAYERS[exercise], demo_rng(exercise)
    inputs = layer.inputs(rng)
    result = items(side.call(layer.forward, *inputs), layer.forward_outputs, layer.forward)
    out = array(result[0], f"{layer.forward}: out")
    dout = demo_rng(f"{exercise} dout").normal(size=out.shape)
    grads = items(side.call(layer.backward, dout, result[1]), len(layer.grads), layer.backward)
    shapes = {"dx": inputs[0].shape, **{g: x.shape for g, x in zip(layer.grads[1:], inputs[1:])}}
    return {"out": out, **{g: array(v, f"{layer.backward}: {g}", shapes[g]) for g, v in zip(layer.grads, grads)}}


def _classes(rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, 5, size=6)


LOSSES: dict[str, Callable[[np.random.Generator], tuple]] = {
    "mse_loss": lambda r: (_normal(r, 6, 4), _normal(r, 6, 4)),
    "bce_with_logits": lambda r: (3 * _normal(r, 12), r.integers(0, 2, size=12).astype(float)),
    "softmax_cross_entropy": lambda r: (3 * _normal(r, 6, 5), _classes(r)),
    "hinge_loss": lambda r: (_normal(r, 12), r.choice([-1.0, 1.0], size=12)),
    "perceptron_loss": lambda r: (_normal(r, 12), r.choice([-1.0, 1.0], size=12)),
    "kl_divergence": lambda r: (3 * _normal(r, 6, 5), r.dirichlet(np.ones(5), size=6)),
    "l2_penalty": lambda r: ([_normal(r, 4, 5), _normal(r, 5)], 0.1),
}


def observe_loss(side: Side, name: str) -> dict:
    args = LOSSES[name](demo_rng(name))
    loss, grad = items(side.call(name, *args), 2, name)
    value = float(array(loss, _("{name}: the loss").format(name=name), ()))
    if name == "l2_penalty":
        grads = items(grad, len(args[0]), f"{name}: grads")
        return {"loss": value, **{f"grad {i}": array(g, f"{name}: grads[{i}]", w.shape)
                                  for i, (g, w) in enumerate(zip(grads, args[0]))}}
    return {"loss": value, "grad": array(grad, _("{name}: the gradient").format(name=name), np.shape(args[0]))}


def _heat_maps(titles: dict[str, str], heading: Callable[[dict, dict], str] | None = None):
    def draw(fig: Any, student: dict, reference: dict) -> None:
        axes = np.atleast_1d(fig.subplots(1, len(titles)))
        for ax, (key, title) in zip(axes, titles.items()):
            image = error_map(ax, relative_error(student[key], reference[key]), _(title))
        bar = fig.colorbar(image, ax=axes.tolist(), shrink=0.8)
        bar.set_label(_("relative error"), fontsize=7)
        bar.ax.tick_params(labelsize=6)
        if heading is not None:
            fig.suptitle(heading(student, reference), fontsize=9)
    return draw


def _loss_heading(student: dict, reference: dict) -> str:
    return _("loss: yours {yours}, reference {reference}").format(yours=f"{student['loss']:.6g}",
                                                                 reference=f"{reference['loss']:.6g}")


# -- residual: the gradient through depth --------------------------------------------------------
DEPTH, WIDTH, BATCH = 20, 16, 32


def _stack_weights() -> list[tuple]:
    rng = demo_rng("residual stack")
    scale = np.sqrt(1.0 / WIDTH)
    return [(scale * rng.normal(size=(WIDTH, WIDTH)), np.zeros(WIDTH), scale * rng.normal(size=(WIDTH, WIDTH)),
             np.zeros(WIDTH)) for _block in range(DEPTH)]


def _plain_gradient_norms(x: np.ndarray, weights: list[tuple]) -> np.ndarray:
    """The same weights without the skip connections (grader-written): ||dL/dx_l|| for each layer l."""
    masks = []
    for w1, b1, w2, b2 in weights:
        a = x @ w1 + b1
        s = np.maximum(a, 0) @ w2 + b2
        masks.append((a > 0, s > 0, w1, w2))
        x = np.maximum(s, 0)
    grad, norms = np.ones_like(x) / len(x), []
    for a_pos, s_pos, w1, w2 in reversed(masks):
        grad = ((grad * s_pos) @ w2.T * a_pos) @ w1.T
        norms.append(float(np.linalg.norm(grad)))
    return np.array(norms[::-1])


def observe_depth(side: Side) -> dict:
    """||dL/dx_l|| at the input of each of 20 residual blocks, forward and backward by ``side``'s functions."""
    weights, x = _stack_weights(), demo_rng("residual stack input").normal(size=(BATCH, WIDTH))
    plain = _plain_gradient_norms(x, weights)
    caches, h = [], x
    for i, params in enumerate(weights):
        out, cache = items(side.call("residual_forward", h, *params), 2, "residual_forward")
        h = array(out, _("residual_forward at block {block}").format(block=i + 1), (BATCH, WIDTH))
        caches.append(cache)
    grad, norms = np.ones((BATCH, WIDTH)) / BATCH, []
    for i, cache in reversed(list(enumerate(caches))):
        grads = items(side.call("residual_backward", grad, cache), 5, "residual_backward")
        grad = array(grads[0], _("residual_backward at block {block}: dx").format(block=i + 1), (BATCH, WIDTH))
        norms.append(float(np.linalg.norm(grad)))
    return {"residual": np.array(norms[::-1]), "plain": plain}


def draw_depth(fig: Any, student: dict, reference: dict) -> None:
    ax = fig.subplots()
    blocks = np.arange(1, DEPTH + 1)
    ax.semilogy(blocks, reference["plain"], color="0.5", linestyle=":", marker=".",
                label=_("plain stack (no skip)"))
    ax.semilogy(blocks, reference["residual"], color=REFERENCE_COLOR, linestyle="--", marker=".",
                linewidth=REFERENCE_WIDTH, label=_("residual stack, reference"))
    ax.semilogy(blocks, np.maximum(student["residual"], 1e-300), color=STUDENT_COLOR, marker=".", linewidth=1.2,
                label=_("residual stack, your blocks"))
    ax.set(xlabel=_("block (input side = 1)"), ylabel=_("‖dL/dx‖ at the block's input"),
           title=_("The gradient through {depth} blocks of width {width}").format(depth=DEPTH, width=WIDTH))
    ax.title.set_fontsize(9)
    legend_lines(ax)


HEAT_CAPTION = N_("Each cell is one entry: its relative error |yours - reference| / (|yours| + |reference|) on "
                   "fixed demonstration inputs, dark where they agree (1e-12) and bright where yours is wrong (1). "
                   "Arrays with more than two axes are shown with their trailing axes flattened.")
FIGURES: dict[str, list[FigureSpec]] = {
    exercise: [FigureSpec(N_("{forward} and {backward}: relative error of each entry"),
                          (lambda e: lambda side: observe_layer(side, e))(exercise),
                          _heat_maps({"out": "out", **{g: g for g in layer.grads}}), caption=HEAT_CAPTION,
                          size=(2.6 * (1 + len(layer.grads)), 3.0),
                          values={"forward": layer.forward, "backward": layer.backward})]
    for exercise, layer in LAYERS.items()
}
FIGURES["losses"] = [
    FigureSpec(N_("{name}: relative error of each gradient entry"),
               (lambda n: lambda side: observe_loss(side, n))(name),
               _heat_maps({"grad 0": "grads[0]", "grad 1": "grads[1]"} if name == "l2_penalty"
                          else {"grad": N_("the gradient")}, _loss_heading),
               caption=HEAT_CAPTION, size=(7.0 if name == "l2_penalty" else 4.5, 3.2), values={"name": name})
    for name in LOSSES
]
FIGURES["residual"].append(FigureSpec(
    N_("The gradient through a stack of your residual blocks"), observe_depth, draw_depth,
    caption=N_("{depth} of your residual blocks in a row (the same weights for every curve): the norm of the "
               "gradient at each block's input, from your residual_backward, against the reference's blocks and "
               "against a plain stack of the same layers without the skip connection (computed by the grader)."),
    size=(6.5, 3.8), values={"depth": DEPTH}))
