"""Entities turned into index rows, as a build or a refresh writes them."""

from __future__ import annotations

import hashlib
import json
import marshal
import sqlite3
from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any, NamedTuple

from cpkb.index import schema
from cpkb.index.schema import EdgeRow, EntityRow, LabelRow, LinkRow, StatementRow
from cpkb.kb.document import ParseProblem
from cpkb.kb.parse import by_id, check_schema_version, parse_property, parse_source
from cpkb.model.entities import Entity, Property, Source, cited_texts
from cpkb.query import text
from cpkb.query.current import current_spans
from cpkb.query.text import WordMemo, compact, fold, skeleton_text

Tables = tuple[Any, list[Any], list[Any], list[Any]]  # as store.read_all gives them
FORMER = "^"  # label keys of former ids (they resolve a reference, but search never finds them)


class Unusual(Exception):
    """The fast path met something it does not handle: build the careful way instead."""


class Filled(NamedTuple):
    """What is derived from every entity: written to the meta table once all rows are in."""

    schema_version: int
    relations: set[str]  # the properties of relations
    characters: set[str]  # in the entities' text


class Header(NamedTuple):
    """What a data file holds besides its entities."""

    version: int
    sources: dict[str, Source]
    properties: dict[str, Property]


def header_of(tables: Tables) -> Header:
    """The schema version, the sources and the vocabulary; Unusual if one has a problem."""
    version, property_docs, source_docs, _ = tables
    try:
        schema_version = check_schema_version(version)
        parsed = [
            parse_source(doc, f"$.sources[{i}]", schema_version)
            for i, doc in enumerate(source_docs)
        ]
        vocabulary = [
            parse_property(doc, f"$.properties[{i}]") for i, doc in enumerate(property_docs)
        ]
        return Header(schema_version, by_id(parsed, "source"), by_id(vocabulary, "property"))
    except ParseProblem:
        raise Unusual from None


def source_rows(sources: dict[str, Source]) -> list[tuple[str, str]]:
    return [(s.id, source_doc(s)) for s in sources.values()]


def property_rows(properties: dict[str, Property]) -> list[tuple[str, str]]:
    """A property's fields after its name, in order (the reader makes a `Property` of them)."""
    return [(p.name, json.dumps(p[1:], ensure_ascii=False)) for p in properties.values()]


def source_doc(source: Source) -> str:
    """A source's fields after its id, in order (the reader makes a `Source` of them)."""
    return json.dumps(source[1:], ensure_ascii=False)


def finish(db: sqlite3.Connection, meta: dict[str, str], filled: Filled) -> None:
    """Write the vocabulary and the meta table: `meta` and what `filled` derives."""
    schema.write_derived(
        db,
        meta
        | {
            "schema_version": str(filled.schema_version),
            "relations": "\n".join(sorted(filled.relations)),
            "transliterations": json.dumps(text.transliterations(sorted(filled.characters))),
        },
    )


def stored(document: Any) -> bytes:
    """An entity's document as the index keeps it: marshal version 2, which writes equal values as
    equal bytes, so that a digest tells whether the document changed."""
    return marshal.dumps(document, 2)


def digest(blob: bytes) -> bytes:
    """What a stored document is compared by when the index is refreshed."""
    return hashlib.blake2b(blob, digest_size=16).digest()


def _body(entity: Entity) -> str:
    """The text an entity is found by besides its labels: summary, values and quotes."""
    texts = [entity.summary]
    for claim in entity.claims:
        if isinstance(claim.value, (str, int, float)) and not isinstance(claim.value, bool):
            texts.append(str(claim.value))
    texts += (text for _, text in cited_texts(entity))
    return " ".join(texts)


class NotingMemo(WordMemo):
    """A WordMemo that notes the non-ASCII characters of the words it computes, for the index's
    table of transliterations."""

    def __init__(self, per_word: Callable[[str], str]) -> None:
        super().__init__(per_word)
        self.characters: set[str] = set()

    def __missing__(self, word: str) -> str:
        if not word.isascii():
            self.characters.update(word)
        return super().__missing__(word)

    def noted(self) -> set[str]:
        """The characters noted since the last call."""
        characters, self.characters = self.characters, set()
        return characters


