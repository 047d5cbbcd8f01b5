"""Every problem in a data file, located and coded, for `cpkb validate`: bytes in, problems out.

Three layers: the file (encoding, JSON syntax); the schema (data/cpkb.schema.json, applied with
the jsonschema package, so the schema is the contract); integrity (references, duplicates,
citations, statistics) and warnings, in cpkb.integrity. Pure: no file access, no tinydb.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from cpkb.integrity import integrity_findings, quote_findings
from cpkb.parse import (
    FLOAT_MAX,
    Path,
    brief,
    json_path,
    json_type,
    lone_surrogates,
    value_lines,
    walk,
)
from cpkb.rules import RULES, Finding, Rule

DEEP = "nested too deeply to read (thousands of levels of arrays or objects)"


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


@dataclass
class Checked:
    """The problems of one file, and what was parsed of it (for counts and quote checks)."""

    problems: list[Problem]
    document: Any = None
    text: str = ""

    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    def warnings(self) -> int:
        return len(self.problems) - self.errors()

    def valid(self, *, strict: bool = False) -> bool:
        return not (self.problems if strict else self.errors())


class _Stop(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def unreadable(message: str) -> Checked:
    """The result for a file that could not be read at all."""
    return Checked([Problem(RULES["E008"], message)])


def check_bytes(raw: bytes, *, schema: Mapping[str, Any]) -> Checked:
    """Every problem in the bytes of a data file."""
    duplicates: list[tuple[dict[str, Any], str]] = []
    try:
        text = _decode(raw)
        document = _parse(text, duplicates)
    except _Stop as stop:
        return Checked([stop.problem])
    checked = Checked([], document, text)
    findings = [*_duplicate_keys(document, duplicates), *_findings(text, document, schema)]
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


def _parse(text: str, duplicates: list[tuple[dict[str, Any], str]]) -> Any:
    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            keys = [k for k, _ in pairs]
            duplicates.extend((obj, k) for k in obj if keys.count(k) > 1)
        return obj

    try:
        document = json.loads(text, object_pairs_hook=pairs_hook, parse_int=_int)
    except json.JSONDecodeError as exc:
        message = f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise _Stop(Problem(RULES["E001"], message, line=exc.lineno)) from None
    except RecursionError:
        raise _Stop(Problem(RULES["E005"], DEEP)) from None
    if not isinstance(document, dict):
        message = f"the top level must be an object, not {json_type(document)}"
        raise _Stop(Problem(RULES["E004"], message, path="$", line=1))
    return document


def _int(digits: str) -> int | float:
    # Python refuses to read integers of over 4300 digits; past 309 they are out of range anyway.
    return int(digits) if len(digits) <= 400 else math.inf


def _duplicate_keys(
    document: object, duplicates: list[tuple[dict[str, Any], str]]
) -> Iterator[Finding]:
    if not duplicates:
        return
    owners = {id(obj) for obj, _ in duplicates}
    paths = {id(v): at for at, v in walk(document) if id(v) in owners and isinstance(v, dict)}
    for obj, key in duplicates:
        yield Finding("E007", (*paths.get(id(obj), ()), key), f"the key {brief(key)} is repeated")


def _findings(text: str, document: object, schema: Mapping[str, Any]) -> list[Finding]:
    findings: list[Finding] = []
    layers = (_value_findings(text, document), schema_findings(document, schema))
    for layer in (*layers, integrity_findings(document)):
        try:
            findings.extend(layer)
        except RecursionError:  # the schema layer compares arrays; deep ones exhaust the stack
            findings.append(Finding("E005", (), DEEP))
    return findings


def _value_findings(text: str, document: object) -> Iterator[Finding]:
    """Numbers no JSON reader agrees on, and strings no output can show."""
    for at, value in walk(document):
        if isinstance(value, float) and math.isnan(value):
            yield Finding("E006", at, "NaN is not a JSON number")
        elif isinstance(value, (int, float)) and abs(value) > FLOAT_MAX:
            yield Finding("E006", at, "number out of range (beyond ±1.8e308)")
    for at in lone_surrogates(text, document):
        message = "holds half a UTF-16 surrogate pair (a lone \\ud800-\\udfff escape)"
        yield Finding("E009", at, message)


def schema_findings(document: object, schema: Mapping[str, Any]) -> Iterator[Finding]:
    """What the JSON Schema says is wrong, each error translated to a rule and a plain message."""
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

    for error in Draft202012Validator(inline_refs(schema)).iter_errors(document):
        yield from _translate(
            keyword=str(error.validator),
            expected=error.validator_value,
            instance=error.instance,
            path=tuple(error.absolute_path),
            schema_path=tuple(error.absolute_schema_path),
            subschema=error.schema if isinstance(error.schema, dict) else {},
        )


def inline_refs(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema with each `$ref` to `#/$defs/...` replaced by its target (validates ~3x faster).

    The cpkb schema has no recursive references, so this terminates and means the same.
    """
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


