"""Shared fixtures: the bundled KB, the small fixture KB, a CLI runner with a clean environment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cpkb.kb.paths import default_data_path

TESTS = Path(__file__).resolve().parent
MINI = TESTS / "data" / "mini.json"
V1_BUNDLED = TESTS / "data" / "v1-bundled.json"  # the bundled KB as it was in schema version 1
SHARED_SOURCES = TESTS.parent.parent / "shared" / "sources"


@pytest.fixture(scope="session")
def cache_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cpkb-cache")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, cache_root: Path) -> None:
    """Tests never see the developer's CPKB_* settings nor touch their cache; fixed width."""
    for name in ("CPKB_DATA", "CPKB_DEBUG", "CPKB_INDEX", "CPKB_TODAY", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CPKB_CACHE_DIR", str(cache_root))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("CPKB_TODAY", "2026-12-07")  # what is current must not follow the clock


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def bundled_path() -> Path:
    return default_data_path()


@pytest.fixture(scope="session")
def bundled(bundled_path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(bundled_path.read_text(encoding="utf-8"))
    return doc


@pytest.fixture
def mini() -> Path:
    return MINI


@pytest.fixture
def on_v1_bundled(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Commands read the version-1 bundled KB, a fixture whose facts these tests know."""
    monkeypatch.setenv("CPKB_DATA", str(V1_BUNDLED))
    return V1_BUNDLED
