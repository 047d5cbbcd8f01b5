"""After a few entities of a data file change, the index is refreshed rather than built anew,
and the refreshed index is the one a full build makes: same rows, same order, same answers."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from cpkb.cli import app
from cpkb.index import refresh
from cpkb.index.schema import location as index_location

ROOT = Path(__file__).resolve().parents[2]
GENERATE = ROOT / "bench" / "generate.py"
QUERIES = ["Astana families", "Жұмабаева", "law inclusive education", "Dinara", "zzz nothing"]
Edit = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("synthetic") / "kb.json"
    command = [sys.executable, str(GENERATE), "300", "--seed", "11", "-o", str(target)]
    subprocess.run(command, check=True)
    return target


@pytest.fixture
def data(tmp_path: Path, synthetic: Path) -> Path:
    target = tmp_path / "kb.json"
    shutil.copyfile(synthetic, target)
    return target


@pytest.fixture
def refreshes(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """What each call of cpkb.index.refresh.refresh answered (True: the index was refreshed)."""
    answers: list[bool] = []
    real = refresh.refresh

    def recorded(*args: Any) -> bool:
        answers.append(real(*args))
        return answers[-1]

    monkeypatch.setattr(refresh, "refresh", recorded)
    return answers


def cpkb(data: Path, *args: str, cache: Path | None = None, mode: str = "always") -> Result:
    env = {"CPKB_INDEX": mode} | ({"CPKB_CACHE_DIR": str(cache)} if cache else {})
    return CliRunner().invoke(app, ["--data", str(data), *args], env=env)


def edited(data: Path, *edits: Edit) -> None:
    document = json.loads(data.read_text(encoding="utf-8"))
    for edit in edits:
        edit(document)
    data.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def entity(n: int, change: Callable[[dict[str, Any]], None]) -> Edit:
    return lambda document: change(document["entities"][n])


def linked(document: dict[str, Any]) -> set[str]:
    return {c["target"] for e in document["entities"] for c in e["claims"] if "target" in c}


def snapshot(index: Path) -> dict[str, Any]:
    """Everything in an index that answers depend on, in rowid order (the rowids themselves
    may differ: only their order matters); and the full-text table's answer (entity ids and
    bm25 scores) for each of its terms, in each column."""
    with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as db:
        tables = {
            name: db.execute(f"SELECT * FROM {name} ORDER BY rowid").fetchall()
            for name in (
                "entities",
                "documents",
                "labels",
                "links",
                "edges",
                "statements",
                "sources",
                "properties",
                "vocabulary",
            )
        }
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        terms = [t for (t,) in db.execute("SELECT term FROM terms WHERE doc > 0 ORDER BY term")]
        found = {
            (column, term): db.execute(
                "SELECT entities.id, round(bm25(words, 10.0, 1.0), 9) FROM words"
                " JOIN entities ON entities.rowid = words.rowid WHERE words MATCH ?"
                " ORDER BY words.rowid",
                (f'{column}"{term}"',),
            ).fetchall()
            for term in terms
            for column in ("", "labels : ", "body : ")
        }
    for key in ("stamp", "transliterations"):
        meta.pop(key)
    return {"tables": tables, "meta": meta, "terms": terms, "found": found}


def transliterated(index: Path) -> set[str]:
    with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as db:
        (table,) = db.execute("SELECT value FROM meta WHERE key = 'transliterations'").fetchone()
    return set(json.loads(table))


def built_anew(data: Path, cache: Path) -> Path:
    """The index a full build makes of `data` as it is now."""
    assert cpkb(data, "search", "Astana", cache=cache).exit_code in (0, 1)  # 1: no hits
    target = cache / "index" / Path(index_location(data)).name
    assert target.is_file()
    return target


def rename(document: dict[str, Any]) -> None:
    document["entities"][3]["name"] += " Renamed"


def realias(document: dict[str, Any]) -> None:
    document["entities"][7]["aliases"] = ["Ғажайып Ұлттық Өнім", "Another alias"]


def resummarise(document: dict[str, Any]) -> None:
    document["entities"][50]["summary"] = "A summary rewritten about honest citizens of Astana."


def retarget(document: dict[str, Any]) -> None:
    """Point one link of some entity at another entity."""
    entities = document["entities"]
    origin = next(e for e in entities if any("target" in c for c in e["claims"]))
    claim = next(c for c in origin["claims"] if "target" in c)
    claim["target"] = next(
        e["id"] for e in entities if e["id"] not in (claim["target"], origin["id"])
    )


def append(document: dict[str, Any]) -> None:
    entities = document["entities"]
    entities.append(dict(entities[0], id="one-more-entity", name="One More Entity"))


def insert(document: dict[str, Any]) -> None:
    """Two new entities in the middle, one at the start."""
    entities = document["entities"]
    entities.insert(100, dict(entities[1], id="inserted-entity", name="Inserted Entity"))
    entities.insert(100, dict(entities[2], id="inserted-too", name="Inserted Too"))
    entities.insert(0, dict(entities[3], id="the-first-now", name="The First Now"))


def remove(document: dict[str, Any]) -> None:
    """Remove two entities that nothing links to."""
    ids = linked(document)
    unlinked = [e for e in document["entities"] if e["id"] not in ids][:2]
    document["entities"] = [e for e in document["entities"] if e not in unlinked]


def reid(document: dict[str, Any]) -> None:
    """Give an entity that nothing links to a new id."""
    unlinked = next(e for e in document["entities"] if e["id"] not in linked(document))
    unlinked["id"] += "-renamed"


EDITS: dict[str, list[Edit]] = {
    "one name": [rename],
    "aliases in a new script": [realias],
    "a summary": [resummarise],
    "a link": [retarget],
    "an id": [reid],
    "an entity added at the end": [append],
    "entities inserted": [insert],
    "entities removed": [remove],
    "all of these": [rename, realias, resummarise, retarget, reid, append, insert, remove],
}


@pytest.mark.parametrize("edits", EDITS.values(), ids=EDITS.keys())
def test_refreshed_index_is_the_one_a_full_build_makes(
    data: Path, tmp_path: Path, refreshes: list[bool], edits: list[Edit]
) -> None:
    assert cpkb(data, "search", "Astana").exit_code == 0  # builds the index
    assert refreshes == [False]  # there was none to refresh
    edited(data, *edits)
    answers = {query: cpkb(data, "search", query, "--json").stdout for query in QUERIES}
    assert refreshes == [False, True]
    refreshed = Path(index_location(data))
    anew = built_anew(data, tmp_path / "other-cache")
    assert snapshot(refreshed) == snapshot(anew)
    assert transliterated(refreshed) >= transliterated(anew)  # it may keep characters gone
    for query, answer in answers.items():  # and the file in memory answers alike
        assert cpkb(data, "search", query, "--json", mode="never").stdout == answer


def test_entities_in_another_order_mean_a_full_build(data: Path, refreshes: list[bool]) -> None:
    assert cpkb(data, "search", "Astana").exit_code == 0  # builds the index

    def swap(document: dict[str, Any]) -> None:
        entities = document["entities"]
        entities[10], entities[20] = entities[20], entities[10]

    edited(data, swap)
    direct = cpkb(data, "search", "Astana", "--json", mode="never")
    assert cpkb(data, "search", "Astana", "--json").stdout == direct.stdout
    assert refreshes == [False, False]


@pytest.mark.parametrize("count, refreshed", [(1023, True), (1024, False)])
def test_room_for_1023_new_entities_between_two(
    data: Path, tmp_path: Path, refreshes: list[bool], monkeypatch: pytest.MonkeyPatch,
    count: int, refreshed: bool,
) -> None:  # fmt: skip
    """Rowids leave room for 1023 new entities between two old ones; one more builds anew."""
    monkeypatch.setattr(refresh, "MOST_CHANGED", 100.0)  # however many changed
    assert cpkb(data, "search", "Astana").exit_code == 0

    def crowd(document: dict[str, Any]) -> None:
        entities = document["entities"]
        new = [dict(entities[1], id=f"crowd-{n}", name=f"Crowd {n}") for n in range(count)]
        entities[1:1] = new

    edited(data, crowd)
    assert cpkb(data, "show", "crowd-1000", "--json").exit_code == 0
    assert refreshes == [False, refreshed]
    assert snapshot(Path(index_location(data))) == snapshot(
        built_anew(data, tmp_path / "other-cache")
    )


def test_a_changed_source_means_a_full_build(data: Path, refreshes: list[bool]) -> None:
    assert cpkb(data, "search", "Astana").exit_code == 0  # builds the index
    edited(data, lambda d: d["sources"][0].update(title="Retitled source"))
    entity_id = json.loads(data.read_text(encoding="utf-8"))["entities"][0]["id"]
    assert cpkb(data, "show", entity_id, "--json").exit_code == 0
    assert refreshes == [False, False]


def test_many_changes_mean_a_full_build(data: Path, refreshes: list[bool]) -> None:
    assert cpkb(data, "search", "Astana").exit_code == 0  # builds the index

    def rename_many(document: dict[str, Any]) -> None:
        for entity in document["entities"][::10]:  # 10% of them
            entity["name"] += " Renamed"

    edited(data, rename_many)
    assert cpkb(data, "search", "Renamed", "--json").exit_code == 0
    assert refreshes == [False, False]


def dangle(document: dict[str, Any]) -> None:
    claim = next(c for e in document["entities"] for c in e["claims"] if "target" in c)
    claim["target"] = "no-such-entity"


def repeat_id(document: dict[str, Any]) -> None:
    document["entities"][5]["id"] = document["entities"][6]["id"]


def orphan(document: dict[str, Any]) -> None:
    """Rename an entity that others link to: their links now lead nowhere."""
    target = next(iter(sorted(linked(document))))
    next(e for e in document["entities"] if e["id"] == target)["id"] += "-gone"


def uncite(document: dict[str, Any]) -> None:
    document["entities"][9]["sources"][0]["source"] = "no-such-source"


PROBLEMS: dict[str, Edit] = {
    "a link to nothing": dangle,
    "a repeated id": repeat_id,
    "a link to an id changed": orphan,
    "a citation of no source": uncite,
    "an entity made invalid": entity(4, lambda e: e.update(type="not-a-type")),
}


@pytest.mark.parametrize("problem", PROBLEMS.values(), ids=PROBLEMS.keys())
def test_a_problem_made_by_an_edit_is_reported_as_without_an_index(
    data: Path, refreshes: list[bool], problem: Edit
) -> None:
    assert cpkb(data, "search", "Astana").exit_code == 0  # builds the index
    edited(data, problem)
    indexed = cpkb(data, "search", "Astana", "--json")
    direct = cpkb(data, "search", "Astana", "--json", mode="never")
    assert indexed.exit_code == direct.exit_code != 0
    assert (indexed.stdout, indexed.stderr) == (direct.stdout, direct.stderr)
    assert refreshes == [False, False]


def test_an_entity_with_more_rows_than_its_numbers_is_not_indexed(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each entity numbers its label and link rows within PER_ENTITY (2**20) rowids; an entity
    with more (as here, PER_ENTITY made 8) is not indexed, and the file answers instead."""
    from cpkb.index import schema

    monkeypatch.setattr(schema, "PER_ENTITY", 8)
    edited(data, entity(5, lambda e: e.update(aliases=[f"Alias number {n}" for n in range(4)])))
    indexed = cpkb(data, "search", "alias number", "--json")
    assert indexed.exit_code == 0, indexed.output
    assert not Path(index_location(data)).exists()
    assert indexed.stdout == cpkb(data, "search", "alias number", "--json", mode="never").stdout


