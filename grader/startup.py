"""Cheaper start-up: no garbage collection while big libraries (NumPy, pytest, rich) are imported.

What an import creates lives as long as the process, so the collections that run while it loads only walk
the same objects again and again: ~15% of importing pytest or rich.
"""
from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def heavy_imports() -> Iterator[None]:
    """Pause the garbage collector for the imports in the ``with`` block (left off if it was off)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
