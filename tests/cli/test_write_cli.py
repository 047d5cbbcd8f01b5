"""The write commands through the CLI: what they write, what they refuse, and what they say."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cpkb.kb import layout
from tests.writes import TESTS, claim_ids, cli, cli_line, document, make_kb


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return make_kb(tmp_path)


def test_init_makes_an_empty_valid_knowledge_base_with_its_schema(tmp_path: Path) -> None:
    path = tmp_path / "new.json"
    assert cli(None, "init", str(path), "--dry-run").exit_code == 0
    assert not path.exists()
    done = cli(None, "init", str(path))
    assert done.exit_code == 0, done.output
    assert document(path)["entities"] == [] and document(path)["schema_version"] == 2
    assert (tmp_path / "cpkb.schema.json").is_file()
    assert cli(path, "validate").exit_code == 0
    again = cli(None, "init", str(path))
    assert again.exit_code == 3 and "exists" in again.output


def test_init_from_bundled_copies_it_laid_out_for_writes(tmp_path: Path) -> None:
    path = tmp_path / "ours.json"
    done = cli(None, "init", str(path), "--from-bundled")
    assert done.exit_code == 0, done.output
    bundled = json.loads((TESTS.parent / "data" / "kb.json").read_bytes())
    assert document(path) == bundled and "cpkb migrate" not in done.output
    assert cli(path, "fmt", "--check").exit_code == 0  # canonical: writes splice, not rewrite
    assert cli(path, "validate").exit_code == 0
    shown = cli(path, "show", "adal-azamat", "--json")
    assert json.loads(shown.output)["id"] == "adal-azamat"


def test_the_bundled_file_is_never_written(kb: Path) -> None:
    done = cli_line(
        None, "claim add adal-azamat status x --source gulf-observer-2025-11-29 --paraphrase p"
    )
    assert done.exit_code == 3
    assert "never written" in done.output and "cpkb init" in done.output


def test_a_version_1_file_is_refused_with_a_hint_to_migrate(tmp_path: Path) -> None:
    path = tmp_path / "mini.json"
    shutil.copy(TESTS / "data" / "mini.json", path)
    before = path.read_bytes()
    done = cli(path, "add", "official", "X", "--summary", "s", "--source", "src", "--quote", "q")
    assert done.exit_code == 3
    assert "version-1" in done.output and f"cpkb migrate {path}" in done.output
    assert path.read_bytes() == before


def test_claim_add_prints_a_new_stored_id_and_keeps_the_layout(kb: Path) -> None:
    done = cli_line(
        kb,
        "claim add post-a budget 12 --unit KZT --date 2024 --source article "
        "--quote 'Post B exists.'",
    )
    assert done.exit_code == 0, done.output
    new_id = done.stdout.strip()
    assert new_id == "post-a-c1" and new_id in claim_ids(kb)
    added = next(c for e in document(kb)["entities"] for c in e["claims"] if c["id"] == new_id)
    assert added["value"] == 12  # `budget` takes a quantity: a number
    assert layout.is_canonical(kb.read_bytes(), document(kb))


def test_a_write_stores_the_ids_of_an_entitys_claims_so_none_is_renumbered(kb: Path) -> None:
    data = document(kb)
    person = next(e for e in data["entities"] if e["id"] == "post-b")
    person["claims"] = [
        {
            "property": "budget",
            "value": 1,
            "unit": "KZT",
            "sources": [{"source": "article", "quote": "Post B exists."}],
        }
    ]
    kb.write_bytes(layout.document_bytes(data))
    assert (
        cli_line(
            kb, "claim add post-b budget 2 --unit KZT --source article --quote 'Post B exists.'"
        ).stdout.strip()
        == "post-b-c2"
    )
    assert cli(kb, "claim", "rm", "post-b-c1").exit_code == 0
    assert claim_ids(kb) >= {"post-b-c2"}


def test_a_quote_not_in_the_held_text_is_refused_and_nothing_written(kb: Path) -> None:
    before = kb.read_bytes()
    done = cli_line(
        kb,
        "claim add post-a budget 1 --unit KZT --source article --quote 'Words "
        "the article never said.'",
    )
    assert done.exit_code == 3
    assert "E301" in done.output and "texts/article.txt" in done.output
    assert "the file is unchanged" in done.output
    assert kb.read_bytes() == before


def test_a_refused_write_lists_every_problem_located(kb: Path) -> None:
    before = kb.read_bytes()
    done = cli_line(
        kb,
        "claim add a-person holds_position --target post-a --start 2021-02-30 "
        "--end 2020-13 --source article --paraphrase p",
    )
    assert done.exit_code == 3
    lines = [ln for ln in done.output.splitlines() if " error E" in ln]
    assert len(lines) == 2, done.output
    assert all("$.entities[1].claims[2]" in ln and "(entity a-person)" in ln for ln in lines)
    assert kb.read_bytes() == before


def test_dry_run_prints_the_change_and_writes_nothing(kb: Path) -> None:
    before = kb.read_bytes()
    done = cli(
        kb, "claim", "rank", "lx-criminal", "deprecated", "--reason", "erroneous", "--dry-run"
    )
    assert done.exit_code == 0, done.output
    assert "~ claim lx-criminal" in done.stdout and '"deprecated"' in done.stdout
    assert "dry run: nothing written" in done.output
    assert kb.read_bytes() == before


def test_json_output_of_a_write(kb: Path) -> None:
    done = cli(kb, "claim", "set", "ap-new-post", "--end", "2026-06", "--json")
    assert done.exit_code == 0, done.output
    shown = json.loads(done.stdout)
    assert shown["written"] is True and shown["id"] == "ap-new-post"
    changed = shown["changes"]["entities"]["changed"][0]["claims"]["changed"][0]
    assert changed["fields"] == {"end": {"old": None, "new": "2026-06"}}


def test_correcting_by_superseding(kb: Path) -> None:
    done = cli_line(
        kb,
        "claim add children-programme status closed --start 2027 --supersedes "
        "cp-approved --source decree --paraphrase Closed.",
    )
    assert done.exit_code == 0, done.output
    assert cli(kb, "claim", "rm", "cp-approved").exit_code == 3  # superseded by the new claim
    other = cli_line(
        kb,
        "claim add a-person holds_position --target post-a --supersedes "
        "cp-approved --source article --paraphrase p",
    )
    assert other.exit_code == 1 and "has no such claim" in other.output


def test_claim_rank_normal_removes_the_rank(kb: Path) -> None:
    assert cli(kb, "claim", "rank", "lx-administrative", "normal").exit_code == 0
    claim = next(
        c for e in document(kb)["entities"] for c in e["claims"] if c["id"] == "lx-administrative"
    )
    assert "rank" not in claim


def test_unknown_claims_and_entities_are_not_found(kb: Path) -> None:
    assert cli(kb, "claim", "rm", "no-such-claim").exit_code == 1
    done = cli_line(kb, "claim add nobody-at-all status x --source article --paraphrase p")
    assert done.exit_code == 1


def test_add_refuses_a_name_that_already_names_an_entity_unless_new(kb: Path) -> None:
    args = [
        "add",
        "official",
        "a person",
        "--summary",
        "s.",
        "--source",
        "article",
        "--quote",
        "A. Person leads it.",
    ]
    done = cli(kb, *args)
    assert done.exit_code == 3 and "did you mean A. Person" in done.output
    again = cli(kb, *args, "--new")
    assert again.exit_code == 0, again.output
    assert again.stdout.strip() == "a-person-2"


def test_rm_is_refused_while_pointed_to_unless_cascade(kb: Path) -> None:
    done = cli(kb, "rm", "post-a")
    assert done.exit_code == 3 and "pointed to by a-person" in done.output
    assert cli(kb, "rm", "post-a", "--cascade").exit_code == 0
    assert "post-a" not in {e["id"] for e in document(kb)["entities"]}
    assert "ap-old-post" not in claim_ids(kb)
    assert cli(kb, "validate").exit_code == 0


def test_source_add_keeps_its_text_beside_the_data_file(kb: Path, tmp_path: Path) -> None:
    text = tmp_path / "decree2.txt"
    text.write_text("Article 2. The budget is doubled.\n", encoding="utf-8")
    args = [
        "source",
        "add",
        "decree-2",
        "--title",
        "Decree 2",
        "--publisher",
        "Gov",
        "--date",
        "2026-02",
        "--kind",
        "legislation",
        "--lang",
        "en",
        "--text",
        str(text),
    ]
    assert cli(kb, *args, "--dry-run").exit_code == 0
    assert not (kb.parent / "texts" / "decree-2.txt").exists()
    assert cli(kb, *args).exit_code == 0
    assert (kb.parent / "texts" / "decree-2.txt").read_bytes() == text.read_bytes()
    source = next(s for s in document(kb)["sources"] if s["id"] == "decree-2")
    assert source["text_file"] == "texts/decree-2.txt"
    again = cli(kb, *args[:-2], "--text", str(tmp_path / "decree2.txt"))
    assert again.exit_code == 3 and "exists" in again.output


def test_property_add_extends_the_vocabulary(kb: Path) -> None:
    args = [
        "property",
        "add",
        "headed_by",
        "--label",
        "headed by",
        "--inverse",
        "heads",
        "--takes",
        "entity",
        "--types",
        "official",
        "--single",
    ]
    assert cli(kb, *args).exit_code == 0
    declared = next(p for p in document(kb)["properties"] if p["name"] == "headed_by")
    assert declared == {
        "name": "headed_by",
        "label": "headed by",
        "inverse": "heads",
        "takes": "entity",
        "types": ["official"],
        "single": True,
    }
    assert cli(kb, *args).exit_code == 3


def test_a_file_not_laid_out_canonically_is_written_whole_and_canonically(tmp_path: Path) -> None:
    kb = make_kb(tmp_path, canonical=False)
    assert cli(kb, "fmt", "--check").exit_code == 1
    assert cli(kb, "claim", "rank", "lx-civil", "normal").exit_code == 0
    assert layout.is_canonical(kb.read_bytes(), document(kb))
    assert cli(kb, "fmt", "--check").exit_code == 0


def test_fmt_lays_a_file_out_canonically(tmp_path: Path) -> None:
    kb = make_kb(tmp_path, canonical=False)
    done = cli(kb, "fmt")
    assert done.exit_code == 0, done.output
    assert layout.is_canonical(kb.read_bytes(), document(kb))
    assert "laid out canonically" in cli(kb, "fmt").output


def test_data_from_the_environment(kb: Path) -> None:
    done = cli(
        None,
        "property",
        "add",
        "x_y",
        "--label",
        "x",
        "--takes",
        "text",
        env={"CPKB_DATA": str(kb)},
    )
    assert done.exit_code == 0, done.output
    assert "x_y" in {p["name"] for p in document(kb)["properties"]}


def test_the_index_sees_a_write(kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CPKB_INDEX", "always")
    assert "cp-new" not in cli(kb, "show", "children-programme", "--json").stdout
    cli_line(kb, "claim add children-programme status paused --source decree --paraphrase Paused.")
    shown = json.loads(cli(kb, "show", "children-programme", "--json").stdout)
    assert "paused" in [c.get("value") for c in shown["claims"]]


WRITES = [
    ["init"],
    ["add"],
    ["rm"],
    ["edit"],
    ["import"],
    ["fmt"],
    ["diff"],
    ["merge-driver"],
    ["claim", "add"],
    ["claim", "set"],
    ["claim", "rank"],
    ["claim", "rm"],
    ["source", "add"],
    ["property", "add"],
]


@pytest.mark.parametrize("command", WRITES, ids=" ".join)
def test_every_write_command_has_help_with_an_example(command: list[str]) -> None:
    done = cli(None, *command, "--help")
    assert done.exit_code == 0, done.output
    assert (
        "Example: cpkb" in done.output
        or "Example: git config" in done.output
        or ("Example: EDITOR=" in done.output)
    )


def test_the_whole_document_path_writes_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spliced, whole = make_kb(tmp_path / "a"), make_kb(tmp_path / "b")
    args = ["claim", "add", "the-rate", "value", "6", "--unit", "percent", "--date", "2025",
            "--source", "decree", "--paraphrase", "Six per cent."]  # fmt: skip
    assert cli(spliced, *args).exit_code == 0
    monkeypatch.setenv("CPKB_WRITE_WHOLE", "1")  # through TinyDB's storage
    assert cli(whole, *args).exit_code == 0
    assert spliced.read_bytes() == whole.read_bytes()


def test_source_add_with_texts_not_a_folder_is_one_line(kb: Path, tmp_path: Path) -> None:
    text = tmp_path / "decree2.txt"
    text.write_text("Article 2.\n", encoding="utf-8")
    shutil.rmtree(kb.parent / "texts")
    (kb.parent / "texts").write_text("not a folder", encoding="utf-8")
    before = kb.read_bytes()
    done = cli(kb, "source", "add", "s4", "--title", "t", "--publisher", "p", "--text", str(text))
    assert done.exit_code == 3
    assert f"cannot keep the text in {kb.parent / 'texts'}: it is not a folder" in done.output
    assert kb.read_bytes() == before


def test_a_linked_data_file_reads_and_keeps_texts_beside_the_real_file(
    kb: Path, tmp_path: Path
) -> None:
    real = kb.parent / "real"
    real.mkdir()
    for name in ("kb.json", "texts"):
        (kb.parent / name).rename(real / name)
    link = tmp_path / "elsewhere" / "link.json"
    link.parent.mkdir()
    link.symlink_to(real / "kb.json")
    assert cli(None, "validate", str(link)).exit_code == 0
    done = cli(link, "claim", "add", "post-a", "status", "y", "--source", "article",
               "--quote", "Post B exists.")  # fmt: skip
    assert done.exit_code == 0, done.output
    text = tmp_path / "t2.txt"
    text.write_text("Text two.\n", encoding="utf-8")
    done = cli(link, "source", "add", "s2", "--title", "t", "--publisher", "p", "--text", str(text))
    assert done.exit_code == 0, done.output
    assert (real / "texts" / "s2.txt").read_text(encoding="utf-8") == "Text two.\n"
    assert link.is_symlink() and cli(None, "validate", str(link)).exit_code == 0


CITE = ("--source", "article", "--quote", "Post B exists.")


def test_a_claim_holds_at_a_date_or_over_a_time_in_every_write(kb: Path) -> None:
    done = cli(kb, "claim", "add", "post-a", "status", "x", *CITE, "--date", "2026")
    assert done.exit_code == 0, done.output
    claim_id = done.stdout.strip()
    done = cli(kb, "claim", "set", claim_id, "--start", "2025")
    assert done.exit_code == 2 and "give --date (a point in time) or --start/--end" in done.output
    assert "--unset" in done.output
    assert cli(kb, "claim", "set", claim_id, "--start", "2025", "--unset", "date").exit_code == 0
    done = cli(kb, "claim", "add", "post-a", "status", "y", *CITE, "--date", "2026", "--end", "1")
    assert done.exit_code == 2 and "give --date" in done.output


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("", "VALUE is empty"),
        ("1e400", "the number 1e400 is out of range"),
        ("1e-400", "the number 1e-400 is too small to store: it would read as 0"),
    ],
)
def test_a_value_the_file_cannot_hold_as_given_is_a_usage_error(
    kb: Path, value: str, said: str
) -> None:
    before = kb.read_bytes()
    done = cli(kb, "claim", "add", "post-a", "budget", value, "--unit", "KZT", *CITE)
    assert done.exit_code == 2 and said in done.output
    assert kb.read_bytes() == before


def test_write_errors_name_what_went_wrong_with_the_right_hint(kb: Path, tmp_path: Path) -> None:
    done = cli(kb, "claim", "add", "post-a", "status", "y", *CITE, "--supersedes", "nosuch")
    assert done.exit_code == 1 and "'post-a' has no such claim" in done.output
    missing = tmp_path / "nowhere.txt"
    done = cli(
        kb, "source", "add", "s5", "--title", "t", "--publisher", "p", "--text", str(missing)
    )
    assert done.exit_code == 3 and f"{missing}: no such file (check --text)" in done.output
    done = cli(kb, "import", str(tmp_path / "nowhere.jsonl"))
    assert done.exit_code == 3 and "no such file" in done.output and "CPKB_DATA" not in done.output
    done = cli(None, "--data", "-", "claim", "add", "post-a", "status", "y", *CITE)
    assert done.exit_code == 3 and "-: a write needs a file, not standard input" in done.output
    kb.parent.chmod(0o555)
    try:
        done = cli(kb, "claim", "add", "post-a", "status", "y", *CITE)
    finally:
        kb.parent.chmod(0o755)
    assert done.exit_code == 3 and "is read-only" in done.output
    assert "cpkb validate" not in done.output


def test_export_jsonl_escapes_del_as_json_output_does(kb: Path) -> None:
    assert cli(kb, "claim", "add", "post-a", "status", "a\x7fb", *CITE).exit_code == 0
    exported = cli(kb, "export", "jsonl").stdout
    assert "\x7f" not in exported and "a\\u007fb" in exported


def one_line(kb: Path, entity_id: str) -> None:
    """Lay one entity out on one line by hand (still valid JSON, no longer canonical)."""
    raw = kb.read_text(encoding="utf-8")
    start = raw.index(f'    {{\n      "id": "{entity_id}"')
    end = raw.index("\n    }", start) + len("\n    }")
    entity = next(e for e in document(kb)["entities"] if e["id"] == entity_id)
    kb.write_text(raw[:start] + "    " + json.dumps(entity) + raw[end:], encoding="utf-8")


def test_a_write_after_a_hand_edit_leaves_the_whole_file_canonical(
    kb: Path, tmp_path: Path
) -> None:
    from cpkb.kb import canonical
    from cpkb.kb.write import Identity

    assert cli(kb, "claim", "add", "post-b", "status", "x", *CITE).exit_code == 0
    assert canonical.known(kb, Identity.of(kb.stat()))  # so the next write is spliced
    one_line(kb, "law-x")
    assert not canonical.known(kb, Identity.of(kb.stat()))
    copy = tmp_path / "whole" / "kb.json"
    shutil.copytree(kb.parent, copy.parent)
    args = ("claim", "add", "post-a", "status", "y", *CITE)
    assert cli(kb, *args).exit_code == 0
    assert cli(copy, *args, env={"CPKB_WRITE_WHOLE": "1"}).exit_code == 0
    assert kb.read_bytes() == copy.read_bytes()
    assert cli(kb, "fmt", "--check").exit_code == 0


@pytest.mark.parametrize(
    "line",
    ["add official X --summary s --source src", "add official X --summary s --source src "
     "--quote q --paraphrase p", "claim add x p v --source src --quote q --paraphrase p"],
)  # fmt: skip
def test_quote_or_paraphrase_is_checked_before_the_data_file(tmp_path: Path, line: str) -> None:
    """A usage error is told as one, before anything is read (here: no data file at all)."""
    done = cli_line(tmp_path / "missing.json", line)
    assert done.exit_code == 2 and "exactly one of --quote and --paraphrase" in done.stderr
