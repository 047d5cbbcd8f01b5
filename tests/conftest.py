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


def on_v1(request: pytest.FixtureRequest) -> bool:
    """Whether the test's module is marked `v1_bundled`: its facts are those of the bundled KB
    as it was in schema version 1 (tests/data/v1-bundled.json), which commands then read."""
    return request.node.get_closest_marker("v1_bundled") is not None


@pytest.fixture(autouse=True)
def clean_env(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, cache_root: Path
) -> None:
    """Tests never see the developer's CPKB_* settings nor touch their cache; fixed width."""
    for name in ("CPKB_DATA", "CPKB_DEBUG", "CPKB_INDEX", "CPKB_TODAY", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    if on_v1(request):
        monkeypatch.setenv("CPKB_DATA", str(V1_BUNDLED))
    monkeypatch.setenv("CPKB_CACHE_DIR", str(cache_root))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("CPKB_TODAY", "2026-12-07")  # what is current must not follow the clock


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def bundled_path(request: pytest.FixtureRequest) -> Path:
    """The bundled KB (version 1's, in a module marked `v1_bundled`)."""
    return V1_BUNDLED if on_v1(request) else default_data_path()


@pytest.fixture(scope="module")
def bundled(bundled_path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(bundled_path.read_text(encoding="utf-8"))
    return doc


@pytest.fixture
def mini() -> Path:
    return MINI
