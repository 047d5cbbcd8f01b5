"""`cpkb validate` on version-2 files: the new rules on both paths, the memo kept honest by what
item verdicts depend on (schema, vocabulary, held texts), and held texts read by the CLI."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cpkb.check.context import Held
from cpkb.check.held import held_files
from cpkb.check.memo import ItemMemo
from cpkb.check.whole import check_bytes
from cpkb.cli import app
from cpkb.kb import workers as forked
from cpkb.kb.migrate import migrate
from tests.check.test_validate_speed import Lines, examined, generated, views
from tests.kb.test_baddata import FUZZ, JSON, _all_paths_and_root, _set, check_everything

__all__ = ["examined"]  # a fixture, used by name
DATA = Path(__file__).resolve().parents[1] / "data"
V2_BAD = sorted((DATA / "bad").glob("*.json"))
V2_BAD = [p for p in V2_BAD if b'"schema_version": 2' in p.read_bytes()]


@functools.cache
def generated_v2(n: int, seed: int) -> str:
    """A synthetic KB migrated to version 2, one source or entity a line (as Lines edits); its
    first source holds a text (see `held_for`)."""
    doc = migrate(json.loads(generated(n, seed))).document
    doc["sources"][0]["text_file"] = "held.txt"
    head = json.dumps({k: v for k, v in doc.items() if k != "entities"}, ensure_ascii=False)
    entities = [json.dumps(e, ensure_ascii=False) for e in doc["entities"]]
    lines = [
        head[:-1] + ",",
        '"entities":[',
        *(("," if i else "") + e for i, e in enumerate(entities)),
    ]
    return "\n".join([*lines, "]}", ""])


def held_for(text: str) -> dict[str, Held]:
    """The first source's held text: every quote of the file's entities."""
    doc = json.loads(text)
    quotes = [c["quote"] for e in doc["entities"] for c in e["sources"] if "quote" in c]
    return {doc["sources"][0]["id"]: Held("held.txt", "\n".join(quotes))}


def check(text: str, memo: ItemMemo | None = None, held: dict[str, Held] | None = None) -> Any:
    return check_bytes(text.encode(), held=held if held is not None else HELD[0], memo=memo)


def reference(text: str, held: dict[str, Held] | None = None) -> list[dict[str, Any]]:
    held = held if held is not None else HELD[0]
    return views(check_bytes(text.encode(), held=held, fast=False))


HELD: list[dict[str, Held]] = [{}]  # what `check` and `reference` pass, unless told


@pytest.fixture(autouse=True)
def no_held_text() -> None:
    HELD[0] = {}


def with_held(text: str) -> str:
    """`text`, and its held text made what `check` and `reference` pass."""
    HELD[0] = held_for(text)
    return text


def claim(entity: dict[str, Any], n: int = 0) -> dict[str, Any]:
    found: dict[str, Any] = entity["claims"][n]
    return found


def broken_v2(n: int, seed: int) -> str:
    """A migrated KB with a problem of each version-2 kind, spread over the file."""
    kb = Lines(with_held(generated_v2(n, seed)))
    step = n // 12
    targeted = [i for i in range(1, n, 7) if any("target" in c for c in kb.entity(i)["claims"])]
    first = kb.entity(0)
    kb.edit(step, lambda e: claim(e).update(property="undeclared_one"))  # E208
    kb.edit(2 * step, lambda e: claim(e).update(id=claim(first)["id"]))  # E211
    kb.edit(3 * step, lambda e: claim(e).update(supersedes=["no-such-claim"]))  # E212
    kb.edit(4 * step, lambda e: claim(e).update(supersedes=[claim(e)["id"]]))  # E213
    kb.edit(5 * step, lambda e: claim(e).update(stated_by="nobody"))  # E214
    kb.edit(6 * step, lambda e: e.update(former_ids=[first["id"]]))  # E215
    kb.edit(7 * step, lambda e: claim(e).update(qualifiers={"bound": "about"}))  # E217
    kb.edit(8 * step, lambda e: claim(e).update(period="2024/2020"))  # W406
    kb.edit(9 * step, lambda e: e["sources"].append({"source": e["sources"][0]["source"]}))  # E114
    kb.edit(10 * step, lambda e: e["sources"][0].update(source="synthetic-1", quote="Not so."))
    with_target = next(i for i in targeted if i > 10 * step)
    kb.edit(with_target, lambda e: next(c for c in e["claims"] if "target" in c).update(
        target=e["id"]))  # fmt: skip
    return kb.text()


def test_every_version_2_fixture_reads_the_same_fast_as_by_reference() -> None:
    for fixture in [*V2_BAD, DATA / "good" / "v2-small.json"]:
        held = {"src-report": Held("x.txt", (DATA / "bad" / "v2-held.source.txt").read_text())}
        raw = fixture.read_bytes()
        fast = views(check_bytes(raw, held=held))
        assert fast == views(check_bytes(raw, held=held, fast=False)), fixture.name
        assert views(check_bytes(raw, held=held, memo=check_bytes(raw, held=held).memo)) == fast


def test_a_broken_version_2_file_reads_the_same_fast_as_by_reference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = broken_v2(600, 3)
    expected = reference(text)
    codes = {p["code"] for p in expected}
    assert {"E114", "E208", "E211", "E212", "E213", "E214", "E215", "E217", "E301"} <= codes
    assert {"W406", "E204"} <= codes
    assert views(check(text)) == expected
    monkeypatch.setattr(forked, "PARALLEL_FROM", 50)  # and with worker processes
    first = check(text)
    assert views(first) == expected
    assert views(check(text, first.memo)) == expected


def relabel(text: str, change: Callable[[list[dict[str, Any]]], object]) -> str:
    """The file with its vocabulary changed by `change`."""
    head, _, rest = text.partition("\n")
    top = json.loads(head[:-1] + "}")
    change(top["properties"])
    return json.dumps(top, ensure_ascii=False)[:-1] + ",\n" + rest


def test_the_memo_serves_when_only_labels_change(examined: Callable[[], int]) -> None:
    text = with_held(generated_v2(200, 4))
    memo = check(text).memo
    examined()
    edited = relabel(text, lambda props: [p.update(label=p["label"] + "!") for p in props])
    assert views(check(edited, memo)) == reference(edited)
    assert examined() == 0


def test_the_memo_never_serves_under_another_vocabulary(examined: Callable[[], int]) -> None:
    text = with_held(generated_v2(200, 4))
    memo = check(text).memo
    examined()
    edited = relabel(text, lambda props: [p.update(takes="boolean") for p in props])
    found = views(check(edited, memo))
    assert found == reference(edited) and any(p["code"] == "E209" for p in found)
    assert examined() > 200  # every item again


def test_the_memo_never_serves_under_another_held_text(examined: Callable[[], int]) -> None:
    text = with_held(generated_v2(200, 4))
    memo = check(text).memo
    examined()
    other = {"synthetic-1": Held("held.txt", "a text that quotes nothing")}
    found = views(check(text, memo, held=other))
    assert found == reference(text, other) and any(p["code"] == "E301" for p in found)
    unread = {"synthetic-1": Held("held.txt", problem="no such file")}
    assert any(p["code"] == "E302" for p in views(check(text, memo, held=unread)))


def test_the_memo_never_serves_under_another_version(examined: Callable[[], int]) -> None:
    kb = Lines(generated(200, 4))
    memo = check(kb.text()).memo
    examined()
    kb.lines[0] = kb.lines[0].replace('"schema_version":1', '"schema_version":2')
    edited = kb.text()  # the same items, now held to version 2: no property is declared
    found = views(check(edited, memo))
    assert found == reference(edited) and any(p["code"] == "E208" for p in found)
    assert examined() > 200


PROPERTY = st.sampled_from(["value", "member_of", "undeclared", "status"])
V2_VALUES = st.sampled_from(
    [None, "", "x", 3, True, [], ["nope"], "2024/2023", "2023-02-29", {"bound": "x"}]
)
V2_FIELDS = st.sampled_from(
    ["id", "property", "target", "value", "supersedes", "stated_by", "period", "qualifiers", "rank"]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 59), V2_FIELDS, V2_VALUES | PROPERTY, st.booleans())
def test_any_version_2_edit_after_a_memo_is_reported_as_by_reference(
    index: int, field: str, value: object, on_entity: bool
) -> None:
    kb = Lines(with_held(generated_v2(60, 2)))
    text = kb.text()
    memo = check(text).memo
    if on_entity:
        kb.edit(index, lambda e: e.update(former_ids=[value] if field == "id" else value))
    else:
        kb.edit(index, lambda e: claim(e).update({field: value}))
    edited = kb.text()
    assert views(check(edited, memo)) == reference(edited)


def test_held_texts_are_read_beside_the_data_file(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "kb.json"
    data.write_bytes((DATA / "good" / "v2-small.json").read_bytes())
    result = runner.invoke(app, ["validate", str(data), "--json"])
    assert [p["code"] for p in json.loads(result.stdout)["problems"]] == ["E302"]
    (tmp_path / "v2-small.source.txt").write_text("Alpha Person is an official.")
    result = runner.invoke(app, ["validate", str(data), "--json"])
    found = json.loads(result.stdout)["problems"]
    assert result.exit_code == 3 and {p["code"] for p in found} == {"E301"} and len(found) == 6
    (tmp_path / "v2-small.source.txt").unlink()
    (tmp_path / "v2-small.source.txt").mkdir()
    result = runner.invoke(app, ["validate", str(data), "--json"])
    assert "not a regular file" in json.loads(result.stdout)["problems"][0]["message"]


def test_source_text_still_works_and_never_reports_a_quote_twice(runner: CliRunner) -> None:
    fixture = str(DATA / "bad" / "E301-quote-not-held.json")
    text = DATA / "bad" / "v2-held.source.txt"
    result = runner.invoke(app, ["validate", fixture, "--source-text", f"src-report={text}"])
    assert result.exit_code == 3
    assert result.stdout.count(" E301 ") == 1
    assert "6 of 7 quotes citing src-report found" in result.stdout


@FUZZ
@given(value=JSON, data=st.data())
def test_version_2_files_with_one_value_replaced(
    tmp_path: Path, value: Any, data: st.DataObject
) -> None:
    """Whatever is put anywhere in a version-2 file: valid means usable, a problem the rules
    table says is refused is refused, and every command ends with a documented exit."""
    doc = json.loads((DATA / "good" / "v2-small.json").read_text(encoding="utf-8"))
    path = data.draw(st.sampled_from(_all_paths_and_root(doc)))
    if path:
        _set(doc, path, value)
    check_everything(json.dumps(doc, indent=1).encode(), tmp_path)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('{"schema_version": 2, "sources": [{"id": "a", "text_file": "a.txt"}], "entities": [',
         {"a": "a.txt"}),  # the entities are never read: here, they could not be
        ('{"entities": [], "sources": [{"id": "a", "text_file": "a.txt"}, {"id": "a", '
         '"text_file": "b.txt"}], "schema_version": 2}', {"a": "a.txt"}),
        ('\ufeff{"schema_version": 2, "sources": [{"id": "a", "text_file": "a.txt"}]}',
         {"a": "a.txt"}),
        ('{"schema_version": 2, "sources": [{"id": "a", "text_file": "a.txt", "id": "b"}]}',
         {"b": "a.txt"}),  # read the careful way, as json.loads does
        ('{"schema_version": 1, "sources": [{"id": "a", "text_file": "a.txt"}]}', {}),
        ('{"schema_version": 2, "sources": [{"id": "a", "text_file": "a.txt"}', {}),
        ('{"schema_version": 2, "sources": [{"id": "a", "text_file": 5}]}', {}),
    ],
)  # fmt: skip
def test_held_files_reads_only_the_top_level_it_needs(text: str, found: dict[str, str]) -> None:
    assert held_files(text.encode()) == found


def test_a_version_written_as_a_float_is_that_version(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "kb.json"
    text = (DATA / "good" / "small.json").read_text(encoding="utf-8")
    data.write_text(text.replace('"schema_version": 1,', '"schema_version": 1.0,'), "utf-8")
    assert runner.invoke(app, ["validate", str(data)]).exit_code == 0
    result = runner.invoke(app, ["--data", str(data), "info", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["schema_version"] == 1


@pytest.mark.parametrize("outside", ["/ABSOLUTE/secret.txt", "../secret.txt", "texts/../../s.txt"])
def test_a_held_text_outside_the_data_files_folder_is_never_read(
    runner: CliRunner, tmp_path: Path, outside: str
) -> None:
    """A data file from elsewhere cannot have validate read the user's files by naming them."""
    folder = tmp_path / "kb"
    folder.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("Alpha Person is an official.")  # what the quotes say: found, if read
    data = v2_small_naming(folder, outside.replace("/ABSOLUTE", str(tmp_path)))
    result = runner.invoke(app, ["validate", str(data), "--json"])
    found = json.loads(result.stdout)["problems"]
    assert result.exit_code == 3 and [p["code"] for p in found] == ["E302"]
    assert "not in the data file's folder" in found[0]["message"]


