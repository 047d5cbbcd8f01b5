"""Integrity rules and warnings over a parsed data file, however broken: pure, no I/O.

Each check looks only at the parts of the document that have the expected shape; the schema layer
reports the rest. Two steps, so that the first can be remembered between runs and done by worker
processes: `summarise` reads one source or entity alone and keeps what the rules need of it (its
id, what it cites and targets, its labels, and the findings that depend on nothing else); then
`assemble` applies the rules that compare items (duplicates, references, shared labels).
"""

from __future__ import annotations

import bisect
import calendar
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain, compress, count
from typing import Any, NamedTuple, cast

from cpkb.check.rules import Finding
from cpkb.kb.document import Path, brief, json_path, walk
from cpkb.model.fields import CLAIM_DATES
from cpkb.query.text import WordMemo, fold, visible

Item = tuple[Path, dict[str, Any]]
Local = tuple[str, Path, str]  # a finding (code, path, message), its path relative to its item


class Summary(NamedTuple):
    """What the integrity rules need of one source or entity, read from it alone.

    Plain tuples of strings and numbers, with paths relative to the item: the same for the same
    item wherever it stands, so it can be remembered between runs (cpkb.itemcache) and sent
    between processes.
    """

    id: str | None
    cites: tuple[str, ...]  # every source it cites, once each
    targets: tuple[str, ...]  # every entity its claims target, once each
    checks: tuple[Local, ...]  # what _EntityChecks reports when every reference resolves
    dates: tuple[Local, ...]
    keys: str  # the compact keys of the labels that may name another entity, space-separated
    places: tuple[int, ...]  # where each of those labels is: -1 the name, else an alias index
    again: tuple[Local, ...]  # W402: the aliases that are the name again


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


def integrity_findings(document: object, *, strings: bool = True) -> list[Finding]:
    """Duplicates, references, citations, statistics, dates, and the warnings.

    With `strings=False`, strings are not searched for control characters: for a caller that
    knows there are none (see `may_hold_control_characters`).
    """
    sources, entities = _array(document, "sources"), _array(document, "entities")
    findings = assemble(
        Columns.of([summarise(source, entity=False) for source in sources]),
        Columns.of([summarise(entity, entity=True) for entity in entities]),
        entity=entities.__getitem__,
    )
    if strings:
        findings += _control_characters(document)
    return findings


def _array(document: object, key: str) -> list[Any]:
    items = document.get(key) if isinstance(document, dict) else None
    return items if isinstance(items, list) else []


Row = tuple[Any, ...]  # a Summary, or a plain tuple laid out as one (as the memo keeps them)
_ID, _CITES, _TARGETS, _CHECKS, _DATES, _KEYS, _PLACES, _AGAIN = range(8)  # its fields


@dataclass
class Columns:
    """The summaries of the items of an array, field by field (a list per field of Summary);
    `absent`: the items that are not objects, and have none (their fields are ignored).

    `repeated`, if known: the label keys that may be in more than one label, a superset of
    those that are (say, from a memo); `assemble` sets it to exactly those that are.
    """

    fields: list[list[Any]]
    absent: set[int] = field(default_factory=set)
    repeated: set[str] | None = None

    @classmethod
    def of(cls, summaries: Sequence[Row | None]) -> Columns:
        absent = {i for i, row in enumerate(summaries) if row is None}
        rows = [_NO_ROW if row is None else row for row in summaries]
        return cls(
            [list(column) for column in zip(*rows, strict=True)] if rows else _no_fields(), absent
        )


_NO_ROW: Row = (None,) * len(Summary._fields)


def _no_fields() -> list[list[Any]]:
    return [[] for _ in Summary._fields]


class _Rows:
    """The summaries of the objects of an array, field by field, and the index of each in the
    array."""

    def __init__(self, name: str, columns: Columns) -> None:
        self.name = name
        self.fields = columns.fields
        self.index: Sequence[int] = range(len(self.fields[_ID]))
        if columns.absent:  # not objects: the rules skip them
            self.index = [i for i in self.index if i not in columns.absent]
            self.fields = [list(map(values.__getitem__, self.index)) for values in self.fields]

    def __len__(self) -> int:
        return len(self.index)

    def at(self, k: int) -> Path:
        return self.name, self.index[k]

    def row(self, k: int) -> Row:
        return tuple(values[k] for values in self.fields)

    def column(self, field: int) -> Iterator[Any]:
        return iter(self.fields[field])

    def having(self, field: int) -> Iterator[int]:
        """The rows whose `field` is not empty."""
        return compress(range(len(self.index)), self.fields[field])


