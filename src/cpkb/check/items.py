"""`cpkb validate` item by item: the fast path for an ordinary file, with a memo of past items.

Only the items the memo does not know are checked, each on its own (in worker processes when
there are many); the rules that compare items run over the summaries. It must report what the
whole-document path reports, in order and on the same lines: tests/check/test_validate_speed.py.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cpkb.check.context import Context, Held, context_of
from cpkb.check.controls import may_hold_control_characters
from cpkb.check.integrity import assemble, summarise
from cpkb.check.linecount import Place, item_lines
from cpkb.check.memo import ItemMemo, Layout
from cpkb.check.messages import translate
from cpkb.check.nodes import SPLIT
from cpkb.check.reader import Misread, Unusual, read_guessed
from cpkb.check.rules import Finding
from cpkb.check.scan import Items, Scan, scan
from cpkb.check.summary import FIELDS, ID, KEYS, Columns, Row, empty_fields
from cpkb.kb.document import Path
from cpkb.kb.workers import chunks

# An item checked on its own: whether it passed the gate, jsonschema's findings if not, its
# summary (None if it is not an object). Examined: that, or why it could not be (_MISREAD...).
Verdict = tuple[bool, tuple[Finding, ...], Row | None]
Examined = Verdict | str
Pending = tuple[str, int, Any, int, int]  # an item to check: array, index, value, start, end


@dataclass
class ItemChecked:
    """What the fast path found, and what it needs to locate it and to refresh the memo."""

    raw: bytes
    scan: Scan
    summaries: dict[str, Columns]  # of each array's items
    findings: list[Finding]
    memo: ItemMemo

    def counts(self) -> tuple[int, int] | None:
        """The numbers of entities and sources, if both are arrays."""
        arrays = self.scan.arrays
        if not all(name in arrays for name in SPLIT):
            return None
        return len(arrays["entities"]), len(arrays["sources"])

    def owner(self, path: Path) -> str | None:
        """The id of the source or entity `path` lies in, when it has a string id."""
        found = self._item(path)
        columns = self.summaries[found[0]] if found else None
        if found is None or columns is None or found[1] in columns.absent:
            return None
        owner: str | None = columns.fields[ID][found[1]]
        return owner

    def lines(self, paths: set[Path]) -> dict[Path, int]:
        """The line of each path and of the item it lies in, reading only those items."""
        inside: dict[Place, set[Path]] = {}
        for path in paths:
            found = self._item(path)
            if found is not None:
                inside.setdefault(found, set()).add(path[2:])
            elif path and str(path[0]) in self.scan.spans:  # in a top-level value: `properties`
                inside.setdefault((str(path[0]), -1), set()).add(path[1:])
        return item_lines(self.raw, self.scan, inside)

    def _item(self, path: Path) -> Place | None:
        """The array and index of the item `path` lies in."""
        name, index = (str(path[0]), path[1]) if len(path) >= 2 else ("", None)
        items = self.scan.arrays.get(name)
        if items is None or not isinstance(index, int) or not 0 <= index < len(items):
            return None
        return name, index


def check_items(
    raw: bytes, *, held: Mapping[str, Held], memo: ItemMemo, parallel: bool
) -> ItemChecked | None:
    """The schema and integrity findings of the file, if it is ordinary enough; else None.

    The memo serves only if it was made under the same rules (`Context.key`)."""
    read = _read(raw, memo, held, parallel=parallel)
    if read is None:
        return None
    scanned, pending, examined, context, memo = read
    summaries = {name: _known(memo, name, items) for name, items in _arrays(scanned)}
    failed: list[tuple[tuple[int, ...], tuple[Finding, ...]]] = []
    failing: dict[str, list[int]] = {name: [] for name in summaries}  # not for the memo
    shared: dict[str, str] = {}
    for (name, k, *_), (passed, found, summary) in zip(pending, examined, strict=True):
        _put(summaries[name], k, None if summary is None else _shared(summary, shared))
        if not passed:
            failed.append(((*context.parts.item_rank(name), k), found))
            failing[name].append(k)
    failed.sort(key=lambda row: row[0])
    findings = [finding for _, found in failed for finding in found]
    if "entities" in summaries:
        added = [k for name, k, *_ in pending if name == "entities"]
        entities = summaries["entities"]
        entities.repeated = _may_repeat(memo, scanned.arrays["entities"], entities, added)
    findings += _integrity(raw, scanned, summaries, context)
    fresh = _memo(raw, scanned, summaries, failing=failing)
    fresh.learned, fresh.context = len(pending) - len(failed), context.key
    return ItemChecked(raw, scanned, summaries, findings, fresh)


def _known(memo: ItemMemo, name: str, items: Items) -> Columns:
    """The summaries of the items the memo knows (the others' to be put in: see `_put`)."""
    layout, known, n = memo.layouts.get(name), items.known, len(items)
    if layout is None or not layout.keys:
        return Columns([[None] * n for _ in range(FIELDS)])
    moved = list(itertools.compress(range(n), map(operator.ne, known, range(n))))
    if len(moved) > n // 8:  # items were added or removed: look each one up
        # An item the memo does not know (known -1) gets the None put last, until `_put`.
        return Columns([list(map([*values, None].__getitem__, known)) for values in layout.columns])
    fields = []
    for values in layout.columns:  # most items are where they were: copy, then mend
        column = values[:n] + [None] * (n - len(values))
        for k in moved:
            column[k] = values[known[k]] if known[k] >= 0 else None
        fields.append(column)
    return Columns(fields)


def _may_repeat(
    memo: ItemMemo, items: Items, columns: Columns, added: list[int]
) -> set[str] | None:
    """The label keys that may be in more than one entity's labels: those that were last time,
    and those of the new entities; None if it cannot tell (a known entity is there twice)."""
    layout = memo.layouts.get("entities")
    if layout is None or layout.repeated is None:
        return None
    if len(set(items.known)) != len(items) - len(added) + bool(added):  # each added one is -1
        return None
    keys = columns.fields[KEYS]
    return layout.repeated.union(*(keys[k].split() for k in added if keys[k]))


def _put(columns: Columns, k: int, summary: Row | None) -> None:
    """Put the summary of item `k` in, or None for an item that is not an object."""
    if summary is None:
        columns.absent.add(k)
    for values, value in zip(columns.fields, summary or (None,) * FIELDS, strict=True):
        values[k] = value


Read = tuple[Scan, list[Pending], list[Verdict], Context, ItemMemo]


def _read(raw: bytes, memo: ItemMemo, held: Mapping[str, Held], *, parallel: bool) -> Read | None:
    """The file read, its items the memo does not know, each checked, the rules they were
    checked against and the memo used; None if it is unusual.

    Items that seem to end their lines are read and checked in worker processes; if a guess was
    wrong (a line held more than an item), the file is read again, item by item.
    """
    for guess in (True, False):
        try:
            found = _scan(raw, memo, held, guess=guess)
        except Unusual:  # perhaps after a wrong guess
            if guess:
                continue
            return None
        if found is None:
            return None
        read, context, memo = found
        pending = [
            (name, k, items.read.get(k, _GUESSED), items.starts[k], items.ends[k])
            for name, items in _arrays(read)
            for k in sorted([*items.read, *items.guessed])
        ]
        if len(memo) and len(pending) > _SCAN_FROM and may_hold_control_characters(raw):
            return None  # W404: read the whole file (rather than learn it item by item)
        examined = _examined(context, raw, pending, parallel=parallel)
        if examined is None:
            return None
        if _MISREAD not in examined:
            verdicts = [result for result in examined if not isinstance(result, str)]
            return read, pending, verdicts, context, memo
    return None


def _scan(
    raw: bytes, memo: ItemMemo, held: Mapping[str, Held], *, guess: bool
) -> tuple[Scan, Context, ItemMemo] | None:
    """The file scanned, with the memo if it was made under the file's rules (else with none);
    None if it is to be read whole. Raises Unusual."""
    if not len(memo) and may_hold_control_characters(raw):
        return None  # W404: every item would be read, to no avail
    read = scan(raw, memo, guess=guess)
    context = context_of(read.top, held)
    if len(memo) and memo.context != context.key:  # made under other rules: of no use
        return _scan(raw, ItemMemo(), held, guess=guess)
    if not context.parts.by_item(SPLIT) or not context.parts.top_passes(read.top):
        return None
    return read, context, memo


def _arrays(read: Scan) -> list[tuple[str, Items]]:
    return [(name, read.arrays[name]) for name in SPLIT if name in read.arrays]


def _examined(
    context: Context, raw: bytes, pending: list[Pending], *, parallel: bool
) -> list[Examined] | None:
    """`_examine` of every pending item; stops at the first that cannot be checked here: None
    if it holds what only the careful path reports, up to it if it was misread."""
    examined: list[Examined] = []
    for chunk in chunks(functools.partial(_examine, context, raw), pending, parallel=parallel):
        examined += chunk
        if _UNUSUAL in chunk:
            return None
        if _MISREAD in chunk:
            break
    return examined


_SCAN_FROM = 1000  # items to read: more, and the whole file is searched for control characters
_GUESSED = object()  # an item not read yet: its bytes are guessed to be one item
_MISREAD, _UNUSUAL = "misread", "unusual"  # why an item could not be checked here


def _examine(context: Context, raw: bytes, pending: Sequence[Pending]) -> list[Examined]:
    """Each item read if need be, and checked on its own (in a worker process, for many)."""
    parts = context.parts
    results: list[Examined] = []
    for name, i, item, start, end in pending:
        try:
            if item is _GUESSED:
                item = read_guessed(raw, start, end)
            passed = parts.passes(name, [item])[0]
            found = () if passed else tuple(translate(parts.item_errors(name, i, item)))
        except Misread:
            results.append(_MISREAD)
            continue
        except (Unusual, RecursionError):  # the careful path reports it
            results.append(_UNUSUAL)
            continue
        summary = summarise(item, context, entity=name == "entities")
        results.append((passed, found, None if summary is None else tuple(summary)))
    return results


def _shared(summary: Row, shared: dict[str, str]) -> Row:
    """The summary with one string object for each id, which the memo then holds once (marshal
    writes the repeats as references; interning would cost more to read back)."""
    own, cites, targets, *rest = summary
    own = own if own is None else shared.setdefault(own, own)
    cites = tuple(shared.setdefault(c, c) for c in cites)
    return (own, cites, tuple(shared.setdefault(t, t) for t in targets), *rest)


def _integrity(
    raw: bytes, read: Scan, summaries: dict[str, Columns], context: Context
) -> list[Finding]:
    entities = read.arrays.get("entities", Items())

    def entity(k: int) -> dict[str, Any]:
        found: dict[str, Any] = entities.value(raw, k)
        return found

    def labels(k: int) -> dict[str, Any]:
        found: dict[str, Any] = entities.labels(raw, k)
        return found

    none = Columns(empty_fields())
    sources = summaries.get("sources", none)
    entities_found = summaries.get("entities", none)
    return assemble(sources, entities_found, context=context, entity=entity, labels=labels)


def _memo(
    raw: bytes, read: Scan, summaries: dict[str, Columns], *, failing: dict[str, list[int]]
) -> ItemMemo:
    """The memo of this file: its items in order, those that failed not to be served."""
    memo = ItemMemo(raw=raw)
    for name, items in _arrays(read):
        keys = list(items.keys)
        for k in [*failing[name], *summaries[name].absent]:
            keys[k] = b""
        lengths = list(map(operator.sub, items.ends, items.starts))
        columns = summaries[name]
        memo.layouts[name] = Layout(keys, items.starts, lengths, columns.fields)
        memo.layouts[name].repeated = columns.repeated
    return memo
