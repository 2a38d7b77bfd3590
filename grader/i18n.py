"""Which language dlx speaks to the student: English ("en") or Simplified Chinese ("zh").

The first of these that is set wins: ``dlx --lang``, ``$DLX_LANG``, ``dlx config lang`` (stored in the
gradebook's settings), the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: a value starting with "zh"
means Chinese); otherwise English. Import-light: only the standard library until a setting is read.

Messages are translated with the standard library's gettext: ``_("...")`` and ``ngettext`` look the
English message up in the ``dlx`` catalogue (``grader/locale/<lang>/LC_MESSAGES/dlx.mo``) of the language of
this run; ``N_("...")`` only marks a message for extraction (translated where it is shown). Placeholders are
named (``_("{path} not found").format(path=path)``) so a translation may reorder them.
docs/translating.md says how to extract, update and compile the catalogues (Babel, a maintainer's tool only).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from .errors import DlxError

if TYPE_CHECKING:
    from gettext import NullTranslations

    import click


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is shown (a constant, a help text); returns it unchanged."""
    return message


LANGUAGES = ("en", "zh")
DEFAULT = "en"
SETTING = "lang"
AUTO = "auto"  # the stored setting that means "follow the locale"
DEFAULT_SOURCE = N_("the default")  # :func:`source` when nothing chose the language
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
DOMAIN = "dlx"
LOCALE_DIR = Path(__file__).with_name("locale")

_chosen: str | None = None  # from --lang, for this run
_resolved: str | None = None
_deciding = False  # language() is reading the setting
_serving: ContextVar[str | None] = ContextVar("dlx_language", default=None)  # a request's or a job's language
_catalogues: dict[str, NullTranslations] = {}


class UnknownLanguage(DlxError, ValueError):
    """A language dlx does not speak."""


def normalise(value: str, source: str) -> str:
    """``value`` as one of LANGUAGES ("zh_CN.UTF-8" -> "zh"), or :class:`UnknownLanguage` naming ``source``."""
    code = value.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    if code not in LANGUAGES:  # said in English while this very setting decides the language (see language())
        raise UnknownLanguage(_("{source}={value} is not a language dlx speaks ({languages})").format(
            source=source, value=repr(value), languages=", ".join(LANGUAGES)))
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
    return None if value in (None, AUTO) else normalise(value, _("the stored setting lang"))


def language() -> str:
    """The language of this run ("en" or "zh"), decided once per run (or the one :func:`speaking` sets)."""
    global _resolved, _deciding
    serving = _serving.get()
    if serving is not None:
        return serving
    if _resolved is None:
        if _deciding:  # a message while the setting is read (DLX_HOME unusable, say) is said in English
            return DEFAULT
        _deciding = True
        try:
            env = os.environ.get("DLX_LANG")
            _resolved = (_chosen or (normalise(env, "DLX_LANG") if env else None) or stored_setting()
                         or from_locale())
        finally:
            _deciding = False
    return _resolved


def source() -> str:
    """Where this run's language comes from, in words (for ``dlx config lang``)."""
    if _chosen:
        return "--lang"
    if os.environ.get("DLX_LANG"):
        return "DLX_LANG"
    if stored_setting():
        return "dlx config lang"
    return N_("the locale") if any(os.environ.get(v) for v in LOCALE_VARIABLES) else DEFAULT_SOURCE


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Translate into ``lang`` inside this block (a server's request, a worker's job), whatever the run's language."""
    token = _serving.set(normalise(lang, "language"))
    try:
        yield
    finally:
        _serving.reset(token)


def catalogue(lang: str | None = None) -> NullTranslations:
    """The ``dlx`` message catalogue of ``lang`` (default: this run's language); English is the messages themselves."""
    lang = lang or language()
    if lang not in _catalogues:
        import gettext

        _catalogues[lang] = gettext.translation(DOMAIN, LOCALE_DIR, [lang], fallback=True)
    return _catalogues[lang]


def _current() -> str:
    """This run's language for a message: English while the language itself is misconfigured (its error is said)."""
    try:
        return language()
    except UnknownLanguage:
        return DEFAULT