# --- version 2: edges, statements, former ids and the vocabulary -------------------------------


@pytest.fixture
def v2_data(tmp_path: Path) -> Path:
    """The bundled knowledge base (version 2: a vocabulary, ranks, dated links, statements)."""
    from cpkb.kb.paths import default_data_path

    target = tmp_path / "kb.json"
    shutil.copyfile(default_data_path(), target)
    return target


def claimed(entity_id: str, change: Callable[[dict[str, Any]], None]) -> Edit:
    """An edit of the first claim of `entity_id` that has a target."""

    def edit(document: dict[str, Any]) -> None:
        [found] = [e for e in document["entities"] if e["id"] == entity_id]
        change(next(c for c in found["claims"] if "target" in c))

    return edit


V2_EDITS: dict[str, list[Edit]] = {
    "a link ends": [claimed("erlan-karin", lambda c: c.update(end="2024-06"))],
    "a link deprecated": [claimed("regina-de-dominicis", lambda c: c.update(rank="deprecated"))],
    "a claim stated by someone": [claimed("adal-azamat", lambda c: c.update(stated_by="unicef"))],
    "a former id": [
        lambda d: next(e for e in d["entities"] if e["id"] == "unicef").update(former_ids=["un-c"])
    ],
}


@pytest.mark.parametrize("edits", V2_EDITS.values(), ids=V2_EDITS.keys())
def test_a_version_2_refresh_is_the_full_build(
    v2_data: Path, tmp_path: Path, refreshes: list[bool], edits: list[Edit]
) -> None:
    assert cpkb(v2_data, "show", "unicef", "--json").exit_code == 0  # builds the index
    edited(v2_data, *edits)
    asked = ["path", "erlan-karin", "unicef", "--as-of", "2025-06"]
    assert cpkb(v2_data, *asked).stdout == cpkb(v2_data, *asked, mode="never").stdout
    assert refreshes == [False, True]
    anew = built_anew(v2_data, tmp_path / "other-cache")
    assert snapshot(Path(index_location(v2_data))) == snapshot(anew)


def test_a_changed_vocabulary_means_a_full_build(v2_data: Path, refreshes: list[bool]) -> None:
    """Which links are current when depends on the vocabulary (a series, say): all edges."""
    assert cpkb(v2_data, "show", "unicef", "--json").exit_code == 0
    edited(v2_data, lambda d: d["properties"][0].update(label="Relabelled"))
    assert cpkb(v2_data, "show", "unicef", "--json").exit_code == 0
    assert refreshes == [False, False]
