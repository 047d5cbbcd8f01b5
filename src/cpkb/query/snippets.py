"""Snippets: the window of a field a search hit shows, and where the query's words are in it."""

from __future__ import annotations

import re
from itertools import islice

from cpkb.query.text import fold

SNIPPET_WIDTH = 100
SNIPPET_SCAN = 1 << 16  # characters of a field a snippet looks at
SNIPPET_SPANS = 256  # matches a snippet's window is chosen among

_PIECE = re.compile(r"\S+")


def snippet(
    text: str, words: set[str], *, width: int = SNIPPET_WIDTH
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A window of `text` around the first of `words` (folded), and the spans where they occur.

    Only the start of a huge field is looked at, and only its first matches: a snippet's work
    is bounded, however large the field or frequent the word."""
    cut = len(text) > SNIPPET_SCAN
    text = " ".join(text[:SNIPPET_SCAN].split())
    found = (m for m in _PIECE.finditer(text) if _has(m, words))
    spans = [_trim(text, m.start(), m.end()) for m in islice(found, SNIPPET_SPANS)]
    if len(text) <= width and not cut:
        return text, tuple(spans)
    start = _window(text, spans, width)
    end = min(len(text), start + width)
    if end < len(text) and (space := text.rfind(" ", start + width // 2, end)) != -1:
        end = space
    lead = "…" if start else ""
    shown = lead + text[start:end] + ("…" if end < len(text) or cut else "")
    shift = len(lead) - start
    kept = tuple((a + shift, b + shift) for a, b in spans if a >= start and b <= end)
    return shown, kept


def _window(text: str, spans: list[tuple[int, int]], width: int) -> int:
    """Where a `width`-long window showing the most matches starts, at a word boundary."""
    best, most = 0, -1
    for first, _ in spans:
        start = max(0, first - width // 4)
        if start and (space := text.find(" ", start, first)) != -1:
            start = space + 1
        shown = sum(1 for a, b in spans if a >= start and b <= start + width)
        if shown > most:
            best, most = start, shown
    return best


def _has(match: re.Match[str], words: set[str]) -> bool:
    return not words.isdisjoint(fold(match.group()).split())


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow a span to its letters and digits: '(Honest' -> 'Honest'."""
    while start < end and not fold(text[start]):
        start += 1
    while end > start and not fold(text[end - 1]):
        end -= 1
    return start, end
