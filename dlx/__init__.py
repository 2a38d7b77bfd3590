"""``%load_ext dlx``: the IPython extension; the work is in :mod:`grader.jupyter`."""
from __future__ import annotations

from typing import Any


def load_ipython_extension(shell: Any) -> None:
    """Register the ``%dlx`` magic."""
    from grader.jupyter import load_ipython_extension as load

    load(shell)
