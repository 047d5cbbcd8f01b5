"""JSON as cpkb writes it for scripts: one function, so every command's JSON reads alike."""

from __future__ import annotations

import json
import re

# Characters JSON may carry raw but a terminal could act on (DEL, C1 controls, bidi controls,
# line separators): they can only occur inside JSON strings, where a \uXXXX escape means the same.
JSON_ESCAPES = {
    code: f"\\u{code:04x}"
    for code in (
        *range(0x7F, 0xA0),
        0x61C,
        0x200E,
        0x200F,
        *range(0x2028, 0x202F),
        *range(0x2066, 0x206A),
    )
}

# Searching for them first is much faster than `str.translate` on text that holds none, the usual
# case.
_TERMINAL_CONTROLS = re.compile("[" + "".join(map(chr, JSON_ESCAPES)) + "]")


def _escape(match: re.Match[str]) -> str:
    return JSON_ESCAPES[ord(match.group())]


def dumps(data: object) -> str:
    """UTF-8 JSON with a 2-space indent and key order kept; characters a terminal could act on
    are escaped, which JSON readers decode to the same text."""
    return escaped(json.dumps(data, ensure_ascii=False, indent=2))


def escaped(text: str) -> str:
    """JSON text with the characters a terminal could act on written as escapes."""
    return _TERMINAL_CONTROLS.sub(_escape, text)
