"""What a command writes to, and what a write acts on, as a hostile user would aim them: a
device or a FIFO, the data file itself, a folder that is not there, an option passed as a git
revision, a guess at an entity's name."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cpkb.kb.paths import default_data_path
from tests.writes import claim_ids, cli, make_kb

OUTPUTS = [
    ["brief", "a-person", "-o"],
    ["brief", "a-person", "--format", "html", "-o"],
    ["export", "sqlite", "--force"],
]


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return make_kb(tmp_path)


def test_an_output_never_replaces_what_is_not_a_regular_file(kb: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    folder = tmp_path / "folder"
    folder.mkdir()
    for command in OUTPUTS:
        for target in (fifo, folder):
            done = cli(kb, *command, str(target))
            assert done.exit_code == 2, (command, done.output)
            assert "is not a regular file" in done.output or "is a directory" in done.output
    assert fifo.is_fifo() and folder.is_dir()


def test_an_output_never_replaces_the_data_file_or_the_bundled_one(kb: Path) -> None:
    before = kb.read_bytes()
    bundled = default_data_path().read_bytes()
    for command in OUTPUTS:
        for target, said in ((kb, "the data file in use"), (default_data_path(), "bundled")):
            done = cli(kb, *command, str(target))
            assert done.exit_code == 2, (command, done.output)
            assert said in done.output
    assert kb.read_bytes() == before and default_data_path().read_bytes() == bundled


def test_migrate_o_is_checked_as_every_output_is(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    mini = Path(__file__).resolve().parents[1] / "data" / "mini.json"
    done = cli(None, "migrate", str(mini), "-o", str(fifo))
    assert done.exit_code == 2 and "is not a regular file" in done.output
    assert fifo.is_fifo()


def test_a_file_output_named_dash_is_not_a_file_named_dash(
    kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'-' is standard output to cpkb (brief -o -): a database or a migrated file cannot go
    there, and `export sqlite -` wrote a 70 MB file named '-' in the current folder."""
    monkeypatch.chdir(tmp_path)
    mini = Path(__file__).resolve().parents[1] / "data" / "mini.json"
    for done in (cli(kb, "export", "sqlite", "-"), cli(None, "migrate", str(mini), "-o", "-")):
        assert done.exit_code == 2 and "standard output" in done.output, done.output
    assert not (tmp_path / "-").exists()


def test_an_output_goes_only_into_a_folder_that_exists(kb: Path, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "brief.md"
    done = cli(kb, "brief", "a-person", "-o", str(target))
    assert done.exit_code == 5 and "no folder" in done.output
    assert not (tmp_path / "no").exists()


def test_export_csv_into_a_file_replaces_nothing(kb: Path, tmp_path: Path) -> None:
    (tmp_path / "out").write_text("mine")
    done = cli(kb, "export", "csv", str(tmp_path / "out"), "--force")
    assert done.exit_code == 5 and "Not a directory" in done.output
    assert (tmp_path / "out").read_text() == "mine"


def test_brief_o_dash_is_standard_output(kb: Path, tmp_path: Path) -> None:
    done = cli(kb, "brief", "a-person", "-o", "-")
    assert done.exit_code == 0 and done.stdout.startswith("# Brief: A. Person")
    assert not Path("-").exists()


def test_brief_o_through_a_symlink_writes_the_file_it_names(kb: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "real.md")
    assert cli(kb, "brief", "a-person", "-o", str(link)).exit_code == 0
    assert link.is_symlink() and (tmp_path / "real.md").read_text().startswith("# Brief")


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("revision", ["--output=pwn", "HEAD..--output=pwn", "-p"])
def test_diff_git_takes_no_option_for_a_revision(kb: Path, revision: str) -> None:
    folder = kb.parent
    for args in (["init", "-q"], ["add", "kb.json"], ["commit", "-qm", "kb"]):
        subprocess.run(["git", "-C", str(folder), *args], check=True, env=_git_env())
    done = cli(kb, "diff", "--git", revision)
    assert done.exit_code == 2 and "is not a revision" in done.output
    assert not list(folder.glob("pwn*"))


def _git_env() -> dict[str, str]:
    names = ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL")
    return {**os.environ, **dict.fromkeys(names[:2], "t"), **dict.fromkeys(names[2:], "t@t")}


@pytest.mark.parametrize(
    "args",
    [
        ["rm", "Childrn"],
        ["claim", "add", "childr", "status", "x", "--source", "article", "--paraphrase", "p"],
        ["claim", "add", "post-a", "holds_position", "--target", "Pers", "--source", "article",
         "--paraphrase", "p"],
        ["edit", "Childrn"],
    ],
)  # fmt: skip
def test_a_write_acts_on_a_whole_name_never_a_guess(kb: Path, args: list[str]) -> None:
    before = kb.read_bytes()
    done = cli(kb, *args, env={"EDITOR": "false", "VISUAL": "false"})
    assert done.exit_code == 1, done.output
    assert "a write takes a whole id, name or alias" in done.output
    assert kb.read_bytes() == before


def test_a_write_takes_a_name_whatever_its_case_accents_or_script(kb: Path) -> None:
    done = cli(kb, "claim", "add", "CHILDREN  programme", "status", "x", "--source", "article",
               "--paraphrase", "p")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() in claim_ids(kb)


def test_a_negative_value_says_how_to_give_it(kb: Path) -> None:
    args = ["claim", "add", "the-rate", "value", "-30", "--unit", "percent", "--source",
            "article", "--paraphrase", "p"]  # fmt: skip
    done = cli(kb, *args)
    assert done.exit_code == 2
    assert "a negative value goes after '--'" in done.output
    given = cli(kb, *[a for a in args if a != "-30"], "--", "-30")
    assert given.exit_code == 0, given.output


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_write_whose_output_cannot_be_printed_says_it_was_written(kb: Path) -> None:
    from tests.writes import COMMAND, environment

    before = claim_ids(kb)
    args = ["--data", str(kb), "claim", "add", "the-rate", "value", "3", "--unit", "percent",
            "--source", "article", "--paraphrase", "p"]  # fmt: skip
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*COMMAND, *args], stdout=full, stderr=subprocess.PIPE, env=environment(), text=True
        )
    assert done.returncode == 5
    assert done.stderr.startswith("cpkb: error: added claim the-rate-c")
    assert "but its output could not be printed" in done.stderr
    assert claim_ids(kb) - before == {done.stderr.split()[4]}  # the id it names was written


def test_a_write_leaves_the_stamp_that_lets_the_next_one_splice(kb: Path, tmp_path: Path) -> None:
    """The stamp is a cache entry in a folder of its own: made by the write, not assumed."""
    cache = tmp_path / "fresh-cache"
    args = ["claim", "add", "the-rate", "value", "3", "--unit", "percent", "--source", "article",
            "--paraphrase", "p"]  # fmt: skip
    assert cli(kb, *args, env={"CPKB_CACHE_DIR": str(cache)}).exit_code == 0
    assert list((cache / "layout").rglob("*")), "no layout stamp was kept"
