"""Turn the parsed JSON of a data file into model objects, failing on the first problem.

`cpkb validate` reports every problem; this is the fast path every other command takes. It refuses
anything it could misread (wrong shapes and types, unknown fields, duplicate ids, references to
nothing, uncited facts, numbers or strings no output can carry), so that no command answers from a
file it misunderstood. Format rules that do not change what a command prints (id and date formats,
self-references, statistics without a unit) are left to `cpkb validate`.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeAlias, TypeVar

from cpkb.kb import quick
from cpkb.kb.quick import FLOAT_MAX as FLOAT_MAX
from cpkb.model import fields
from cpkb.model.entities import Citation, Claim, Entity, Scalar, Source

SUPPORTED_SCHEMA = 1
TOP_KEYS = fields.names(fields.TOP)
SOURCE_KEYS = fields.names(fields.SOURCE)
ENTITY_KEYS = fields.names(fields.ENTITY)
CITATION_KEYS = fields.names(fields.CITATION)
CLAIM_KEYS = fields.names(fields.CLAIM)

Path: TypeAlias = tuple[str | int, ...]
T = TypeVar("T")


class ParseProblem(Exception):
    """A structural problem at a JSON path, inside the entity or source `owner` if known."""

    def __init__(self, where: str, message: str, *, owner: str | None = None) -> None:
        self.where, self.problem, self.owner = where, message, owner
        super().__init__(self.describe())

    def describe(self) -> str:
        prefix = f"{self.owner}, " if self.owner else ""
        return f"{prefix}{self.where}: {self.problem}"


def brief(value: object, limit: int = 60) -> str:
    """A short, safe rendering of a data value for a message (never the whole of a huge value)."""
    if isinstance(value, str):
        return repr(value[:limit]) + ("…" if len(value) > limit else "")
    if value is None or isinstance(value, (bool, float)):
        return repr(value)
    if isinstance(value, int):
        return str(value) if value.bit_length() < 200 else f"a {len(str(value))}-digit number"
    return f"an {json_type(value)}"


def json_type(value: object) -> str:
    """The JSON name of a parsed value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]{0,59}")


def json_path(path: Path) -> str:
    """('entities', 3, 'id') -> '$.entities[3].id'; odd or huge keys go in brackets, shortened."""
    return "$" + "".join(_step(p) for p in path)


def _step(key: str | int) -> str:
    if isinstance(key, int):
        return f"[{key}]"
    if _NAME.fullmatch(key):
        return f".{key}"
    return f"[{json.dumps(key[:60], ensure_ascii=True)}{'…' if len(key) > 60 else ''}]"


def walk(node: object, path: Path = ()) -> Iterator[tuple[Path, object]]:
    """Every value and key of a parsed document, with its path; iterative, so depth is free."""
    stack: list[tuple[Path, object]] = [(path, node)]
    while stack:
        at, value = stack.pop()
        yield at, value
        if isinstance(value, dict):
            for key in value:
                yield (*at, key), key
            stack.extend(((*at, k), v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*at, i), v) for i, v in reversed(list(enumerate(value))))


Trie: TypeAlias = dict[str | int, "Trie"]
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder(parse_int=len)  # skips values: an int's size, never its value


def value_lines(text: str, paths: set[Path]) -> dict[Path, int]:
    """The line where the value at each of `paths`, and at each of their parents, starts in `text`.

    `text` must be valid JSON. Only the containers on the way to `paths` are walked; everything
    else is skipped by the C parser. For a repeated key, the line of its last occurrence.
    """
    trie: Trie = {}
    for path in paths:
        node = trie
        for key in path:
            node = node.setdefault(key, {})
    offsets: dict[Path, int] = {}
    try:
        _visit(text, _skip(text, 0), trie, (), offsets)
    except (RecursionError, ValueError, IndexError):  # not the JSON it was said to be: no lines
        return {}
    newlines = [m.start() for m in re.finditer("\n", text)]
    return {path: bisect.bisect(newlines, offset) + 1 for path, offset in offsets.items()}