def assemble(
    sources: Columns,
    entities: Columns,
    *,
    entity: Callable[[int], dict[str, Any]],
    labels: Callable[[int], dict[str, Any]] | None = None,
) -> list[Finding]:
    """The findings of an array of sources and one of entities, from their summaries, in the
    order reported.

    `entity(i)` gives entity `i` again: read only for the rare entity that cites an unknown
    source or targets an unknown entity, whose findings are then worked out in full. `labels(i)`
    (by default `entity(i)`) gives it for its string name and aliases only: read for the entities
    with a shared label, to quote it. Written for speed, with the loops over every item in C: a
    large file has a hundred thousand.
    """
    source_rows, entity_rows = _Rows("sources", sources), _Rows("entities", entities)
    findings: list[Finding] = []
    source_ids = _ids(source_rows, "source", findings)
    entity_ids = _ids(entity_rows, "entity", findings)
    cited: set[str] = set().union(*entity_rows.column(_CITES))
    targets = chain.from_iterable(entity_rows.column(_TARGETS))
    unknown = not source_ids.issuperset(cited) or not entity_ids.issuperset(targets)
    checks = _EntityChecks(source_ids, entity_ids)
    for k in range(len(entity_rows)) if unknown else entity_rows.having(_CHECKS):
        row, at = entity_rows.row(k), entity_rows.at(k)
        if source_ids.issuperset(row[_CITES]) and entity_ids.issuperset(row[_TARGETS]):
            findings += _rebase(at, row[_CHECKS])
        else:
            findings += checks.check(at, entity(entity_rows.index[k]))
    findings += _uncited(source_rows, cited)
    findings += _labels(entity_rows, labels or entity, entities)
    for rows in (source_rows, entity_rows):
        for k in rows.having(_DATES):
            findings += _rebase(rows.at(k), rows.fields[_DATES][k])
    return findings


def _rebase(at: Path, local: Iterable[Local]) -> list[Finding]:
    return [Finding(code, (*at, *path), message) for code, path, message in local]


def _ids(items: _Rows, kind: str, findings: list[Finding]) -> set[str]:
    """The set of ids; a finding for each repeated one."""
    ids: list[str | None] = list(items.column(_ID))
    present = set(ids)
    present.discard(None)
    known = cast(set[str], present)
    if len(known) == len(ids) - ids.count(None):  # no id repeated
        return known
    first: dict[str, Path] = {}
    for k, item_id in enumerate(ids):
        if item_id is not None and item_id in first:
            message = f"duplicate {kind} id {brief(item_id)} (first at {json_path(first[item_id])})"
            findings.append(Finding("E201", (*items.at(k), "id"), message))
        elif item_id is not None:
            first[item_id] = items.at(k)
    return set(first)


_FOLD = WordMemo(fold)  # labels repeat their words: each distinct word is folded once


def summarise(item: object, *, entity: bool) -> Summary | None:
    """What the rules need of one source (`entity=False`) or entity; None if not an object."""
    if not isinstance(item, dict):
        return None
    return _entity_summary(item) if entity else _source_summary(item)


def _source_summary(source: dict[str, Any]) -> Summary:
    dates = _local(_dates((), source))
    return Summary(string_of(source, "id"), (), (), (), dates, "", (), ())


def _entity_summary(entity: dict[str, Any]) -> Summary:
    checks = _EntityChecks(None, None)
    found = checks.check((), entity)
    keys, places, again = _label_keys(entity)
    return Summary(
        string_of(entity, "id"),
        tuple(checks.cited),
        tuple(checks.targets),
        _local(found),
        _local(checks.dates),
        keys,
        places,
        again,
    )


def _local(findings: Iterable[Finding]) -> tuple[Local, ...]:
    return tuple((f.code, f.path, f.message) for f in findings)


