"""The fonts of the pictures: DejaVu Sans, then a CJK family for Chinese labels.

matplotlib's own DejaVu Sans has no Chinese letters; matplotlib (3.6+) takes each glyph from the first family of
``font.family`` that has it, so a CJK family after DejaVu Sans draws the Chinese and leaves Latin letters, digits
and symbols as they were. Where no CJK family is installed, Chinese labels would be empty boxes: the pictures are
drawn in English instead, and :func:`missing_font_note` says which package gives Chinese labels.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from ..i18n import DEFAULT, _, language

BASE_FAMILY = "DejaVu Sans"  # matplotlib's own font: always there
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "AR PL UMing CN", "AR PL UKai CN", "Noto Sans CJK TC", "Noto Sans CJK JP",
                "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC")  # Simplified Chinese first
CJK_LANGUAGES = {"zh"}  # the languages whose labels need a CJK family
CJK_FILE_MARKS = ("cjk", "sourcehan", "wqy", "uming", "ukai", "notosanssc", "msyh", "simhei", "pingfang",
                  "heiti")  # in the names of their font files
FONT_PACKAGE = "fonts-noto-cjk"  # Debian's and Ubuntu's package of Noto Sans CJK


def cjk_family() -> str | None:
    """The first of :data:`CJK_FAMILIES` installed on this machine, or ``None``."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    if not installed.intersection(CJK_FAMILIES) and _add_new_cjk_files():
        installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in installed), None)


@cache
def _add_new_cjk_files() -> bool:
    """Add the CJK font files installed after matplotlib cached its list of fonts (once per process); whether any."""
    from matplotlib import font_manager

    known = {font.fname for font in font_manager.fontManager.ttflist}
    added = False
    for path in font_manager.findSystemFonts():
        if path not in known and any(mark in Path(path).name.lower() for mark in CJK_FILE_MARKS):
            try:
                font_manager.fontManager.addfont(path)
                added = True
            except (OSError, RuntimeError, ValueError):  # a file FreeType cannot read
                continue
    return added


def font_families() -> list[str]:
    """``font.family`` for the pictures: DejaVu Sans, then a CJK family when this run's language needs one and there
    is one (English pictures are drawn exactly as without it)."""
    family = cjk_family() if language() in CJK_LANGUAGES else None
    return [BASE_FAMILY] if family is None else [BASE_FAMILY, family]


def labels_language() -> str:
    """The language the pictures' labels are drawn in: this run's, or English when no font has its letters."""
    lang = language()
    return DEFAULT if lang in CJK_LANGUAGES and cjk_family() is None else lang


def missing_font_note() -> str:
    """One line for the student when this run's language is drawn in English for want of a font, else ''."""
    if labels_language() == language():
        return ""
    return _("The pictures' labels are in English: no Chinese font was found. For Chinese labels: apt install "
             "{package}").format(package=FONT_PACKAGE)
