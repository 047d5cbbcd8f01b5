"""`cpkb export jsonld`: read by a JSON-LD processor (pyld) into RDF triples, whose count follows
the data; schema.org types for every entity type and source kind."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cpkb.cli import app
from cpkb.kb import store
from cpkb.model import fields
from cpkb.present import jsonld

DATA = Path(__file__).resolve().parents[1] / "data"
V2 = DATA / "good" / "v2-time.json"
V1_BUNDLED = DATA / "v1-bundled.json"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SCHEMA = "https://schema.org/"

Triple = tuple[str, str, str]


def exported(runner: CliRunner, data: Path, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["--data", str(data), "export", "jsonld", *args])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def triples(document: dict[str, Any]) -> list[Triple]:
    """The RDF a JSON-LD processor reads from the document (its default graph)."""
    from pyld import jsonld as processor

    dataset = processor.to_rdf(document)
    return [
        (t["subject"]["value"], t["predicate"]["value"], t["object"]["value"])
        for t in dataset["@default"]
    ]


def typed(found: list[Triple], kind: str) -> set[str]:
    return {s for s, p, o in found if p == RDF_TYPE and o == SCHEMA + kind}


def write(document: dict[str, Any], path: Path) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_every_type_and_kind_has_a_schema_org_type() -> None:
    assert set(jsonld.ENTITY_TYPES) == set(fields.ENTITY_TYPES)
    assert set(jsonld.SOURCE_TYPES) == set(fields.SOURCE_KINDS)


@pytest.mark.parametrize("data", [V2, V1_BUNDLED], ids=["v2", "v1-bundled"])
def test_a_processor_reads_every_entity_claim_and_source(runner: CliRunner, data: Path) -> None:
    found = triples(exported(runner, data))
    kb = store.load(data)
    claims = {f"urn:cpkb:claim/{c.id or f'{e.id}-c{n + 1}'}"
              for e in kb for n, c in enumerate(e.claims)}  # fmt: skip
    assert typed(found, "Claim") == claims
    by_type = Counter(e.type for e in kb)
    for entity_type, count in by_type.items():
        kind = jsonld.ENTITY_TYPES[entity_type]
        entities = {s for s in typed(found, kind) if s.startswith("urn:cpkb:entity/")}
        assert len(entities) == count, entity_type
    about = {s for s, p, _ in found if p == SCHEMA + "about"}
    assert about == claims
    sources = {o for _, p, o in found if p == SCHEMA + "isBasedOn"}
    assert sources == {f"urn:cpkb:source/{i}" for i in kb.sources}


def test_the_count_of_triples_follows_the_data(runner: CliRunner, tmp_path: Path) -> None:
    document = json.loads(V2.read_text(encoding="utf-8"))
    before = len(triples(exported(runner, write(document, tmp_path / "before.json"))))
    claim = {"id": "cp-new", "property": "status", "value": "extended",
             "sources": [{"source": "article", "quote": "It was extended."}]}  # fmt: skip
    document["entities"][0]["claims"].append(claim)
    after = triples(exported(runner, write(document, tmp_path / "after.json")))
    new = [t for t in after if t[0] == "urn:cpkb:claim/cp-new"]
    assert len(after) > before
    assert len(after) - before == len(new) + 4  # the citation's three, a truthy link
    document["entities"].pop()
    fewer = triples(exported(runner, write(document, tmp_path / "fewer.json")))
    assert len(fewer) < len(after)


def test_claims_speak_schema_org_where_it_has_words(runner: CliRunner) -> None:
    found = set(triples(exported(runner, V2)))
    claim, entity = "urn:cpkb:claim/cp-implemented", "urn:cpkb:entity/"
    assert (claim, SCHEMA + "author", entity + "a-person") in found  # stated_by
    assert (claim, "urn:cpkb:vocab#rank", "normal") in found
    assert (claim, "urn:cpkb:vocab#current", "true") in found
    approved = "urn:cpkb:claim/cp-approved"
    assert (approved, "urn:cpkb:vocab#supersedes", "urn:cpkb:claim/cp-coordinated") in found
    paraphrase = "The Government approved the programme on 27 January 2026."
    assert any(p == SCHEMA + "abstract" and o == paraphrase for _, p, o in found)
    assert (entity + "children-programme", "urn:cpkb:property/status", "approved") in found
    rdf_property = "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property"
    assert ("urn:cpkb:property/status", RDF_TYPE, rdf_property) in found


def test_base_makes_the_iris(runner: CliRunner) -> None:
    found = triples(exported(runner, V2, "--base", "https://kb.example.org/"))
    assert ("https://kb.example.org/claim/cp-approved", RDF_TYPE, SCHEMA + "Claim") in found
    assert not any(s.startswith("urn:cpkb:") for s, _, _ in found)


def test_one_node_a_line(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--data", str(V2), "export", "jsonld"])
    lines = result.stdout.splitlines()
    kb = store.load(V2)
    nodes = 1 + len(kb.properties) + len(kb.sources) + len(kb.entities)
    nodes += sum(len(e.claims) for e in kb)
    assert len(lines) == 2 + nodes + 1  # the context, "@graph": [, the nodes, ]}
    assert all(json.loads(line.rstrip(",")) for line in lines[2:-1])


@pytest.mark.parametrize(
    "base",
    ["", "kb/", "https://kb.example.org/kb", "https://a b/", "x:<y>/",
     "https://a\x7f/", "https://a\x85/", "https://a\u202e/", "https://a\u200b/", "https://a/%zz/",
     "https://a/%2/"],
)  # fmt: skip
def test_a_base_that_is_not_an_absolute_iri_is_a_usage_error(runner: CliRunner, base: str) -> None:
    result = runner.invoke(app, ["--data", str(V2), "export", "jsonld", "--base", base])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("cpkb: error: --base") and result.stderr.count("\n") == 1


def test_a_base_names_every_id(runner: CliRunner) -> None:
    found = exported(runner, V2, "--base", "https://kb.example.org/")
    assert found["@context"]["entity"] == "https://kb.example.org/entity/"
