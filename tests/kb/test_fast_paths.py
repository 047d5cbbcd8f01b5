"""The fast paths against the careful ones they stand in for: fastjson, quick, WordMemo.

Each fast path may decline (return None, or fall back); whenever it answers, it must answer
exactly as the careful path does, and it must answer on the ordinary files it exists for.
"""

from __future__ import annotations

import copy
import io
import json
import string
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpkb.check.rules import RULES
from cpkb.errors import DataError
from cpkb.kb import fastjson, parse, quick, read, store
from cpkb.kb.document import ParseProblem
from cpkb.model.entities import Entity, KnowledgeBase
from cpkb.query.text import PUNCTUATION, WordMemo, fold, loose, skeleton, skeleton_text
from tests.synthetic import generator

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "data"
BUNDLED = ROOT / "tests" / "data" / "v1-bundled.json"  # version 1, as the tests here read it
FIXTURES = sorted(
    [*(DATA / "bad").glob("*.json"), *(DATA / "good").glob("*.json"), DATA / "mini.json"]
)
N, SEED = 300, 5
FLOAT_MAX = quick.FLOAT_MAX
INT_LOW, INT_HIGH = -(2**63), 2**64  # orjson reads integers in [INT_LOW, INT_HIGH) as integers


def same(a: object, b: object) -> bool:
    """Equal, and of the same types all the way down (1, 1.0 and True are not the same)."""
    return a == b and repr(a) == repr(b)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic KB of N entities, as bench/generate.py writes it."""
    out = io.StringIO()
    generator().generate(N, SEED, out)
    path = tmp_path_factory.mktemp("fast-paths") / "kb.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _entities(path: Path) -> list[dict[str, Any]]:
    entities: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["entities"]
    return entities


BUNDLED_ENTITIES = _entities(BUNDLED)


# --- 1. fastjson.loads ---------------------------------------------------------------------------


def strict_loads(text: str) -> Any:
    """What the careful reader makes of a text (repeated keys refused with ValueError)."""

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({k for k, _ in pairs}) != len(pairs):
            raise ValueError("repeated key")
        return dict(pairs)

    return json.loads(text, object_pairs_hook=unique)


def check_fast(raw: bytes) -> Any:
    """fastjson.loads(raw), checked to be None or exactly the careful reading of raw."""
    fast = fastjson.loads(raw)
    if fast is not None:
        assert same(fast, strict_loads(raw.decode("utf-8"))), raw[:200]
    return fast


TRICKY_TEXT = st.sampled_from(
    [
        '"',
        "\\",
        '\\"',
        '"\\',
        "\\u0022",
        "e+",
        "1e+5",
        "/",
        "\x00",
        "\x1f",
        "\x7f",
        "\u2028",
        "é",
        "Қазақстан",
        "’",
        "\U0001f600",
        "\ufeff",
        "a\u0301",
        "\u0085",
        '{"a": 1}',
        "null",
    ]
)
TEXTS = st.one_of(st.text(max_size=12), TRICKY_TEXT, st.lists(TRICKY_TEXT, max_size=4).map("".join))
INTS = st.one_of(
    st.integers(min_value=-1000, max_value=1000),
    st.integers(),
    st.sampled_from([INT_LOW, INT_LOW - 1, INT_HIGH - 1, INT_HIGH, 2**53 + 1, 10**30, -(10**30)]),
)
FLOATS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 0.1, 1e16, 1e15, 5e-324, 1e-7, FLOAT_MAX, -FLOAT_MAX]),
)
SCALARS = st.one_of(st.none(), st.booleans(), INTS, FLOATS, TEXTS)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(TEXTS, inner, max_size=5)),
    max_leaves=25,
)
SMALL_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXTS, inner, max_size=3)),
    max_leaves=5,
)
STYLES: dict[str, Callable[[Any], str]] = {
    "indent": lambda v: json.dumps(v, indent=2),
    "indent-utf8": lambda v: json.dumps(v, indent=2, ensure_ascii=False),
    "compact": lambda v: json.dumps(v, separators=(",", ":")),
    "compact-utf8": lambda v: json.dumps(v, separators=(",", ":"), ensure_ascii=False),
    "default": json.dumps,
}


def _should_be_fast(value: object) -> bool:
    """No huge integer, no float orjson writes with "e+", no string holding "e+" or "\\u0022"."""
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return INT_LOW <= value < INT_HIGH
    if isinstance(value, float):
        return abs(value) < 1e16  # orjson writes 1e16 as "1e+16": fastjson cannot tell it apart
    if isinstance(value, str):
        return "e+" not in value and "\\u0022" not in value  # written "\\u0022": declined
    if isinstance(value, list):
        return all(_should_be_fast(v) for v in value)
    assert isinstance(value, dict)
    return all(_should_be_fast(k) and _should_be_fast(v) for k, v in value.items())


@settings(max_examples=300, deadline=None)
@given(value=JSON_VALUES, style=st.sampled_from(sorted(STYLES)))
def test_fastjson_reads_as_json_loads_and_answers_on_ordinary_documents(
    value: Any, style: str
) -> None:
    text = STYLES[style](value)
    fast = fastjson.loads(text.encode("utf-8"))
    if fast is not None:
        assert same(fast, json.loads(text))
    if value is not None and _should_be_fast(value):  # None: "null" reads as None either way
        assert fast is not None, text


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 1}',
        '{"a": 1, "a": 2}',
        '{"a": "x", "a": "y", "s": "\\"\\"\\"\\""}',  # quotes elsewhere cannot make up for it
        '{"a": 1, "\\u0061": 1}',
        '{"\\u0061": 1, "a": 1}',
        '{"\\u0061\\u0062": 1, "a\\u0062": 1}',
        '{"\\u00e9": 1, "é": 1}',
        '{"\\ud83d\\ude00": 1, "\U0001f600": 1}',
        '{"a\\"b": 1, "a\\"b": 1}',
        '{"a\\"b": "\\"", "a\\u0022b": "\\""}',
        '{"\\"": 1, "\\"": 2}',
        '{"\\\\": 1, "\\\\": 2}',
        '{"a": {"b": 1}, "a": {"b": 1}}',
        '{"a": [], "a": []}',
        '{"a": null, "b": 2, "a": null}',
        '[1, {"x": [{"y": {"k": "v", "k": "v"}}]}]',
        '{"entities": [{"id": "e", "claims": [{"qualifiers": {"q": 1, "q": 1}}]}]}',
        "[" * 100 + '{"k": 1, "k": 1}' + "]" * 100,
        '{"o": ' * 150 + '{"k": 1, "k": 1}' + "}" * 150,
    ],
)
def test_fastjson_refuses_repeated_keys(text: str) -> None:
    with pytest.raises(ValueError, match="repeated key"):
        strict_loads(text)
    assert fastjson.loads(text.encode("utf-8")) is None


def _escaped(key: str) -> str:
    """A JSON string literal for key with every character written as a \\u escape."""
    units = key.encode("utf-16-be")
    hexes = [units[i : i + 2].hex() for i in range(0, len(units), 2)]
    return '"' + "".join(f"\\u{h}" for h in hexes) + '"'


@settings(max_examples=200, deadline=None)
@given(
    members=st.dictionaries(TEXTS, SMALL_VALUES, min_size=1, max_size=4),
    data=st.data(),
    escape=st.booleans(),
    ensure_ascii=st.booleans(),
    depth=st.integers(min_value=0, max_value=20),
)
def test_fastjson_refuses_a_repeated_key_anywhere(
    members: dict[str, Any], data: st.DataObject, escape: bool, ensure_ascii: bool, depth: int
) -> None:
    key = data.draw(st.sampled_from(sorted(members)))
    again = _escaped(key) if escape else json.dumps(key, ensure_ascii=ensure_ascii)
    extra = data.draw(SMALL_VALUES)
    items = [
        f"{json.dumps(k, ensure_ascii=ensure_ascii)}: {json.dumps(v)}" for k, v in members.items()
    ]
    items.insert(data.draw(st.integers(0, len(items))), f"{again}: {json.dumps(extra)}")
    text = "{" + ", ".join(items) + "}"
    for _ in range(depth):
        text = data.draw(st.sampled_from(['{"k": %s}', "[%s]", '[1, "\\"", %s, {}]'])) % text
    with pytest.raises(ValueError, match="repeated key"):
        strict_loads(text)
    assert fastjson.loads(text.encode("utf-8")) is None


@pytest.mark.parametrize(
    "number", [INT_HIGH, INT_HIGH + 1, INT_LOW - 1, 10**20, -(10**30), 10**400]
)
@pytest.mark.parametrize("shape", ["{}", "[{}]", '{"n": {}}', '{"a": [1, 2.5, "x", {}]}'])
def test_fastjson_refuses_integers_beyond_64_bits(number: int, shape: str) -> None:
    text = shape.replace("{}", str(number), 1)
    assert fastjson.loads(text.encode()) is None


@pytest.mark.parametrize("number", [INT_HIGH - 1, INT_LOW, 2**63, 2**53 + 1, -(2**53) - 1, 0])
def test_fastjson_keeps_64_bit_integers_exact(number: int) -> None:
    fast = check_fast(f'{{"n": [{number}]}}'.encode())
    assert fast is not None and type(fast["n"][0]) is int and fast["n"][0] == number


@settings(max_examples=100, deadline=None)
@given(
    number=st.one_of(st.integers(min_value=INT_HIGH), st.integers(max_value=INT_LOW - 1)),
    around=SMALL_VALUES,
)
def test_fastjson_refuses_any_integer_beyond_64_bits(number: int, around: Any) -> None:
    text = json.dumps({"around": around, "n": [number]})
    assert fastjson.loads(text.encode()) is None


REFUSED = {
    "bom": b'\xef\xbb\xbf{"a": 1}',
    "nan": b'{"a": NaN}',
    "infinity": b"[Infinity]",
    "minus-infinity": b"[-Infinity]",
    "overflow": b"[1e400]",
    "latin-1": '["é"]'.encode("latin-1"),
    "invalid-utf8": b'["\xff"]',
    "overlong-utf8": b'["\xc0\xaf"]',
    "encoded-surrogate": b'["\xed\xa0\x80"]',
    "utf-16": '{"a": 1}'.encode("utf-16"),
    "lone-high-surrogate": b'["\\ud800"]',
    "lone-low-surrogate": b'["\\udc00"]',
    "surrogate-then-text": b'{"k": "\\ud800x"}',
    "surrogate-key": b'{"\\ud800": 1}',
    "deep-lists": b"[" * 2000 + b"]" * 2000,
    "deep-objects": b'{"a":' * 2000 + b"1" + b"}" * 2000,
    "deep-for-dumps": b"[" * 300 + b"]" * 300,  # orjson reads it but cannot write it back
    "empty": b"",
    "blank": b" \n\t",
    "truncated": b'{"a": [1, 2',
    "trailing-comma": b"[1, 2,]",
    "single-quotes": b"{'a': 1}",
    "comment": b'{"a": 1} // note',
    "control-character": b'["a\x01b"]',
    "two-documents": b"{} {}",
}


@pytest.mark.parametrize("raw", REFUSED.values(), ids=REFUSED.keys())
def test_fastjson_declines_what_orjson_cannot_read_back(raw: bytes) -> None:
    assert fastjson.loads(raw) is None


NOT_JSON = [
    b"[1,\x0c2]",
    b"\x0b[]",
    b"[1]\x00",
    b"\xc2\xa0[]",
    b"[01]",
    b"[-01]",
    b"[1.]",
    b"[.5]",
    b"[+1]",
    b"[1e]",
    b"[0x10]",
    b"[1_000]",
    b'["\\x41"]',
    b'["\\U0041"]',
    b'["\\u00"]',
    b'["a\tb"]',
    b"[True]",
    b'{"a" 1}',
    b"{1: 2}",
    b'{"a": 1,}',
    b"[\xe2\x80\xa8]",
    b'["\xf4\x90\x80\x80"]',
    b'["\xf0\x9f\x98"]',
]


@pytest.mark.parametrize("raw", NOT_JSON, ids=repr)
def test_fastjson_never_answers_where_json_loads_refuses(raw: bytes) -> None:
    with pytest.raises(ValueError):  # UnicodeDecodeError and JSONDecodeError alike
        strict_loads(raw.decode("utf-8"))
    assert fastjson.loads(raw) is None


@settings(max_examples=200, deadline=None)
@given(value=JSON_VALUES, data=st.data())
def test_fastjson_on_damaged_bytes_declines_or_reads_right(value: Any, data: st.DataObject) -> None:
    raw = bytearray(json.dumps(value, ensure_ascii=data.draw(st.booleans())).encode())
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(raw)))
        junk = data.draw(st.sampled_from([b'"', b"\\", b",", b":", b"}", b"]", b"\xff", b"\x0c"]))
        if data.draw(st.booleans()) and at < len(raw):
            del raw[at]
        else:
            raw[at:at] = junk
    fast = fastjson.loads(bytes(raw))
    if fast is not None:
        assert same(fast, strict_loads(bytes(raw).decode("utf-8")))


@pytest.mark.parametrize(
    "text",
    [
        '"\\u0022"',
        '{"q": "say \\u0022hi\\u0022"}',
        '{"\\u0022": "\\""}',
        '{"a": "\\u0022", "b": "\\u0022"}',
        '{"a\\u0022": 1, "a\\"": 2}',  # the same key twice, once as \\u0022
        '["\\\\u0022"]',  # a backslash, then the text u0022
    ],
)
def test_fastjson_with_an_escaped_quote_declines_or_reads_right(text: str) -> None:
    try:
        expected = strict_loads(text)
    except ValueError:
        assert fastjson.loads(text.encode()) is None
    else:
        fast = fastjson.loads(text.encode())
        assert fast is None or same(fast, expected)


@pytest.mark.parametrize(
    "number",
    [
        "-0",
        "-0.0",
        "0e0",
        "1E5",
        "1e-400",
        "4.9e-324",
        "2.4703282292062328e-324",
        "0.1",
        "9007199254740993.0",
        "1.7976931348623157e308",
        "1.7976931348623159e308",
        "1e+2",
        "123456789012345678901234567890e-10",
        "0." + "0" * 400 + "1",
        "1" + "0" * 5000,
    ],
)
def test_fastjson_numbers_decline_or_read_right(number: str) -> None:
    raw = f'{{"n": [{number}]}}'.encode()
    try:
        expected = strict_loads(raw.decode())
    except ValueError:  # more digits than Python reads: the careful reader words it
        assert fastjson.loads(raw) is None
    else:
        fast = fastjson.loads(raw)
        assert fast is None or same(fast, expected)


@pytest.mark.parametrize(
    "path", [BUNDLED, *(p for p in FIXTURES if "bad" not in p.parts)], ids=lambda p: p.name
)
def test_fastjson_answers_on_the_real_files(path: Path) -> None:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        assert fastjson.loads(raw) is None
    elif _should_be_fast(strict_loads(raw.decode("utf-8"))):
        assert check_fast(raw) is not None
    else:  # every-field.json holds 1.5e300, which orjson writes as "1.5e+300"
        check_fast(raw)


def test_fastjson_answers_on_a_generated_kb(generated: Path) -> None:
    assert check_fast(generated.read_bytes()) is not None


# --- 2. quick.entity ---------------------------------------------------------------------------


def careful(node: object, version: int = 1) -> Entity:
    """The careful parser of parse.parse_entity, without its quick first try."""
    return parse.careful_entity(node, "$", version)


def agree(node: object, version: int = 1) -> Entity | None:
    """quick.entity(node), checked to be None or exactly what the careful parser builds."""
    fast = quick.entity(node, version)
    try:
        slow = careful(node, version)
    except ParseProblem:
        assert fast is None, node
        return None
    if fast is not None:
        assert same(fast, slow), node
        assert type(fast) is Entity
        assert all(type(c) is type(s) for c, s in zip(fast.claims, slow.claims, strict=True))
    return fast


def test_quick_reads_every_bundled_entity() -> None:
    assert BUNDLED_ENTITIES
    for node in BUNDLED_ENTITIES:
        assert agree(node) is not None, node["id"]


def test_quick_reads_every_generated_entity(generated: Path) -> None:
    entities = _entities(generated)
    assert len(entities) == N
    for node in entities:
        assert agree(node) is not None, node["id"]


WEIRD: list[object] = [
    None,
    "",
    "  ",
    "\u3000\n",
    "x",
    "official",
    0,
    1.5,
    True,
    False,
    float("inf"),
    float("-inf"),
    float("nan"),
    FLOAT_MAX,
    -FLOAT_MAX,
    10**400,
    -(10**400),
    2**64,
    [],
    {},
    ["x"],
    [None],
    {"a": 1},
    {"a": []},
    {"source": "s", "quote": "q"},
]
NEW_KEYS = ["unknown", "value", "target", "qualifiers", "unit", "date", "start", "end"]
NEW_KEYS += ["id", "type", "source", "quote", "aliases", "sources", "claims", "property", ""]


def _containers(node: object) -> list[dict[str, Any] | list[Any]]:
    """Every object and array in a parsed document, the document itself first."""
    found: list[dict[str, Any] | list[Any]] = []
    stack = [node]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            found.append(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            found.append(value)
            stack.extend(value)
    return found


def mutate(node: dict[str, Any], data: st.DataObject) -> None:
    """One random change, anywhere in the entity: remove, add, replace, empty or append."""
    container = data.draw(st.sampled_from(_containers(node)))
    weird = data.draw(st.sampled_from(WEIRD))
    op = data.draw(st.sampled_from(["remove", "add", "replace", "empty", "append"]))
    if isinstance(container, dict):
        keys = sorted(container)
        if op == "remove" and keys:
            del container[data.draw(st.sampled_from(keys))]
        elif op == "replace" and keys:
            container[data.draw(st.sampled_from(keys))] = copy.deepcopy(weird)
        else:
            container[data.draw(st.sampled_from(NEW_KEYS))] = copy.deepcopy(weird)
    elif op in ("remove", "empty"):
        container.clear()
    elif op == "replace" and container:
        container[data.draw(st.integers(0, len(container) - 1))] = copy.deepcopy(weird)
    else:
        container.append(copy.deepcopy(weird))


@settings(max_examples=400, deadline=None)
@given(
    index=st.integers(0, len(BUNDLED_ENTITIES) - 1),
    changes=st.integers(0, 3),
    data=st.data(),
)
def test_quick_agrees_with_the_careful_parser_on_mutated_entities(
    index: int, changes: int, data: st.DataObject
) -> None:
    node = copy.deepcopy(BUNDLED_ENTITIES[index])
    for _ in range(changes):
        mutate(node, data)
    fast = agree(node)
    if changes == 0:
        assert fast is not None


def _claims(node: dict[str, Any], *, has: str) -> list[dict[str, Any]]:
    return [c for c in node["claims"] if has in c]


def _set_all(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(node: dict[str, Any]) -> None:
        node[key] = value

    return change


def _each_claim(
    has: str, change: Callable[[dict[str, Any]], None]
) -> Callable[[dict[str, Any]], None]:
    def apply(node: dict[str, Any]) -> None:
        for claim in _claims(node, has=has)[:1]:
            change(claim)

    return apply


MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "remove-id": lambda n: n.pop("id"),
    "remove-sources": lambda n: n.pop("sources"),
    "remove-aliases": lambda n: n.pop("aliases"),
    "unknown-key": _set_all("unknown", 1),
    "unknown-key-instead-of-claims": lambda n: n.update(claims_=n.pop("claims")),
    "blank-id": _set_all("id", "  "),
    "empty-name": _set_all("name", ""),
    "unicode-blank-summary": _set_all("summary", "\u2028\u3000"),
    "number-name": _set_all("name", 0),
    "bool-type": _set_all("type", True),
    "unknown-type": _set_all("type", "person"),
    "type-list": _set_all("type", ["official"]),
    "aliases-dict": _set_all("aliases", {}),
    "aliases-non-string": lambda n: n["aliases"].append(1),
    "aliases-none": lambda n: n["aliases"].append(None),
    "aliases-blank": lambda n: n["aliases"].append(" \t"),
    "aliases-empty-list-ok": _set_all("aliases", []),
    "claims-empty-ok": _set_all("claims", []),
    "claims-none": _set_all("claims", None),
    "claims-holds-a-list": lambda n: n["claims"].append([]),
    "empty-sources": _set_all("sources", []),
    "sources-dict": _set_all("sources", {"source": "s", "quote": "q"}),
    "citation-extra-key": lambda n: n["sources"][0].update(page=1),
    "citation-missing-quote": lambda n: n["sources"][0].pop("quote"),
    "citation-blank-source": lambda n: n["sources"][0].update(source=" "),
    "citation-swapped-key": lambda n: n["sources"].append({"source": "s", "quote2": "q"}),
    "claim-empty-sources": _each_claim("property", lambda c: c.update(sources=[])),
    "claim-no-sources": _each_claim("property", lambda c: c.pop("sources")),
    "claim-value-and-target": _each_claim("value", lambda c: c.update(target="x")),
    "claim-target-and-value": _each_claim("target", lambda c: c.update(value="x")),
    "claim-neither": _each_claim("value", lambda c: c.pop("value")),
    "claim-value-none": _each_claim("value", lambda c: c.update(value=None)),
    "claim-value-empty-string-ok": _each_claim("value", lambda c: c.update(value="")),
    "claim-value-zero-ok": _each_claim("value", lambda c: c.update(value=0)),
    "claim-value-true-ok": _each_claim("value", lambda c: c.update(value=True)),
    "claim-value-max-ok": _each_claim("value", lambda c: c.update(value=FLOAT_MAX)),
    "claim-value-inf": _each_claim("value", lambda c: c.update(value=float("inf"))),
    "claim-value-nan": _each_claim("value", lambda c: c.update(value=float("nan"))),
    "claim-value-huge": _each_claim("value", lambda c: c.update(value=10**400)),
    "claim-value-list": _each_claim("value", lambda c: c.update(value=[])),
    "claim-value-dict": _each_claim("value", lambda c: c.update(value={})),
    "claim-target-blank": _each_claim("target", lambda c: c.update(target="  ")),
    "claim-target-number": _each_claim("target", lambda c: c.update(target=1)),
    "claim-unit-empty": _each_claim("property", lambda c: c.update(unit="")),
    "claim-date-none": _each_claim("property", lambda c: c.update(date=None)),
    "claim-start-ok": _each_claim("property", lambda c: c.update(start="2020")),
    "claim-end-number": _each_claim("property", lambda c: c.update(end=2020)),
    "claim-property-blank": _each_claim("property", lambda c: c.update(property=" ")),
    "claim-unknown-key": _each_claim("property", lambda c: c.update(note="x")),
    "qualifiers-list": _each_claim("property", lambda c: c.update(qualifiers=[])),
    "qualifiers-string": _each_claim("property", lambda c: c.update(qualifiers="x")),
    "qualifiers-none": _each_claim("property", lambda c: c.update(qualifiers=None)),
    "qualifiers-empty-ok": _each_claim("property", lambda c: c.update(qualifiers={})),
    "qualifier-list-value": _each_claim("qualifiers", lambda c: c["qualifiers"].update(q=[])),
    "qualifier-none-value": _each_claim("qualifiers", lambda c: c["qualifiers"].update(q=None)),
    "qualifier-inf-value": _each_claim(
        "qualifiers", lambda c: c["qualifiers"].update(q=float("-inf"))
    ),
    "qualifier-huge-value": _each_claim(
        "qualifiers", lambda c: c["qualifiers"].update(q=-(10**400))
    ),
    "qualifier-blank-value-ok": _each_claim("qualifiers", lambda c: c["qualifiers"].update(q="  ")),
    "qualifier-bool-value-ok": _each_claim("qualifiers", lambda c: c["qualifiers"].update(q=False)),
    "not-an-object": lambda n: n.clear(),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_quick_agrees_with_the_careful_parser_on_each_mutation(name: str) -> None:
    for original in BUNDLED_ENTITIES:
        node = copy.deepcopy(original)
        MUTATIONS[name](node)
        fast = agree(node)
        if name.endswith("-ok"):
            assert fast is not None, (name, node["id"])


@pytest.mark.parametrize("node", [None, [], "entity", 1, [{"id": "x"}]], ids=repr)
def test_quick_declines_what_is_not_an_object(node: object) -> None:
    assert quick.entity(node) is None
    with pytest.raises(ParseProblem):
        careful(node)


# --- 3. WordMemo and skeleton_text -------------------------------------------------------------

WHITESPACE = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
RICH = (
    string.ascii_letters
    + string.digits
    + "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
    + "ӘәҒғҚқҢңӨөҰұҮүҺһІі"
    + "\u0300\u0301\u0306\u0308\u0327\u0483\u0489\u20dd"  # combining marks
    + "'’‘ʼ`´"  # apostrophes
    + '-–—.,;:!?()[]{}«»"“”/\\&@#%*+=_|~^$<>'
    + "ßİıﬁǅΣσςÅÅ①Ａ²½가가\u200b\u200d\ufeff\U0001f600中文"
    + WHITESPACE
)
RICH_TEXT = st.one_of(
    st.text(st.sampled_from(RICH), max_size=40),
    st.text(max_size=20),
    st.lists(
        st.sampled_from(["kh", "ng", "sh", "qaz", "aa", "ll", "Қ", "Ң", "Х", " ", "\x85"])
    ).map("".join),
)


def test_whitespace_list_holds_the_unusual_ones() -> None:
    assert {"\x85", "\xa0", "\u1680", "\u2000", "\u200a", "\u2028", "\u2029", "\u3000"} <= set(
        WHITESPACE
    )


@settings(max_examples=300, deadline=None)
@given(text=RICH_TEXT)
def test_word_memo_is_exact_for_fold_and_loose(text: str) -> None:
    assert WordMemo(fold)(text) == fold(text)
    assert WordMemo(loose)(text) == loose(text)


@settings(max_examples=100, deadline=None)
@given(texts=st.lists(RICH_TEXT, min_size=1, max_size=6))
def test_a_shared_word_memo_stays_exact(texts: list[str]) -> None:
    folds, looses = WordMemo(fold), WordMemo(loose)
    for text in [*texts, *texts]:
        assert folds(text) == fold(text)
        assert looses(text) == loose(text)


@pytest.mark.parametrize(("before", "after"), [("a", "b"), ("қ", "ә"), ("'", "’"), ("1", "Х")])
def test_word_memo_splits_as_fold_on_every_whitespace(before: str, after: str) -> None:
    folds, looses = WordMemo(fold), WordMemo(loose)
    for c in WHITESPACE:
        text = before + c + after
        assert folds(text) == fold(text), hex(ord(c))
        assert looses(text) == loose(text), hex(ord(c))
        doubled = f"{c}{before}{c}{c}{after}{c}"
        assert folds(doubled) == fold(doubled), hex(ord(c))


FOLDED_WORDS = st.text(string.ascii_lowercase + string.digits + "hngqyw", min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(RICH_TEXT.map(fold), st.lists(FOLDED_WORDS, max_size=6).map(" ".join)))
def test_skeleton_text_works_word_by_word(text: str) -> None:
    assert fold(text) == text  # a folded text
    assert skeleton_text(text) == " ".join(skeleton(w) for w in text.split(" "))


# --- end to end: store.load -------------------------------------------------------------------


def _outcome(path: Path) -> tuple[str, object]:
    try:
        kb: KnowledgeBase = store.load(path)
    except DataError as exc:
        return "error", (str(exc), exc.problem, exc.hint)
    return "kb", (kb.schema_version, kb.sources, kb.entities, repr(kb.sources), repr(kb.entities))


def _careful_outcome(path: Path, monkeypatch: pytest.MonkeyPatch, *, quick_too: bool) -> object:
    with monkeypatch.context() as patched:
        patched.setattr(fastjson, "loads", lambda raw: None)
        if quick_too:
            patched.setattr(quick, "entity", lambda node, version=2: None)
        return _outcome(path)


def _counting_quick_parses(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, object]:
    """`_outcome(path)`, asserting that the fast parse built every entity."""
    built: list[object] = []
    entity = quick.entity

    def counted(node: object, version: int = 2) -> object:
        found = entity(node, version)
        built.append(found)
        return found

    with monkeypatch.context() as patched:
        patched.setattr(quick, "entity", counted)
        outcome = _outcome(path)
    entities = json.loads(path.read_text(encoding="utf-8"))["entities"]
    assert len(built) == len(entities) and None not in built
    return outcome


@pytest.mark.parametrize("quick_too", [False, True], ids=["careful-json", "careful-json-and-quick"])
def test_load_bundled_and_generated_the_same_on_both_paths(
    generated: Path, monkeypatch: pytest.MonkeyPatch, quick_too: bool
) -> None:
    monkeypatch.setattr(read, "FAST_FROM", 0)  # orjson for small files too
    for path in (BUNDLED, generated):
        assert fastjson.loads(path.read_bytes()) is not None  # the fast path is really taken
        fast = _counting_quick_parses(path, monkeypatch)
        assert fast[0] == "kb"
        assert fast == _careful_outcome(path, monkeypatch, quick_too=quick_too)
    assert len(store.load(generated).entities) == N


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_load_fixtures_the_same_on_both_paths(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "FAST_FROM", 0)  # orjson for small files too
    fast = _outcome(path)
    assert fast == _careful_outcome(path, monkeypatch, quick_too=False)
    assert fast == _careful_outcome(path, monkeypatch, quick_too=True)
    if path.parent.name == "bad":
        assert (fast[0] == "error") == RULES[path.name.split("-", 1)[0]].refused


def test_orjson_is_imported_for_large_files_only(generated: Path, tmp_path: Path) -> None:
    """Below read.FAST_FROM bytes the careful reader is done before orjson is imported."""
    large = tmp_path / "large.json"
    document = json.loads(generated.read_text(encoding="utf-8"))
    copies = read.FAST_FROM // len(json.dumps(document)) + 1
    document["entities"] = [dict(e, id=f"{e['id']}-{k}" if k else e["id"])
                            for k in range(copies) for e in document["entities"]]  # fmt: skip
    large.write_text(json.dumps(document), encoding="utf-8")
    probe = "import sys\nfrom pathlib import Path\nfrom cpkb.kb.store import load\n"
    probe += "load(Path(sys.argv[1]))\nprint('orjson' in sys.modules)"
    for path, imported in ((BUNDLED, "False"), (large, "True")):
        command = [sys.executable, "-c", probe, str(path)]
        done = subprocess.run(command, capture_output=True, text=True)
        assert done.stdout.strip() == imported, done.stderr


# --- fold's shortcut for common punctuation ---------------------------------------------------


def _fold_by_anyascii(text: str) -> str:
    """fold as it was before the punctuation shortcut: every non-ASCII run through anyascii."""
    import re
    import unicodedata

    from anyascii import anyascii

    if not text.isascii():
        nfc = unicodedata.normalize("NFC", text)
        text = re.sub(r"[^\x00-\x7f]+", lambda m: anyascii(m.group()), nfc)
    return re.sub(r"[^a-z0-9]+", " ", text.casefold().replace("'", "")).strip()


@pytest.mark.parametrize("char", sorted(PUNCTUATION))
def test_punctuation_shortcut_is_what_anyascii_gives(char: str) -> None:
    from anyascii import anyascii

    assert PUNCTUATION[char] == anyascii(char)


PUNCTUATED_TEXT = st.text(
    alphabet=st.sampled_from(
        [*PUNCTUATION, *"aqzhnAZ09 -'.,", "\u0301", "\u0308", "қ", "ә", "Ж", "é", "ß", "²", "½"]
    ),
    max_size=24,
)


@settings(max_examples=400, deadline=None)
@given(text=PUNCTUATED_TEXT)
def test_fold_with_the_shortcut_equals_fold_by_anyascii(text: str) -> None:
    assert fold(text) == _fold_by_anyascii(text)


# --- transliterations an index teaches fold ----------------------------------------------------

TAUGHT = "қәЖжаб«»é"  # taught; "ұ", "ß", "½" and the combining marks below are not


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from([*TAUGHT, *"ұß½aqz -'", "\u0301", "\u0308", "\u2014"]),
        max_size=24,
    )
)
def test_fold_with_learned_transliterations_equals_fold_by_anyascii(text: str) -> None:
    from cpkb.query.text import learn_transliterations, transliterations

    table = transliterations(TAUGHT)
    assert set(table) == set(TAUGHT)  # every character is non-ASCII
    learn_transliterations(table)
    assert fold(text) == _fold_by_anyascii(text)


def test_transliterations_leave_ascii_out() -> None:
    from anyascii import anyascii

    from cpkb.query.text import transliterations

    assert transliterations("aЖ1ә ") == {"Ж": anyascii("Ж"), "ә": anyascii("ә")}


LABEL_TEXT = st.text(
    alphabet=st.sampled_from([*"aqzhngAZ09 -'.\n\t\x85", "қ", "ә", "Ж", "é", "ß", "\u0301"]),
    max_size=16,
)


@settings(max_examples=400, deadline=None)
@given(labels=st.lists(LABEL_TEXT, min_size=1, max_size=4))
def test_loose_words_of_labels_are_those_of_their_folds(labels: list[str]) -> None:
    """How the index builder makes the label words of an entity (cpkb.index.rows.Rows), and of a
    run of entities at once (`skeleton_text` over lines)."""
    folded = [fold(label) for label in labels]
    assert skeleton_text(" ".join(filter(None, folded))) == loose(" ".join(labels))
    lines = skeleton_text("\n".join(folded)).split("\n")
    assert lines == [skeleton_text(f) for f in folded] == [skeleton(f) for f in folded]
