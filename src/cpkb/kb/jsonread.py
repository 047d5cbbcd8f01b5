"""The careful JSON reader of `cpkb validate`: the standard library's, noting what it reads that
other readers would read differently (repeated keys; NaN, Infinity and numbers beyond a double).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Notes:
    """What the reader noted: each object with a repeated key (and the key); odd numbers."""

    duplicates: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    odd_numbers: bool = False  # NaN, Infinity, or a number too long for a double was read

    def clear(self) -> None:
        self.duplicates.clear()
        self.odd_numbers = False


class Hooks:
    """What the JSON reader calls back: noting repeated keys and odd numbers in `notes`."""

    def __init__(self, notes: Notes) -> None:
        self.notes = notes

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            keys = [k for k, _ in pairs]
            self.notes.duplicates.extend((obj, k) for k in obj if keys.count(k) > 1)
        return obj

    def integer(self, digits: str) -> int | float:
        if len(digits) > 300:  # past 309 digits, beyond a double
            self.notes.odd_numbers = True
        # Python refuses to read integers of over 4300 digits; past 309 they are out of range.
        return int(digits) if len(digits) <= 400 else math.inf

    def real(self, digits: str) -> float:
        number = float(digits)
        if math.isinf(number):
            self.notes.odd_numbers = True
        return number

    def constant(self, name: str) -> float:
        self.notes.odd_numbers = True
        return float(name)  # NaN, Infinity, -Infinity

    def decoder(self) -> json.JSONDecoder:
        return json.JSONDecoder(
            object_pairs_hook=self.pairs,
            parse_int=self.integer,
            parse_float=self.real,
            parse_constant=self.constant,
        )

    def loads(self, text: str) -> Any:
        """json.loads with these hooks (its errors unchanged)."""
        return json.loads(
            text,
            object_pairs_hook=self.pairs,
            parse_int=self.integer,
            parse_float=self.real,
            parse_constant=self.constant,
        )