def _(message: str) -> str:
    """``message`` (English) in the language of this run."""
    lang = _current()
    return message if lang == DEFAULT else catalogue(lang).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """``singular`` or ``plural`` by ``n``, in the language of this run."""
    lang = _current()
    if lang == DEFAULT:
        return singular if n == 1 else plural
    return catalogue(lang).ngettext(singular, plural, n)


CLICK_DOMAIN = "click"
VERSION_MESSAGE = "%(prog)s, version %(version)s"  # click's version_option message, in click's catalogue


def version_line(version: str, lang: str | None = None) -> str:
    """``dlx --version``'s line, click's own message in ``lang``: "dlx, version 0.1.0" or "dlx，版本 0.1.0". Without
    ``lang``, the language ``$DLX_LANG`` or the locale gives: the stored setting is not read, so that `dlx --version`
    alone (:mod:`grader.launch`) needs no gradebook."""
    if lang is None:
        try:
            env = os.environ.get("DLX_LANG")
            lang = normalise(env, "DLX_LANG") if env else from_locale()
        except UnknownLanguage:  # said by any other command; the version is still shown
            lang = DEFAULT
    message = VERSION_MESSAGE
    if lang != DEFAULT:
        import gettext

        message = gettext.translation(CLICK_DOMAIN, LOCALE_DIR, [lang], fallback=True).gettext(message)
    return message % {"prog": "dlx", "version": version}


def translate_click() -> None:
    """click's own texts (Usage:, Options, its usage errors) in this run's language. click looks them up with
    ``gettext.gettext``, in the process's gettext domain and the language of ``$LANGUAGE``: the CLI sets both
    (to dlx's ``click`` catalogue) for its run; :func:`grader.cli.DlxGroup.main` restores ``$LANGUAGE``."""
    import gettext

    gettext.bindtextdomain(CLICK_DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(CLICK_DOMAIN)
    os.environ["LANGUAGE"] = _current()


HELP_OPTION_HELP = N_("Show this message and exit.")  # click's --help, created whenever click first needs it
# click's names of its types, in its usage errors ("'x' is not a valid integer range")
TYPE_NAMES = (N_("text"), N_("integer"), N_("integer range"), N_("float"), N_("float range"), N_("file"),
              N_("directory"), N_("path"))


def _type_name(kind: click.ParamType) -> str | None:
    """The English name click gives ``kind`` (a path's name is written in the language of its creation)."""
    import click

    if isinstance(kind, click.Path):
        return "directory" if kind.dir_okay and not kind.file_okay else "file" if kind.file_okay and not \
            kind.dir_okay else "path"
    return getattr(type(kind), "name", None)


def localise(command: click.Command, ctx: click.Context | None = None) -> None:
    """Show ``command``'s help (its docstring, its options' ``help=``, its ``--help`` when ``ctx`` is given,
    and its subcommands') in this run's language; the English originals are kept, so a later run may show
    them again."""
    import inspect

    import click

    help_option = command.get_help_option(ctx) if ctx is not None else None
    if help_option is not None:  # click wrote its help in the language of the moment it was created
        help_option.__dict__.setdefault("_dlx_english_help", HELP_OPTION_HELP)
    for item in (command, *command.params, *([help_option] if help_option else [])):
        english = item.__dict__.setdefault("_dlx_english_help", getattr(item, "help", None))
        if english:
            setattr(item, "help", _(inspect.cleandoc(english).partition("\f")[0]))
    for param in command.params:
        name = _type_name(param.type)
        if name in TYPE_NAMES:
            if isinstance(param, click.Option) and param.metavar is None:
                param.metavar = name.upper()  # a placeholder as in English: click's columns misalign Chinese ones
            param.type.name = _(name)  # "'x' is not a valid integer", in this run's language
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            localise(sub, ctx)


def translate_filled(text: str, templates: tuple[str, ...]) -> str:
    """``text``, an English template of ``templates`` filled in elsewhere (e.g. by the sandbox's worker), in this
    run's language with the same values; any other text unchanged."""
    if _current() == DEFAULT:
        return text
    import re

    for template in templates:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", re.escape(template))
        found = re.fullmatch(pattern, text, re.S)
        if found:  # a value may be a filled template itself ("it returned a list of 3 items")
            return _(template).format(**{k: translate_filled(v, templates) for k, v in found.groupdict().items()})
    return text
