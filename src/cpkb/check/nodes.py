"""Parts of a document of any shape: the rules read only what has the expected shape."""

from __future__ import annotations

from typing import Any

from cpkb.kb.document import Path

Item = tuple[Path, dict[str, Any]]
SPLIT = ("sources", "entities")  # the top-level arrays whose items are read one at a time


def items_of(node: object, key: str, base: Path = ()) -> list[Item]:
    """The objects of the array `node[key]`, with their paths."""
    items = node.get(key) if isinstance(node, dict) else None
    if not isinstance(items, list):
        return []
    return [((*base, key, i), item) for i, item in enumerate(items) if isinstance(item, dict)]


def string_of(node: dict[str, Any], key: str) -> str | None:
    """node[key] if it is a string."""
    value = node.get(key)
    return value if isinstance(value, str) else None
