"""What every family of figures shares: the sides compared, figure specs, checked values, PNG drawing.

A figure is built in two steps that never mix.  ``observe(side)`` calls one
implementation (the student's, through the sandbox proxy, or the reference) on
fixed demonstration inputs and returns plain data; ``draw(fig, student,
reference)`` turns the two observations into a picture with matplotlib in the
grading process and never calls anyone's code.  matplotlib is imported only
inside drawing functions, never when a module of this package is imported.
"""
from __future__ import annotations

import importlib.util
import io
import zlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable, Mapping

import numpy as np

from ..i18n import _, speaking
from ..proxy import RemoteModule, RemoteObject, SandboxError
from .fonts import font_families, labels_language

DPI = 90
STUDENT_COLOR = "tab:red"
REFERENCE_COLOR = "black"
REFERENCE_WIDTH = 2.2  # drawn under the student's thinner line, so that both show where they agree


class Unusable(Exception):
    """A value the student's code returned cannot be drawn; the message says why, for the student."""


class Side:
    """One implementation observed on the demonstration inputs: the student's (sandboxed) or the reference."""

    def __init__(self, target: RemoteModule | ModuleType):
        self.target = target

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the function (or class) ``name``."""
        if isinstance(self.target, RemoteModule):
            return self.target.call(name, *args, **kwargs)
        return getattr(self.target, name)(*args, **kwargs)

    def method(self, obj: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the method ``name`` of an object this side made."""
        if isinstance(obj, RemoteObject):
            return obj.method(name, *args, **kwargs)
        return getattr(obj, name)(*args, **kwargs)

    def attribute(self, obj: Any, name: str) -> Any:
        if isinstance(obj, RemoteObject):
            return obj.get(name)
        return getattr(obj, name)

    def function(self, name: str) -> Any:
        """The function ``name`` as an argument for another of this side's functions."""
        if isinstance(self.target, RemoteModule):
            return self.target.name(name)
        return getattr(self.target, name)


Observe = Callable[[Side], dict]
Draw = Callable[[Any, dict, dict], None]


@dataclass(frozen=True)
class FigureSpec:
    """One figure: what to observe on each side and how to draw the two observations.

    ``title`` and ``caption`` are English templates marked with ``N_()``, filled with ``values`` and shown in the
    language of the run that builds the figure; the English title filled in is the figure's :attr:`name`.
    """

    title: str
    observe: Observe
    draw: Draw
    caption: str = ""
    size: tuple[float, float] = (9.0, 3.6)
    varying: tuple[str, ...] = ()  # observations whose length may differ from the reference's (a path cut short)
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The title in English, whatever the language: what ``only=`` picks a figure by."""
        return self.title.format(**self.values)

    def shown(self) -> tuple[str, str]:
        """The title and the caption in this run's language."""
        return _(self.title).format(**self.values), _(self.caption).format(**self.values) if self.caption else ""


@dataclass
class Figure:
    """A built figure: the observations it was drawn from, the PNG, or the note saying why it is missing."""

    title: str
    caption: str
    student: dict | None = None
    reference: dict | None = None
    png: bytes | None = None
    note: str = ""
    notes: list[str] = field(default_factory=list)  # remarks drawn from the data, e.g. "diverged at step 12"


# -- checked values ---------------------------------------------------------------------------
def array(value: Any, what: str, shape: tuple | None = None, finite: bool = True) -> np.ndarray:
    """``value`` as a float array of ``shape``, or :class:`Unusable` naming ``what``."""
    try:
        result = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Unusable(_("{what} is not an array of numbers (got {type})").format(
            what=what, type=type(value).__name__)) from None
    if shape is not None and result.shape != tuple(shape):
        raise Unusable(_("{what} has shape {shape}, expected {expected}").format(
            what=what, shape=result.shape, expected=tuple(shape)))
    if finite and not np.all(np.isfinite(result)):
        raise Unusable(_("{what} contains NaN or inf").format(what=what))
    return result


def items(value: Any, n: int, what: str) -> tuple:
    """``value`` as a tuple of ``n`` items, or :class:`Unusable`."""
    if not isinstance(value, (tuple, list)):
        raise Unusable(_("{what} should return {n} values, got {type}").format(what=what, n=n,
                                                                               type=type(value).__name__))
    if len(value) != n:
        raise Unusable(_("{what} should return {n} values, got a {type} of length {length}").format(
            what=what, n=n, type=type(value).__name__, length=len(value)))
    return tuple(value)


