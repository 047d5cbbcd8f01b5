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
import time
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


def bash_session(tmp_path: Path) -> Shell:
    """An interactive bash with cpkb's completion loaded, in a folder holding two files, reading
    the small fixture KB."""
    for name in ("fileA", "fileB"):
        (tmp_path / name).touch()
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '/bin')}",
        "HOME": str(tmp_path),
        "TERM": "xterm",
        "LANG": "C.UTF-8",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "CPKB_CACHE_DIR": str(tmp_path / "cache"),
        "CPKB_DATA": str(Path(__file__).resolve().parents[1] / "data" / "mini.json"),
        "PS1": "$ ",
    }
    bash = shutil.which("bash")
    assert bash is not None
    session = Shell([bash, "--norc", "--noprofile", "-i"], env=env, cwd=str(tmp_path))
    session.type("source <(_CPKB_COMPLETE=source_bash cpkb); echo ok$((0+0))\r")
    session.wait_for("ok0")
    return session


def completed_line(session: Shell, n: int, keys: str) -> str:
    """The command line after typing `keys` (Tabs included), as `echo` prints it back."""
    session.type(keys)
    time.sleep(2)  # each Tab runs cpkb; what is typed next must wait for it
    session.type(f"\x01echo L{n}: \r")  # to the start of the line, and echo the line
    shown = session.wait_for(f"L{n}: cpkb")
    return shown.rsplit(f"L{n}: ", 1)[1].split("\r\n", 1)[0]


BASH_LINES = [
    ("cpkb show alpha-person \t\t", "cpkb show alpha-person"),  # no file names after an entity
    ("cpkb show alpha-person fi\t", "cpkb show alpha-person fi"),
    ('cpkb show "Alpha Pe\t', "cpkb show Alpha Person"),  # quoted: completed and closed
    ("cpkb show Alpha Pe\t", "cpkb show Alpha Person"),  # words of one reference
    ("cpkb path Alpha\\ Pe\t", "cpkb path Alpha Person"),  # escaped: one argument
    ("cpkb show Álf\t", "cpkb show Álfa"),  # an alias
    ("cpkb validate fi\t", "cpkb validate file"),  # a file argument still completes files
]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_references_and_files_only_where_files_go(tmp_path: Path) -> None:
    session = bash_session(tmp_path)
    try:
        shown = [completed_line(session, n, keys) for n, (keys, _) in enumerate(BASH_LINES)]
    finally:
        session.close()
    assert shown == [line for _, line in BASH_LINES]
