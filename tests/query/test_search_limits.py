"""Search does bounded work per field: a word repeated tens of thousands of times, or a field
of tens of megabytes, answers in time proportional to its size (red-team F11)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cpkb.query.snippets import SNIPPET_WIDTH, snippet

MINI = Path(__file__).resolve().parents[1] / "data" / "mini.json"


def test_a_snippet_of_a_word_repeated_a_million_times_is_quick() -> None:
    started = time.monotonic()
    shown, spans = snippet(" ".join(["protection"] * 1_000_000), {"protection"})
    assert time.monotonic() - started < 2
    assert len(shown) <= SNIPPET_WIDTH + 2 and spans


def test_a_snippet_of_a_short_text_is_unchanged_by_the_bounds() -> None:
    assert snippet("Child protection, and protection again.", {"protection"}) == (
        "Child protection, and protection again.",
        ((6, 16), (22, 32)),
    )


@pytest.mark.parametrize("index", ["never", "always"])
def test_search_in_a_field_of_40000_repeats_answers(tmp_path: Path, index: str) -> None:
    document = json.loads(MINI.read_text(encoding="utf-8"))
    document["entities"][0]["summary"] = " ".join(["protection"] * 40_000)
    data = tmp_path / "kb.json"
    data.write_text(json.dumps(document), encoding="utf-8")
    env = {**os.environ, "CPKB_INDEX": index, "CPKB_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-m", "cpkb", "--data", str(data), "search", "protection", "--json"],
        capture_output=True, text=True, env=env, timeout=30,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["matched"]["field"] == "summary"
