"""Which language dlx speaks to the student: English ("en") or Simplified Chinese ("zh").

The first of these that is set wins: ``dlx --lang``, ``$DLX_LANG``, ``dlx config lang`` (stored in the
gradebook's settings), the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: a value starting with "zh"
means Chinese); otherwise English. Import-light: only the standard library until a setting is read.
"""
from __future__ import annotations

import os

from .errors import DlxError

LANGUAGES = ("en", "zh")
DEFAULT = "en"
SETTING = "lang"
AUTO = "auto"  # the stored setting that means "follow the locale"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

_chosen: str | None = None  # from --lang, for this run
_resolved: str | None = None


class UnknownLanguage(DlxError, ValueError):
    """A language dlx does not speak."""


def normalise(value: str, source: str) -> str:
    """``value`` as one of LANGUAGES ("zh_CN.UTF-8" -> "zh"), or :class:`UnknownLanguage` naming ``source``."""
    code = value.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    if code not in LANGUAGES:
        raise UnknownLanguage(f"{source}={value!r} is not a language dlx speaks ({', '.join(LANGUAGES)})")
    return code


def choose(language: str | None) -> None:
    """Use ``language`` for this run (``None``: decide from the environment, settings and locale)."""
    global _chosen, _resolved
    _chosen = None if language is None else normalise(language, "--lang")
    _resolved = None


def from_locale() -> str:
    """"zh" when the first set locale variable starts with "zh", else English."""
    for name in LOCALE_VARIABLES:
        if os.environ.get(name):
            return "zh" if os.environ[name].lower().startswith("zh") else DEFAULT
    return DEFAULT


def stored_setting() -> str | None:
    """The language stored by ``dlx config lang`` (``None`` when unset, "auto" or unreadable)."""
    from .gradebook import Gradebook, default_path

    try:
        if not default_path().is_file():  # reading a setting never creates a gradebook
            return None
        with Gradebook() as book:
            value = book.get_setting(SETTING)
    except DlxError:
        return None  # a damaged gradebook is reported by the commands that need it
    return None if value in (None, AUTO) else normalise(value, "the stored setting lang")


def language() -> str:
    """The language of this run ("en" or "zh"), decided once per run."""
    global _resolved
    if _resolved is None:
        env = os.environ.get("DLX_LANG")
        _resolved = (_chosen or (normalise(env, "DLX_LANG") if env else None) or stored_setting()
                     or from_locale())
    return _resolved


def source() -> str:
    """Where this run's language comes from, in words (for ``dlx config lang``)."""
    if _chosen:
        return "--lang"
    if os.environ.get("DLX_LANG"):
        return "DLX_LANG"
    if stored_setting():
        return "dlx config lang"
    return "the locale" if any(os.environ.get(v) for v in LOCALE_VARIABLES) else "the default"
