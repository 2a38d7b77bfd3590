"""The `dlx` program: ``dlx --version`` is answered before click is imported; everything else is :func:`grader.cli.main`,
with NumPy's BLAS in one thread and no garbage collection while the CLI loads (:mod:`grader.startup`).

When the command is over, the objects left are moved out of the garbage collector's sight (:func:`gc.freeze`):
the interpreter's final collections would otherwise walk every object NumPy, pytest and rich created, which
takes longer than some commands (~0.2 s CPU after `dlx grade` on a busy machine). Exiting is otherwise
unchanged: threads are waited for, ``atexit`` handlers run, files are flushed and closed.
"""
from __future__ import annotations

import gc
import sys


def main() -> None:
    """Run the `dlx` command line in ``sys.argv``."""
    if sys.argv[1:] == ["--version"]:
        from . import __version__
        from .i18n import version_line

        print(version_line(__version__))  # word for word what click's version_option prints, in click's catalogue
        sys.exit(0)
    from .startup import heavy_imports, one_blas_thread

    one_blas_thread()
    with heavy_imports():
        from .cli import main as cli
    try:
        cli()
    finally:
        gc.freeze()
