"""The demo data set shipped with the app, and the demo token the README documents."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

# Inside an installed wheel the demo data sits in the package; in a checkout, beside it.
_PACKAGED_SEEDS = Path(__file__).parent / "seeds"
SEEDS = _PACKAGED_SEEDS if _PACKAGED_SEEDS.is_dir() else Path(__file__).parents[1] / "seeds"


@cache
def demo_tokens() -> tuple[str, ...]:
    """The tokens of the demo data, in file order; public, since the README prints them."""
    try:
        with (SEEDS / "api_tokens.csv").open(newline="", encoding="utf-8") as file:
            tokens = [(row.get("token") or "").strip() for row in csv.DictReader(file)]
    except FileNotFoundError:
        return ()
    return tuple(token for token in tokens if token)


def demo_token() -> str | None:
    """The first token of the demo data, or None when the data set has none."""
    tokens = demo_tokens()
    return tokens[0] if tokens else None
