"""Custom scalars."""

from __future__ import annotations

from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from app.values import INT64

BigInt = NewType("BigInt", int)


def _parse_big_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("BigInt takes a whole number or a string of digits")
    number = int(value)
    if number not in INT64:
        raise ValueError("BigInt takes a 64-bit signed whole number")
    return number


BIG_INT = strawberry.scalar(
    name="BigInt",
    description=(
        "A 64-bit signed whole number, sent as a string of decimal digits (for example "
        '"4294967296") because JavaScript numbers lose precision above 2^53. Accepted as '
        "input in either form."
    ),
    serialize=str,
    parse_value=_parse_big_int,
)

SCALAR_MAP: dict[object, ScalarDefinition] = {BigInt: BIG_INT}