def relative_error(got: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Elementwise ``|a - b| / max(1e-8, |a| + |b|)``, the measure the suites use."""
    return np.abs(got - expected) / np.maximum(1e-8, np.abs(got) + np.abs(expected))


def demo_rng(name: str) -> np.random.Generator:
    """The fixed generator of one demonstration (never a hidden test's seed)."""
    return np.random.default_rng([20260, zlib.crc32(name.encode())])


# -- building -----------------------------------------------------------------------------------
def problem(exc: BaseException) -> str:
    """A one-line note for a figure that could not be built; never a traceback."""
    if isinstance(exc, (SandboxError, Unusable)):
        text = str(exc)
    else:
        text = _("your functions returned something that cannot be drawn ({error})").format(
            error=f"{type(exc).__name__}: {exc}")
    text = " ".join(text.split())
    return text if len(text) <= 400 else text[:397] + "..."


def observe_figure(spec: FigureSpec, student: Side, reference: Side) -> Figure:
    """Observe both sides; a failure of either becomes the figure's note, never an exception."""
    figure = Figure(*spec.shown())
    try:
        figure.reference = spec.observe(reference)
    except Exception as exc:  # noqa: BLE001 - e.g. a PyTorch reference's worker timed out on a loaded machine
        figure.note = _("the reference could not be observed, so there is nothing to compare with ({problem})").format(
            problem=problem(exc))
        return figure
    try:
        figure.student = spec.observe(student)
    except Exception as exc:  # noqa: BLE001 - whatever the student's code does, the report goes on
        figure.note = problem(exc)
        return figure
    mismatch = _shape_mismatch(figure.student, figure.reference, spec.varying)
    if mismatch:
        figure.note = mismatch
        return figure
    figure.notes = list(figure.student.get("notes", []))
    return figure


def _shape_mismatch(student: dict, reference: dict, varying: tuple[str, ...]) -> str:
    """A note when an observed array's shape differs from the reference's (``varying`` ones aside), else ''."""
    for key, expected in reference.items():
        got = student.get(key)
        if key in varying:
            continue
        if isinstance(expected, np.ndarray) and isinstance(got, np.ndarray) and got.shape != expected.shape:
            return _("{key} has shape {shape}; the reference's has shape {expected}").format(
                key=key, shape=got.shape, expected=expected.shape)
    return ""


def draw_figure(spec: FigureSpec, figure: Figure) -> Figure:
    """Add the PNG to an observed figure (or a note if drawing fails); its labels are in this run's language when a
    font has its letters, else in English (:func:`grader.plots.fonts.labels_language`)."""
    if figure.note or figure.student is None or figure.reference is None:
        return figure
    try:
        with speaking(labels_language()):
            figure.png = to_png(lambda fig: spec.draw(fig, figure.student, figure.reference), spec.size)
    except Exception as exc:  # noqa: BLE001
        figure.note = problem(exc)
    return figure


def matplotlib_available() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def to_png(paint: Callable[[Any], None], size: tuple[float, float]) -> bytes:
    """Paint a fresh matplotlib figure (Agg canvas, no pyplot state) and return its PNG bytes; text is set in
    :func:`grader.plots.fonts.font_families` (a CJK family after DejaVu Sans when one is installed)."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    with rc_context({"font.family": font_families()}):
        fig = MplFigure(figsize=size, dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        paint(fig)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    return buffer.getvalue()


# -- drawing helpers ----------------------------------------------------------------------------
def legend_lines(ax: Any) -> None:
    ax.legend(fontsize=7, loc="best", framealpha=0.8)


def student_and_reference(ax: Any, x: Any, student: Any, reference: Any, **kwargs: Any) -> None:
    """The reference as a dashed black line under the student's solid red one."""
    ax.plot(x, reference, color=REFERENCE_COLOR, linestyle="--", linewidth=REFERENCE_WIDTH, label=_("reference"),
            **kwargs)
    ax.plot(x, student, color=STUDENT_COLOR, linewidth=1.2, alpha=0.85, label=_("yours"), **kwargs)


def error_map(ax: Any, error: np.ndarray, title: str) -> Any:
    """A heat map of relative errors on a log scale from 1e-12 (agrees) to 1 (wrong); returns the image."""
    from matplotlib.colors import LogNorm
    from matplotlib.ticker import MaxNLocator

    shown = np.atleast_2d(error)
    if shown.ndim > 2:
        shown = shown.reshape(shown.shape[0], -1)
    image = ax.imshow(np.clip(shown, 1e-12, 1.0), norm=LogNorm(1e-12, 1.0), cmap="magma", aspect="auto",
                      interpolation="nearest")
    worst = float(np.max(error)) if error.size else 0.0
    wrong = int(np.sum(error > 1e-6))
    ax.set_title(_("{array}: max rel. error {worst}\n{wrong} of {size} entries off").format(
        array=title, worst=f"{worst:.1e}", wrong=wrong, size=error.size), fontsize=8,
        color=STUDENT_COLOR if wrong else "black")
    ax.tick_params(labelsize=6)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if np.ndim(error) < 2:
        ax.set_yticks([])
        ax.set_xlabel(_("index"), fontsize=7)
    else:
        ax.set_xlabel(_("column") if np.ndim(error) == 2 else _("trailing axes, flattened"), fontsize=7)
        ax.set_ylabel(_("row"), fontsize=7)
    return image
