"""Every problem in a data file, located and coded, for `cpkb validate`: bytes in, problems out.

Three layers: the file (encoding, JSON syntax); the schema (data/cpkb.schema.json, applied with
the jsonschema package, so the schema is the contract), in cpkb.schema; integrity (references,
duplicates, citations, statistics) and warnings, in cpkb.integrity. Pure: no file access.

Fast on large files: the top level and each source and entity are read on their own, so that a
problem is located by reading only the item it is in; whole-document walks run only when the
parse, or a search of the bytes, says they can find something. Faster still, an ordinary file is
checked item by item straight from its bytes (cpkb.itemcheck), skipping the items that passed
last time (the memo, cpkb.itemcache, which the caller loads and saves); this module's
whole-document path is the reference it must agree with, and reads every other file.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from cpkb.check.controls import may_hold_control_characters
from cpkb.check.integrity import integrity_findings
from cpkb.check.items import check_items
from cpkb.check.memo import ItemMemo
from cpkb.check.quotes import quote_findings
from cpkb.check.rules import RULES, Finding, Rule
from cpkb.check.schema import schema_findings
from cpkb.kb.jsonread import Hooks, Notes
from cpkb.kb.parse import (
    FLOAT_MAX,
    Path,
    brief,
    json_path,
    json_type,
    lone_surrogates,
    value_lines,
    walk,
)

DEEP = "nested too deeply to read (thousands of levels of arrays or objects)"
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Problem:
    rule: Rule
    message: str
    entity: str | None = None
    path: str | None = None
    line: int | None = None

    @property
    def is_error(self) -> bool:
        return self.rule.severity == "error"

    def view(self) -> dict[str, Any]:
        """The documented JSON shape of a problem."""
        return {
            "severity": self.rule.severity,
            "code": self.rule.code,
            "entity": self.entity,
            "path": self.path,
            "line": self.line,
            "message": self.message,
        }


@dataclass(frozen=True)
class Spans:
    """Where the top-level object, its values and the items of its arrays lie in the text."""

    start: int
    values: dict[str, Span]
    items: dict[str, list[Span]]


class Checked:
    """The problems of one file, and what was parsed of it (for quote checks), and its counts.

    The fast path keeps nothing of the document: given `reread`, the file's bytes, the document
    is read again (the careful way) the first time `document`, `text` or `spans` is asked for.
    """

    def __init__(
        self,
        problems: list[Problem],
        document: Any = None,
        text: str = "",
        spans: Spans | None = None,
        *,
        reread: bytes | None = None,
        counts: tuple[int, int] | None = None,
        memo: ItemMemo | None = None,
    ) -> None:
        self.problems = problems
        self._parsed, self._reread = (document, text, spans), reread
        self.counts = counts if reread is not None else _counts(document)
        self.memo = memo  # the items of this file that passed, for the next run

    @property
    def document(self) -> Any:
        return self._read()[0]

    @property
    def text(self) -> str:
        text: str = self._read()[1]
        return text

    @property
    def spans(self) -> Spans | None:
        spans: Spans | None = self._read()[2]
        return spans

    def _read(self) -> tuple[Any, str, Spans | None]:
        if self._reread is not None:
            raw, self._reread = self._reread, None
            with contextlib.suppress(_Stop):  # read before, by the fast path
                text = _decode(raw)
                parsed = _parse(text)
                self._parsed = (parsed.document, text, parsed.spans)
        return self._parsed

    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    def warnings(self) -> int:
        return len(self.problems) - self.errors()

    def valid(self, *, strict: bool = False) -> bool:
        return not (self.problems if strict else self.errors())


def _counts(document: Any) -> tuple[int, int] | None:
    """The numbers of entities and sources, if both are arrays."""
    if not isinstance(document, dict):
        return None
    entities, sources = document.get("entities"), document.get("sources")
    if isinstance(entities, list) and isinstance(sources, list):
        return len(entities), len(sources)
    return None


class _Stop(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def unreadable(message: str) -> Checked:
    """The result for a file that could not be read at all."""
    return Checked([Problem(RULES["E008"], message)])


def check_bytes(
    raw: bytes, *, schema: Mapping[str, Any], memo: ItemMemo | None = None, fast: bool = True
) -> Checked:
    """Every problem in the bytes of a data file.

    Fast (the default): an ordinary file is checked item by item (cpkb.itemcheck), skipping the
    items `memo` holds, with worker processes on large files; the result's `memo` holds this
    file's items for next time. Not fast: the reference path, that reads the whole document
    and checks it in this process; both find the same problems, in the same order.
    """
    if fast:
        found = check_items(raw, schema=schema, memo=memo or ItemMemo(), parallel=True)
        if found is not None:
            problems = _located(found.findings, found.lines, found.owner)
            return Checked(problems, reread=raw, counts=found.counts(), memo=found.memo)
    try:
        text = _decode(raw)
        parsed = _parse(text)
    except _Stop as stop:
        return Checked([stop.problem])
    checked = Checked([], parsed.document, text, parsed.spans)
    findings = [
        *_duplicate_keys(parsed.document, parsed.duplicates),
        *_findings(parsed, raw=raw, text=text, schema=schema),
    ]
    checked.problems = locate(checked, findings)
    return checked


def check_quotes(checked: Checked, *, source_id: str, text: str, label: str) -> tuple[int, int]:
    """Add a problem for each quote citing `source_id` that is not in `text`; (checked, missing)."""
    count, findings = quote_findings(checked.document, source_id=source_id, text=text, label=label)
    checked.problems = sorted([*checked.problems, *locate(checked, findings)], key=_order)
    return count, len(findings)


def _decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - raw.rfind(b"\n", 0, exc.start)
        message = f"not UTF-8: byte 0x{raw[exc.start]:02x} at line {line}, column {column}"
        raise _Stop(Problem(RULES["E002"], message, line=line)) from None
    if not text.strip():
        raise _Stop(
            Problem(RULES["E003"], "the file is empty" + " (only white space)" * bool(text))
        )
    return text


@dataclass
class _Parsed(Notes):
    document: Any = None
    spans: Spans | None = None


def _parse(text: str) -> _Parsed:
    parsed = _Parsed()
    hooks = Hooks(parsed)
    try:
        parsed.document, parsed.spans = _read(text, hooks)
    except Exception:  # anything _read does not expect: json.loads decides, with its messages
        parsed.clear()
        parsed.document = _loads(text, hooks)
    if not isinstance(parsed.document, dict):
        message = f"the top level must be an object, not {json_type(parsed.document)}"
        raise _Stop(Problem(RULES["E004"], message, path="$", line=1))
    return parsed


def _loads(text: str, hooks: Hooks) -> Any:
    try:
        return hooks.loads(text)
    except json.JSONDecodeError as exc:
        message = f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise _Stop(Problem(RULES["E001"], message, line=exc.lineno)) from None
    except RecursionError:
        raise _Stop(Problem(RULES["E005"], DEEP)) from None


_SPACE = re.compile(r"[ \t\n\r]*")
_SPLIT = ("sources", "entities")  # the arrays whose items are read, and located, one at a time


def _read(text: str, hooks: Hooks) -> tuple[dict[str, Any], Spans | None]:
    """The top-level object, read as json.loads reads it, and where its parts lie in `text`.

    Raises on anything but a well-formed object, for json.loads to report.
    """
    decode = hooks.decoder().raw_decode
    start = i = _skip(text, 0)
    if text[i] != "{":
        raise ValueError("not an object")
    pairs: list[tuple[str, Any]] = []
    values: dict[str, Span] = {}
    items: dict[str, list[Span]] = {}
    i = _skip(text, i + 1)
    while text[i] != "}" or pairs:
        if text[i] != '"':
            raise ValueError("not a key")
        key, i = decode(text, i)
        i = _skip(text, i)
        if text[i] != ":":
            raise ValueError("no colon")
        begin = i = _skip(text, i + 1)
        if key in _SPLIT and text[i] == "[":
            value, i, items[key] = _read_array(text, i, decode)
        else:
            value, i = decode(text, i)
            items.pop(key, None)
        values[key] = (begin, i)
        pairs.append((key, value))
        i = _skip(text, i)
        if text[i] == "}":
            break
        if text[i] != ",":
            raise ValueError("no comma")
        i = _skip(text, i + 1)
    if _skip(text, i + 1) != len(text):
        raise ValueError("extra data")
    document = hooks.pairs(pairs)
    # A repeated top-level key: value_lines, over the whole text, locates its parts.
    return document, Spans(start, values, items) if len(document) == len(pairs) else None


def _skip(text: str, i: int) -> int:
    """The index of the first character from `i` on that is not JSON white space."""
    space = _SPACE.match(text, i)
    return space.end() if space else i


def _read_array(
    text: str, i: int, decode: Callable[[str, int], tuple[Any, int]]
) -> tuple[list[Any], int, list[Span]]:
    """The array at text[i], each item read on its own; (items, end, item spans)."""
    values: list[Any] = []
    spans: list[Span] = []
    i = _skip(text, i + 1)
    if text[i] == "]":
        return values, i + 1, spans
    while True:
        value, end = decode(text, i)
        values.append(value)
        spans.append((i, end))
        i = _skip(text, end)
        if text[i] == "]":
            return values, i + 1, spans
        if text[i] != ",":
            raise ValueError("no comma")
        i = _skip(text, i + 1)


def _duplicate_keys(
    document: object, duplicates: list[tuple[dict[str, Any], str]]
) -> Iterator[Finding]:
    if not duplicates:
        return
    owners = {id(obj) for obj, _ in duplicates}
    paths = {id(v): at for at, v in walk(document) if id(v) in owners and isinstance(v, dict)}
    for obj, key in duplicates:
        yield Finding("E007", (*paths.get(id(obj), ()), key), f"the key {brief(key)} is repeated")


def _findings(
    parsed: _Parsed, *, raw: bytes, text: str, schema: Mapping[str, Any]
) -> list[Finding]:
    findings: list[Finding] = []
    document = parsed.document
    layers: list[Callable[[], Iterable[Finding]]] = [
        lambda: _value_findings(parsed, text),
        lambda: schema_findings(document, schema),
        lambda: integrity_findings(document, strings=may_hold_control_characters(raw)),
    ]
    for layer in layers:
        try:
            findings.extend(layer())
        except RecursionError:  # the schema layer compares arrays; deep ones exhaust the stack
            findings.append(Finding("E005", (), DEEP))
    return findings


def _value_findings(parsed: _Parsed, text: str) -> Iterator[Finding]:
    """Numbers no JSON reader agrees on, and strings no output can show."""
    for at, value in walk(parsed.document) if parsed.odd_numbers else ():
        if isinstance(value, float) and math.isnan(value):
            yield Finding("E006", at, "NaN is not a JSON number")
        elif isinstance(value, (int, float)) and abs(value) > FLOAT_MAX:
            yield Finding("E006", at, "number out of range (beyond ±1.8e308)")
    for at in lone_surrogates(text, parsed.document):
        message = "holds half a UTF-16 surrogate pair (a lone \\ud800-\\udfff escape)"
        yield Finding("E009", at, message)


def locate(checked: Checked, findings: Iterable[Finding]) -> list[Problem]:
    """Problems from findings: one per rule and path, with the entity and line they concern."""
    return _located(
        findings,
        lambda paths: _lines(checked, paths),
        lambda path: _owner(checked.document, path),
    )


def _located(
    findings: Iterable[Finding],
    lines_of: Callable[[set[Path]], Mapping[Path, int]],
    owner_of: Callable[[Path], str | None],
) -> list[Problem]:
    unique = list({(f.code, f.path, f.message if not f.path else ""): f for f in findings}.values())
    lines = lines_of({f.path for f in unique}) if unique else {}
    problems = [
        Problem(
            RULES[f.code],
            f.message,
            entity=owner_of(f.path),
            path=json_path(f.path),
            line=_line(lines, f.path),
        )
        for f in unique
    ]
    return sorted(problems, key=_order)


def _lines(checked: Checked, paths: set[Path]) -> dict[Path, int]:
    """value_lines(text, paths), reading only the top-level values and items the paths lie in."""
    spans, text = checked.spans, checked.text
    if spans is None:
        return value_lines(text, paths)
    inside: dict[Path, set[Path]] = {}  # a part whose span is known -> the paths within it
    for path in paths:
        at = _anchor(spans, path)
        inside.setdefault(at, set()).add(path[len(at) :])
    parts = {at[:n] for at in inside for n in range(len(at) + 1)}
    lines = _start_lines(text, {at: _span(spans, at)[0] for at in parts})
    for at, within in inside.items():
        within.discard(())
        if at and within:  # below the top, only what is in the document has a line
            start, end = _span(spans, at)
            for path, n in value_lines(text[start:end], within).items():
                lines[at + path] = lines[at] + n - 1
    return lines


def _anchor(spans: Spans, path: Path) -> Path:
    """The longest start of `path` whose span is known: an item, a top-level value, or the top."""
    items = spans.items.get(str(path[0])) if len(path) >= 2 else None
    if items is not None and isinstance(path[1], int) and 0 <= path[1] < len(items):
        return path[:2]
    return path[:1] if path and path[0] in spans.values else ()


def _span(spans: Spans, at: Path) -> Span:
    if not at:
        return spans.start, -1
    if len(at) == 1:
        return spans.values[str(at[0])]
    return spans.items[str(at[0])][int(at[1])]


def _start_lines(text: str, starts: dict[Path, int]) -> dict[Path, int]:
    lines: dict[Path, int] = {}
    line, offset = 1, 0
    for at, start in sorted(starts.items(), key=lambda item: item[1]):
        line, offset = line + text.count("\n", offset, start), start
        lines[at] = line
    return lines


def _order(problem: Problem) -> tuple[bool, int]:
    return problem.line is None, problem.line or 0


def _line(lines: Mapping[Path, int], path: Path) -> int | None:
    for n in range(len(path), -1, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return None


def _owner(document: Any, path: Path) -> str | None:
    """The id of the entity or source a path lies in, when it has a string id."""
    if len(path) < 2 or path[0] not in ("entities", "sources") or not isinstance(path[1], int):
        return None
    items = document.get(path[0]) if isinstance(document, dict) else None
    if not isinstance(items, list) or not 0 <= path[1] < len(items):
        return None
    item = items[path[1]]
    owner = item.get("id") if isinstance(item, dict) else None
    return owner if isinstance(owner, str) else None
