"""`cpkb edit` with a fake editor (tests/fake_editor.py): saved, unchanged, emptied, refused
and reopened with its problems on top."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.writes import COMMAND, TESTS, cli, document, environment, make_kb

EDITOR = f"{sys.executable} {TESTS / 'fake_editor.py'}"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return make_kb(tmp_path)


class Done(NamedTuple):
    exit_code: int
    output: str


def edit(
    kb: Path, steps: list[Any], *extra: str, terminal: bool = False, editor: str = EDITOR
) -> tuple[Any, list[str]]:
    """`cpkb edit post-b` with the fake editor taking `steps`; with `terminal`, as a process
    whose stdin is a terminal (the editor reopens only then)."""
    shown = kb.parent / "shown.json"
    shown.unlink(missing_ok=True)
    env = {"EDITOR": editor, "VISUAL": "", "FAKE_STEPS": json.dumps(steps),
           "FAKE_SHOWN": str(shown)}  # fmt: skip
    done = on_terminal(kb, env, *extra) if terminal else cli(kb, "edit", "post-b", *extra, env=env)
    return done, json.loads(shown.read_text(encoding="utf-8")) if shown.exists() else []


def on_terminal(kb: Path, env: dict[str, str], *extra: str) -> Done:
    primary, secondary = pty.openpty()
    try:
        done = subprocess.run([*COMMAND, "--data", str(kb), "edit", "post-b", *extra],
                              stdin=secondary, capture_output=True, text=True, timeout=120,
                              env=environment(**env), check=False)  # fmt: skip
    finally:
        os.close(secondary)
        os.close(primary)
    return Done(done.returncode, done.stdout + done.stderr)


def entity(kb: Path, entity_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(e for e in document(kb)["entities"] if e["id"] == entity_id)
    return found


def test_a_saved_edit_is_written(kb: Path) -> None:
    done, shown = edit(kb, [['"summary": "Another post."', '"summary": "A post, edited."']])
    assert done.exit_code == 0, done.output
    assert entity(kb, "post-b")["summary"] == "A post, edited."
    assert shown[0].startswith("# cpkb edit: post-b in ")
    assert '"id": "post-b"' in shown[0]


@pytest.mark.parametrize("step", ["same", "empty"])
def test_an_unchanged_or_emptied_buffer_changes_nothing(kb: Path, step: str) -> None:
    before = kb.read_bytes()
    done, shown = edit(kb, [step])
    assert done.exit_code == 0, done.output
    assert "nothing changed" in done.output and len(shown) == 1
    assert kb.read_bytes() == before


def test_problems_reopen_the_editor_with_them_on_top(kb: Path) -> None:
    bad = ['"source": "article"', '"source": "nowhere"']
    good = ['"source": "nowhere"', '"source": "article"']
    summary = ['"summary": "Another post."', '"summary": "Fixed."']
    done, shown = edit(kb, [bad, good, summary], terminal=True)
    assert done.exit_code == 0, done.output
    assert len(shown) == 2
    assert "# The change was refused" in shown[1]
    assert "E202 $.sources[0].source: cites unknown source 'nowhere'" in shown[1]
    assert entity(kb, "post-b")["sources"][0]["source"] == "article"


def test_not_json_is_a_problem_too(kb: Path) -> None:
    broken, mended = ['"id": "post-b",', '"id": "post-b"'], ['"id": "post-b"', '"id": "post-b",']
    done, shown = edit(kb, [broken, mended], terminal=True)
    assert done.exit_code == 0, done.output
    assert "not JSON" in shown[1]


def test_saving_the_problems_unchanged_gives_up_and_keeps_the_edit(kb: Path) -> None:
    before = kb.read_bytes()
    done, _ = edit(kb, [['"source": "article"', '"source": "nowhere"'], "same"], terminal=True)
    assert done.exit_code == 3
    assert "still has problems" in done.output and "kept in" in done.output
    assert kb.read_bytes() == before


def test_an_editor_that_fails_changes_nothing(kb: Path) -> None:
    before = kb.read_bytes()
    done, _ = edit(kb, ["fail"])
    assert done.exit_code == 3 and "editor exited with status 1" in done.output
    assert kb.read_bytes() == before


def test_an_entity_changed_meanwhile_is_not_overwritten(
    kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cpkb.cli import edit as editing

    real = editing.Session.next

    def meanwhile(self: editing.Session) -> Any:
        found = real(self)
        cli(kb, "claim", "add", "post-b", "budget", "3", "--unit", "KZT", "--source", "article",
            "--quote", "Post B exists.")  # fmt: skip
        return found

    monkeypatch.setattr(editing.Session, "next", meanwhile)
    done, _ = edit(kb, [['"summary": "Another post."', '"summary": "Mine."']])
    assert done.exit_code == 3 and "changed by another write" in done.output
    assert entity(kb, "post-b")["summary"] == "Another post."


def test_dry_run_shows_the_edit_and_writes_nothing(kb: Path) -> None:
    before = kb.read_bytes()
    done, _ = edit(kb, [['"summary": "Another post."', '"summary": "Mine."']], "--dry-run")
    assert done.exit_code == 0, done.output
    assert 'summary: "Another post." → "Mine."' in done.stdout
    assert kb.read_bytes() == before


BROKEN = ['"id": "post-b",', '"id": "post-b" oops']


def test_problems_without_a_terminal_are_reported_once(kb: Path) -> None:
    before = kb.read_bytes()
    done, shown = edit(kb, [['"source": "article"', '"source": "nowhere"']])
    assert done.exit_code == 3 and len(shown) == 1
    assert "cites unknown source 'nowhere'" in done.output and "kept in" in done.output
    done, shown = edit(kb, [BROKEN])
    assert done.exit_code == 3 and len(shown) == 1
    assert "not JSON" in done.output and "kept in" in done.output
    assert kb.read_bytes() == before


def test_an_edit_that_keeps_having_problems_gives_up(kb: Path) -> None:
    steps = [[f'"{n - 1}" oops', f'"{n}" oops'] for n in range(10)]  # a new mistake each time
    steps[0] = ['"Another post."', '"0" oops']
    done, shown = edit(kb, steps, terminal=True)
    assert done.exit_code == 3, done.output
    assert len(shown) == 5 and "after 5 tries" in done.output and "kept in" in done.output


@pytest.mark.parametrize(
    ("editor", "said"),
    [
        ("/nonexistent/editor", "the editor '/nonexistent/editor' ($EDITOR) cannot be run"),
        ('./ed "unbalanced', "$EDITOR is not a command line: No closing quotation"),
        ("", "no editor: set $VISUAL or $EDITOR"),
    ],
)
def test_an_editor_that_cannot_run_is_a_usage_error(kb: Path, editor: str, said: str) -> None:
    done, shown = edit(kb, ["same"], editor=editor)
    assert done.exit_code == 2 and said in done.output and not shown
    assert "Traceback" not in done.output and len(done.output.strip().splitlines()) == 1
