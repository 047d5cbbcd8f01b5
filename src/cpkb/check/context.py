"""What a data file is held to: its schema version (and so its JSON Schema), its property
vocabulary and the texts its sources hold; and the key that a memo of item verdicts made under
them carries, so that a change to any of them is never served from a memo.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from typing import Any, NamedTuple

from cpkb.check.nodes import Item, items_of, string_of
from cpkb.check.quotes import normalise
from cpkb.check.schema import SchemaParts, schema_parts
from cpkb.model.fields import LATEST, TAKES, VERSIONS


class Held(NamedTuple):
    """A source's held text as the caller read it: the file named, and its text or why not."""

    file: str
    text: str | None = None
    problem: str | None = None


class Spec(NamedTuple):
    """What a declared property takes (None: not a kind cpkb knows), and its targets' types."""

    takes: str | None
    types: frozenset[str] | None


class Context(NamedTuple):
    """The rules a file is held to. `version` 0: a version cpkb does not read (the latest
    schema reports it; no version's rules apply)."""

    version: int
    vocabulary: Mapping[str, Spec]  # by name, the first declaration of each
    declared: tuple[Item, ...]  # the declarations, with their paths
    texts: Mapping[
        str, tuple[str, str]
    ]  # source id -> its held text's file, and the text normalised
    unread: Mapping[str, Held]  # source id -> its held text that could not be read
    key: bytes

    @property
    def schema(self) -> Mapping[str, Any]:
        return schema_for(self.version or LATEST)

    @property
    def parts(self) -> SchemaParts:
        """The schema in parts, with their validators (made once per process)."""
        return _parts(self.version or LATEST)


def version_of(top: object) -> int:
    """The schema version the top level declares, if cpkb reads it; else 0."""
    found = top.get("schema_version") if isinstance(top, dict) else None
    if isinstance(found, bool) or not isinstance(found, (int, float)) or found not in VERSIONS:
        return 0
    return int(found)


@functools.cache
def schema_for(version: int) -> Mapping[str, Any]:
    """The bundled JSON Schema of a version (read once per process)."""
    from cpkb.kb.paths import schema_path

    loaded: Mapping[str, Any] = json.loads(schema_path(version).read_text(encoding="utf-8"))
    return loaded


@functools.cache
def _parts(version: int) -> SchemaParts:
    return schema_parts(schema_for(version))


def context_of(top: object, held: Mapping[str, Held] | None = None) -> Context:
    """The context of a file whose top level is `top` (its arrays need not be read), with the
    held texts the caller read (see cpkb.check.held)."""
    version = version_of(top)
    if version < 2:
        return Context(version, {}, (), {}, {}, _key(version, {}, {}))
    declared = tuple(items_of(top, "properties"))
    vocabulary: dict[str, Spec] = {}
    for _, node in declared:
        name = string_of(node, "name")
        if name is not None and name not in vocabulary:
            vocabulary[name] = _spec(node)
    held = held or {}
    texts = {k: (h.file, normalise(h.text)) for k, h in held.items() if h.text is not None}
    unread = {k: h for k, h in held.items() if h.text is None}
    return Context(version, vocabulary, declared, texts, unread, _key(version, vocabulary, held))


def _spec(node: Mapping[str, Any]) -> Spec:
    takes = node.get("takes")
    types = node.get("types")
    return Spec(
        takes if takes in TAKES else None,
        frozenset(types) if isinstance(types, list) and all(isinstance(t, str) for t in types)
        else None,
    )  # fmt: skip


def _key(version: int, vocabulary: Mapping[str, Spec], held: Mapping[str, Held]) -> bytes:
    """What item verdicts depend on beyond the item's bytes: the version, what each property
    takes (not its label), and each held text (by a hash) or why it was not read."""
    specs = sorted(
        (name, spec.takes, sorted(spec.types or ()), spec.types is None)
        for name, spec in vocabulary.items()
    )
    texts = sorted(
        (k, h.file, h.problem, hashlib.sha256(h.text.encode("utf-8", "surrogatepass")).hexdigest()
         if h.text is not None else None)
        for k, h in held.items()
    )  # fmt: skip
    plain = json.dumps([version, specs, texts], ensure_ascii=True)
    return hashlib.sha256(plain.encode()).digest()[:16]
