"""Cheaper start-up for the dlx program: one BLAS thread, and no garbage collection while big libraries load."""
from __future__ import annotations

import contextlib
import gc
import os
from typing import Iterator

BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")  # what OpenBLAS reads, in order


def one_blas_thread() -> None:
    """Let NumPy's OpenBLAS start no thread pool (about a third of importing NumPy), unless the user chose.

    The grading process multiplies small matrices, in one thread like the worker (which always has one).
    """
    if not any(name in os.environ for name in BLAS_THREADS):
        os.environ["OPENBLAS_NUM_THREADS"] = "1"


@contextlib.contextmanager
def heavy_imports() -> Iterator[None]:
    """Pause the garbage collector for the imports in the ``with`` block (left off if it was off).

    What an import creates lives as long as the process, so the collections that run while it loads only walk
    the same objects again and again: ~15% of importing pytest or rich.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
