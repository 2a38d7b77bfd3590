"""Click parameter types shared by the commands (light: click only)."""
from __future__ import annotations

import click

MAX_SEED = 2**63 - 1  # the gradebook stores seeds as SQLite integers
SEED = click.IntRange(0, MAX_SEED)
