"""Every problem in a data file, located and coded: bytes in, problems out (no file access).

Three layers: the file (encoding, JSON syntax), the schema, integrity and warnings. An ordinary
file takes the item-by-item path (cpkb.check.items); the whole-document path here is the
reference it must agree with, and reads every other file.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from cpkb.check.context import Context, Held, context_of
from cpkb.check.controls import may_hold_control_characters
from cpkb.check.document import DEEP, Parsed, Stop, decode, parse, reread
from cpkb.check.integrity import integrity_findings
from cpkb.check.items import check_items
from cpkb.check.memo import ItemMemo
from cpkb.check.problems import Checked, by_line, locate, located
from cpkb.check.quotes import quote_findings
from cpkb.check.rules import Finding
from cpkb.check.schema import schema_findings
from cpkb.kb.document import brief, lone_surrogates, walk
from cpkb.kb.quick import FLOAT_MAX


def check_bytes(
    raw: bytes,
    *,
    held: Mapping[str, Held] | None = None,
    memo: ItemMemo | None = None,
    fast: bool = True,
) -> Checked:
    """Every problem in the bytes of a data file, against the JSON Schema and rules of the
    version it declares; `held`: the held texts its sources name (cpkb.check.held), by source.

    Fast (the default): an ordinary file item by item, skipping the items `memo` holds; the
    result's `memo` is for next time. Not fast: the reference path, the whole document in this
    process. Both find the same problems, in the same order.
    """
    held = held or {}
    if fast:
        found = check_items(raw, held=held, memo=memo or ItemMemo(), parallel=True)
        if found is not None:
            problems = located(found.findings, found.lines, found.owner)
            again = functools.partial(reread, raw)
            return Checked(problems, reread=again, counts=found.counts(), memo=found.memo)
    try:
        text = decode(raw)
        parsed = parse(text)
    except Stop as stop:
        return Checked([stop.problem])
    checked = Checked([], parsed.document, text, parsed.spans)
    findings = [
        *_duplicate_keys(parsed.document, parsed.duplicates),
        *_findings(parsed, raw=raw, text=text, context=context_of(parsed.document, held)),
    ]
    checked.problems = locate(checked, findings)
    return checked


def check_quotes(checked: Checked, *, source_id: str, text: str, label: str) -> tuple[int, int]:
    """Add a problem for each quote citing `source_id` that is not in `text` (unless its held
    text has one already); (quotes checked, quotes missing)."""
    count, findings = quote_findings(checked.document, source_id=source_id, text=text, label=label)
    reported = {p.path for p in checked.problems if p.rule.code == "E301"}
    added = [p for p in locate(checked, findings) if p.path not in reported]
    checked.problems = sorted([*checked.problems, *added], key=by_line)
    return count, len(findings)


def _duplicate_keys(
    document: object, duplicates: list[tuple[dict[str, Any], str]]
) -> Iterator[Finding]:
    if not duplicates:
        return
    owners = {id(obj) for obj, _ in duplicates}
    paths = {id(v): at for at, v in walk(document) if id(v) in owners and isinstance(v, dict)}
    for obj, key in duplicates:
        yield Finding("E007", (*paths.get(id(obj), ()), key), f"the key {brief(key)} is repeated")


def _findings(parsed: Parsed, *, raw: bytes, text: str, context: Context) -> list[Finding]:
    findings: list[Finding] = []
    document = parsed.document
    strings = may_hold_control_characters(raw)
    layers: list[Callable[[], Iterable[Finding]]] = [
        lambda: _value_findings(parsed, text),
        lambda: schema_findings(document, context.schema),
        lambda: integrity_findings(document, context, strings=strings),
    ]
    for layer in layers:
        try:
            findings.extend(layer())
        except RecursionError:  # the schema layer compares arrays; deep ones exhaust the stack
            findings.append(Finding("E005", (), DEEP))
    return findings


def _value_findings(parsed: Parsed, text: str) -> Iterator[Finding]:
    """Numbers no JSON reader agrees on, and strings no output can show."""
    for at, value in walk(parsed.document) if parsed.odd_numbers else ():
        if isinstance(value, float) and math.isnan(value):
            yield Finding("E006", at, "NaN is not a JSON number")
        elif isinstance(value, (int, float)) and abs(value) > FLOAT_MAX:
            yield Finding("E006", at, "number out of range (beyond ±1.8e308)")
    for at in lone_surrogates(text, parsed.document):
        message = "holds half a UTF-16 surrogate pair (a lone \\ud800-\\udfff escape)"
        yield Finding("E009", at, message)
