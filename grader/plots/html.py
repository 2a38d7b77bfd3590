"""The report a student opens in a browser: one self-contained HTML file, the PNGs embedded."""
from __future__ import annotations

import base64
from html import escape

from ..i18n import _
from .figure import Figure

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
.caption { color: #555; font-size: 0.9rem; } .note { color: #a33; font-size: 0.9rem; }
.skipped { background: #fbeeee; padding: 0.5rem 0.8rem; border-radius: 4px; }
img { max-width: 100%; border: 1px solid #ddd; }
.legend { font-size: 0.9rem; }
"""


def render_html(title: str, intro: str, figures: list[Figure], lang: str = "en") -> str:
    """The whole page as a string, in ``lang``; every text is escaped (it may quote the student's code)."""
    parts = [f"<!doctype html><html lang='{escape(lang, quote=True)}'><head><meta charset='utf-8'>",
             f"<title>{escape(title)}</title>",
             f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>",
             f"<p class='legend'>{escape(intro)}</p>"]
    for figure in figures:
        parts.append(f"<h2>{escape(figure.title)}</h2>")
        if figure.png is None:
            why = figure.note or _("no data")
            parts.append("<p class='skipped'>" + escape(_("Not drawn: {reason}").format(reason=why)) + "</p>")
            continue
        data = base64.b64encode(figure.png).decode("ascii")
        parts.append(f"<img alt='{escape(figure.title, quote=True)}' src='data:image/png;base64,{data}'>")
        if figure.caption:
            parts.append(f"<p class='caption'>{escape(figure.caption)}</p>")
        for note in figure.notes:
            parts.append(f"<p class='note'>{escape(note)}</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
