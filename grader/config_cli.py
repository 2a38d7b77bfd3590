"""`dlx config`: show or change the student's settings (stored in the gradebook)."""
from __future__ import annotations

import click

from . import i18n
from .i18n import _

KEYS = ("lang",)


@click.command("config")
@click.argument("key", type=click.Choice(KEYS), metavar="KEY")
@click.argument("value", required=False)
def config(key: str, value: str | None) -> None:
    """Show KEY's value, or set it to VALUE.

    \b
    lang: the language of statements, hints, titles and quizzes: zh, en or auto
    (follow the locale); `dlx --lang` and DLX_LANG override it.
    """
    from .gradebook import Gradebook

    if value is None:
        click.echo(_("{key} = {value} (from {source})").format(key=key, value=i18n.language(), source=_(i18n.source())))
        return
    stored = i18n.AUTO if value.strip().lower() == i18n.AUTO else i18n.normalise(value, key)
    with Gradebook() as book:
        book.set_setting(i18n.SETTING, stored)
    click.echo(f"{key} = {stored}")
