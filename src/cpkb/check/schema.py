"""The schema layer of `cpkb validate`: what the JSON Schema of the file's version
(data/cpkb.schema.json, data/cpkb-1.schema.json) says is wrong, as findings.

jsonschema is the authority: every error is its error, in its order. For speed, fast validators
(cpkb.check.fastcheck) clear the top level and each source and entity first, and jsonschema
reads only what they do not clear. Pure: no file access.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from cpkb.check.fastcheck import clears, fast_check
from cpkb.check.messages import Error, SchemaPath, translate
from cpkb.check.nodes import SPLIT
from cpkb.check.rules import Finding
from cpkb.kb.document import Path

# Top-level keywords that look into no item of an array (`properties` holds only what they do).
_TOP_KEYS = frozenset({"type", "required", "additionalProperties", "properties"}) | frozenset(
    {"title", "description", "$comment", "$schema", "$id"}
)
# Keywords that the array schemas may hold besides `items` for their items to be checked apart.
_SPLITTABLE = frozenset({"type", "items", "minItems", "maxItems", "description", "$comment"})

_Found = list[tuple[tuple[int, ...], Path, SchemaPath, Any]]  # errors, by where jsonschema is


def schema_findings(document: object, schema: Mapping[str, Any]) -> Iterator[Finding]:
    """What the JSON Schema says is wrong, each error translated to a rule and a plain message."""
    return translate(schema_parts(schema).errors(document))


def schema_parts(schema: Mapping[str, Any]) -> SchemaParts:
    """The parts of `schema`, with their validators: made once per process for each schema."""
    return _parts(json.dumps(schema))


@functools.lru_cache(maxsize=4)
def _parts(schema_json: str) -> SchemaParts:
    return SchemaParts(json.loads(schema_json))


class SchemaParts:
    """The schema in parts: the top level, and the items of each top-level array, each with a
    fast validator; the errors are still those of jsonschema over the whole document."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.whole = inline_refs(schema)
        properties = self.whole.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        self.items: dict[str, dict[str, Any]] = {  # the arrays read item by item (SPLIT)
            name: sub["items"]
            for name, sub in properties.items()
            if name in SPLIT
            and isinstance(sub, dict)
            and isinstance(sub.get("items"), dict)
            and sub.keys() <= _SPLITTABLE
        }
        self.top = dict(self.whole)
        if self.items:
            self.top["properties"] = {
                name: {k: v for k, v in sub.items() if k != "items"} if name in self.items else sub
                for name, sub in properties.items()
            }
        self.fast_top = fast_check(self.top)
        self.fast = {name: fast_check(part) for name, part in self.items.items()}
        self._validators: dict[str | None, Any] = {}

    def errors(self, document: object) -> Iterator[Error]:
        """jsonschema's errors over `document`, in its order, with their full paths."""
        found: _Found = []
        try:
            self._collect(document, found)
        except RecursionError:
            deep = True
        else:
            deep = False
        found.sort(key=lambda row: row[0])
        for _, path, schema_path, error in found:
            yield path, schema_path, error
        if deep:  # what was found before still counts
            raise RecursionError("nested too deeply")

    def _collect(self, document: object, found: _Found) -> None:
        if not self.top_passes(document):
            for error in self._validator(None, self.top).iter_errors(document):
                schema_path = tuple(error.absolute_schema_path)
                rank = (*self._rank(schema_path), -1, len(found))
                found.append((rank, tuple(error.absolute_path), schema_path, error))
        for name in self.items:
            values = document.get(name) if isinstance(document, dict) else None
            values = values if isinstance(values, list) else []
            passed = self.passes(name, values)
            for i, value in enumerate(values):
                if passed[i]:
                    continue
                for path, schema_path, error in self.item_errors(name, i, value):
                    rank = (*self.item_rank(name), i, len(found))
                    found.append((rank, path, schema_path, error))

    def by_item(self, names: Iterable[str]) -> bool:
        """Whether the arrays `names` can be checked item by item apart from the top level: each
        item and the top level have a fast validator, and the top level looks into no item."""
        fast = [self.fast_top, *(self.fast.get(name) for name in names)]
        return None not in fast and self.whole.keys() <= _TOP_KEYS

    def top_passes(self, document: object) -> bool:
        """Whether the fast validator clears the top level (its arrays' items aside)."""
        return clears(self.fast_top, document)

    def passes(self, name: str, values: Iterable[object]) -> list[bool]:
        """Whether the fast validator clears each item of the array `name`."""
        check = self.fast[name]
        return [clears(check, value) for value in values]

    def item_errors(self, name: str, i: int, value: object) -> Iterator[Error]:
        """jsonschema's errors over item `i` of the array `name`, with their full paths."""
        base = ("properties", name, "items")
        for error in self._validator(name, self.items[name]).iter_errors(value):
            yield (name, i, *error.absolute_path), (*base, *error.absolute_schema_path), error

    def item_rank(self, name: str) -> tuple[int, ...]:
        """Where jsonschema reaches the items of the array `name` (see `_rank`)."""
        return self._rank(("properties", name, "items"))

    def _rank(self, schema_path: SchemaPath) -> tuple[int, ...]:
        """Where jsonschema, which applies keywords in the order written, reaches `schema_path`."""
        ranks: list[int] = []
        node: Any = self.whole
        for key in schema_path[:3]:
            if not isinstance(node, dict) or key not in node:
                break
            ranks.append(list(node).index(key))
            node = node[key]
        return tuple(ranks)

    def _validator(self, name: str | None, part: dict[str, Any]) -> Any:
        if name not in self._validators:
            from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

            self._validators[name] = Draft202012Validator(part)
        return self._validators[name]


def inline_refs(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema with each `$ref` to `#/$defs/...` replaced by its target, which validates
    faster; the cpkb schema has no recursive references, so this ends and means the same."""
    defs = schema.get("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, list):
            return [inline(item) for item in node]
        if not isinstance(node, dict):
            return node
        here = {k: inline(v) for k, v in node.items() if k not in ("$ref", "$defs")}
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return {**inline(defs[ref.removeprefix("#/$defs/")]), **here}
        return here

    return dict(inline(schema))
