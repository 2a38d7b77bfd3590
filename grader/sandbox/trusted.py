"""Objects the grader builds inside the worker and hands to student code.

A suite names them with ``TrustedFunction(name, params)``; the worker calls
``build(name, params)``.  They are plain, deterministic functions of their
parameters, so the grading process can compute the same values itself and
judge whatever the student's code does with them.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

BUILDERS: dict[str, Callable[..., Any]] = {}


def builder(fn: Callable[..., Any]) -> Callable[..., Any]:
    BUILDERS[fn.__name__] = fn
    return fn


@builder
def generator(seed: int = 0) -> np.random.Generator:
    """A NumPy Generator that lives in the worker (pass it on, then read its state back)."""
    return np.random.default_rng(seed)


def build(name: str, params: dict) -> Any:
    """The object called ``name``, built from ``params``."""
    if name not in BUILDERS:
        raise KeyError(f"no trusted object called {name!r}")
    return BUILDERS[name](**params)
