"""W404: strings holding control or bidi characters, which every output shows escaped."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from cpkb.check.rules import Finding
from cpkb.kb.document import Path, walk
from cpkb.query.text import visible

CONTROL_BELOW = 0x2070  # `visible` escapes no character from here on (a test checks it)
_SHORT_ESCAPES = {"b": 0x08, "f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09}


def control_findings(document: object) -> Iterator[Finding]:
    """W404 for each string of the document that `visible` would change."""
    reported: set[Path] = set()
    for at, value in walk(document):
        if isinstance(value, str) and at not in reported and visible(value) != value:
            shown = sorted({visible(c) for c in value if visible(c) != c})
            message = f"holds control characters ({', '.join(shown[:5])}), shown escaped"
            reported.add(at)
            yield Finding("W404", at, message)


def may_hold_control_characters(raw: bytes) -> bool:
    """False if no string of this UTF-8 JSON text can hold a character that `visible` escapes.

    Such a character is written as itself (never C0: JSON forbids it) or as an escape; searching
    the bytes for both spares the walk over every string of a large file.
    """
    escapes, by_lead_byte = _control_patterns()
    if b"\\" in raw and escapes.search(raw):
        return True
    return any(lead in raw and pattern.search(raw) for lead, pattern in by_lead_byte)


@functools.lru_cache(maxsize=1)
def _control_patterns() -> tuple[re.Pattern[bytes], list[tuple[bytes, re.Pattern[bytes]]]]:
    codes = [c for c in range(CONTROL_BELOW) if visible(chr(c)) != chr(c)]
    groups: dict[int, list[str]] = {}  # escapes \uXXXX by their first three hex digits
    for c in codes:
        groups.setdefault(c >> 4, []).append(f"{c & 15:x}")
    hexes = "|".join(f"{g:03x}[{''.join(last)}]" for g, last in groups.items())
    short = "".join(k for k, c in _SHORT_ESCAPES.items() if c in codes)
    escapes = re.compile(rf"\\(?:[{short}]|u(?i:{hexes}))".encode())
    tails: dict[bytes, list[bytes]] = {}  # the UTF-8 of each character, by its first byte
    for c in codes:
        encoded = chr(c).encode()
        if c >= 0x20:
            tails.setdefault(encoded[:1], []).append(encoded[1:])
    by_lead_byte = [
        (lead, re.compile(re.escape(lead) + b"(?:" + b"|".join(map(re.escape, ends)) + b")"))
        for lead, ends in tails.items()
    ]
    return escapes, by_lead_byte