DATE_HELP = "a date is YYYY, YYYY-MM or YYYY-MM-DD, on a day that exists"
ID_HELP = "an id is lowercase letters a-z, digits and single hyphens, at most 200 characters"
NAME_HELP = "a name is lowercase snake_case: a-z, digits, single underscores"


def _translate(
    *,
    keyword: str,
    expected: Any,
    instance: Any,
    path: Path,
    schema_path: tuple[str | int, ...],
    subschema: Mapping[str, Any],
) -> Iterator[Finding]:
    if keyword == "required" and isinstance(instance, dict):
        for key in (k for k in expected if k not in instance):
            if key == "sources":
                yield Finding("E112", (*path, key), "cites no source: 'sources' is missing")
            else:
                yield Finding("E102", (*path, key), f"missing required field {key!r}")
    elif keyword == "additionalProperties" and isinstance(instance, dict):
        known = list(subschema.get("properties", {}))
        for key in (k for k in instance if k not in known):
            near = difflib.get_close_matches(key[:100], known, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            yield Finding("E103", (*path, key), f"unknown field {brief(key)}{hint}")
    elif keyword == "type":
        wanted = [_a(name) for name in (expected if isinstance(expected, list) else [expected])]
        choice = ", ".join(wanted[:-1]) + " or " + wanted[-1] if len(wanted) > 1 else wanted[0]
        yield Finding("E104", path, f"must be {choice}, not {_a(json_type(instance))}")
    elif keyword == "oneOf" and isinstance(instance, dict):
        both = "value" in instance and "target" in instance
        message = "has both 'value' and 'target'" if both else "has neither 'value' nor 'target'"
        yield Finding("E109", path, f"{message}: a claim has exactly one of them")
    else:
        yield from _translate_value(keyword, expected, instance, path, schema_path)


def _a(type_name: str) -> str:
    return ("an " if type_name[0] in "aeiou" else "a ") + type_name


def _translate_value(
    keyword: str, expected: Any, instance: Any, path: Path, schema_path: tuple[str | int, ...]
) -> Iterator[Finding]:
    field_name = path[-1] if path else ""
    if "propertyNames" in schema_path:
        yield Finding("E110", (*path, instance), f"{brief(instance)} is not valid: {NAME_HELP}")
    elif keyword == "enum":
        types = ", ".join(expected)
        yield Finding("E105", path, f"unknown entity type {brief(instance)} (one of: {types})")
    elif keyword == "const":
        message = f"unsupported schema_version {brief(instance)} (this cpkb reads {expected})"
        yield Finding("E101", path, message)
    elif keyword in ("minimum", "maximum"):
        yield Finding("E006", path, "number out of range (beyond ±1.8e308)")
    elif keyword == "minItems":
        yield Finding("E112", path, "cites no source: 'sources' is empty")
    elif keyword == "uniqueItems":
        yield from _repeated_items(instance, path)
    elif keyword in ("minLength", "pattern") and expected in (1, "\\S"):
        if field_name == "quote":
            yield Finding("E113", path, "the quote is empty")
        else:
            yield Finding("E108", path, "must not be empty or only white space")
    elif field_name == "property":
        yield Finding("E110", path, f"{brief(instance)} is not valid: {NAME_HELP}")
    elif field_name in ("date", "start", "end"):
        yield Finding("E107", path, f"{brief(instance)} is not a date: {DATE_HELP}")
    elif field_name in ("id", "target", "source"):
        yield Finding("E106", path, f"{brief(instance)} is not a valid id: {ID_HELP}")
    else:  # a keyword the schema gained after this translation was written
        yield Finding("E104", path, f"does not match the schema ({keyword})")


def _repeated_items(items: Iterable[Any], path: Path) -> Iterator[Finding]:
    seen: list[Any] = []
    for i, item in enumerate(items):
        if item in seen:
            yield Finding("E111", (*path, i), f"{brief(item)} is listed twice")
        seen.append(item)


def locate(checked: Checked, findings: Iterable[Finding]) -> list[Problem]:
    """Problems from findings: one per rule and path, with the entity and line they concern."""
    unique = list({(f.code, f.path, f.message if not f.path else ""): f for f in findings}.values())
    lines = value_lines(checked.text, {f.path for f in unique}) if unique else {}
    problems = [
        Problem(
            RULES[f.code],
            f.message,
            entity=_owner(checked.document, f.path),
            path=json_path(f.path),
            line=_line(lines, f.path),
        )
        for f in unique
    ]
    return sorted(problems, key=_order)


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