def _visit(text: str, start: int, trie: Trie, path: Path, offsets: dict[Path, int]) -> int:
    """Record where the value at `start` begins, visit the wanted children; return its end."""
    offsets[path] = start
    opener = text[start]
    if not trie or opener not in "{[":
        return _DECODER.raw_decode(text, start)[1]
    closer, index, i = "}" if opener == "{" else "]", 0, _skip(text, start + 1)
    while text[i] != closer:
        key: str | int = index
        if opener == "{":
            key, i = _DECODER.raw_decode(text, i)
            i = _skip(text, _skip(text, i) + 1)  # past the colon
        child = trie.get(key)
        if child is None:
            end = _DECODER.raw_decode(text, i)[1]
        else:
            end = _visit(text, i, child, (*path, key), offsets)
        i, index = _skip(text, end), index + 1
        if text[i] == ",":
            i = _skip(text, i + 1)
    return i + 1


def _skip(text: str, i: int) -> int:
    space = _SPACE.match(text, i)
    return space.end() if space else i


# Read left to right as a JSON reader does: an escaped backslash, a surrogate pair, or (group 1)
# a surrogate escape outside a pair. So "\\ud800" holds none: it is a backslash, then "ud800".
_SURROGATE_ESCAPES = re.compile(
    r"\\\\|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|(\\u[dD][89a-fA-F])"
)


def lone_surrogates(text: str, document: object) -> Iterator[Path]:
    """Paths of strings holding half a UTF-16 surrogate pair: no output can show them."""
    if "\\" not in text or not any(m.lastindex for m in _SURROGATE_ESCAPES.finditer(text)):
        return  # the only way one gets in: a \u escape without its other half
    for at, value in walk(document):
        if isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                yield at


