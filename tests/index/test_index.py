"""The SQLite index is never the truth: same answers as reading the file, and never stale."""

from __future__ import annotations

import json
import os
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
from cpkb.errors import CpkbError, ExitCode
from cpkb.index.catalog import IndexCatalog, open_catalog
from cpkb.index.reader import Index
from cpkb.index.schema import fingerprint
from cpkb.index.schema import location as index_location
from cpkb.kb.store import load
from cpkb.model.entities import Entity
from cpkb.query.catalog import MemoryCatalog

pytestmark = pytest.mark.v1_bundled


ROOT = Path(__file__).resolve().parents[2]
GENERATE = ROOT / "bench" / "generate.py"

QUERIES = [
    "adal azamat", "Қазақстан балалары", "children of kazakhstan", "Adal Azammat", "bullying",
    "qazakstan balalry", "unicef survey", "sexual offenses", "law", "regional departments",
    "president", "30", "zzzz nothing", "", "Erlan", "honest",
]  # fmt: skip
REFS = [
    "adal-azamat", "Adal Azamat", "honest citizen", "Kazakhstan Balalary", "regina", "president",
    "law", "Adal Azamatt Programme Nonexistent", "nothing like it at all", "UNICEF", "Karin",
]  # fmt: skip


def cpkb(runner: CliRunner, data: Path, mode: str, *args: str) -> Result:
    return runner.invoke(app, ["--data", str(data), *args], env={"CPKB_INDEX": mode})


def same(runner: CliRunner, data: Path, *args: str) -> Result:
    """Run with and without the index; both must print and exit exactly alike, and neither
    with an internal error."""
    direct = cpkb(runner, data, "never", *args)
    indexed = cpkb(runner, data, "always", *args)
    assert ExitCode.INTERNAL not in (direct.exit_code, indexed.exit_code), (args, direct.output)
    assert (indexed.exit_code, indexed.stdout, indexed.stderr) == (
        direct.exit_code,
        direct.stdout,
        direct.stderr,
    ), args
    return indexed


@pytest.fixture
def kb_copy(tmp_path: Path, bundled_path: Path) -> Path:
    target = tmp_path / "kb.json"
    shutil.copyfile(bundled_path, target)
    return target


def generated(factory: pytest.TempPathFactory, entities: int, seed: int) -> Path:
    """A synthetic knowledge base from bench/generate.py."""
    target = factory.mktemp("synthetic") / f"kb-{entities}.json"
    command = [sys.executable, str(GENERATE), str(entities), "--seed", str(seed), "-o", str(target)]
    subprocess.run(command, check=True)
    return target


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated(tmp_path_factory, 400, seed=7)


def current_index(data: Path) -> Index | None:
    return Index.open(Path(index_location(data)), data, fingerprint(data))


def test_index_is_built_and_used(runner: CliRunner, kb_copy: Path) -> None:
    assert current_index(kb_copy) is None
    result = cpkb(runner, kb_copy, "always", "show", "adal-azamat", "--json")
    assert result.exit_code == 0
    assert current_index(kb_copy) is not None


def test_show_json_is_identical_for_every_bundled_entity(runner: CliRunner, kb_copy: Path) -> None:
    ids = [e["id"] for e in json.loads(kb_copy.read_text(encoding="utf-8"))["entities"]]
    for entity_id in ids:
        assert same(runner, kb_copy, "show", entity_id, "--json").exit_code == 0


@pytest.mark.parametrize("query", QUERIES)
def test_search_is_identical(runner: CliRunner, kb_copy: Path, query: str) -> None:
    same(runner, kb_copy, "search", query, "--json")
    same(runner, kb_copy, "search", query, "--type", "programme", "--json")


@pytest.mark.parametrize("ref", REFS)
def test_resolution_and_its_errors_are_identical(
    runner: CliRunner, kb_copy: Path, ref: str
) -> None:
    same(runner, kb_copy, "show", ref, "--json")
    same(runner, kb_copy, "law", "show", ref, "--json")


def test_human_show_is_identical(runner: CliRunner, kb_copy: Path) -> None:
    same(runner, kb_copy, "show", "regina-de-dominicis")
    same(runner, kb_copy, "search", "unicef")


