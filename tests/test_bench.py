"""The benchmark tools: the synthetic KB generator, and one quick end-to-end run of bench/run.py."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from cpkb.kb import store
from cpkb.model.fields import types_in
from cpkb.query.text import compact
from tests.synthetic import generator

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
SCHEMA = ROOT / "data" / "cpkb-1.schema.json"  # the generator writes version 1
N, SEED = 300, 5
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _generate(n: int, seed: int) -> tuple[str, dict[str, str]]:
    out = io.StringIO()
    probes: dict[str, str] = generator().generate(n, seed, out)
    return out.getvalue(), probes


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The generator's command line output for N entities, and the probes for that KB."""
    path = tmp_path_factory.mktemp("bench") / "kb.json"
    command = [sys.executable, str(BENCH / "generate.py"), str(N), "--seed", str(SEED)]
    subprocess.run([*command, "-o", str(path)], check=True, timeout=60)
    return path, _generate(N, SEED)[1]


@pytest.fixture(scope="module")
def doc(generated: tuple[Path, dict[str, str]]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(generated[0].read_text(encoding="utf-8"))
    return loaded


def test_same_seed_same_bytes_other_seed_other_kb(generated: tuple[Path, dict[str, str]]) -> None:
    text, probes = _generate(N, SEED)
    assert generated[0].read_text(encoding="utf-8") == text
    assert (text, probes) == _generate(N, SEED)
    assert _generate(N, SEED + 1)[0] != text


def test_matches_the_schema(doc: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    errors = [e.message for e in validator(schema).iter_errors(doc)]
    assert errors == []


def test_cpkb_loads_it(generated: tuple[Path, dict[str, str]]) -> None:
    kb = store.load(generated[0])
    assert len(kb.entities) == N
    assert {e.type for e in kb} == set(types_in(1))
    assert all(s.title.startswith("Synthetic source ") for s in kb.sources.values())


def test_names_and_aliases_in_both_scripts(doc: dict[str, Any]) -> None:
    entities = doc["entities"]
    assert all(any(CYRILLIC.search(a) for a in e["aliases"]) for e in entities)
    assert not any(CYRILLIC.search(e["name"]) for e in entities)
    programmes = [e for e in entities if e["type"] == "programme"]
    assert all(any(" (" in a and not CYRILLIC.search(a) for a in e["aliases"]) for e in programmes)
    values = [c for e in entities if e["type"] == "statistic" for c in e["claims"]]
    assert all("unit" in c for c in values if c["property"] == "value")


def test_ids_unique_and_every_reference_resolves(doc: dict[str, Any]) -> None:
    ids = [e["id"] for e in doc["entities"]]
    sources = {s["id"] for s in doc["sources"]}
    assert len(set(ids)) == len(ids)
    for entity in doc["entities"]:
        claims = entity["claims"]
        cited = [c["source"] for item in [entity, *claims] for c in item["sources"]]
        assert set(cited) <= sources
        targets = [c["target"] for c in claims if "target" in c]
        assert set(targets) <= set(ids)
        assert entity["id"] not in targets


def test_one_connected_graph(doc: dict[str, Any]) -> None:
    neighbours: dict[str, set[str]] = defaultdict(set)
    for entity in doc["entities"]:
        for claim in entity["claims"]:
            if "target" in claim:
                neighbours[entity["id"]].add(claim["target"])
                neighbours[claim["target"]].add(entity["id"])
    seen, todo = set(), [doc["entities"][0]["id"]]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(neighbours[node] - seen)
    assert len(seen) == N


def test_probes_name_one_entity(
    doc: dict[str, Any], generated: tuple[Path, dict[str, str]]
) -> None:
    probes = generated[1]
    assert set(probes) == {"id", "name", "two_words", "typo", "cyrillic", "last"}
    assert probes["last"] == doc["entities"][-1]["id"] != probes["id"]
    [target] = [e for e in doc["entities"] if e["id"] == probes["id"]]
    assert target["name"] == probes["name"] and target["type"] == "official"
    labels = [compact(label) for e in doc["entities"] for label in [e["name"], *e["aliases"]]]
    assert labels.count(compact(probes["name"])) == 1  # `cpkb show NAME` is not ambiguous
    assert CYRILLIC.search(probes["cyrillic"]) and probes["typo"] != probes["two_words"]


def test_quick_run_end_to_end(tmp_path: Path) -> None:
    command = [sys.executable, str(BENCH / "run.py"), "--quick", "--sizes", "200", "--runs", "1"]
    command += ["--kbs-dir", str(tmp_path / "kbs"), "--results-dir", str(tmp_path / "results")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "| KB | command | cpkb median |" in done.stdout
    assert "| target | measured | limit | result |" in done.stdout
    [results] = (tmp_path / "results").glob("*.json")
    payload = json.loads(results.read_text(encoding="utf-8"))
    assert payload["machine"]["cpkb"].startswith("cpkb ")
    assert payload["floor"]["status"] == "ok" and payload["floor"]["samples"]
    rows = {(r["kb"], r["key"]): r for r in payload["rows"]}
    expected = {("bundled", "version"), ("200", "show_id_json"), ("200, cold", "validate_cold")}
    expected |= {("200, cold", "show_id_json_cold"), ("200, first run", "show_id_json_first")}
    assert expected | {("200, first run", "validate_first")} <= set(rows)
    assert all(r["cpkb"]["status"] in ("ok", "n/a") for r in rows.values())
    assert rows["200", "show_id_json"]["cpkb"]["status"] == "ok"
    for kb in ("bundled", "200"):  # the probes name entities: every run answered (exit 0)
        for key in ("show_id_json", "path", "graph", "stats_json"):
            assert not rows[kb, key]["cpkb"]["note"] and rows[kb, key]["cpkb"]["samples"], key
    for key in ("show_id_json", "show_as_of", "show_known_by", "timeline", "path"):  # over time
        row = rows["200 v2", key]["cpkb"]
        assert row["status"] == "ok" and not row["note"] and row["samples"], key
    assert all(t["passed"] in (True, False, None) for t in payload["targets"])
