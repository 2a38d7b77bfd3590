"""What a quiz keeps in the gradebook: the student's default seed and every attempt."""
from __future__ import annotations

import secrets

from ..i18n import N_
from ..gradebook import Gradebook

SEED_KEY = "quiz_seed"
SEED_LIMIT = 1_000_000  # six digits: easy to read out and to pass back with --seed


def user_seed(book: Gradebook, renew: bool = False) -> int:
    """The student's quiz seed: drawn once and kept, so each bank shows the same variant until renewed."""
    stored = book.get_setting(SEED_KEY)
    if stored is not None and stored.isdigit() and not renew:
        return int(stored)
    seed = secrets.randbelow(SEED_LIMIT)
    book.set_setting(SEED_KEY, str(seed))
    return seed


REVEAL_KEY = "quiz_reveal"
REVEAL_POLICIES = {
    "answered": N_("after an attempt is recorded, the answers and explanations of the questions you answered"),
    "attempt": N_("after an attempt is recorded, every question's answer and explanation"),
    "never": N_("only whether each answer was right (a course may choose this until its deadline)"),
}
DEFAULT_REVEAL = "answered"  # a self-learner sees what they tried; an empty attempt reveals nothing


def reveal_policy(book: Gradebook) -> str:
    """When expected answers and explanations are shown: a setting, ``answered`` unless set otherwise."""
    stored = book.get_setting(REVEAL_KEY)
    return stored if stored in REVEAL_POLICIES else DEFAULT_REVEAL
