"""The bundled knowledge base (version 2): shipped, valid with no warning, every fact cited,
every quote verbatim, every research-pack fact carried, and `--known-by 2025-11-29` holding what
the founding article said that day and nothing later."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cpkb.cli import app
from cpkb.kb.store import load
from cpkb.model import fields
from tests.conftest import SHARED_SOURCES, V1_BUNDLED

FOUNDING = SHARED_SOURCES / "gulf-observer-2025-11-29.txt"
PACK = SHARED_SOURCES / "research-pack.json"
MAP = Path(__file__).resolve().parent.parent / "data" / "research-pack-map.json"
ARTICLE = "gulf-observer-2025-11-29"
FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})
needs_shared = pytest.mark.skipif(
    not PACK.is_file(), reason="shared/sources is not beside this clone"
)


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(FOLD)).strip().casefold()


def citations(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for entity in doc["entities"]:
        found += [(entity["id"], c) for c in entity["sources"]]
        for claim in entity["claims"]:
            found += [(claim["id"], c) for c in claim["sources"]]
    return found


def claims(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for e in doc["entities"] for c in e["claims"]}


def test_bundled_file_loads_as_version_2(bundled_path: Path) -> None:
    kb = load(bundled_path)
    assert kb.schema_version == 2 and len(kb.entities) >= 60 and len(kb.sources) == 49
    assert {e.type for e in kb} == set(fields.ENTITY_TYPES)  # every type is used


def test_validate_strict_finds_nothing(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", "--strict", "--json"])
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout) == {"valid": True, "problems": []}


def test_every_claim_has_a_stored_id_and_every_citation_says_something(
    bundled: dict[str, Any],
) -> None:
    assert all("id" in c for c in claims(bundled).values())
    for where, citation in citations(bundled):
        assert citation.get("quote") or citation.get("paraphrase"), where


def test_quotes_are_the_founding_articles_and_short(bundled: dict[str, Any]) -> None:
    for where, citation in citations(bundled):
        if "quote" in citation:
            assert citation["source"] == ARTICLE and len(citation["quote"]) <= 400, where


@pytest.mark.skipif(not FOUNDING.is_file(), reason="shared/sources is not beside this clone")
def test_every_quote_is_verbatim_in_the_founding_article(bundled: dict[str, Any]) -> None:
    article = norm(FOUNDING.read_text(encoding="utf-8"))
    quoted = [(w, c["quote"]) for w, c in citations(bundled) if "quote" in c]
    assert [w for w, q in quoted if norm(q) not in article] == []


def test_every_id_of_version_1_still_resolves(runner: CliRunner) -> None:
    old = json.loads(V1_BUNDLED.read_text(encoding="utf-8"))
    for entity in old["entities"]:
        result = runner.invoke(app, ["show", entity["id"], "--json"])
        assert result.exit_code == 0, (entity["id"], result.stderr)


@needs_shared
def test_every_research_pack_fact_is_carried_by_claims_citing_its_source(
    bundled: dict[str, Any],
) -> None:
    pack = json.loads(PACK.read_text(encoding="utf-8"))
    mapping: dict[str, list[str]] = json.loads(MAP.read_text(encoding="utf-8"))
    by_id = claims(bundled)
    assert set(mapping) == {str(i) for i in range(len(pack["facts"]))}
    for i, fact in enumerate(pack["facts"]):
        source = ARTICLE if fact["source"] == "gulf-observer" else fact["source"]
        for claim_id in mapping[str(i)]:
            cited = {c["source"] for c in by_id[claim_id]["sources"]}
            assert source in cited, (i, claim_id)
    urls = {s["url"] for s in bundled["sources"]}
    assert {s["url"] for s in pack["sources"]} <= urls


def test_known_by_the_article_holds_its_statements_and_nothing_later(
    runner: CliRunner, bundled: dict[str, Any]
) -> None:
    dates = {s["id"]: s["date"] for s in bundled["sources"]}
    article_claims = {
        c["id"] for c in claims(bundled).values() if ARTICLE in {x["source"] for x in c["sources"]}
    }
    seen: set[str] = set()
    for entity in bundled["entities"]:
        result = runner.invoke(app, ["show", entity["id"], "--json", "--known-by", "2025-11-29"])
        view = json.loads(result.stdout)
        for claim in view["claims"]:
            seen.add(claim["id"])
            for citation in claim["sources"]:  # only what was out by then is cited
                assert dates[citation["source"]] is not None, claim["id"]
                assert dates[citation["source"]] <= "2025-11-29", claim["id"]
    assert article_claims <= seen  # every statement of the article is there


def test_data_file_is_canonical(bundled_path: Path, bundled: dict[str, Any]) -> None:
    text = bundled_path.read_text(encoding="utf-8")
    assert text == json.dumps(bundled, ensure_ascii=False, indent=2) + "\n"
    assert bundled["$schema"] == "./cpkb.schema.json"
