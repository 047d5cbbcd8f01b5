"""Completion in real shells: a hostile name in a data file can never run code at the prompt.

Each shell runs on a pseudo-terminal with cpkb's completion script loaded; the test types
`cpkb --data FILE show X<Tab>`, then Enter, as a person would, for names that hold each shell
metacharacter, and checks that no command hidden in a name ran and that the entity was shown.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.shells import Shell

# Each name starts X<letter>; the rest would run `touch MARK` if inserted as it is.
PAYLOADS = {
    "a": "`touch${IFS}MARK`",
    "b": "$(touch${IFS}MARK)",
    "c": ";touch${IFS}MARK;",
    "d": "|touch${IFS}MARK",
    "e": "&touch${IFS}MARK&",
    "f": ">MARK",
    "g": '\\";touch${IFS}MARK;\\"',
    "h": "'$(touch${IFS}MARK)'",
    "i": '"$(touch${IFS}MARK)"',
    "j": "`touch${IFS}MARK`",  # with an id that does not complete "Xj": nothing to offer
}
NO_STAND_IN = {"j"}
SHELLS = {
    "bash": (["--norc", "--noprofile", "-i"], "source <(_CPKB_COMPLETE=source_bash cpkb)"),
    "zsh": (
        ["-f", "-i"],
        "autoload -Uz compinit && compinit -u && source <(_CPKB_COMPLETE=source_zsh cpkb)",
    ),
    "fish": (["--no-config", "-i"], "_CPKB_COMPLETE=source_fish cpkb | source"),
}


def hostile_kb(folder: Path) -> Path:
    entities = [
        {
            "id": f"payload-{letter}" if letter in NO_STAND_IN else f"x{letter}-payload",
            "type": "organisation",
            "name": f"X{letter}" + payload.replace("MARK", str(folder / f"mark-{letter}")),
            "aliases": [],
            "summary": f"Entity {letter} summary.",
            "sources": [{"source": "s", "quote": "A quote."}],
            "claims": [],
        }
        for letter, payload in PAYLOADS.items()
    ]
    source = {"id": "s", "title": "T", "publisher": "P", "date": "2025", "url": None}
    document = {
        "schema_version": 1,
        "sources": [source | {"reliability": "r"}],
        "entities": entities,
    }
    path = folder / "hostile.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def echo_marker(shell: str, n: int) -> tuple[str, str]:
    """A command that prints `ok<n>`, which its own echo on the terminal does not show."""
    if shell == "fish":
        return f"echo ok(math 0+{n})", f"ok{n}"
    return f"echo ok$((0+{n}))", f"ok{n}"


@pytest.mark.parametrize("shell", sorted(SHELLS))
def test_a_hostile_name_completes_to_its_id_and_runs_nothing(shell: str, tmp_path: Path) -> None:
    executable = shutil.which(shell)
    if executable is None:
        pytest.skip(f"{shell} is not installed")
    kb = hostile_kb(tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "cpkb"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m cpkb "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(tmp_path),
        "TERM": "xterm",
        "LANG": "C.UTF-8",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "CPKB_CACHE_DIR": str(tmp_path / "cache"),
        "PS1": "$ ",
    }
    flags, setup = SHELLS[shell]
    session = Shell([executable, *flags], env=env, cwd=str(tmp_path))
    try:
        command, printed = echo_marker(shell, 0)
        session.type(f"{setup}; {command}\r")
        session.wait_for(printed)
        for n, letter in enumerate(PAYLOADS, start=1):
            # The shell completes at the Tab before it reads the keys typed after it.
            command, printed = echo_marker(shell, n)
            session.type(f"cpkb --data {kb} show X{letter}\t > out-{letter}.txt; {command}\r")
            session.wait_for(printed)
    finally:
        session.close()
    assert sorted(p.name for p in tmp_path.glob("mark-*")) == []
    for letter in PAYLOADS.keys() - NO_STAND_IN:
        shown = (tmp_path / f"out-{letter}.txt").read_text(encoding="utf-8")
        assert f"Entity {letter} summary." in shown
