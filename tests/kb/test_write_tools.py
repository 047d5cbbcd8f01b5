"""`import`, `diff` and `merge-driver`, the last two also as git's drivers in a real repository."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from cpkb.kb import layout
from tests.writes import COMMAND, claim_ids, cli, document, make_kb, run


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return make_kb(tmp_path)


def lines(*records: dict[str, object]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


CITED = {"sources": [{"source": "decree", "paraphrase": "Said."}]}


def test_import_jsonl_adds_every_kind_in_one_write(kb: Path, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(lines(
        {"kind": "property", "name": "mandate", "label": "mandate", "takes": "text"},
        {"kind": "source", "id": "gov", "title": "T", "publisher": "P", "date": "2026",
         "url": None, "reliability": "r"},
        {"kind": "entity", "id": "new-org", "type": "organisation", "name": "New Org",
         "aliases": [], "summary": "s", "sources": [{"source": "gov", "paraphrase": "p"}],
         "claims": [{"property": "mandate", "value": "m", **CITED}]},
        {"kind": "claim", "entity": "new-org", "property": "mandate", "value": "n", **CITED},
    ), encoding="utf-8")  # fmt: skip
    done = cli(kb, "import", str(feed))
    assert done.exit_code == 0, done.output
    assert "imported 1 source, 1 property, 1 entity, 1 claim" in done.output
    assert {"new-org-c1", "new-org-c2"} <= claim_ids(kb)
    assert layout.is_canonical(kb.read_bytes(), document(kb))


def test_import_is_all_or_nothing_and_names_each_problem_by_line(kb: Path, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(lines(
        {"kind": "claim", "entity": "post-a", "property": "status", "value": "ok", **CITED},
        {"kind": "claim", "entity": "nobody", "property": "status", "value": "x", **CITED},
    ) + "not json\n" + lines({"kind": "thing"}), encoding="utf-8")  # fmt: skip
    before = kb.read_bytes()
    done = cli(kb, "import", str(feed))
    assert done.exit_code == 3
    assert f"{feed}:2: no entity 'nobody'" in done.output
    assert (
        f"{feed}:3: not JSON" in done.output and f"{feed}:4: an object whose 'kind'" in done.output
    )
    assert kb.read_bytes() == before


def test_import_csv_types_values_by_their_property(kb: Path, tmp_path: Path) -> None:
    feed = tmp_path / "claims.csv"
    feed.write_text(
        "entity,property,value,unit,date,source,paraphrase\n"
        "the-rate,value,7.5,percent,2025,decree,Down to 7.5%.\n"
        'children-programme,status,"running, funded",,,decree,Running.\n',
        encoding="utf-8",
    )
    assert cli(kb, "import", str(feed), "--dry-run").exit_code == 0
    done = cli(kb, "import", str(feed))
    assert done.exit_code == 0, done.output
    rate = next(e for e in document(kb)["entities"] if e["id"] == "the-rate")
    assert rate["claims"][-1]["value"] == 7.5 and rate["claims"][-1]["date"] == "2025"


def test_import_csv_takes_every_cell_field_of_the_field_table(kb: Path, tmp_path: Path) -> None:
    from cpkb.model import fields

    feed = tmp_path / "claims.csv"
    feed.write_text(
        "entity,property,value,unit,date,approx,baseline,baseline_date,source,paraphrase,lang\n"
        "the-rate,value,7.5,percent,2025,true,9,2020,decree,Down to about 7.5% from 9%.,en\n",
        encoding="utf-8",
    )
    done = cli(kb, "import", str(feed))
    assert done.exit_code == 0, done.output
    claim = next(e for e in document(kb)["entities"] if e["id"] == "the-rate")["claims"][-1]
    assert (claim["approx"], claim["baseline"], claim["baseline_date"]) == (True, 9, "2020")
    assert claim["sources"][0]["lang"] == "en"
    shown = cli(kb, "import", "--help").output.replace("\n", "").replace(" ", "")
    for name in fields.claim_row():
        assert name in shown


def test_a_problem_of_the_result_is_named_by_the_line_that_made_it(
    kb: Path, tmp_path: Path
) -> None:
    feed = tmp_path / "claims.csv"
    feed.write_text(
        "entity,property,value,source,quote\n"
        "post-a,status,ok,article,Post B exists.\n"
        "post-a,status,bad,article,Not in the article.\n",
        encoding="utf-8",
    )
    done = cli(kb, "import", str(feed))
    assert done.exit_code == 3
    assert f"{feed}:3: E301" in done.output
    assert f"{feed}:2:" not in done.output


@pytest.mark.parametrize("whole", ["", "1"])
def test_import_of_many_claims_on_one_entity_numbers_them_in_turn(
    kb: Path, tmp_path: Path, whole: str
) -> None:
    feed = tmp_path / "many.csv"
    rows = [f"post-a,status,v{n},article,p{n}" for n in range(2_000)]
    feed.write_text("entity,property,value,source,paraphrase\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")  # fmt: skip
    done = cli(kb, "import", str(feed), env={"CPKB_WRITE_WHOLE": whole})
    assert done.exit_code == 0, done.output
    post = next(e for e in document(kb)["entities"] if e["id"] == "post-a")
    assert [c["id"] for c in post["claims"]] == [f"post-a-c{n}" for n in range(1, 2_001)]
    assert [c["value"] for c in post["claims"]][-1] == "v1999"
    assert layout.is_canonical(kb.read_bytes(), document(kb))
    assert run("--data", str(kb), "validate").returncode == 0


CLAIM_LINE = (
    '{"kind": "claim", "entity": "post-a", "property": "status", "value": "x", "value": "y", '
    '"sources": [{"source": "decree", "paraphrase": "p"}]}\n'
)


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("deep.jsonl", "[" * 100_000 + "\n", "feed:1: not JSON that can be read: nested"),
        ("twice.jsonl", "\n" + CLAIM_LINE, "feed:2: the key 'value' is given twice"),
        ("twice.csv", "entity,entity,property,value,source,paraphrase\npost-a,post-b,status,x,"
         "decree,p\n", "feed:1: the column 'entity' is named twice"),
    ],
    ids=["deep", "key-twice", "column-twice"],
)  # fmt: skip
def test_import_names_unreadable_or_ambiguous_input_by_line(
    kb: Path, tmp_path: Path, name: str, text: str, said: str
) -> None:
    feed = tmp_path / name
    feed.write_text(text, encoding="utf-8")
    before = kb.read_bytes()
    done = run("--data", str(kb), "import", str(feed))
    assert done.returncode == 3, done.stderr
    assert said.replace("feed", str(feed)) in done.stderr and "Traceback" not in done.stderr
    assert kb.read_bytes() == before


def test_import_reads_a_csv_cell_past_csvs_own_limit(kb: Path, tmp_path: Path) -> None:
    feed = tmp_path / "long.csv"
    long = "x" * 200_000
    feed.write_text(f"entity,property,value,source,paraphrase\npost-a,status,{long},decree,p\n",
                    encoding="utf-8")  # fmt: skip
    done = run("--data", str(kb), "import", str(feed))
    assert done.returncode == 0, done.stderr
    post = next(e for e in document(kb)["entities"] if e["id"] == "post-a")
    assert post["claims"][0]["value"] == long


def test_diff_of_two_files_human_and_json(kb: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    shutil.copy(kb, old)
    cli(kb, "claim", "rank", "lx-criminal", "deprecated", "--reason", "erroneous")
    cli(kb, "rm", "the-rate")
    done = cli(None, "diff", str(old), str(kb))
    assert done.exit_code == 0, done.output
    assert "entities: 1 removed, 1 changed; claims: 3 removed, 1 changed, 1 rank moved" in (
        done.stdout
    )
    assert "- the-rate" in done.stdout and "~ claim lx-criminal" in done.stdout
    shown = json.loads(cli(None, "diff", str(old), str(kb), "--json").stdout)
    assert shown["counts"]["claims"]["ranked"] == 1
    ranked = shown["entities"]["changed"][0]["claims"]["ranked"]
    assert ranked == [{"id": "lx-criminal", "old": "normal", "new": "deprecated",
                       "reason": "erroneous"}]  # fmt: skip


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.email=t@example.org", "-c", "user.name=T", *args],
        cwd=folder, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.stdout + done.stderr


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding kb.json, with cpkb as its diff and merge driver."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    folder = tmp_path / "repo"
    folder.mkdir()
    make_kb(folder)
    (folder / ".gitattributes").write_text("kb.json merge=cpkb diff=cpkb\n", encoding="utf-8")
    (folder / ".gitignore").write_text("*.lock\n", encoding="utf-8")
    cpkb = " ".join(COMMAND)
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "merge.cpkb.driver", f"{cpkb} merge-driver %O %A %B %P")
    git(folder, "config", "diff.cpkb.command", f"{cpkb} diff")
    git(folder, "add", "-A")
    git(folder, "commit", "-qm", "base")
    return folder


def write(folder: Path, *args: str) -> None:
    done = run("--data", str(folder / "kb.json"), *args)
    assert done.returncode == 0, done.stderr


def test_diff_git_and_gits_diff_driver(repo: Path) -> None:
    write(repo, "claim", "set", "ap-new-post", "--end", "2026")
    git(repo, "commit", "-qam", "closed")
    done = run("--data", str(repo / "kb.json"), "diff", "--git", "HEAD~1..HEAD")
    assert done.returncode == 0, done.stderr
    assert "~ claim ap-new-post" in done.stdout and 'end: — → "2026"' in done.stdout
    shown = git(repo, "diff", "HEAD~1", "HEAD")
    assert "--- a/kb.json" in shown and "~ claim ap-new-post" in shown


def test_merge_driver_merges_changes_to_different_claims(repo: Path) -> None:
    git(repo, "checkout", "-qb", "theirs")
    write(repo, "claim", "add", "post-a", "budget", "5", "--unit", "KZT", "--source", "decree",
          "--paraphrase", "Funded.")  # fmt: skip
    git(repo, "commit", "-qam", "theirs")
    git(repo, "checkout", "-q", "main")
    write(repo, "claim", "rank", "lx-civil", "normal")
    git(repo, "commit", "-qam", "ours")
    out = git(repo, "merge", "theirs", "-m", "merged")
    assert "CONFLICT" not in out, out
    assert {"post-a-c1", "lx-civil"} <= claim_ids(repo / "kb.json")
    assert run("--data", str(repo / "kb.json"), "validate").returncode == 0
    assert layout.is_canonical((repo / "kb.json").read_bytes(), document(repo / "kb.json"))


def test_merge_driver_lists_a_real_conflict_with_both_versions(repo: Path) -> None:
    git(repo, "checkout", "-qb", "theirs")
    write(repo, "claim", "set", "ap-new-post", "--end", "2027")
    git(repo, "commit", "-qam", "theirs")
    git(repo, "checkout", "-q", "main")
    write(repo, "claim", "set", "ap-new-post", "--end", "2028")
    git(repo, "commit", "-qam", "ours")
    out = git(repo, "merge", "theirs", "-m", "merged")
    assert "CONFLICT" in out
    assert "conflict: claim 'ap-new-post' of entity 'a-person'" in out
    assert '"end": "2027"' in out and '"end": "2028"' in out
    assert "UU kb.json" in git(repo, "status", "--short")


def test_merge_driver_refuses_a_merge_that_does_not_validate(repo: Path) -> None:
    git(repo, "checkout", "-qb", "theirs")
    write(repo, "claim", "add", "a-person", "holds_position", "--target", "post-b", "--source",
          "article", "--quote", "Post B exists.")  # fmt: skip
    git(repo, "commit", "-qam", "theirs points to post-b")
    git(repo, "checkout", "-q", "main")
    write(repo, "rm", "post-b", "--cascade")
    git(repo, "commit", "-qam", "ours removes post-b")
    out = git(repo, "merge", "theirs", "-m", "merged")
    assert "CONFLICT" in out
    assert "E203" in out and "targets unknown entity 'post-b'" in out


def test_merge_driver_keeps_both_claims_two_sides_added_under_one_id(repo: Path) -> None:
    git(repo, "checkout", "-qb", "theirs")
    write(repo, "claim", "add", "post-a", "budget", "5", "--unit", "KZT", "--source", "decree",
          "--paraphrase", "Theirs.")  # fmt: skip
    write(repo, "claim", "add", "post-a", "budget", "6", "--unit", "KZT", "--source", "decree",
          "--paraphrase", "Theirs, later.", "--supersedes", "post-a-c1")  # fmt: skip
    git(repo, "commit", "-qam", "theirs")
    git(repo, "checkout", "-q", "main")
    write(repo, "claim", "add", "post-a", "budget", "7", "--unit", "KZT", "--source", "decree",
          "--paraphrase", "Ours.")  # fmt: skip
    git(repo, "commit", "-qam", "ours")
    out = git(repo, "merge", "theirs", "-m", "merged")
    assert "CONFLICT" not in out, out
    post = next(e for e in document(repo / "kb.json")["entities"] if e["id"] == "post-a")
    found = [(c["id"], c["value"], c.get("supersedes")) for c in post["claims"]]
    assert found == [("post-a-c1", 7, None), ("post-a-c3", 5, None),
                     ("post-a-c2", 6, ["post-a-c3"])]  # fmt: skip
    assert run("--data", str(repo / "kb.json"), "validate").returncode == 0


def test_merge_driver_takes_one_claim_both_sides_added_alike(repo: Path) -> None:
    for branch in ("theirs", "main"):
        git(repo, "checkout", "-q", *(["-b"] if branch == "theirs" else []), branch)
        write(repo, "claim", "add", "post-a", "budget", "5", "--unit", "KZT", "--source",
              "decree", "--paraphrase", "Funded.")  # fmt: skip
        git(repo, "commit", "-qam", branch)
    out = git(repo, "merge", "theirs", "-m", "merged")
    assert "CONFLICT" not in out, out
    post = next(e for e in document(repo / "kb.json")["entities"] if e["id"] == "post-a")
    assert [c["id"] for c in post["claims"]] == ["post-a-c1"]
