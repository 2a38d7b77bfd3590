"""`dlx daemon status|stop`: the warm grader that makes the student's commands start at once (grader/daemon.py)."""
from __future__ import annotations

import time

import click

from .daemon_client import NotServed, ask, enabled, turned_on
from .i18n import _, ngettext

STOP_WAIT_S = 30.0  # a warm grader ends the commands it is running before it exits


@click.group("daemon")
def daemon() -> None:
    """The warm grader: a background process that makes `dlx grade`, `check` and `submit` start at once.

    The first grading starts it; it stops after 15 idle minutes, or when dlx changes. DLX_DAEMON=0 turns it off.
    """


@daemon.command("status")
def status() -> None:
    """Whether the warm grader runs: its pid, uptime and socket."""
    try:
        info = ask("status")
    except NotServed:
        click.echo(_("No warm grader is running.") + " " + (
            _("The next `dlx grade`, `check` or `submit` starts one.") if enabled() and turned_on() else
            _("It is turned off (DLX_DAEMON=0 or `dlx config daemon off`).")))
        return
    uptime = max(time.time() - float(info["started"]), 0.0)
    served = int(info["served"])
    click.echo(_("The warm grader runs: pid {pid}, up {uptime}, socket {socket}.").format(
        pid=info["pid"], uptime=_duration(uptime), socket=info["socket"]) + " "
        + ngettext("{n} command served.", "{n} commands served.", served).format(n=served))


@daemon.command("stop")
def stop() -> None:
    """Stop the warm grader (the next grading starts one again, unless DLX_DAEMON=0)."""
    from .sandbox.spawn import process_running

    try:
        pid = int(ask("stop")["stopped"])
    except (NotServed, KeyError, TypeError, ValueError):
        click.echo(_("No warm grader is running."))
        return
    deadline = time.monotonic() + STOP_WAIT_S
    while process_running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    click.echo(_("Stopped the warm grader (pid {pid}).").format(pid=pid))


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
