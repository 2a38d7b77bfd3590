"""The `dlx` program: ``dlx --version`` and a self-learner's bare ``dlx list`` are answered before click is
imported; a student's command goes to the warm grader when one is running (:mod:`grader.daemon_client`); everything else is :func:`grader.cli.main`, with NumPy's
BLAS in one thread and no garbage collection while the CLI loads (:mod:`grader.startup`). A cold `grade`, `check`
or `submit` then starts a warm grader in the background for the next command (``DLX_DAEMON=0``: never). After a
warm command this process leaves with ``os._exit`` (it holds nothing to clean up; the interpreter's own shutdown
took longer than handing the command over).

When the command is over, the objects left are moved out of the garbage collector's sight (:func:`gc.freeze`):
the interpreter's final collections would otherwise walk every object NumPy, pytest and rich created, which
takes longer than some commands (~0.2 s CPU after `dlx grade` on a busy machine). Exiting is otherwise
unchanged: threads are waited for, ``atexit`` handlers run, files are flushed and closed.
"""
from __future__ import annotations

import gc
import os
import sys


def main() -> None:
    """Run the `dlx` command line in ``sys.argv``."""
    if sys.argv[1:] == ["--version"]:
        from . import __version__
        from .i18n import version_line

        print(version_line(__version__))  # word for word what click's version_option prints, in click's catalogue
        sys.exit(0)
    from . import daemon_client as warm
    from .startup import heavy_imports, one_blas_thread

    one_blas_thread()
    command = warm.command_of(sys.argv[1:]) if warm.enabled() else None
    if command in warm.WARM_COMMANDS and "--watch" not in sys.argv:
        try:
            code = warm.run_warm(sys.argv)
        except (warm.NotServed, OSError):  # not started there (OSError: before the go, e.g. no current folder)
            pass
        else:  # the command ran in the warm grader: this process has nothing left to clean up (~30 ms saved)
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except (OSError, ValueError, AttributeError):
                    pass
            os._exit(code)
    try:  # Ctrl-C while dlx loads: the same one line as later on
        if sys.argv[1:] == ["list"]:  # no warm grader: the self-learner's first command, printed before click loads
            from .listing import print_local_list

            if print_local_list():
                sys.exit(0)
        with heavy_imports():
            from .cli import main as cli
    except KeyboardInterrupt:
        from .errors import exit_interrupted

        exit_interrupted()
    try:
        cli()
    finally:
        gc.freeze()
        if command in warm.STARTS_DAEMON:
            warm.start_daemon()
