"""The `dlx` program: ``dlx --version`` is answered before click is imported; everything else is :func:`grader.cli.main`."""
from __future__ import annotations

import sys


def main() -> None:
    """Run the `dlx` command line in ``sys.argv``."""
    if sys.argv[1:] == ["--version"]:
        from . import __version__

        print(f"dlx, version {__version__}")  # word for word what click's version_option prints
        sys.exit(0)
    from .cli import main as cli

    cli()
