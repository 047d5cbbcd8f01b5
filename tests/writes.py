"""What the write tests share: a version-2 knowledge base to change, and running cpkb on it."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from cpkb.cli import app
from cpkb.kb import layout

TESTS = Path(__file__).resolve().parent
V2 = TESTS / "data" / "good" / "v2-time.json"
COMMAND = [sys.executable, "-m", "cpkb"]
ARTICLE = (
    "The Children Programme is being coordinated. A. Person leads it. A. Person took post B on "
    "1 March 2025. Post B exists. The rate fell to 8% in 2024. Law X makes bullying an offence.\n"
)


def make_kb(folder: Path, *, canonical: bool = True) -> Path:
    """A copy of the version-2 fixture (laid out canonically, unless not), with a held text
    for the source `article`."""
    document = json.loads(V2.read_bytes())
    document.pop("$schema")
    texts = folder / "texts"
    texts.mkdir(parents=True, exist_ok=True)
    (texts / "article.txt").write_text(ARTICLE, encoding="utf-8")
    for source in document["sources"]:
        if source["id"] == "article":
            source["text_file"] = "texts/article.txt"
    path = folder / "kb.json"
    data = layout.document_bytes(document) if canonical else json.dumps(document).encode()
    path.write_bytes(data)
    return path


def cli(kb: Path | None, *args: str, env: dict[str, str] | None = None) -> Result:
    """Run cpkb in this process, on `kb` (given with --data)."""
    data = ["--data", str(kb)] if kb is not None else []
    return CliRunner().invoke(app, [*data, *args], env=env, catch_exceptions=False)


def cli_line(kb: Path | None, line: str) -> Result:
    """`cli` with the arguments a shell makes of `line` (a long command reads as typed)."""
    return cli(kb, *shlex.split(line))


def document(kb: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(kb.read_bytes())
    return found


def claim_ids(kb: Path) -> set[str]:
    return {c["id"] for e in document(kb)["entities"] for c in e["claims"]}


def environment(**extra: str) -> dict[str, str]:
    """This environment without the developer's CPKB_* settings (but the tests' cache)."""
    kept = ("CPKB_CACHE_DIR", "CPKB_TODAY")
    base = {k: v for k, v in os.environ.items() if not k.startswith("CPKB_") or k in kept}
    return {**base, **extra}


def run(
    *args: str, env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """Run cpkb as a process (in `environment()`)."""
    return subprocess.run([*COMMAND, *args], env=environment(**(env or {})), capture_output=True,
                          text=True, timeout=300, **kwargs)  # fmt: skip
