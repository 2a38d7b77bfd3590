"""`dlx list`'s text: every exercise with its unit, title, points and the student's best score.

Light on purpose (no click, rich, NumPy or pytest): :mod:`grader.launch` prints it for a bare `dlx list` before
click is imported, and the `list` command of :mod:`grader.cli` prints the same text.
"""
from __future__ import annotations

import json
import os
import sys

from .i18n import _


def exercise_list(as_json: bool = False) -> str:
    """The local catalogue with the best score of each exercise from the gradebook, as a table or as JSON."""
    from .catalog import catalog
    from .gradebook import Gradebook

    with Gradebook() as book:
        best = {s.item: s for s in book.standings("exercise")}
    exercises = list(catalog().values())
    if as_json:
        return json.dumps([
            {"id": e.id, "unit": e.unit, "title": e.title, "points": e.points, "requires": e.requires,
             "best": best[e.id].best if e.id in best else None}
            for e in exercises
        ], indent=2)
    from .plain import table

    rows = [(e.id, str(e.unit), e.title, f"{e.points:g}", f"{best[e.id].best:g}" if e.id in best else "-")
            for e in exercises]
    return "\n".join((table((_("id"), _("unit"), _("title"), _("points"), _("best")), rows, right=(1, 3, 4), fill=2),
                      _("Start with `dlx fetch <id>`, or `dlx watch` to follow the course in order.")))


def print_local_list() -> bool:
    """Print `dlx list` for a self-learner and say True; False (nothing printed) when logged in to a course or when
    anything goes wrong: the full command line then runs `dlx list` and says what is wrong, as for any command."""
    try:
        from .course_client import saved_login

        if saved_login() is not None:
            return False
        text = exercise_list()
    except Exception:  # noqa: BLE001 - said by the full command line, which runs next
        return False
    try:
        print(text, flush=True)
    except BrokenPipeError:  # `dlx list | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes at exit
    return True