def test_synthetic_kb_answers_identically(runner: CliRunner, synthetic: Path) -> None:
    doc = json.loads(synthetic.read_text(encoding="utf-8"))
    for entity in doc["entities"][::37]:
        same(runner, synthetic, "show", entity["id"], "--json")
        same(runner, synthetic, "show", entity["name"], "--json")
        for alias in entity["aliases"][:2]:
            same(runner, synthetic, "search", alias, "--json")
    for query in ("child protection", "guardianship", "ministry of education", "zzzz"):
        same(runner, synthetic, "search", query, "--json")


def rename_adal(data: Path) -> None:
    """Change one byte, keeping the file's size and modification time."""
    before = data.stat()
    text = data.read_text(encoding="utf-8")
    assert text.count('"name": "Adal Azamat"') == 1
    data.write_text(text.replace('"name": "Adal Azamat"', '"name": "Adal Azamet"'), "utf-8")
    os.utime(data, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = data.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def name_of(runner: CliRunner, data: Path) -> str:
    result = cpkb(runner, data, "always", "show", "adal-azamat", "--json")
    assert result.exit_code == 0, result.output
    name: str = json.loads(result.stdout)["name"]
    return name


def test_a_change_keeping_size_and_mtime_is_seen(runner: CliRunner, kb_copy: Path) -> None:
    assert name_of(runner, kb_copy) == "Adal Azamat"
    rename_adal(kb_copy)
    assert name_of(runner, kb_copy) == "Adal Azamet"


def test_deleted_or_truncated_index_is_rebuilt(runner: CliRunner, kb_copy: Path) -> None:
    name_of(runner, kb_copy)
    target = Path(index_location(kb_copy))
    target.unlink()
    assert name_of(runner, kb_copy) == "Adal Azamat"
    assert target.is_file()
    with target.open("r+b") as handle:
        handle.truncate(target.stat().st_size // 3)
    assert name_of(runner, kb_copy) == "Adal Azamat"
    target.write_bytes(b"not a database at all")
    assert name_of(runner, kb_copy) == "Adal Azamat"
    assert current_index(kb_copy) is not None


def test_an_index_that_is_a_fifo_is_rebuilt(runner: CliRunner, kb_copy: Path) -> None:
    """A FIFO where the index is kept: SQLite's open waited for a writer for ever."""
    name_of(runner, kb_copy)
    target = Path(index_location(kb_copy))
    target.unlink()
    os.mkfifo(target)
    command = [sys.executable, "-m", "cpkb", "--data", str(kb_copy), "show", "adal-azamat"]
    env = {**os.environ, "CPKB_INDEX": "always"}
    found = subprocess.run([*command, "--json"], env=env, capture_output=True, timeout=60)
    assert found.returncode == 0 and json.loads(found.stdout)["name"] == "Adal Azamat"
    assert target.is_file() and current_index(kb_copy) is not None


def test_index_made_under_another_cache_key_is_rebuilt(runner: CliRunner, kb_copy: Path) -> None:
    name_of(runner, kb_copy)
    with sqlite3.connect(Path(index_location(kb_copy))) as db:
        db.execute("UPDATE meta SET value = '0.0.0-other' WHERE key = 'code'")
    assert current_index(kb_copy) is None
    assert name_of(runner, kb_copy) == "Adal Azamat"
    assert current_index(kb_copy) is not None


def test_unwritable_cache_falls_back_to_the_file(
    runner: CliRunner, kb_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_directory = tmp_path / "cache-is-a-file"
    not_a_directory.write_text("x", encoding="utf-8")
    monkeypatch.setenv("CPKB_CACHE_DIR", str(not_a_directory / "cpkb"))
    result = cpkb(runner, kb_copy, "always", "search", "honest citizen", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["id"] == "adal-azamat"
    assert result.stderr == ""


def test_bad_data_is_reported_the_same_with_an_index(runner: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": 1, "sources": [', encoding="utf-8")
    result = same(runner, broken, "show", "x", "--json")
    assert result.exit_code == 3


def test_concurrent_builders_do_not_corrupt_the_index(kb_copy: Path, tmp_path: Path) -> None:
    env = {**os.environ, "CPKB_INDEX": "always", "CPKB_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "cpkb", "--data", str(kb_copy), "search", "unicef", "--json"]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    assert len({out for out, _ in outputs}) == 1
    index_dir = tmp_path / "cache" / "index"
    assert [p.suffix for p in index_dir.iterdir()] == [".sqlite"]  # no temporary files left


@pytest.fixture(scope="module")
def bigger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated(tmp_path_factory, 3000, seed=11)


def test_index_ranks_like_memory(
    bigger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With thousands of entities, many matching each query: the index rescores entities in the
    order of what their labels allow, until none left can rank among the hits: the hits are the
    file's. Past `ranking.RESCORED` entities, the lower places are SQLite's best, rescored: the
    first hit and those tying with it are still the file's, and every score is."""
    from cpkb.index import ranking
    from cpkb.index.catalog import IndexCatalog, open_current
    from cpkb.kb.store import load
    from cpkb.query.catalog import MemoryCatalog

    monkeypatch.setenv("CPKB_CACHE_DIR", str(tmp_path))
    kb = load(bigger)
    memory = MemoryCatalog(kb)
    index = open_current(bigger, load=lambda: kb)
    assert index is not None
    indexed = IndexCatalog(index, load=lambda: kb)
    entities = list(kb)[::193]
    queries = [e.name for e in entities] + [a for e in entities for a in e.aliases[:2]]
    queries += [e.name.split()[0] for e in entities[:8]]  # one common word: many candidates
    queries += [e.name[:-2] + e.name[-1:] for e in entities[:8]]  # a typo
    queries += ["child protection", "ministry", "law on", "Қазақстан", "zzz", "", "and", "of"]
    ranked = {
        query: [(h.entity.id, h.score) for h in memory.search(query, limit=None)]
        for query in queries
    }
    for query, every in ranked.items():
        hits = [(h.entity.id, h.score) for h in indexed.search(query)]
        assert top(hits) == top(every[:10]), query
        assert all(dict(every)[i] == score for i, score in hits), query
        assert [score for _, score in hits] == sorted((s for _, s in hits), reverse=True)
    monkeypatch.setattr(ranking, "RESCORED", 10**9)  # every place proved
    for n, (query, every) in enumerate(ranked.items()):
        limit = 40 if n % 8 else None
        hits = [(h.entity.id, h.score) for h in indexed.search(query, limit=limit)]
        assert hits == every[:limit], query
    for entity in entities:
        for ref in (entity.id, entity.name, *entity.aliases[:2], entity.name.split()[-1]):
            assert outcome(indexed.resolve, ref) == outcome(memory.resolve, ref), ref


def top(hits: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The first hit and those that score as high."""
    return [hit for hit in hits if hit[1] == hits[0][1]]


def outcome(resolve: Callable[[str], Entity], ref: str) -> str:
    """The id resolved, or the error raised, as text."""
    try:
        return resolve(ref).id
    except CpkbError as exc:
        return f"{type(exc).__name__}: {exc.message} ({exc.hint})"


def test_xref_is_identical_with_the_index(runner: CliRunner, kb_copy: Path) -> None:
    ids = [e["id"] for e in json.loads(kb_copy.read_text(encoding="utf-8"))["entities"]]
    for entity_id in ids:
        for depth in ("1", "2", "3"):
            same(runner, kb_copy, "xref", entity_id, "--depth", depth, "--json")
    same(runner, kb_copy, "xref", "erlan-karin", "--depth", "2", "--property", "met-with", "--json")
    same(runner, kb_copy, "xref", "unicef", "--property", "no-such-property")
    same(runner, kb_copy, "xref", "regina-de-dominicis", "--depth", "2")


def test_xref_on_a_synthetic_kb_is_identical(runner: CliRunner, synthetic: Path) -> None:
    doc = json.loads(synthetic.read_text(encoding="utf-8"))
    for entity in doc["entities"][::50]:
        same(runner, synthetic, "xref", entity["id"], "--depth", "2", "--json")


def test_path_is_identical_with_the_index(runner: CliRunner, kb_copy: Path) -> None:
    """`path` reads only as far from its start as the path reaches (growing neighbourhoods);
    it must find the very path the whole graph gives, and the same errors."""
    ids = [e["id"] for e in json.loads(kb_copy.read_text(encoding="utf-8"))["entities"]]
    found = 0
    for start in ids[::2]:
        for goal in ids[1::3]:
            found += same(runner, kb_copy, "path", start, goal, "--json").exit_code == 0
    assert found > 10
    same(runner, kb_copy, "path", "adal-azamat", "adal-azamat", "--json")
    same(runner, kb_copy, "path", "Adal Azamat", "UNICEF")
    same(runner, kb_copy, "path", "adal-azamat", "no-such-entity")


def test_path_on_a_synthetic_kb_is_identical(runner: CliRunner, synthetic: Path) -> None:
    ids = [e["id"] for e in json.loads(synthetic.read_text(encoding="utf-8"))["entities"]]
    lengths = set()
    for start, goal in zip(ids[::41], ids[17::29], strict=False):
        result = same(runner, synthetic, "path", start, goal, "--json")
        assert result.exit_code == 0, result.output
        lengths.add(len(json.loads(result.stdout)["steps"]))
    assert len(lengths) >= 2  # paths of several lengths were compared


def test_path_between_islands_is_identical(runner: CliRunner, tmp_path: Path, mini: Path) -> None:
    """Two components, a -> b and c -> d: no path from a to d, however far the search grows."""
    doc = json.loads(mini.read_text(encoding="utf-8"))
    source = doc["sources"][0]["id"]

    def island(entity_id: str, targets: list[str]) -> dict[str, object]:
        cite = [{"source": source, "quote": f"{entity_id} is real."}]
        claims = [{"property": "links_to", "target": t, "sources": cite} for t in targets]
        named = {"id": entity_id, "type": "organisation", "name": f"Island {entity_id}"}
        return {**named, "aliases": [], "summary": "A fixture.", "sources": cite, "claims": claims}

    doc["entities"] = [island("a", ["b"]), island("b", []), island("c", ["d"]), island("d", [])]
    islands = tmp_path / "islands.json"
    islands.write_text(json.dumps(doc), encoding="utf-8")
    assert same(runner, islands, "path", "a", "b", "--json").exit_code == 0
    assert same(runner, islands, "path", "a", "d", "--json").exit_code == 1


def test_graph_focus_is_identical_with_the_index(runner: CliRunner, kb_copy: Path) -> None:
    ids = [e["id"] for e in json.loads(kb_copy.read_text(encoding="utf-8"))["entities"]]
    for entity_id in ids:
        for depth in ("1", "2"):
            same(runner, kb_copy, "graph", "--focus", entity_id, "--depth", depth, "--json")
    same(runner, kb_copy, "graph", "--focus", "Erlan Karin", "--format", "dot")
    same(runner, kb_copy, "graph", "--focus", "regina", "--depth", "3", "--format", "mermaid")
    same(runner, kb_copy, "graph", "--focus", "no such entity at all")


def test_graph_focus_on_a_synthetic_kb_is_identical(runner: CliRunner, synthetic: Path) -> None:
    doc = json.loads(synthetic.read_text(encoding="utf-8"))
    for entity in doc["entities"][::67]:
        same(runner, synthetic, "graph", "--focus", entity["id"], "--depth", "2", "--json")


def test_completion_is_identical_with_the_index(
    synthetic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Completion reads ids, names and aliases from the index on a big file, in data order."""
    from typer.main import get_command

    from cpkb.cli import app as command
    from cpkb.cli.completion import complete_property, complete_ref

    monkeypatch.setenv("CPKB_CACHE_DIR", str(tmp_path))
    doc = json.loads(synthetic.read_text(encoding="utf-8"))
    prefixes = ["", "a", "Al", "ast", "law-no-1", "Қ", "zzz"]
    prefixes += [e["name"][:5] for e in doc["entities"][::90]]
    prefixes += [a[:3] for e in doc["entities"][::120] for a in e["aliases"][:1]]
    answers = {}
    for mode in ("never", "always"):
        monkeypatch.setenv("CPKB_INDEX", mode)
        ctx = get_command(command).make_context(
            "cpkb", ["--data", str(synthetic)], resilient_parsing=True
        )
        answers[mode] = (
            [complete_ref(ctx, prefix) for prefix in prefixes],
            complete_property(ctx, ""),
        )
    assert answers["always"] == answers["never"]
    assert sum(len(found) > 0 for found in answers["never"][0]) >= 8
    assert current_index(synthetic) is not None


TABLES = ["sources", "entities", "documents", "labels", "links", "vocabulary"]


def index_tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    queries = {t: f"SELECT rowid, * FROM {t} ORDER BY rowid" for t in TABLES}
    queries["meta"] = "SELECT * FROM meta WHERE key != 'stamp' ORDER BY key"
    queries["words"] = "SELECT * FROM terms ORDER BY term"  # the full-text index, term by term
    with sqlite3.connect(path) as db:
        return {name: db.execute(query).fetchall() for name, query in queries.items()}


def test_forked_workers_build_the_same_index(
    bigger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker processes (used for 20,000 entities or more) build exactly what one process does:
    here forced on for 3,000 entities (and chunks of 250, so that many are in flight)."""
    from cpkb.index import build as indexer
    from cpkb.kb import workers as forked
    from cpkb.kb.store import load

    if forked.workers(10**9) < 2:
        pytest.skip("one CPU, or no fork: the index is always built in one process")
    built = {}
    for name, threshold in (("single", 10**9), ("forked", 0)):
        monkeypatch.setattr(forked, "PARALLEL_FROM", threshold)
        monkeypatch.setattr(forked, "CHUNK", 250)
        target = tmp_path / f"{name}.sqlite"
        assert indexer.build(bigger, target, "stamp", load=lambda: load(bigger))
        built[name] = index_tables(target)
    assert built["forked"] == built["single"]
    assert len(built["forked"]["entities"]) == 3000


def test_forked_workers_report_bad_data_as_load_does(
    bigger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cpkb.errors import DataError
    from cpkb.index import build as indexer
    from cpkb.kb import workers as forked
    from cpkb.kb.store import load

    doc = json.loads(bigger.read_text(encoding="utf-8"))
    doc["entities"][2500]["claims"][0]["sources"] = []  # an uncited claim, deep in the file
    doc["entities"][2900]["claims"][0]["target"] = "nowhere"  # and a dangling link
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DataError) as expected:
        load(bad)
    monkeypatch.setattr(forked, "PARALLEL_FROM", 0)
    with pytest.raises(DataError) as raised:
        indexer.build(bad, tmp_path / "bad.sqlite", "stamp", load=lambda: load(bad))
    assert str(raised.value) == str(expected.value)
    assert not list(tmp_path.glob("bad.sqlite*"))  # nothing left behind


@pytest.mark.parametrize(
    "xdg, home",
    [
        (None, "/home/reader"),
        ("/var/tmp/caches", "/home/reader"),
        ("/var/tmp/caches/", "/home/reader/"),
        ("", "/home/reader"),
        ("relative/caches", "/home/reader"),
        (None, "/"),
        (None, ""),
        (None, "relative-home"),
        ("   ", None),
    ],
)
def test_cache_dir_is_where_platformdirs_puts_it(
    monkeypatch: pytest.MonkeyPatch, xdg: str | None, home: str | None
) -> None:
    """cpkb applies the XDG rule itself on Linux (platformdirs is slow to import): same answer."""
    import platformdirs

    from cpkb.kb.cache import location, xdg_cache_home

    monkeypatch.delenv("CPKB_CACHE_DIR", raising=False)
    for name, value in (("XDG_CACHE_HOME", xdg), ("HOME", home)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    try:
        expected: Path | None = Path(platformdirs.user_cache_dir("cpkb", appauthor=False))
    except RuntimeError:  # no usable home: platformdirs refuses, and so does cpkb
        expected = None
    if expected is None:
        with pytest.raises(RuntimeError):
            Path(location())
    else:
        assert Path(location()) == expected
    if sys.platform == "linux" and home and home.startswith("/"):
        assert xdg_cache_home() is not None  # the case above did not go to platformdirs


def test_cache_dir_setting_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from cpkb.kb.cache import location

    monkeypatch.setenv("CPKB_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", "/elsewhere")
    assert Path(location()) == tmp_path / "mine"


def test_a_query_in_the_data_script_needs_no_anyascii(tmp_path: Path, synthetic: Path) -> None:
    """The index keeps anyascii's answers for its data's characters: a Cyrillic search through
    it neither imports anyascii (~20 ms) nor answers differently from the file in memory."""
    entities = json.loads(synthetic.read_text(encoding="utf-8"))["entities"]
    query = next(a for e in entities for a in e.get("aliases", []) if not a.isascii())
    probe = (
        "import sys, json\n"
        "from pathlib import Path\n"
        "from cpkb.index.catalog import open_catalog\n"
        "from cpkb.kb.store import load\n"
        "from cpkb.present.views import hit_view\n"
        "path, query = Path(sys.argv[1]), sys.argv[2]\n"
        "catalog = open_catalog(path, load=lambda: load(path))\n"
        "hits = catalog.search(query, limit=5)\n"
        "print(json.dumps([hit_view(h) for h in hits]), 'anyascii' in sys.modules)\n"
    )
    env = {**os.environ, "CPKB_INDEX": "always", "CPKB_CACHE_DIR": str(tmp_path / "cache")}

    def run() -> tuple[list[Any], str]:
        command = [sys.executable, "-c", probe, str(synthetic), query]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        hits, imported = done.stdout.rsplit(" ", 1)
        return json.loads(hits), imported.strip()

    built, _ = run()  # builds the index (which needs anyascii)
    hits, imported = run()
    assert hits and hits == built and hits[0]["matched"]["snippet"] == query
    assert imported == "False"
    env["CPKB_INDEX"] = "never"
    assert run() == (hits, "True")  # the file in memory: the same hits, by anyascii


def test_an_index_made_with_another_anyascii_is_rebuilt(tmp_path: Path, synthetic: Path) -> None:
    """The index keeps anyascii's answers: under another anyascii (an upgrade, or another
    environment sharing the cache), it answers as the file read with that one does."""
    fake = tmp_path / "other" / "anyascii"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        '__version__ = "0-test"\n'
        "def anyascii(string):\n"
        '    return "".join(c if c.isascii() else "q" for c in string)\n',
        encoding="utf-8",
    )
    entities = json.loads(synthetic.read_text(encoding="utf-8"))["entities"]
    alias = next(a for e in entities for a in e.get("aliases", []) if not a.isascii())
    env = {**os.environ, "CPKB_CACHE_DIR": str(tmp_path / "cache")}
    other = {"PYTHONPATH": os.pathsep.join(filter(None, [str(fake.parent), env.get("PYTHONPATH")]))}

    def run(mode: str, environment: dict[str, str]) -> tuple[int, str]:
        command = [sys.executable, "-m", "cpkb", "--data", str(synthetic), "search", alias]
        environment = environment | {"CPKB_INDEX": mode}
        done = subprocess.run([*command, "--json"], env=environment, capture_output=True)
        return done.returncode, done.stdout.decode()

    real = run("always", env)  # builds the index with the real anyascii
    assert real[0] == 0 and json.loads(real[1])[0]["matched"]["snippet"] == alias
    from_file = run("never", env | other)
    assert from_file != real  # the stand-in folds every non-ASCII letter to "q"
    assert run("always", env | other) == from_file
    assert run("always", env) == real  # and back


def test_fast_lane_answers_from_the_index_without_heavy_imports(
    tmp_path: Path, synthetic: Path
) -> None:
    """`show` and `search` from a current index import neither platformdirs, hashlib nor
    anyascii; the answers are the full app's."""
    probe = (
        "import sys\n"
        "from cpkb.entry import fast_lane\n"
        "code = fast_lane(sys.argv[1:])\n"
        "heavy = {'platformdirs', 'hashlib', 'anyascii'} & set(sys.modules)\n"
        "print(code, sorted(heavy), file=sys.stderr)\n"
    )
    env = {**os.environ, "CPKB_INDEX": "always", "CPKB_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("XDG_CACHE_HOME", None)
    entity_id = json.loads(synthetic.read_text(encoding="utf-8"))["entities"][3]["id"]
    for args in (["show", entity_id, "--json"], ["search", "Astana families", "--json"]):
        argv = [sys.executable, "-c", probe, "--data", str(synthetic), *args]
        subprocess.run(argv, env=env, check=True, capture_output=True)  # builds the index
        done = subprocess.run(argv, env=env, capture_output=True, text=True)
        assert done.stderr.strip() == "0 []", done.stderr
        full = subprocess.run(
            [sys.executable, "-m", "cpkb", "--data", str(synthetic), *args],
            env=env | {"CPKB_DEBUG": "1"},  # CPKB_DEBUG=1 skips the fast lane
            capture_output=True,
            text=True,
        )
        assert done.stdout == full.stdout and json.loads(done.stdout)


V2_SOURCES = ROOT / "tests" / "data" / "good" / "v2-sources.json"


@pytest.fixture
def both_catalogs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[MemoryCatalog, IndexCatalog]:
    """The version-2 fixture read into memory, and answered from its index."""
    data = tmp_path / "v2.json"
    shutil.copyfile(V2_SOURCES, data)
    monkeypatch.setenv("CPKB_INDEX", "always")
    indexed = open_catalog(data, load=lambda: load(data))
    assert isinstance(indexed, IndexCatalog)
    return MemoryCatalog(load(data)), indexed


def test_the_index_keeps_every_field_of_a_source(
    both_catalogs: tuple[MemoryCatalog, IndexCatalog],
) -> None:
    memory, indexed = both_catalogs
    assert indexed.sources() == memory.sources()
    assert indexed.sources()["stat-bureau-mics"].retrieved == "2026-02"


@pytest.mark.parametrize(
    ("wanted", "found"),
    [
        ("cp-status-approved", ("children-programme", 0)),  # a stored id
        ("children-programme-c2", ("children-programme", 1)),  # made from its place
        ("children-programme-c1", None),  # that claim stores an id: its made id is not one
        ("children-programme-c3", None),
        ("children-programme", None),  # an entity, not a claim
        ("observer-2025", None),  # a source, mentioned in the entity's document
        ("cp-status", None),
    ],
)
def test_claims_are_found_alike_in_memory_and_in_the_index(
    both_catalogs: tuple[MemoryCatalog, IndexCatalog], wanted: str, found: tuple[str, int] | None
) -> None:
    for catalog in both_catalogs:
        hit = catalog.claim(wanted)
        where = None if hit is None else (hit[0].id, hit[0].claims.index(hit[1]))
        assert where == found, type(catalog).__name__


UNDECODABLE = os.fsdecode(b"\xff")  # what Python makes of a byte that is not UTF-8 in argv


@pytest.mark.parametrize(
    "args, code",
    [(["show", UNDECODABLE], 1), (["xref", UNDECODABLE], 1),
     (["path", "adal-azamat", UNDECODABLE], 1), (["graph", "--focus", UNDECODABLE], 1),
     (["show", "adal" + UNDECODABLE + "azamat", "--json"], 0)],
    ids=["show", "xref", "path", "graph --focus", "show with a name around it"],
)  # fmt: skip
def test_undecodable_bytes_in_a_reference(
    kb_copy: Path, tmp_path: Path, args: list[str], code: int
) -> None:
    """A reference holding bytes that are not UTF-8 (a real process's argv) answers as it does
    without the index: no entity matches (it used to crash through the index, exit 4)."""
    answers = [run_real(kb_copy, tmp_path, mode, *args) for mode in ("always", "never")]
    assert answers[0] == answers[1]
    assert answers[0][0] == code, answers[0]


def test_undecodable_bytes_in_the_data_file_name(kb_copy: Path, tmp_path: Path) -> None:
    named = tmp_path / os.fsdecode(b"k\xffb.json")
    shutil.copyfile(kb_copy, named)
    for args in (["show", "adal-azamat", "--json"], ["search", "honest citizen", "--json"]):
        indexed = run_real(named, tmp_path, "always", *args)
        assert indexed == run_real(named, tmp_path, "never", *args)
        assert indexed[0] == 0, indexed
    assert list((tmp_path / "cache" / "index").glob("*.sqlite"))  # the index was made and used


def run_real(data: Path, tmp_path: Path, mode: str, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "CPKB_INDEX": mode, "CPKB_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "cpkb", "--data", str(data), *args]
    done = subprocess.run(command, env=env, capture_output=True, timeout=60)
    return done.returncode, done.stdout.decode(), done.stderr.decode()


def zero_from_the_fifth_page(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.seek(4 * 16384)
        handle.write(bytes(path.stat().st_size - 4 * 16384))


def sql(*statements: str) -> Callable[[Path], None]:
    def corrupt(path: Path) -> None:
        with sqlite3.connect(path) as db:
            for statement in statements:
                db.execute(statement)
        db.close()

    return corrupt


CORRUPTIONS: dict[str, Callable[[Path], None]] = {
    "zeroed from the fifth page": zero_from_the_fifth_page,
    "empty vocabulary": sql("DELETE FROM vocabulary"),
    "vocabulary not text": sql("UPDATE vocabulary SET terms = x'00ff'"),
    "bad marshal documents": sql("UPDATE documents SET doc = x'ff00ff'"),
    "bad marshal aliases and folds": sql("UPDATE entities SET aliases = x'ff', folds = x'0a'"),
    "truncated marshal": sql("UPDATE documents SET doc = substr(doc, 1, 20)"),
    "a list where a document belongs": sql("UPDATE documents SET doc = x'5b02000000e9010000'"),
    "a source row not JSON": sql("UPDATE sources SET doc = 'not json'"),
    "a source row of the wrong shape": sql("UPDATE sources SET doc = '{\"a\": [1]}'"),
    "links dropped": sql("DROP TABLE links"),
    "labels dropped": sql("DROP TABLE labels"),
    "entities dropped": sql("DROP TABLE entities"),
    "full text dropped": sql("DROP TABLE terms", "DROP TABLE words"),
    "wrong types": sql("UPDATE entities SET aliases = 5, folds = 2.5"),
    "a document of the wrong type": sql("UPDATE documents SET doc = 'text'"),
    "documents dropped": sql("DROP TABLE documents"),
    "aliases not text": sql("UPDATE entities SET aliases = x'5b01000000e905000000'"),
    "no relations": sql("DELETE FROM meta WHERE key = 'relations'"),
    "not a schema version": sql("UPDATE meta SET value = 'one' WHERE key = 'schema_version'"),
}
CORRUPTED_CALLS = [
    ["show", "adal-azamat", "--json"], ["show", "Honest Citizen"], ["show", "regina"],
    ["search", "unicef", "--json"], ["search", "qazakstan balalry"],
    ["xref", "erlan-karin", "--depth", "2", "--json"], ["path", "adal-azamat", "unicef"],
    ["graph", "--focus", "unicef", "--format", "json"],
]  # fmt: skip


Shown = tuple[int, str, str]


def shown(result: Result, data: Path) -> Shown:
    """Exit status, stdout and stderr, with the data file's path made DATA."""
    texts = (result.stdout, result.stderr)
    return (result.exit_code, *(text.replace(str(data), "DATA") for text in texts))


@pytest.fixture(scope="module")
def from_the_file(bundled_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Shown]:
    """Each of CORRUPTED_CALLS answered from the file (a copy of the bundled file's bytes)."""
    data = tmp_path_factory.mktemp("direct") / "kb.json"
    shutil.copyfile(bundled_path, data)
    runner = CliRunner(env={"COLUMNS": "120"})  # as the tests' environment has it
    return {" ".join(a): shown(cpkb(runner, data, "never", *a), data) for a in CORRUPTED_CALLS}


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_a_corrupt_index_is_rebuilt_or_the_file_read(
    runner: CliRunner, kb_copy: Path, corruption: str, from_the_file: dict[str, Shown]
) -> None:
    """Whatever is wrong inside a current index, every command answers as from the file (never
    exit 4), and a later run has a sound index again."""
    target = Path(index_location(kb_copy))
    for args in CORRUPTED_CALLS:
        target.unlink(missing_ok=True)
        name_of(runner, kb_copy)  # a sound, current index
        CORRUPTIONS[corruption](target)
        indexed = shown(cpkb(runner, kb_copy, "always", *args), kb_copy)
        assert indexed == from_the_file[" ".join(args)], args
    for _ in range(2):  # the first may come upon the damage (if the last call did not)
        assert name_of(runner, kb_copy) == "Adal Azamat"
    assert current_index(kb_copy) is not None


def test_a_corrupt_index_through_the_fast_lane(kb_copy: Path, tmp_path: Path) -> None:
    """The console script's fast lane (a real process) answers from the file too."""
    for args in (["show", "regina", "--json"], ["search", "unicef", "--json"]):
        assert run_real(kb_copy, tmp_path, "always", *args)[0] == 0  # builds the index
        (index,) = (tmp_path / "cache" / "index").glob("*.sqlite")
        zero_from_the_fifth_page(index)
        answer = run_real(kb_copy, tmp_path, "always", *args)
        assert answer == run_real(kb_copy, tmp_path, "never", *args)
        assert answer[0] == 0, answer
