"""Golden outputs: what every command prints, JSON and human, on the bundled KB, a synthetic KB
(answered from the index) and every fixture, compared byte for byte with what was recorded.

The JSON contract only grows, so a recorded JSON output must stay contained in today's: every
key still there, with the same value, in the same order (`contained`). Human output and exit
codes must not change at all. Record anew (after reviewing the diff) with CPKB_GOLDEN_UPDATE=1;
record only new cases with CPKB_GOLDEN_UPDATE=new.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cpkb.cli import app
from cpkb.kb.paths import default_data_path
from tests.synthetic import generator

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
DATA = Path(__file__).resolve().parents[1] / "data"
UPDATE = os.environ.get("CPKB_GOLDEN_UPDATE") == "1"  # record every case anew
ADD = os.environ.get("CPKB_GOLDEN_UPDATE") == "new"  # record only the cases not recorded yet
TYPES = ("official", "organisation", "law", "programme", "statistic")

Case = tuple[str, list[str]]


def bundled_cases(bundled: dict[str, Any]) -> Iterator[list[str]]:
    ids = [e["id"] for e in bundled["entities"]]
    for entity_id in ids:
        yield ["show", entity_id, "--json"]
        yield ["show", entity_id]
        yield ["xref", entity_id, "--json"]
    for entity_type in TYPES:
        yield [entity_type, "list", "--json"]
        yield [entity_type, "list"]
    for command in ("stats", "sources", "info"):
        yield [command, "--json"]
        yield [command]
    queries = ["child protection", "Qazakstan Balalry", "Қазақстан балалары", "bullying", "zzzz"]
    for query in queries:
        yield ["search", query, "--json"]
        yield ["search", query]
    yield ["search", "law", "--type", "law", "--limit", "2", "--json"]
    yield ["xref", "adal-azamat", "--depth", "2", "--json"]
    yield ["xref", "unicef", "--depth", "3"]
    yield ["xref", "erlan-karin", "--property", "met-with", "--json"]
    yield ["path", "adal-azamat", "unicef", "--json"]
    yield ["path", "Honest Citizen", "The Gulf Observer"]
    for output in ("json", "dot", "mermaid"):
        yield ["graph", "--format", output]
        yield ["graph", "--focus", "erlan-karin", "--depth", "2", "--format", output]
    yield ["show", "president"]
    yield ["show", "Adal Azamatt Programme Nonexistent"]
    yield ["programme", "show", "unicef"]


def synthetic_cases(document: dict[str, Any]) -> Iterator[list[str]]:
    entities = document["entities"]
    for entity in entities[::10]:
        yield ["show", entity["id"], "--json"]
        yield ["show", entity["name"]]
        yield ["search", entity["name"], "--json"]
        yield ["xref", entity["id"], "--depth", "2", "--json"]
    for entity_type in TYPES:
        yield [entity_type, "list", "--json"]
    for command in ("stats", "sources", "info"):
        yield [command, "--json"]
    yield ["search", "and", "--json"]
    yield ["search", "Republic", "--limit", "30", "--json"]
    yield ["path", entities[0]["id"], entities[-1]["id"], "--json"]
    yield ["graph", "--focus", entities[3]["id"], "--format", "json"]
    yield ["validate", "--json"]


def fixture_cases() -> Iterator[list[str]]:
    for folder in ("bad", "good"):
        for path in sorted((DATA / folder).glob("*.json")):
            relative = str(path.relative_to(DATA.parent.parent))
            yield ["validate", relative, "--json"]
            yield ["validate", relative]
    yield ["validate", "tests/data/mini.json"]


def run(args: list[str], data: Path | None) -> dict[str, Any]:
    """The outputs, with the data file's path (which differs between a checkout and an
    install) as a placeholder, and no spaces at line ends (where tables pad to that path)."""
    prefix = ["--data", str(data)] if data else []
    result = CliRunner().invoke(app, [*prefix, *args], catch_exceptions=False)
    shown = {"exit": result.exit_code, "stdout": result.stdout, "stderr": result.stderr}
    path = str(data or default_data_path())
    for key in ("stdout", "stderr"):
        text = shown[key].replace(path, "<DATA>")
        shown[key] = "\n".join(line.rstrip() for line in text.split("\n"))
    return shown


def contained(recorded: Any, actual: Any) -> bool:
    """Whether `actual` holds `recorded`: the same keys in the same order (more may be added
    anywhere), the same items, the same scalars."""
    if isinstance(recorded, dict):
        if not isinstance(actual, dict) or not recorded.keys() <= actual.keys():
            return False
        order = [key for key in actual if key in recorded]
        return order == list(recorded) and all(contained(v, actual[k]) for k, v in recorded.items())
    if isinstance(recorded, list):
        return (
            isinstance(actual, list)
            and len(recorded) == len(actual)
            and all(contained(r, a) for r, a in zip(recorded, actual, strict=True))
        )
    return type(recorded) is type(actual) and recorded == actual


def compare(name: str, outputs: dict[str, dict[str, Any]]) -> None:
    path = GOLDEN / f"{name}.json"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        text = json.dumps(outputs, ensure_ascii=False, indent=1)
        path.write_text(text + "\n", encoding="utf-8")
        return
    recorded = json.loads(path.read_text(encoding="utf-8"))
    if ADD:
        recorded |= {case: out for case, out in outputs.items() if case not in recorded}
        path.write_text(json.dumps(recorded, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert sorted(outputs) == sorted(recorded), "the set of golden cases changed"
    for case, want in recorded.items():
        got = outputs[case]
        assert got["exit"] == want["exit"], case
        assert got["stderr"] == want["stderr"], case
        if "--json" in case.split(" ") or "--format json" in case:
            assert contained(json.loads(want["stdout"]), json.loads(got["stdout"])), case
        else:
            assert got["stdout"] == want["stdout"], case


def outputs(cases: Iterator[list[str]], data: Path | None) -> dict[str, dict[str, Any]]:
    return {" ".join(args): run(args, data) for args in cases}


V1_BUNDLED = DATA / "v1-bundled.json"  # the bundled KB as it was in schema version 1


def test_bundled() -> None:
    """The version-1 knowledge base cpkb shipped, kept as a fixture: its answers only grow."""
    document = json.loads(V1_BUNDLED.read_text(encoding="utf-8"))
    compare("bundled", outputs(bundled_cases(document), V1_BUNDLED))


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("golden") / "synthetic.json"
    with path.open("w", encoding="utf-8") as out:
        generator().generate(150, 7, out)
    return path


def test_synthetic_from_the_index(synthetic: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CPKB_INDEX", "always")
    document = json.loads(synthetic.read_text(encoding="utf-8"))
    compare("synthetic", outputs(synthetic_cases(document), synthetic))


def test_synthetic_from_the_file_answers_the_same(
    synthetic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CPKB_INDEX", "never")
    document = json.loads(synthetic.read_text(encoding="utf-8"))
    if UPDATE:
        pytest.skip("recorded from the index")
    compare("synthetic", outputs(synthetic_cases(document), synthetic))


def test_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA.parent.parent)
    compare("fixtures", outputs(fixture_cases(), None))
