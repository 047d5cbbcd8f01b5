"""The JSON Schema is the contract: a third-party validator and `cpkb validate` agree on it."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from cpkb.check.schema import inline_refs, schema_parts
from cpkb.check.whole import check_bytes
from cpkb.kb import paths

DATA = Path(__file__).resolve().parents[1] / "data"
SCHEMAS = {v: json.loads(paths.schema_path(v).read_text(encoding="utf-8")) for v in (1, 2)}
SCHEMA = SCHEMAS[1]  # every-field.json, which the tests below mutate, is version 1
VALIDATOR = Draft202012Validator(SCHEMA)
VALIDATORS = {v: Draft202012Validator(schema) for v, schema in SCHEMAS.items()}
FIXTURES = sorted(
    [*(DATA / "good").glob("*.json"), *(DATA / "bad").glob("*.json"), DATA / "mini.json"]
)


class NotIJson(ValueError):
    """Not an I-JSON text (RFC 7493), so no schema can accept it."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len({k for k, _ in pairs}) != len(pairs):
        raise NotIJson("duplicate key")
    return dict(pairs)


def _no_constants(name: str) -> Any:
    raise NotIJson(name)


def strict_json(raw: bytes) -> Any:
    """Parse as I-JSON: UTF-8, unique keys, no NaN or Infinity, no lone surrogates."""
    try:
        text = raw.decode("utf-8-sig")
        doc = json.loads(text, object_pairs_hook=_unique, parse_constant=_no_constants)
        json.dumps(doc, ensure_ascii=False).encode("utf-8")  # lone surrogates fail here
    except (UnicodeError, ValueError, RecursionError) as exc:
        raise NotIJson(str(exc)) from None
    return doc


def version_of(doc: Any) -> int:
    """The schema a file is held to: version 1's if it says so, else the latest."""
    version = doc.get("schema_version") if isinstance(doc, dict) else None
    return 1 if type(version) in (int, float) and version == 1 else 2


def schema_accepts(raw: bytes) -> bool:
    try:
        doc = strict_json(raw)
    except NotIJson:
        return False
    return VALIDATORS[version_of(doc)].is_valid(doc)


def cpkb_accepts_structure(raw: bytes) -> bool:
    """No error of the file (E0xx) or schema (E1xx) layers."""
    return not any(p.is_error and p.rule.code[1] in "01" for p in check_bytes(raw).problems)


@pytest.mark.parametrize("version", [1, 2])
def test_the_schema_is_a_valid_2020_12_schema(version: int) -> None:
    Draft202012Validator.check_schema(SCHEMAS[version])


def test_the_bundled_file_matches_the_schema(bundled: dict[str, Any]) -> None:
    assert list(VALIDATORS[version_of(bundled)].iter_errors(bundled)) == []


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_schema_and_validate_agree_on_every_fixture(fixture: Path) -> None:
    raw = fixture.read_bytes()
    assert schema_accepts(raw) == cpkb_accepts_structure(raw)
    if fixture.parent.name == "good":
        assert schema_accepts(raw)


def test_integrity_problems_are_beyond_the_schema() -> None:
    for name in ("E203-unknown-target.json", "E204-self-target.json", "E207-no-such-date.json"):
        assert schema_accepts((DATA / "bad" / name).read_bytes()), name


@pytest.mark.parametrize(
    ("date", "ok"),
    [("2025", True), ("2025-02", True), ("2024-02-29", True), ("2025-12-31", True),
     ("2025-02-30", False), ("2025-04-31", False), ("0000", False), ("2025-1", False),
     ("2025\n", False), ("25-01-01", False)],
)  # fmt: skip
def test_dates_in_the_schema(date: str, ok: bool) -> None:
    assert Draft202012Validator(SCHEMA["$defs"]["isodate"]).is_valid(date) is ok


@pytest.mark.parametrize("value", ["abc\n", "Abc", "a--b", "-a", "a" * 201, ""])
def test_ids_in_the_schema(value: str) -> None:
    assert not Draft202012Validator(SCHEMA["$defs"]["id"]).is_valid(value)


SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
    | st.sampled_from(["", " ", "2025-02-29", "Bad Id", "x" * 201, 10**400, -math.inf])
)  # fmt: skip
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["id", "value", "unit", "x", "Q"]), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    children: list[tuple[Any, Any]] = []
    if isinstance(node, dict):
        children = list(node.items())
    elif isinstance(node, list):
        children = list(enumerate(node))
    return [p for k, v in children for p in [(*at, k), *_paths(v, (*at, k))]]


def mutate(doc: Any, data: st.DataObject, value: Any) -> None:
    """Drop one field of `doc`, or set it to `value`, at a path hypothesis draws."""
    path = data.draw(st.sampled_from(_paths(doc)))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if data.draw(st.booleans()) and isinstance(parent, dict):
        parent.pop(path[-1])
    else:
        parent[path[-1]] = value


