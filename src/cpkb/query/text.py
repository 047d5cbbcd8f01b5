"""Text folding for search and reference resolution, and making data safe to show."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import cache, lru_cache

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _transliterate(match: re.Match[str]) -> str:
    """anyascii for a run of non-ASCII characters (calling it on whole texts is much slower)."""
    return _ascii_run(match.group())


@lru_cache(maxsize=65536)
def _ascii_run(run: str) -> str:
    known = _KNOWN
    if all(map(known.__contains__, run)):  # anyascii maps character by character
        return "".join(map(known.__getitem__, run))
    from anyascii import anyascii  # imported on first use: it costs start-up time

    return anyascii(run)


# anyascii's answers for single characters, taught by an index: it keeps them for every
# character of its data file, so a query in the file's scripts needs no anyascii (slow to load).
_KNOWN: dict[str, str] = {}


def transliterations(chars: Iterable[str]) -> dict[str, str]:
    """anyascii's answer for each non-ASCII character of `chars`."""
    from anyascii import anyascii

    return {char: anyascii(char) for char in chars if not char.isascii()}


def learn_transliterations(table: Mapping[str, str]) -> None:
    """Remember `transliterations(...)` computed earlier (only what anyascii gives: fold's answers
    must not depend on what was learned)."""
    _KNOWN.update(table)


# What anyascii gives for common punctuation (tests check each against anyascii): a text whose
# only non-ASCII characters are these is folded without loading anyascii's tables.
PUNCTUATION = {
    "\u00a0": " ", "\u00ab": "<<", "\u00b7": "-", "\u00bb": ">>", "\u2010": "-",
    "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2018": "'",
    "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2022": "*", "\u2026": "...",
    "\u2116": "No",
}  # fmt: skip
_PUNCTUATION = str.maketrans(PUNCTUATION)


def fold(text: str) -> str:
    """Lowercase ASCII words joined by single spaces, whatever the script, accents, punctuation.

    'Қазақстан балалары' -> 'qazaqstan balalary'; 'Adal-Azamat' -> 'adal azamat';
    'Women’s' -> 'womens' (apostrophes join, they do not split).
    """
    if not text.isascii():
        plain = text.translate(_PUNCTUATION)
        if plain.isascii():  # nothing else was non-ASCII: no letter, no combining mark
            text = plain
        else:
            text = _NON_ASCII.sub(_transliterate, unicodedata.normalize("NFC", text))
    ascii_text = text.casefold().replace("'", "")
    return _NON_ALNUM.sub(" ", ascii_text).strip()


class WordMemo(dict[str, str]):
    """A text function applied word by word, each distinct word computed once.

    Big texts repeat a few thousand words: a 100,000-entity file has millions of words but tens
    of thousands of distinct ones, so this is many times faster than running `fold`'s regexes
    over the text. Exact for `fold` and for `skeleton_text(fold(...))`, since they never join
    across white space, with one exception handled here: U+0085, which `str.split` splits on but
    `fold` deletes (tests/kb/test_fast_paths.py checks every other white-space character).
    """

    def __init__(self, per_word: Callable[[str], str]) -> None:
        super().__init__()
        self.per_word = per_word

    def __missing__(self, word: str) -> str:
        value = self[word] = self.per_word(word)
        return value

    def __call__(self, text: str) -> str:
        if "\x85" in text:
            return self.per_word(text)
        return " ".join(filter(None, map(self.__getitem__, text.split())))


def loose(text: str) -> str:
    """The loose words of a text, as the full-text index holds them: skeletons of its folds."""
    return skeleton_text(fold(text))


def compact(text: str) -> str:
    """`fold` without the spaces: 'adal-azamat', 'Adal Azamat' and 'AdalAzamat' are one key."""
    return fold(text).replace(" ", "")


def names_exactly(ref: str, labels: Iterable[str]) -> bool:
    """Whether `ref` is one of `labels` but for case, accents, punctuation and script: what a
    write accepts as a reference (no prefixes, no typos)."""
    key = compact(ref)
    keys = [compact(label) for label in labels]
    return key in keys or skeleton(key) in {skeleton(k) for k in keys}


# Bidi controls, and the line and paragraph separators (U+2028, U+2029).
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x2028, 0x202F), *range(0x2066, 0x206A)}
_VISIBLE = {
    code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    for code in (*range(0x00, 0x20), *range(0x7F, 0xA0), *_BIDI)
}


def visible(text: str) -> str:
    """Show control characters (C0, C1, DEL, bidi) as escapes, so data cannot drive a terminal.

    Newlines and tabs are escaped too: every data string is shown on the line it belongs to.
    """
    return text.translate(_VISIBLE)


_H_AFTER_CONSONANT = re.compile(r"(?<=[bcdfgjklmnpqrstvwxz])h")
_REPEATED_LETTER = re.compile(r"([a-z])(?=\1)")  # each letter that the same letter follows
_LOOSE_LETTERS = str.maketrans({"q": "k", "y": "i", "w": "v"})


@cache
def skeleton(key: str) -> str:
    """A looser key that merges transliteration variants: 'qazaqstan', 'kazakhstan' -> 'kazakstan'.

    Drops an h after a consonant (kh/gh/zh/sh), reads ng as n, q as k, y as i, w as v, and
    collapses doubled letters, so Kazakh and Russian romanisations of one word meet.
    """
    return skeleton_text(key)


def skeleton_text(text: str) -> str:
    """`skeleton` of each word of a folded text, in one pass: the rules never cross a non-letter,
    so `skeleton_text('a b\nc') == 'a b\nc'` word for word."""
    loose = _H_AFTER_CONSONANT.sub("", text).replace("ng", "n").translate(_LOOSE_LETTERS)
    return _REPEATED_LETTER.sub("", loose)
