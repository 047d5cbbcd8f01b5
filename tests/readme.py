"""README.md's ```console blocks, run as tests by Sybil (the root conftest.py collects them).

A block is a terminal session: `$ command` lines (a line ending in `\\` goes on), each followed
by what the terminal shows, stdout and stderr as they come. Each block runs in a folder of its
own (with `data/` and `tests/` of this checkout in it), with a fixed date and terminal, so the
same README gives the same output anywhere. A line `…` alone stands for any lines; within a
line, `…` stands for any text (a temporary folder's path, say).
`export NAME=VALUE` holds for the rest of its block. Blocks that follow a comment
`<!-- session: NAME -->` share one folder and environment, in README's order (a walk through told
in several blocks). A block whose tools (jq, sqlite3, dot) are missing is skipped, with their names.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import string
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sybil import Example, Sybil
from sybil.parsers.markdown import CodeBlockParser, SkipParser

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-12-07"  # what `today` is for every example (CPKB_TODAY)
TOOLS = ("jq", "sqlite3", "dot")
ANY = ("…", "...")
PROMPT = "$ "
SESSION = re.compile(r"<!-- session: ([\w-]+) -->\s*$")


@dataclass
class Step:
    command: str
    expected: list[str] = field(default_factory=list)


def steps(source: str) -> list[Step]:
    """The commands of a transcript, each with the lines shown after it."""
    found: list[Step] = []
    lines = iter(source.splitlines())
    for line in lines:
        if line.startswith(PROMPT):
            command = line[len(PROMPT) :]
            while command.endswith("\\"):
                command = command[:-1] + " " + next(lines, "").strip()
            found.append(Step(command))
        elif found:
            found[-1].expected.append(line)
        elif line.strip():
            raise ValueError(f"output before any command: {line!r}")
    return found


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line for line, a line `…` alone matching any run of lines (none included)."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head.strip() in ANY:
        return any(matches(rest, actual[k:]) for k in range(len(actual) + 1))
    return bool(actual) and same_line(head, actual[0]) and matches(rest, actual[1:])


def same_line(expected: str, actual: str) -> bool:
    if expected == actual:
        return True
    if "…" not in expected:
        return False
    pattern = ".*".join(re.escape(part) for part in expected.split("…"))
    return re.fullmatch(pattern, actual) is not None


def tidy(lines: list[str]) -> list[str]:
    """Trailing spaces and trailing blank lines dropped, as a reader cannot see them."""
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def environment(home: Path) -> dict[str, str]:
    """The environment of an example: this Python's cpkb first on PATH, nothing of ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CPKB_", "PYTEST"))}
    for name in ("FORCE_COLOR", "PAGER", "VISUAL", "EDITOR", "CLICOLOR_FORCE"):
        env.pop(name, None)
    env |= {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        "HOME": str(home),
        "CPKB_CACHE_DIR": str(home / "cache"),
        "CPKB_TODAY": TODAY,
        "NO_COLOR": "1",
        "COLUMNS": "100",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
    }
    return env


def missing_tools(commands: list[str]) -> list[str]:
    words = {word for command in commands for word in re.findall(r"[\w.-]+", command)}
    return [tool for tool in TOOLS if tool in words and shutil.which(tool) is None]


def run(command: str, cwd: Path, env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    return done.stdout.decode("utf-8", "replace").splitlines()


def export(command: str, where: Folder) -> bool:
    """Take `export NAME=VALUE` into the folder's environment; whether the command was one."""
    words = shlex.split(command, comments=True)
    if len(words) != 2 or words[0] != "export" or "=" not in words[1]:
        return False
    name, _, value = words[1].partition("=")
    known = where.env | {"PWD": str(where.cwd)}
    where.env[name] = string.Template(value).safe_substitute(known)
    return True


@dataclass
class Folder:
    """Where a block runs: its working folder and environment."""

    cwd: Path
    env: dict[str, str]
    held: tempfile.TemporaryDirectory[str]


SESSIONS: dict[str, Folder] = {}


def folder() -> Folder:
    held = tempfile.TemporaryDirectory(prefix="cpkb-readme-")
    cwd = Path(held.name)
    for name in ("data", "tests"):
        (cwd / name).symlink_to(ROOT / name)
    return Folder(cwd, environment(cwd), held)


def session_of(example: Example) -> str | None:
    """The session a block belongs to: named by the comment just before it, if any."""
    last = example.document.text[: example.start].rstrip().rsplit("\n", 1)[-1]
    found = SESSION.search(last)
    return found.group(1) if found else None


def evaluate(example: Example) -> str | None:
    """Run a console block; None if every command showed what README says, else a diff."""
    session = steps(example.parsed)
    lacking = missing_tools([s.command for s in session])
    if lacking:
        pytest.skip(f"needs {', '.join(lacking)}")
    name = session_of(example)
    where = SESSIONS.setdefault(name, folder()) if name else folder()
    for step in session:
        if export(step.command, where):
            continue
        actual = tidy(run(step.command, where.cwd, where.env))
        if not matches(tidy(step.expected), actual):
            shown = "\n".join(actual)
            return (
                f"$ {step.command}\n--- README shows:\n"
                + "\n".join(step.expected)
                + f"\n--- it prints:\n{shown}\n"
            )
    return None


SYBIL = Sybil(
    parsers=[CodeBlockParser("console", evaluate), SkipParser()],
    path=str(ROOT),
    patterns=["README.md"],
)