def v2_small_naming(folder: Path, named: str) -> Path:
    """v2-small in `folder`, its held texts named `named`."""
    document = json.loads((DATA / "good" / "v2-small.json").read_text("utf-8"))
    for source in document["sources"]:
        if "text_file" in source:
            source["text_file"] = named
    data = folder / "kb.json"
    data.write_text(json.dumps(document))
    return data


@pytest.mark.parametrize("link", ["texts/secret.txt", "up/secret.txt"])
def test_a_held_text_linked_out_of_the_folder_is_never_read(
    runner: CliRunner, tmp_path: Path, link: str
) -> None:
    """A link in a cloned folder (a file, or a folder on the way) cannot lead validate out."""
    folder = tmp_path / "kb"
    (folder / "texts").mkdir(parents=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("Alpha Person is an official.")  # what the quotes say: found, if read
    (folder / "texts" / "secret.txt").symlink_to(secret)
    (folder / "up").symlink_to(tmp_path, target_is_directory=True)
    result = runner.invoke(app, ["validate", str(v2_small_naming(folder, link)), "--json"])
    found = json.loads(result.stdout)["problems"]
    assert result.exit_code == 3 and [p["code"] for p in found] == ["E302"]
    assert "not in the data file's folder" in found[0]["message"]


def test_a_held_text_linked_within_the_folder_is_read(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    (folder / "texts").mkdir(parents=True)
    held = (DATA / "good" / "v2-small.source.txt").read_bytes()
    (folder / "texts" / "real.txt").write_bytes(held)
    (folder / "texts" / "link.txt").symlink_to("real.txt")
    result = runner.invoke(app, ["validate", str(v2_small_naming(folder, "texts/link.txt"))])
    assert result.exit_code == 0, result.output


def test_a_held_text_named_with_a_nul_is_a_problem_not_a_crash(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = v2_small_naming(tmp_path, "texts/a\0b.txt")
    result = runner.invoke(app, ["validate", str(data), "--json"])
    found = json.loads(result.stdout)["problems"]
    assert result.exit_code == 3 and "E302" in [p["code"] for p in found]


def test_data_on_standard_input_has_no_folder_of_held_texts(tmp_path: Path) -> None:
    """`curl URL | cpkb validate -` run at home must not read ~/secret.txt because the data
    names `secret.txt`: data from a pipe has no folder, so no held text is read."""
    import subprocess
    import sys

    (tmp_path / "secret.txt").write_text("Alpha Person is an official.")
    document = json.loads((DATA / "good" / "v2-small.json").read_text("utf-8"))
    for source in document["sources"]:
        if "text_file" in source:
            source["text_file"] = "secret.txt"
    done = subprocess.run(
        [sys.executable, "-m", "cpkb", "validate", "-", "--json"], cwd=tmp_path,
        input=json.dumps(document), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    found = json.loads(done.stdout)["problems"]
    assert done.returncode == 3 and [p["code"] for p in found] == ["E302"], done.stderr
    assert "standard input" in found[0]["message"]