class _EntityChecks:
    """References, repeated citations and statistics of an entity, in the order reported.

    On the way, the sources cited and entities targeted (each once, in order), and the date
    findings of the claims. Ids None: every reference resolves (see `summarise`).
    """

    def __init__(self, source_ids: set[str] | None, entity_ids: set[str] | None) -> None:
        self.source_ids, self.entity_ids = source_ids, entity_ids
        self.cited: dict[str, None] = {}
        self.targets: dict[str, None] = {}
        self.dates: list[Finding] = []

    def check(self, at: Path, entity: dict[str, Any]) -> list[Finding]:
        cites: list[Finding] = []  # every unknown source comes first, then claim by claim
        later: list[Finding] = []
        self._cited(at, entity.get("sources"), cites)
        own_id, entity_ids, dates = entity.get("id"), self.entity_ids, self.dates
        values: list[Item] | None = [] if entity.get("type") == "statistic" else None
        claims = entity.get("claims")
        for j, claim in enumerate(claims if isinstance(claims, list) else ()):
            if not isinstance(claim, dict):
                continue
            claim_at = (*at, "claims", j)
            cited = claim.get("sources")
            self._cited(claim_at, cited, cites)
            target = claim.get("target")
            if isinstance(target, str):
                self.targets[target] = None
            if isinstance(target, str) and entity_ids is not None and target not in entity_ids:
                message = f"targets unknown entity {brief(target)}"
                later.append(Finding("E203", (*claim_at, "target"), message))
            elif isinstance(target, str) and target == own_id:
                message = "the claim targets its own entity"
                later.append(Finding("E204", (*claim_at, "target"), message))
            if isinstance(cited, list) and len(cited) > 1:
                later += _repeated_citations(claim_at, cited)
            if values is not None and claim.get("property") == "value":
                values.append((claim_at, claim))
            if "date" in claim or "start" in claim or "end" in claim:
                dates += _dates(claim_at, claim)
        if values is not None:
            later += _statistic(at, values)
        return cites + later

    def _cited(self, at: Path, cited: object, findings: list[Finding]) -> None:
        if not isinstance(cited, list):
            return
        known, seen = self.source_ids, self.cited
        for k, citation in enumerate(cited):
            source = citation.get("source") if isinstance(citation, dict) else None
            if isinstance(source, str):
                seen[source] = None
                if known is not None and source not in known:
                    message = f"cites unknown source {brief(source)}"
                    findings.append(Finding("E202", (*at, "sources", k, "source"), message))


def _repeated_citations(at: Path, cited: list[Any]) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()
    for k, citation in enumerate(cited):
        if not isinstance(citation, dict):
            continue
        key = (string_of(citation, "source") or "", string_of(citation, "quote") or "")
        if key in seen and all(key):
            message = f"cites {brief(key[0])} with the same quote twice"
            yield Finding("W407", (*at, "sources", k), message)
        seen.add(key)


def _statistic(at: Path, values: list[Item]) -> Iterator[Finding]:
    """The rules of a statistic, given its claims of property 'value'."""
    if not values:
        yield Finding("E205", (*at, "claims"), "the statistic has no 'value' claim")
    for claim_at, claim in values:
        if "unit" not in claim and "target" not in claim:
            yield Finding("E206", claim_at, "the statistic's value has no 'unit'")
        number = claim.get("value")
        if isinstance(number, (str, bool)):  # other non-numbers are the schema's to report
            yield Finding("W405", (*claim_at, "value"), f"{brief(number)} is not a number")


def _uncited(sources: _Rows, cited: set[str]) -> Iterator[Finding]:
    for k, source_id in enumerate(sources.column(_ID)):
        if source_id is not None and source_id not in cited:
            yield Finding("W401", sources.at(k), f"source {brief(source_id)} is never cited")


def _compact(text: str) -> str:
    """cpkb.text.compact, each distinct word folded once."""
    return _FOLD(text).replace(" ", "")


def _label_keys(entity: dict[str, Any]) -> tuple[str, tuple[int, ...], tuple[Local, ...]]:
    """The keys and places of the name and aliases with a non-empty compact key, but for
    aliases that are the name; and those aliases (W402)."""
    name = string_of(entity, "name")
    name_key = _compact(name) if name is not None else None
    keys: list[str] = []
    places: list[int] = []
    again: list[Local] = []
    if name_key:
        keys.append(name_key)
        places.append(-1)
    aliases = entity.get("aliases")
    for i, alias in enumerate(aliases if isinstance(aliases, list) else ()):
        key = _compact(alias) if isinstance(alias, str) else None
        if key and key == name_key:
            again.append(("W402", ("aliases", i), f"the alias {brief(alias)} is the name again"))
        elif key:
            keys.append(key)
            places.append(i)
    return " ".join(keys), tuple(places), tuple(again)  # a key is letters and digits only


