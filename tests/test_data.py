"""The bundled knowledge base: shipped, schema-valid, every fact cited, every quote verbatim."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cpkb.kb.store import load
from tests.conftest import SHARED_SOURCES

FOUNDING = SHARED_SOURCES / "gulf-observer-2025-11-29.txt"
FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(FOLD)).strip().casefold()


def citations(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for entity in doc["entities"]:
        found += [(entity["id"], c) for c in entity["sources"]]
        for claim in entity["claims"]:
            found += [(f"{entity['id']}.{claim['property']}", c) for c in claim["sources"]]
    return found


def test_bundled_file_loads(bundled_path: Path) -> None:
    kb = load(bundled_path)
    assert len(kb.entities) >= 15
    assert {e.type for e in kb} == {"official", "organisation", "law", "programme", "statistic"}


def test_every_entity_and_claim_cites_a_known_source(bundled: dict[str, Any]) -> None:
    source_ids = {s["id"] for s in bundled["sources"]}
    for entity in bundled["entities"]:
        assert entity["sources"], entity["id"]
        for claim in entity["claims"]:
            assert claim["sources"], (entity["id"], claim["property"])
    for where, citation in citations(bundled):
        assert citation["source"] in source_ids, where
        assert citation["quote"].strip(), where


def test_every_statistic_has_a_value_with_a_unit(bundled: dict[str, Any]) -> None:
    stats = [e for e in bundled["entities"] if e["type"] == "statistic"]
    assert len(stats) >= 2
    for stat in stats:
        values = [c for c in stat["claims"] if c["property"] == "value"]
        assert values and all("unit" in c for c in values), stat["id"]


def test_key_facts_of_the_article_are_answerable(bundled: dict[str, Any]) -> None:
    by_id = {e["id"]: e for e in bundled["entities"]}
    values = {
        (e["id"], c["property"]): c.get("value", c.get("target"))
        for e in bundled["entities"]
        for c in e["claims"]
    }
    assert values[("particularly-grave-crimes-against-children", "value")] == -30
    assert values[("sexual-offences-involving-minors", "value")] == -12.5
    assert values[("erlan-karin", "met_with")] == "regina-de-dominicis"
    assert values[("mics-2024", "implemented_by")] == "unicef"
    assert "Honest Citizen" in by_id["adal-azamat"]["aliases"]
    assert "Children of Kazakhstan" in by_id["qazaqstan-balalary"]["aliases"]


@pytest.mark.skipif(not FOUNDING.is_file(), reason="shared/sources is not beside this clone")
def test_every_quote_is_verbatim_in_the_founding_article(bundled: dict[str, Any]) -> None:
    article = norm(FOUNDING.read_text(encoding="utf-8"))
    missing = [where for where, c in citations(bundled) if norm(c["quote"]) not in article]
    assert not missing


def test_quotes_are_short_excerpts_not_the_article(bundled: dict[str, Any]) -> None:
    for where, citation in citations(bundled):
        assert len(citation["quote"]) <= 400, where


def test_data_file_is_diff_friendly(bundled_path: Path, bundled: dict[str, Any]) -> None:
    text = bundled_path.read_text(encoding="utf-8")
    assert text == json.dumps(bundled, ensure_ascii=False, indent=2) + "\n"
    assert bundled["$schema"] == "./cpkb.schema.json"
    for entity in bundled["entities"]:
        assert list(entity) == ["id", "type", "name", "aliases", "summary", "sources", "claims"]
