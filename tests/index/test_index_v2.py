"""Version 2 through the index: the vocabulary, statements, former ids and the time of claims
answer exactly as the file does, for every command that reads them (`same` runs both)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cpkb.index.catalog import IndexCatalog, open_catalog
from cpkb.kb.paths import default_data_path
from cpkb.kb.store import load
from cpkb.query.catalog import MemoryCatalog
from cpkb.query.current import Reading
from tests.index.test_index import same

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
FIXTURES = ["v2-time.json", "v2-small.json", "v2-sources.json"]
# Dates around the fixtures' changes: before, between and after them, at each precision.
DATES = ["2019-06", "2026"]


@pytest.fixture
def bundled_copy(tmp_path: Path) -> Path:
    target = tmp_path / "kb.json"
    shutil.copyfile(default_data_path(), target)
    return target


def copied(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copyfile(GOOD / name, target)
    return target


def ids(path: Path) -> list[str]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return [e["id"] for e in document["entities"]]


def reading_calls(entity_id: str, dates: list[str]) -> Iterator[list[str]]:
    """Every command that reads an entity through time, with each time option."""
    yield ["show", entity_id, "--all"]
    yield ["timeline", entity_id, "--json"]
    yield ["xref", entity_id, "--json", "--depth", "2"]
    yield ["graph", "--focus", entity_id, "--format", "json", "--current"]
    for date in dates:
        yield ["show", entity_id, "--as-of", date, "--json"]
        yield ["show", entity_id, "--known-by", date]
        yield ["timeline", entity_id, "--known-by", date]
        yield ["xref", entity_id, "--as-of", date, "--depth", "2"]
        yield ["xref", entity_id, "--known-by", date, "--current", "--json"]
    yield ["graph", "--focus", entity_id, "--as-of", dates[0]]


@pytest.mark.parametrize("name", FIXTURES)
def test_v2_fixtures_read_alike_through_time(runner: CliRunner, tmp_path: Path, name: str) -> None:
    data = copied(tmp_path, name)
    for entity_id in ids(data):
        for args in reading_calls(entity_id, DATES):
            same(runner, data, *args)


@pytest.mark.parametrize("name", FIXTURES)
def test_paths_read_alike_through_time(runner: CliRunner, tmp_path: Path, name: str) -> None:
    data = copied(tmp_path, name)
    every = ids(data)
    for start in every[:3]:
        for goal in every:
            for options in (
                ["--json"],
                ["--as-of", DATES[0]],
                ["--known-by", DATES[1], "--json", "--current"],
            ):
                same(runner, data, "path", start, goal, *options)


def test_the_bundled_kb_reads_alike(runner: CliRunner, bundled_copy: Path) -> None:
    every = ids(bundled_copy)
    for entity_id in every[::3]:
        same(runner, bundled_copy, "show", entity_id)
    for entity_id in ["erlan-karin", "karin-de-dominicis-meeting", "qazaqstan-balalary"]:
        for args in reading_calls(entity_id, ["2022", "2025-11-27"]):
            same(runner, bundled_copy, *args)
    for goal in every[::10]:
        same(runner, bundled_copy, "path", "erlan-karin", goal)
        same(runner, bundled_copy, "path", "erlan-karin", goal, "--json", "--as-of", "2021")
    same(runner, bundled_copy, "brief", "erlan-karin")


def test_a_former_id_resolves_through_the_index(runner: CliRunner, tmp_path: Path) -> None:
    data = copied(tmp_path, "v2-small.json")
    shown = same(runner, data, "show", "beta-organisation", "--json")
    assert json.loads(shown.stdout)["id"] == "beta-org"
    same(runner, data, "xref", "Beta Organisation")
    same(runner, data, "path", "beta-organisation", "gamma-rate", "--json")


def test_the_bundled_former_id_resolves(runner: CliRunner, bundled_copy: Path) -> None:
    shown = same(runner, bundled_copy, "show", "presidents-reforms", "--json")
    assert json.loads(shown.stdout)["id"] == "president-of-kazakhstan"


def test_statements_and_the_vocabulary_come_from_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index's neighbourhood holds the vocabulary and what the entity is said to have
    stated: the page of the stater lists them without the whole file."""
    data = copied(tmp_path, "v2-small.json")
    monkeypatch.setenv("CPKB_INDEX", "always")
    indexed = open_catalog(data, load=lambda: pytest.fail("the file was read"))
    assert isinstance(indexed, IndexCatalog)
    memory = MemoryCatalog(load(data))
    near = indexed.neighbourhood("alpha-person")
    assert near.properties == memory.kb.properties
    said = [(b.origin.id, b.claim.id) for b in near.statements("alpha-person")]
    assert said == [(b.origin.id, b.claim.id) for b in memory.kb.statements("alpha-person")]
    assert said  # the fixture has statements, so this can fail


def test_links_current_by_day_as_the_file_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index's edges (a link and the days it is current) walk as the claims assessed."""
    data = copied(tmp_path, "v2-time.json")
    monkeypatch.setenv("CPKB_INDEX", "always")
    indexed = open_catalog(data, load=lambda: load(data))
    memory = MemoryCatalog(load(data))
    import datetime as dt

    every = ids(data)
    for day in ("2018-12-31", "2019-01-01", "2024-12-31", "2025-01-01", "2025-03-01", "2030-01-01"):
        reading = Reading(dt.date.fromisoformat(day))
        assert indexed.adjacent(every, current=reading) == memory.adjacent(every, current=reading)
    changed = memory.adjacent(["a-person"], current=Reading(dt.date(2019, 6, 1)))
    assert (
        changed["a-person"]
        != memory.adjacent(["a-person"], current=Reading(dt.date(2026, 1, 1)))["a-person"]
    )
