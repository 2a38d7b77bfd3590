"""`dlx config`: show or change the student's settings (stored in the gradebook)."""
from __future__ import annotations

import click

from . import i18n

KEYS = {"lang": f"the language of statements and hints: {', '.join(i18n.LANGUAGES)} or {i18n.AUTO} (follow the locale)"}


@click.command("config")
@click.argument("key", type=click.Choice(sorted(KEYS)), metavar="KEY")
@click.argument("value", required=False)
def config(key: str, value: str | None) -> None:
    """Show KEY's value, or set it to VALUE.

    \b
    lang: zh, en or auto (follow the locale); --lang and DLX_LANG override it.
    """
    from .gradebook import Gradebook

    if value is None:
        click.echo(f"{key} = {i18n.language()} (from {i18n.source()})")
        return
    stored = i18n.AUTO if value.strip().lower() == i18n.AUTO else i18n.normalise(value, key)
    with Gradebook() as book:
        book.set_setting(i18n.SETTING, stored)
    click.echo(f"{key} = {stored}")
