"""Names and aliases: W402 (an alias that is the name again), W403 (a label entities share)."""

from __future__ import annotations

import bisect
import functools
from collections import Counter
from collections.abc import Callable
from itertools import accumulate, compress, count
from typing import Any

from cpkb.check.nodes import string_of
from cpkb.check.rules import Finding
from cpkb.check.summary import AGAIN, ID, KEYS, PLACES, Columns, Local, Rows, rebase
from cpkb.kb.document import Path, brief
from cpkb.query.text import WordMemo, fold

_FOLD = WordMemo(fold)  # labels repeat their words: each distinct word is folded once


def _compact(text: str) -> str:
    """cpkb.query.text.compact, each distinct word folded once."""
    return _FOLD(text).replace(" ", "")


def label_keys(entity: dict[str, Any]) -> tuple[str, tuple[int, ...], tuple[Local, ...]]:
    """The keys and places of the name and the aliases with a compact key (an alias that is the
    name aside), for a summary; and those aliases that are the name (W402)."""
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


def label_findings(
    entities: Rows, entity: Callable[[int], dict[str, Any]], columns: Columns
) -> list[Finding]:
    """W402, and W403 (a label that names an earlier entity), entity by entity, label by label.

    Over all labels at once: only the few whose key is repeated (see Columns.repeated) can name
    another entity, and a large file has hundreds of thousands.
    """
    counts = list(map(len, entities.column(PLACES)))
    ends = list(accumulate(counts))  # entity k's labels are [ends[k] - counts[k], ends[k])
    keys = " ".join(entities.column(KEYS)).split()  # a key is letters and digits only
    repeated = columns.repeated = _repeated(keys, columns.repeated)
    owners: dict[str, str] = {}  # a repeated key -> the id of the first entity it names
    shared: set[int] = set()  # the labels that name another entity
    marked: set[int] = set(entities.having(AGAIN))  # the entities with a finding
    labels = list(compress(count(), map(repeated.__contains__, keys))) if repeated else []
    holders = map(functools.partial(bisect.bisect_right, ends), labels)  # entity of each label
    ids = entities.fields[ID]
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
        again, places = entities.fields[AGAIN][k], entities.fields[PLACES][k]
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
    """W402 and W403 of one entity, in label order; `clashes`: for each label, the other entity
    it names, if any."""
    rebased = zip(again, rebase(at, again), strict=True)
    found = [(int(local[1][-1]), finding) for local, finding in rebased]
    for place, clash in zip(places, clashes, strict=True):
        if clash is not None:
            label = entity["name"] if place < 0 else entity["aliases"][place]
            message = f"{brief(label)} also names entity {brief(clash[1])}"
            label_at = (*at, "name") if place < 0 else (*at, "aliases", place)
            found.append((place, Finding("W403", label_at, message + ": references are ambiguous")))
    return [finding for _, finding in sorted(found, key=lambda pair: pair[0])]