@settings(max_examples=150, deadline=None)
@given(value=VALUES, data=st.data())
def test_schema_and_validate_agree_on_mutated_files(value: Any, data: st.DataObject) -> None:
    doc = json.loads((DATA / "good" / "every-field.json").read_text(encoding="utf-8"))
    mutate(doc, data, value)
    raw = json.dumps(doc, indent=1).encode()
    assert schema_accepts(raw) == cpkb_accepts_structure(raw)


# The fast path: validators that fastjsonschema compiles from parts of the schema clear what is
# valid, and jsonschema reads the rest, so that its errors, in its order, are still all reported.

WHOLES = {v: Draft202012Validator(inline_refs(schema)) for v, schema in SCHEMAS.items()}
PARTS_OF = {v: schema_parts(schema) for v, schema in SCHEMAS.items()}
PARTS = PARTS_OF[1]


def fast_accepts(check: Any, instance: Any) -> bool:
    assert check is not None
    try:
        check(instance)
    except Exception:
        return False
    return True


def assert_fast_path_agrees(doc: Any, version: int = 1) -> None:
    """Each part: fast-valid iff valid; all errors, in jsonschema's order."""
    parts = PARTS_OF[version]
    assert fast_accepts(parts.fast_top, doc) == Draft202012Validator(parts.top).is_valid(doc)
    for name, part in parts.items.items():
        items = doc.get(name) if isinstance(doc, dict) else None
        for item in items if isinstance(items, list) else []:
            assert fast_accepts(parts.fast[name], item) == Draft202012Validator(part).is_valid(item)
    whole = [(tuple(e.absolute_path), tuple(e.absolute_schema_path), e.message) for e in
             WHOLES[version].iter_errors(doc)]  # fmt: skip
    split = [(path, schema_path, e.message) for path, schema_path, e in parts.errors(doc)]
    assert split == whole


@pytest.mark.parametrize("version", [1, 2])
def test_fastjsonschema_compiles_every_part(version: int) -> None:
    parts = PARTS_OF[version]
    assert set(parts.items) == {"sources", "entities"}  # a version-2 `properties` goes whole
    assert parts.fast_top is not None and all(parts.fast.values())
    assert parts.by_item(["sources", "entities"])


def _json_or_none(fixture: Path) -> Any:
    try:
        return json.loads(fixture.read_bytes().decode("utf-8-sig"))
    except (UnicodeError, ValueError):
        return None


JSON_FIXTURES = [f for f in FIXTURES if _json_or_none(f) is not None]


@pytest.mark.parametrize("fixture", JSON_FIXTURES, ids=lambda p: p.name)
def test_the_fast_path_agrees_with_jsonschema_on_every_fixture(fixture: Path) -> None:
    doc = _json_or_none(fixture)
    assert_fast_path_agrees(doc, version_of(doc))


def test_errors_everywhere_come_in_jsonschema_order() -> None:
    doc = json.loads((DATA / "good" / "every-field.json").read_text(encoding="utf-8"))
    doc["$schema"] = 5
    doc["schema_version"] = 2
    doc["extra"] = True
    doc.pop("entities")
    del doc["sources"][0]["title"]
    doc["sources"][0]["date"] = "soon"
    doc["sources"].append("not a source")
    doc["entities"] = [{"id": "A", "type": "person", "claims": [{"value": 1, "target": "b"}]}, 3]
    assert_fast_path_agrees(doc)
    doc["entities"] = {"not": "an array"}
    assert_fast_path_agrees(doc)


VALUE = ("entities", 0, "claims", 0, "value")


@pytest.mark.parametrize(
    ("path", "value"),
    [(("schema_version",), True), (("schema_version",), 1.0), (("entities", 0, "id"), "abc\n"),
     (("entities", 0, "aliases"), ["a", "a"]), (("entities", 0, "aliases"), [1, True]),
     (("entities", 0, "aliases"), [[1], [True]]), (VALUE, math.nan), (VALUE, -math.inf),
     (VALUE, True), (VALUE, 10**400), (VALUE, None),
     (("entities", 0, "claims", 0, "qualifiers"), {"Bad": 1, "ok": [1]}),
     (("sources", 0, "url"), " "), (("sources", 0, "date"), "2024-02-30")],
)  # fmt: skip
def test_the_fast_path_agrees_with_jsonschema_on_edge_values(
    path: tuple[Any, ...], value: Any
) -> None:
    doc = json.loads((DATA / "good" / "every-field.json").read_text(encoding="utf-8"))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    assert_fast_path_agrees(doc)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_the_fast_path_agrees_with_jsonschema_on_mutated_files(data: st.DataObject) -> None:
    doc = json.loads((DATA / "good" / "every-field.json").read_text(encoding="utf-8"))
    for _ in range(data.draw(st.integers(1, 3))):
        mutate(doc, data, data.draw(VALUES))
    assert_fast_path_agrees(doc)