def _labels(
    entities: _Rows, entity: Callable[[int], dict[str, Any]], columns: Columns
) -> list[Finding]:
    """W402, and W403 (a label that names an earlier entity), entity by entity, label by label.

    Over all labels at once: a large file has hundreds of thousands, and only the few whose key
    is repeated can name another entity (those in `columns.repeated`, if known: see Columns).
    """
    counts = list(map(len, entities.column(_PLACES)))
    ends = list(accumulate(counts))  # entity k's labels are [ends[k] - counts[k], ends[k])
    keys = " ".join(entities.column(_KEYS)).split()  # a key is letters and digits only
    repeated = columns.repeated = _repeated(keys, columns.repeated)
    owners: dict[str, str] = {}  # a repeated key -> the id of the first entity it names
    shared: set[int] = set()  # the labels that name another entity
    marked: set[int] = set(entities.having(_AGAIN))  # the entities with a finding
    labels = list(compress(count(), map(repeated.__contains__, keys))) if repeated else []
    holders = map(functools.partial(bisect.bisect_right, ends), labels)  # entity of each label
    ids = entities.fields[_ID]
    for n, k in zip(labels, holders, strict=True):
        entity_id = ids[k] or ""
        if owners.setdefault(keys[n], entity_id) != entity_id:
            shared.add(n)
            marked.add(k)
    findings: list[Finding] = []
    for k in sorted(marked):
        span = range(ends[k] - counts[k], ends[k])
        clashes = [(keys[n], owners[keys[n]]) if n in shared else None for n in span]
        value = entity(entities.index[k]) if any(clashes) else {}  # labels for W403's message
        again, places = entities.fields[_AGAIN][k], entities.fields[_PLACES][k]
        findings += _entity_labels(entities.at(k), again, places, clashes, value)
    return findings


def _repeated(keys: list[str], candidates: set[str] | None) -> set[str]:
    """The keys that are in `keys` more than once (all among `candidates`, if given)."""
    if candidates is not None:
        return {
            key
            for key, times in Counter(filter(candidates.__contains__, keys)).items()
            if times > 1
        }
    return {key for key, times in Counter(keys).items() if times > 1}


def _entity_labels(
    at: Path,
    again: tuple[Local, ...],
    places: tuple[int, ...],
    clashes: list[tuple[str, str] | None],
    entity: dict[str, Any],
) -> list[Finding]:
    """W402 and W403 of one entity, label by label, given its summary's `again` and `places`;
    `clashes`: for each key, the id of the other entity it names, if it does."""
    rebased = zip(again, _rebase(at, again), strict=True)
    found = [(int(local[1][-1]), finding) for local, finding in rebased]
    for place, clash in zip(places, clashes, strict=True):
        if clash is not None:
            label = entity["name"] if place < 0 else entity["aliases"][place]
            message = f"{brief(label)} also names entity {brief(clash[1])}"
            label_at = (*at, "name") if place < 0 else (*at, "aliases", place)
            found.append((place, Finding("W403", label_at, message + ": references are ambiguous")))
    return [finding for _, finding in sorted(found, key=lambda pair: pair[0])]


_LEAP_DAY = re.compile(r"(\d{4})-02-29")


def _dates(at: Path, node: dict[str, Any]) -> Iterator[Finding]:
    """29 February of a common year (the schema's pattern cannot tell), and reversed periods."""
    for key in CLAIM_DATES:
        leap_day = _LEAP_DAY.fullmatch(string_of(node, key) or "")
        if leap_day and not calendar.isleap(int(leap_day.group(1))):
            message = f"{leap_day.group(1)} is not a leap year: it has no 29 February"
            yield Finding("E207", (*at, key), message)
    start, end = string_of(node, "start") or "", string_of(node, "end") or ""
    n = min(len(start), len(end))
    if n and _DATE.fullmatch(start) and _DATE.fullmatch(end) and start[:n] > end[:n]:
        yield Finding("W406", (*at, "start"), f"starts ({start}) after it ends ({end})")


_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def _control_characters(document: object) -> Iterator[Finding]:
    reported: set[Path] = set()
    for at, value in walk(document):
        if isinstance(value, str) and at not in reported and visible(value) != value:
            shown = sorted({visible(c) for c in value if visible(c) != c})
            message = f"holds control characters ({', '.join(shown[:5])}), shown escaped"
            reported.add(at)
            yield Finding("W404", at, message)


CONTROL_BELOW = 0x2070  # `visible` escapes no character from here on (a test checks it)
_SHORT_ESCAPES = {"b": 0x08, "f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09}


def may_hold_control_characters(raw: bytes) -> bool:
    """False if no string of this UTF-8 JSON text can hold a character that `visible` escapes.

    Such a character is either written as itself (never C0: JSON forbids it in strings) or as an
    escape. Only searches of single bytes run over the whole text, and a pattern where one is
    found, so that W404's walk over every string of a large file runs only when it can find some.
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
