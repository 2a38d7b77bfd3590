"""What a quiz keeps in the gradebook: the student's default seed and every attempt."""
from __future__ import annotations

import secrets
from typing import Any

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


def record_attempt(book: Gradebook, result: dict[str, Any]) -> int:
    """Store a graded attempt (kind "quiz", item = bank id); returns the attempt's id."""
    return book.record("quiz", result["bank"], result["score"], result["max_score"], result["seed"], result)
