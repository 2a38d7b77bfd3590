"""`dlx config`: show or change the student's settings (stored in the gradebook)."""
from __future__ import annotations

import click

from . import i18n
from .i18n import _

KEYS = ("lang", "daemon")
SWITCH = ("on", "off")


@click.command("config")
@click.argument("key", type=click.Choice(KEYS), metavar="KEY")
@click.argument("value", required=False)
def config(key: str, value: str | None) -> None:
    """Show KEY's value, or set it to VALUE.

    \b
    lang: the language of statements, hints, titles and quizzes: zh, en or auto
    (follow the locale); `dlx --lang` and DLX_LANG override it.
    daemon: on or off, whether a grading starts a warm grader for the next
    commands; DLX_DAEMON=0 turns it off too.
    """
    from .gradebook import Gradebook

    if key == "daemon":
        _daemon(value)
        return
    if value is None:
        click.echo(_("{key} = {value} (from {source})").format(key=key, value=i18n.language(), source=_(i18n.source())))
        return
    stored = i18n.AUTO if value.strip().lower() == i18n.AUTO else i18n.normalise(value, key)
    with Gradebook() as book:
        book.set_setting(i18n.SETTING, stored)
    click.echo(f"{key} = {stored}")


def _daemon(value: str | None) -> None:
    """Show or set whether the warm grader is used (off: the running one is stopped)."""
    from .daemon_client import SETTING, NotServed, ask, enabled, stored_switch
    from .errors import DlxError
    from .gradebook import Gradebook

    if value is None:
        stored = stored_switch()
        state = "on" if enabled() and stored != "off" else "off"
        source = "DLX_DAEMON" if not enabled() else "dlx config daemon" if stored else _(i18n.DEFAULT_SOURCE)
        click.echo(_("{key} = {value} (from {source})").format(key=SETTING, value=state, source=source))
        return
    value = value.strip().lower()
    if value not in SWITCH:
        raise DlxError(_("{key} is on or off, not {value!r}").format(key=SETTING, value=value))
    with Gradebook() as book:
        book.set_setting(SETTING, value)
    if value == "off":
        try:
            ask("stop")
        except NotServed:
            pass
    click.echo(f"{SETTING} = {value}")