def _fields(node: object, where: str, allowed: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(node, dict):
        raise ParseProblem(where, f"must be an object, not {json_type(node)}")
    if not node.keys() <= allowed:
        raise ParseProblem(where + _step(min(node.keys() - allowed)), "unknown field")
    return node


def _text(node: Mapping[str, Any], key: str, where: str) -> str:
    value = node.get(key)
    if not isinstance(value, str) or not value.strip():
        problem = (
            "missing" if key not in node else f"must be a non-empty string, not {brief(value)}"
        )
        raise ParseProblem(f"{where}.{key}", problem)
    return value


def _list(node: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = node.get(key)
    if not isinstance(value, list):
        problem = "missing" if key not in node else f"must be an array, not {json_type(value)}"
        raise ParseProblem(f"{where}.{key}", problem)
    return value


def check_top(document: object) -> tuple[list[Any], list[Any]]:
    """The top level: an object with arrays of objects 'sources' and 'entities', nothing else."""
    if not isinstance(document, dict):
        raise ParseProblem("$", f"top level must be an object, not {json_type(document)}")
    doc = _fields(document, "$", TOP_KEYS)
    if not isinstance(doc.get("$schema", ""), str):
        raise ParseProblem("$.$schema", f"must be a string, not {json_type(doc['$schema'])}")
    sources, entities = _list(doc, "sources", "$"), _list(doc, "entities", "$")
    check_schema_version(doc.get("schema_version"))
    return sources, entities


def parse_source(node: object, where: str) -> Source:
    doc = _fields(node, where, SOURCE_KEYS)
    return _owned("source", doc, where, _source)


def _owned(kind: str, doc: Mapping[str, Any], where: str, parse: Callable[..., T]) -> T:
    """`parse(doc, id, where)`, its problems named by the source or entity they lie in."""
    owner_id = _text(doc, "id", where)
    try:
        return parse(doc, owner_id, where)
    except ParseProblem as exc:
        raise ParseProblem(exc.where, exc.problem, owner=f"{kind} {brief(owner_id)}") from None


def _source(doc: Mapping[str, Any], source_id: str, where: str) -> Source:
    url = doc.get("url")
    if "url" not in doc:
        raise ParseProblem(f"{where}.url", "missing (use null when there is none)")
    if url is not None and (not isinstance(url, str) or not url.strip()):
        raise ParseProblem(f"{where}.url", f"must be a non-empty string or null, not {brief(url)}")
    title, publisher, date, reliability = (
        _text(doc, key, where) for key in ("title", "publisher", "date", "reliability")
    )
    return Source(source_id, title, publisher, date, url, reliability)


def parse_citations(node: Mapping[str, Any], where: str) -> tuple[Citation, ...]:
    items = _list(node, "sources", where)
    if not items:
        raise ParseProblem(f"{where}.sources", "must cite at least one source")
    citations = []
    for i, item in enumerate(items):
        at = f"{where}.sources[{i}]"
        doc = _fields(item, at, CITATION_KEYS)
        citations.append(Citation(_text(doc, "source", at), _text(doc, "quote", at)))
    return tuple(citations)


def _scalar(value: object, where: str) -> Scalar:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):  # bool included
        if (isinstance(value, float) and not math.isfinite(value)) or abs(value) > FLOAT_MAX:
            raise ParseProblem(where, f"number out of range ({brief(value)})")
        return value
    raise ParseProblem(where, f"must be a string, number or boolean, not {json_type(value)}")


def parse_claim(node: object, where: str) -> Claim:
    doc = _fields(node, where, CLAIM_KEYS)
    has_value, has_target = "value" in doc, "target" in doc
    if has_value == has_target:
        raise ParseProblem(where, "a claim needs exactly one of 'value' and 'target'")
    optional: dict[str, str | None] = {}
    for key in fields.CLAIM_DETAILS:
        optional[key] = _text(doc, key, where) if key in doc else None
    qualifiers = doc.get("qualifiers", {})
    if not isinstance(qualifiers, dict):
        raise ParseProblem(f"{where}.qualifiers", f"must be an object, not {json_type(qualifiers)}")
    return Claim(
        property=_text(doc, "property", where),
        sources=parse_citations(doc, where),
        value=_scalar(doc["value"], f"{where}.value") if has_value else None,
        target=_text(doc, "target", where) if has_target else None,
        qualifiers=tuple((k, _scalar(v, f"{where}.qualifiers.{k}")) for k, v in qualifiers.items()),
        **optional,
    )


def parse_entity(node: object, where: str) -> Entity:
    fast = quick.entity(node)
    if fast is not None:
        return fast
    doc = _fields(node, where, ENTITY_KEYS)
    return _owned("entity", doc, where, _entity)


def _entity(doc: Mapping[str, Any], entity_id: str, where: str) -> Entity:
    entity_type = _text(doc, "type", where)
    if entity_type not in fields.ENTITY_TYPES:
        raise ParseProblem(f"{where}.type", f"unknown entity type {brief(entity_type)}")
    aliases = _list(doc, "aliases", where)
    for i, alias in enumerate(aliases):
        if not isinstance(alias, str) or not alias.strip():
            raise ParseProblem(f"{where}.aliases[{i}]", "must be a non-empty string")
    claims = _list(doc, "claims", where)
    return Entity(
        id=entity_id,
        type=entity_type,
        name=_text(doc, "name", where),
        aliases=tuple(aliases),
        summary=_text(doc, "summary", where),
        sources=parse_citations(doc, where),
        claims=tuple(parse_claim(c, f"{where}.claims[{i}]") for i, c in enumerate(claims)),
    )


def check_schema_version(version: object) -> int:
    if version != SUPPORTED_SCHEMA or isinstance(version, bool):
        raise ParseProblem("$.schema_version", f"unsupported schema version {brief(version)}")
    return SUPPORTED_SCHEMA


def by_id(items: list[Any], kind: str) -> dict[str, Any]:
    """Items keyed by id; a repeated id is an error, since a reference to it would be ambiguous."""
    found: dict[str, int] = {}
    where = "$.entities" if kind == "entity" else "$.sources"
    for i, item in enumerate(items):
        if item.id in found:
            first = f"first at {where}[{found[item.id]}]"
            raise ParseProblem(
                f"{where}[{i}].id", f"duplicate {kind} id {brief(item.id)} ({first})"
            )
        found[item.id] = i
    return {item.id: item for item in items}


def check_references(sources: Mapping[str, Source], entities: Mapping[str, Entity]) -> None:
    """Every claim target and every cited source must exist."""
    for n, entity in enumerate(entities.values()):
        _check_cited(sources, entity, entity.sources, f"$.entities[{n}]")
        for i, claim in enumerate(entity.claims):
            where = f"$.entities[{n}].claims[{i}]"
            if claim.target is not None and claim.target not in entities:
                problem = f"targets unknown entity {brief(claim.target)}"
                raise ParseProblem(f"{where}.target", problem, owner=f"entity {brief(entity.id)}")
            _check_cited(sources, entity, claim.sources, where)


def _check_cited(
    sources: Mapping[str, Source], entity: Entity, citations: tuple[Citation, ...], where: str
) -> None:
    for k, citation in enumerate(citations):
        if citation.source not in sources:
            raise ParseProblem(
                f"{where}.sources[{k}].source",
                f"cites unknown source {brief(citation.source)}",
                owner=f"entity {brief(entity.id)}",
            )
