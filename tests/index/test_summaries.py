"""`Index.summaries`, which gives `TYPE list`'s id, name and summary without making whole entities,
gives what `Index.of_type`'s entities hold, on the bundled KB, the fixtures and a generated KB."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cpkb.index.catalog import open_existing
from cpkb.model.fields import TYPES
from tests.index.test_listspeed import FIXTURES, generated, hostile, index


@pytest.fixture(autouse=True)
def through_the_index(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CPKB_INDEX", "always")
    monkeypatch.setenv("CPKB_CACHE_DIR", str(tmp_path / "cache"))


@pytest.mark.parametrize("name", ["bundled", "hostile", "generated", *(p.name for p in FIXTURES)])
def test_summaries_are_what_the_entities_hold(
    name: str, tmp_path: Path, bundled_path: Path
) -> None:
    if name == "hostile":
        path = hostile(tmp_path / "hostile.json")
    elif name == "generated":
        path = generated(tmp_path / "generated.json")
    else:
        found = bundled_path if name == "bundled" else next(p for p in FIXTURES if p.name == name)
        shutil.copytree(found.parent, tmp_path / "kb", ignore=shutil.ignore_patterns("bad", "*.py"))
        path = tmp_path / "kb" / found.name
    index(path)
    kept = open_existing(path)
    assert kept is not None
    for entity_type in TYPES:
        expected = [(e.id, e.name, e.summary) for e in kept.of_type(entity_type.name)]
        assert list(kept.summaries(entity_type.name)) == expected
