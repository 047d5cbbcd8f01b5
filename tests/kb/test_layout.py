"""The canonical layout (kb.layout), finding entities in it (kb.spans), and the two kinds of
draft (kb.draft), which must render the same bytes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpkb.kb import layout, spans
from cpkb.kb.draft import Draft, WholeDraft
from cpkb.kb.spliced import SplicedDraft

TESTS = Path(__file__).resolve().parents[1]
V2 = TESTS / "data" / "good" / "v2-time.json"

scalars = st.one_of(
    st.none(), st.booleans(), st.text(max_size=12),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_dumps_writes_what_python_json_writes(value: Any) -> None:
    expected = json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8", "surrogatepass")
    assert layout.dumps(value) == expected


@pytest.mark.parametrize("number", [1.5e-07, 1e-05, -2.5e-9, 1e-100, 3e-10])
def test_short_negative_exponents_are_written_as_python_writes_them(number: float) -> None:
    document = {"a": [number, {"b": number}], "c": number}
    assert layout.dumps(document) == json.dumps(document, indent=2).encode()


def test_the_bundled_file_is_laid_out_canonically() -> None:
    raw = (TESTS.parent / "data" / "kb.json").read_bytes()
    assert layout.is_canonical(raw, json.loads(raw))


def test_keys_follow_the_field_table_and_others_come_last() -> None:
    entity = {"claims": [{"sources": [{"quote": "q", "source": "s"}], "value": 1,
                          "property": "p", "id": "c"}],
              "zzz": 1, "name": "N", "id": "e"}  # fmt: skip
    ordered = layout.ordered_entity(entity)
    assert list(ordered) == ["id", "name", "claims", "zzz"]
    assert list(ordered["claims"][0]) == ["id", "property", "value", "sources"]
    assert list(ordered["claims"][0]["sources"][0]) == ["source", "quote"]
    assert not layout.in_order(entity) and not layout.in_order(ordered)  # zzz: unknown
    del ordered["zzz"]
    assert layout.in_order(ordered)


@pytest.fixture
def canonical() -> bytes:
    return layout.document_bytes(json.loads(V2.read_bytes()))


def test_an_entity_is_found_by_its_lines_and_reads_as_itself(canonical: bytes) -> None:
    parts = spans.Parts(canonical)
    span = parts.find("a-person")
    assert span is not None
    assert parts.entity(span)["id"] == "a-person"
    assert parts.find("nobody") is None
    assert list(parts.spans()) == [e["id"] for e in json.loads(canonical)["entities"]]
    assert parts.index(span) == 1


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw.replace(b'      "type": "official"', b'      "type":"official"'),
        lambda raw: raw.replace(b'"title": "An old report"', b'"title":  "An old report"'),
        lambda raw: json.dumps(json.loads(raw)).encode(),
    ],
)
def test_a_file_not_laid_out_canonically_is_read_whole(canonical: bytes, mangle: Any) -> None:
    raw = mangle(canonical)
    with pytest.raises(spans.NotCanonical):
        draft = SplicedDraft(raw)
        draft.entity("a-person")


def _both(raw: bytes) -> tuple[Draft, Draft]:
    document = json.loads(raw)
    header = {k: v for k, v in document.items() if k != "entities"}
    return SplicedDraft(raw), WholeDraft(copy.deepcopy(header), document["entities"])


def _changes(draft: Draft) -> list[object]:
    person = draft.entity("a-person")
    assert person is not None
    person["claims"].append({"id": "x1", "property": "holds_position", "target": "post-a",
                             "sources": [{"source": "article", "quote": "q"}]})  # fmt: skip
    draft.put(person)
    draft.remove("post-b")
    draft.put({"id": "new-place", "type": "place", "name": "New", "aliases": [], "summary": "s",
               "sources": [{"source": "article", "quote": "q"}], "claims": []})  # fmt: skip
    draft.records("sources").append({"id": "s2", "title": "t", "publisher": "p", "date": None,
                                     "url": None, "reliability": "r"})  # fmt: skip
    rate = draft.entity("the-rate")
    assert rate is not None
    rate["id"] = "rate-renamed"
    draft.put(rate, replacing="the-rate")
    owners = [draft.claim_owner("x1"), draft.claim_owner("rate-2019")]
    mentions = [draft.mentions("lx-civil"), draft.mentions("nothing-has-this")]
    places = [draft.index("law-x"), draft.index("new-place")]
    gone = [draft.entity("the-rate"), sorted(draft.changes())]
    return [draft.referrers("post-a"), *owners, *mentions, *places, *gone]


def test_spliced_and_whole_drafts_answer_and_render_alike(canonical: bytes) -> None:
    spliced, whole = _both(canonical)
    assert _changes(spliced) == _changes(whole)
    assert spliced.render() == whole.render()
    rendered = json.loads(spliced.render())
    assert [e["id"] for e in rendered["entities"]][-1] == "new-place"
    assert "post-b" not in [e["id"] for e in rendered["entities"]]


def test_a_spliced_render_changes_only_the_entities_changed(canonical: bytes) -> None:
    draft = SplicedDraft(canonical)
    rate = draft.entity("the-rate")
    assert rate is not None
    rate["summary"] = "Changed."
    draft.put(rate)
    after = draft.render()
    start = canonical.index(b'"id": "the-rate"')
    assert after[:start] == canonical[:start]
    assert after.endswith(canonical[canonical.index(b'"id": "law-x"') - 20 :])


def test_removing_every_entity_leaves_an_empty_array(canonical: bytes) -> None:
    spliced, whole = _both(canonical)
    for draft in (spliced, whole):
        for entity in json.loads(canonical)["entities"]:
            draft.remove(entity["id"])
    assert spliced.render() == whole.render()
    assert json.loads(spliced.render())["entities"] == []
