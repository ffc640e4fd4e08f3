"""The demo data in seeds/, read straight from its CSV files, as the reference model takes it."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).parents[1] / "seeds"


def demo_token() -> str:
    """The documented demo token: the first of api_tokens.csv."""
    with (SEEDS / "api_tokens.csv").open(newline="") as file:
        return next(csv.DictReader(file))["token"]


def demo_audience(campaign_id: int) -> list[dict[str, Any]]:
    """A campaign's demo audience rows, typed, empty cells None."""
    with (SEEDS / "audience.csv").open(newline="") as file:
        rows = [row for row in csv.DictReader(file) if int(row["campaign_id"]) == campaign_id]
    typed = []
    for row in rows:
        values: dict[str, Any] = {key: value or None for key, value in row.items()}
        for column in ("id", "campaign_id", "status", "attempt", "duration"):
            values[column] = int(row[column])
        typed.append(values)
    return typed