def label_keys(folded: list[list[str]]) -> list[list[str]]:
    """The keys each entity's labels are found by: without spaces (as references are resolved); with
    a repeated word once, after "=", and its skeleton, after "~" (as a query that is a label)."""
    compact = [{label.replace(" ", "") for label in labels} - {""} for labels in folded]
    once = [
        sorted({"".join(dict.fromkeys(label.split())) for label in labels} - {""})
        for labels in folded
    ]
    # `skeleton_text` never crosses a line break: one pass for every key.
    loose = iter(skeleton_text("\n".join(chain.from_iterable(once))).split("\n"))
    keys = []
    for plain, whole in zip(compact, once, strict=True):
        skeletons = {"~" + next(loose) for _ in whole}
        keys.append(sorted(plain | {"=" + key for key in whole if key not in plain} | skeletons))
    return keys


def memos() -> tuple[NotingMemo, NotingMemo]:
    """The memos `Rows` folds with: labels by `fold`, the rest by `text.loose`."""
    return NotingMemo(fold), NotingMemo(text.loose)


class Rows:
    """The rows of a run of entities (entity, label, link, edge and statement rows), the sources
    they cite, the relations they use and the non-ASCII characters of their text. An edge is a
    link with a span of days on which it is current (`properties` decide which, with the rest
    of its entity's claims)."""

    def __init__(
        self,
        rowids: Sequence[int],
        documents: Sequence[Any],
        entities: Sequence[Entity],
        memo: tuple[NotingMemo, NotingMemo],
        properties: dict[str, Property],
    ) -> None:
        folds, loose = memo
        self.properties = properties
        self.ids = [entity.id for entity in entities]
        self.entities: list[EntityRow] = []
        self.labels: list[LabelRow] = []
        self.links: list[LinkRow] = []
        self.edges: list[EdgeRow] = []
        self.statements: list[StatementRow] = []
        self.cited: set[str] = set()
        self.relations: set[str] = set()
        # Ids are unique: memoising their folds would only fill the memo.
        folded = [[*map(folds, (e.name, *e.aliases)), fold(e.id)] for e in entities]
        # Skeletons of all labels at once: `skeleton_text` never crosses a line break, and one
        # pass over a run's text costs far less than one call per label.
        words = skeleton_text("\n".join(" ".join(filter(None, f)) for f in folded)).split("\n")
        words = words if entities else []
        keys = label_keys(folded)
        for rowid, document, entity, labels, label_words, keyed in zip(
            rowids, documents, entities, folded, words, keys, strict=True
        ):
            blob = stored(document)
            self.entities.append((rowid, entity.id, entity.type, entity.name,
                                  marshal.dumps(entity.aliases), blob, marshal.dumps(labels),
                                  digest(blob), label_words, loose(_body(entity))))  # fmt: skip
            formerly = [FORMER + key for key in dict.fromkeys(map(compact, entity.former_ids))]
            self._add_labels(rowid * schema.PER_ENTITY, entity, keyed + formerly)
            self._add_links(rowid * schema.PER_ENTITY, entity)
            self._add_statements(rowid * schema.PER_ENTITY, entity)
            self.cited.update(c.source for c in entity.sources)
            self.cited.update(c.source for k in entity.claims for c in k.sources)
        self.characters = folds.noted() | loose.noted()

    def _add_labels(self, first: int, entity: Entity, keys: list[str]) -> None:
        if len(keys) >= schema.PER_ENTITY:
            raise Unusual  # rows beyond this entity's numbers: no index for such a file
        self.labels += ((first + n, key, entity.id) for n, key in enumerate(keys))

    def _add_links(self, first: int, entity: Entity) -> None:
        targets = [claim for claim in entity.claims if claim.target is not None]
        if len(targets) >= schema.PER_ENTITY:
            raise Unusual
        for n, claim in enumerate(targets):
            assert claim.target is not None
            self.links.append((first + n, claim.target, entity.id, claim.property))
            self.relations.add(claim.property)
        if targets:
            self._add_edges(first, entity)

    def _add_edges(self, first: int, entity: Entity) -> None:
        spans = current_spans(entity, self.properties)
        edges = [
            (claim.target, since, until)
            for claim, held in zip(entity.claims, spans, strict=True)
            if claim.target is not None
            for since, until in held
        ]
        if len(edges) >= schema.PER_ENTITY:
            raise Unusual
        self.edges += ((first + n, t, entity.id, a, b) for n, (t, a, b) in enumerate(edges))

    def _add_statements(self, first: int, entity: Entity) -> None:
        staters = [claim.stated_by for claim in entity.claims if claim.stated_by is not None]
        self.statements += ((first + n, who, entity.id) for n, who in enumerate(staters))

    def insert(self, db: sqlite3.Connection) -> None:
        schema.insert_entities(db, self.entities, self.labels, self.links)
        schema.insert_time(db, self.edges, self.statements)
