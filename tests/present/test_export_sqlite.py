"""`cpkb export sqlite`: the tables, their foreign keys and full-text search, read with sqlite3
and served by Datasette's own ASGI app in-process (its documented test client)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cpkb.cli import app
from cpkb.kb import store

DATA = Path(__file__).resolve().parents[1] / "data"
V2 = DATA / "good" / "v2-time.json"
V1_BUNDLED = DATA / "v1-bundled.json"
TABLES = {"about", "properties", "sources", "entities", "claims", "citations"}


def export_db(runner: CliRunner, data: Path, target: Path, *extra: str) -> Any:
    return runner.invoke(app, ["--data", str(data), "export", "sqlite", str(target), *extra])


@pytest.fixture
def v2_db(runner: CliRunner, tmp_path: Path) -> Path:
    target = tmp_path / "kb.db"
    result = export_db(runner, V2, target)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote 6 entities and 13 claims to {target}\n"
    return target


def rows(db: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql, args).fetchall()


def test_tables_hold_every_record(v2_db: Path) -> None:
    kb = store.load(V2)
    names = {n for (n,) in rows(v2_db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert names >= TABLES | {"entities_fts", "citations_fts"}
    in_order = "SELECT {} FROM {} ORDER BY rowid"  # the order of the file
    assert rows(v2_db, in_order.format("id", "entities")) == [(i,) for i in kb.entities]
    assert rows(v2_db, in_order.format("id", "sources")) == [(i,) for i in kb.sources]
    assert rows(v2_db, in_order.format("name", "properties")) == [(n,) for n in kb.properties]
    claims = sum(len(e.claims) for e in kb)
    assert rows(v2_db, "SELECT count(*) FROM claims") == [(claims,)]
    cited = sum(len(e.sources) + sum(len(c.sources) for c in e.claims) for e in kb)
    assert rows(v2_db, "SELECT count(*) FROM citations") == [(cited,)]


def test_claims_carry_the_version_2_fields(v2_db: Path) -> None:
    found = rows(
        v2_db,
        "SELECT rank, current, status, supersedes, start FROM claims WHERE id = 'cp-approved'",
    )
    assert found == [("normal", 1, "current", '["cp-coordinated"]', "2026-01-27")]
    assert rows(v2_db, "SELECT status FROM claims WHERE id = 'rate-2019'") == [("earlier",)]
    paraphrased = rows(
        v2_db, "SELECT source, quote, paraphrase, locator FROM citations WHERE claim_id = ?",
        "cp-approved",
    )  # fmt: skip
    assert paraphrased == [("decree", None, "The Government approved the programme on 27 "
                                            "January 2026.", "art. 1")]  # fmt: skip
    about = dict(rows(v2_db, "SELECT key, value FROM about"))
    assert about["current_as_of"] == "2026-12-07"  # CPKB_TODAY, as the tests pin it


def test_foreign_keys_join_the_tables(v2_db: Path) -> None:
    keys = {
        (table, column, parent)
        for table in TABLES
        for _, _, parent, column, *_ in rows(v2_db, f"PRAGMA foreign_key_list({table})")
    }
    assert {
        ("claims", "entity_id", "entities"),
        ("claims", "target", "entities"),
        ("claims", "stated_by", "entities"),
        ("claims", "property", "properties"),
        ("citations", "claim_id", "claims"),
        ("citations", "entity_id", "entities"),
        ("citations", "source", "sources"),
    } <= keys
    assert rows(v2_db, "PRAGMA foreign_key_check") == []


ENTITY_HITS = (
    "SELECT id FROM entities WHERE rowid IN "
    "(SELECT rowid FROM entities_fts WHERE entities_fts MATCH ?)"
)
CITATION_HITS = (
    "SELECT claim_id FROM citations WHERE rowid IN "
    "(SELECT rowid FROM citations_fts WHERE citations_fts MATCH ?)"
)


def test_full_text_search_finds_names_aliases_and_citations(
    runner: CliRunner, tmp_path: Path
) -> None:
    document = json.loads(V2.read_text(encoding="utf-8"))
    document["entities"][0]["aliases"] = ["Балалар бағдарламасы"]
    data = tmp_path / "aliased.json"
    data.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    target = tmp_path / "kb.db"
    assert export_db(runner, data, target).exit_code == 0
    assert rows(target, ENTITY_HITS, "бағдарламасы") == [("children-programme",)]
    assert rows(target, ENTITY_HITS, "name:post") == [("post-a",), ("post-b",)]
    assert rows(target, ENTITY_HITS, "approved") == [("children-programme",)]  # a summary
    assert rows(target, CITATION_HITS, "trillion") == [("cp-budget-kzt",)]  # a paraphrase
    assert rows(target, CITATION_HITS, "offence") == [(None,), ("lx-administrative",)]  # quotes


def test_a_version_1_file_has_no_vocabulary_to_refer_to(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "v1.db"
    assert export_db(runner, V1_BUNDLED, target).exit_code == 0
    parents = {parent for _, _, parent, *_ in rows(target, "PRAGMA foreign_key_list(claims)")}
    assert parents == {"entities"}
    assert rows(target, "PRAGMA foreign_key_check") == []
    assert rows(target, "SELECT count(*) FROM properties") == [(0,)]


def test_never_overwrites_without_force(runner: CliRunner, v2_db: Path) -> None:
    before = v2_db.read_bytes()
    result = export_db(runner, V1_BUNDLED, v2_db)
    assert result.exit_code == 2
    assert result.stderr == f"cpkb: error: {v2_db} already exists (use --force to replace it)\n"
    assert v2_db.read_bytes() == before
    assert export_db(runner, V1_BUNDLED, v2_db, "--force").exit_code == 0
    assert rows(v2_db, "SELECT count(*) FROM entities") == [(17,)]


def test_written_whole_or_not_at_all(runner: CliRunner, tmp_path: Path) -> None:
    document = json.loads(V2.read_text(encoding="utf-8"))
    document["entities"][1]["claims"][0]["id"] = "cp-approved"  # two claims, one id
    data = tmp_path / "twice.json"
    data.write_text(json.dumps(document), encoding="utf-8")
    result = export_db(runner, data, tmp_path / "kb.db")
    assert result.exit_code == 3
    assert "cannot be exported to SQLite: UNIQUE constraint failed: claims.id" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["twice.json"]  # no file, no .tmp


# --- Datasette -------------------------------------------------------------------------------


def datasette_get(db: Path, *paths: str) -> list[Any]:
    """Each page as Datasette serves it (its ASGI app, in this process)."""
    from datasette.app import Datasette

    async def fetch() -> list[Any]:
        datasette = Datasette([str(db)])
        await datasette.invoke_startup()
        return [await datasette.client.get(path) for path in paths]

    return asyncio.run(fetch())


def test_datasette_shows_the_tables_and_searches_them(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "kb.db"
    assert export_db(runner, V1_BUNDLED, target).exit_code == 0
    table, search, quotes, claims = datasette_get(
        target,
        "/kb/entities",
        "/kb/entities.json?_search=honest&_shape=array",
        "/kb/citations.json?_search=bullying&_shape=array",
        "/kb/claims.json?_shape=array&_size=max&_labels=on&id=adal-azamat-c1",
    )
    assert table.status_code == 200
    assert "Adal Azamat" in table.text and "Erlan Karin" in table.text
    assert 'name="_search"' in table.text  # Datasette found the full-text index
    assert search.status_code == 200
    assert [row["id"] for row in search.json()] == ["adal-azamat"]
    assert quotes.json() and all("bullying" in row["quote"].lower() for row in quotes.json())
    (claim,) = claims.json()
    assert claim["entity_id"] == {"value": "adal-azamat", "label": "Adal Azamat"}  # a foreign key


def test_a_database_the_disk_cannot_hold_is_one_line_exit_5(tmp_path: Path) -> None:
    """A file size limit (RLIMIT_FSIZE) stops SQLite's writes as a full disk does."""
    import resource
    import subprocess
    import sys

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

    target = tmp_path / "kb.db"
    done = subprocess.run(
        [sys.executable, "-m", "cpkb", "--data", str(V2), "export", "sqlite", str(target)],
        preexec_fn=limited, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 5, done.stderr
    assert done.stderr.startswith(f"cpkb: error: cannot write {target}: ")
    assert len(done.stderr.splitlines()) == 1 and not target.exists()
