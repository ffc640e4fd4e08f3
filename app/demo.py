"""The demo data set shipped with the app, and the demo token the README documents."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

# Inside an installed wheel the demo data sits in the package; in a checkout, beside it.
_PACKAGED_SEEDS = Path(__file__).parent / "seeds"
SEEDS = _PACKAGED_SEEDS if _PACKAGED_SEEDS.is_dir() else Path(__file__).parents[1] / "seeds"


@cache
def demo_token() -> str | None:
    """The first token of the demo data, or None when the data set has none."""
    try:
        with (SEEDS / "api_tokens.csv").open(newline="", encoding="utf-8") as file:
            row = next(csv.DictReader(file), None)
    except FileNotFoundError:
        return None
    token = (row or {}).get("token") or ""
    return token.strip() or None
