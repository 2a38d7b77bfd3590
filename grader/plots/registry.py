"""Which figures each exercise's report holds: exercise id -> figure specs, in the order they are shown."""
from __future__ import annotations

from . import curves, gradients, init, optim, shift, training
from .figure import FigureSpec

FIGURES: dict[str, list[FigureSpec]] = {}
for _family in (optim, init, curves, gradients, training, shift):
    for _exercise, _specs in _family.FIGURES.items():
        FIGURES.setdefault(_exercise, []).extend(_specs)


def figures_for(exercise_id: str) -> list[FigureSpec]:
    """The figure specs of one exercise (empty when it has no pictures yet)."""
    return FIGURES.get(exercise_id, [])
