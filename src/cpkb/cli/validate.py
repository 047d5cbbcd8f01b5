"""`cpkb validate`: every problem of a data file, located, with a stable code."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from cpkb.cli.context import CpkbCommand, app, data_file_argument, settings
from cpkb.cli.output import Output, listing, output_options, shown
from cpkb.errors import DataError, ExitCode, UsageProblem
from cpkb.kb import collector
from cpkb.present import human

if TYPE_CHECKING:
    from cpkb.check.context import Held
    from cpkb.check.problems import Checked

FileArg = Annotated[Optional[Path], data_file_argument("check")]  # noqa: UP045 - for Python 3.10
DataOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--data",
        help="Same as PATH (also accepted before the command).",
        show_default=False,
        readable=False,
    ),
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")]
SourceTextOpt = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--source-text",
        metavar="SOURCE_ID=FILE",
        help="Check that every quote citing SOURCE_ID stands verbatim in FILE (white space, "
        "case, typographic quotes and dashes aside). Repeatable.",
        show_default=False,
    ),
]


@app.command("validate", cls=CpkbCommand)
@output_options("validate")
def validate_cmd(
    ctx: typer.Context,
    out: Output,
    path: FileArg = None,
    data: DataOpt = None,
    strict: StrictOpt = False,
    source_text: SourceTextOpt = None,
) -> None:
    """Check a data file and list every problem; exit 3 on errors (or, with --strict, warnings).

    Held to the schema and rules of its own schema_version; quotes, to its sources' texts.

    Example: cpkb validate my.json --source-text my-source=article.txt
    """
    from cpkb.kb import paths

    if path is not None and data is not None:
        raise UsageProblem("give the file to check once: as PATH or with --data")
    given = path or data or settings(ctx).data
    target = paths.resolve_data_path(given)
    texts = [_source_text(arg) for arg in source_text or []]
    with collector.paused():
        valid = _report(ctx, target, given or target, texts, strict=strict, out=out)
    if not valid:
        raise typer.Exit(ExitCode.BAD_DATA)


def _report(
    ctx: typer.Context,
    target: Path,
    named: str | Path,
    texts: list[tuple[str, str, str]],
    *,
    strict: bool,
    out: Output,
) -> bool:
    """Check `target`, print its report under the name `named`; whether it is valid."""
    checked = _check(target)
    notes = [_quotes(checked, source_id, label, text) for source_id, label, text in texts]
    valid = checked.valid(strict=strict)
    report = {"valid": valid, "problems": [p.view() for p in checked.problems]}
    if out.format is not None or out.chosen:
        listing(ctx, out, report, None)
        return valid
    summary, owners = _summary(checked, notes), _owners(checked)
    with shown(ctx):  # `named`: the file as the user wrote it, like other linters
        human.show_problems(report, file=str(named), summary=summary, owners=owners)
    return valid


REFERENCE_ENV = "CPKB_VALIDATE_REFERENCE"


def _check(path: Path) -> Checked:
    """Check the file (see `check_raw`)."""
    from cpkb.check.problems import unreadable
    from cpkb.kb import files

    try:
        raw = files.read_bytes(path)
    except DataError as exc:
        return unreadable(exc.problem)
    return check_raw(path, raw)


def check_raw(path: Path, raw: bytes, texts: Mapping[str, Path] | None = None) -> Checked:
    """Check `raw`, what the file `path` holds or is to hold: with the texts its sources hold
    (`texts`: where to read those not yet in place, by `text_file`), and a memo of its items
    that passed last time, refreshed afterwards.

    With $CPKB_VALIDATE_REFERENCE=1, the reference path instead: the whole document read and
    checked in this process, no memo, no worker processes (for tests and for suspicion).
    """
    from cpkb.check import memo as itemcache
    from cpkb.check.whole import check_bytes

    held = held_texts(path, raw, texts)
    if os.environ.get(REFERENCE_ENV) == "1":
        return check_bytes(raw, held=held, fast=False)
    stamp = itemcache.stamp()
    memo = itemcache.load(path, stamp)
    checked = check_bytes(raw, held=held, memo=memo)
    if checked.memo is not None and checked.memo.worth_saving():
        itemcache.save(path, checked.memo, stamp)
    return checked


def held_texts(path: Path, raw: bytes, texts: Mapping[str, Path] | None = None) -> dict[str, Held]:
    """The held texts the sources of the file `raw` name (`text_file`, relative to the real
    file's folder, unless `texts` says where one is for now), read: each source's text, or why it
    cannot be read (E302; always, for data on standard input)."""
    from cpkb.check.context import Held
    from cpkb.check.held import held_files
    from cpkb.kb.paths import STDIN, folder_of

    texts, folder = texts or {}, folder_of(path)
    if str(path) == STDIN:  # data from a pipe has no folder: not the current one either
        problem = "the data came from standard input, which has no folder of texts"
        return {
            source_id: Held(name, problem=problem) for source_id, name in held_files(raw).items()
        }
    return {
        source_id: _held(texts[name], name) if name in texts else _held_in(folder, name)
        for source_id, name in held_files(raw).items()
    }


def _held_in(folder: Path, name: str) -> Held:
    """A held text named in a data file: only below its folder, through links too (a data file
    from elsewhere must not have validate read, say, a file of the user's home)."""
    from cpkb.check.context import Held

    if "\0" in name:
        return Held(name, problem="not a file name (it holds a NUL)")
    relative = Path(name)
    real = Path(os.path.realpath(folder / relative))
    if relative.is_absolute() or ".." in relative.parts or not real.is_relative_to(folder):
        return Held(name, problem="not in the data file's folder (absolute, with '..', or a link)")
    return _held(folder / relative, name)


def _held(path: Path, name: str) -> Held:
    from cpkb.check.context import Held
    from cpkb.kb import files

    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = None  # read_bytes says why
    if mode is not None and not stat.S_ISREG(mode):  # a folder, a device, a pipe: never waited on
        return Held(name, problem="not a regular file")
    try:
        return Held(name, files.decode(path, files.read_bytes(path)))
    except DataError as exc:
        return Held(name, problem=exc.problem)


def _source_text(arg: str) -> tuple[str, str, str]:
    """SOURCE_ID=FILE -> (source id, file name, the file's text)."""
    from cpkb.kb import files

    source_id, sep, name = arg.partition("=")
    if not (sep and source_id and name):
        raise UsageProblem(f"--source-text {arg!r}: expected SOURCE_ID=FILE")
    path = Path(name)
    try:
        return source_id, name, files.decode(path, files.read_bytes(path))
    except DataError as exc:
        raise UsageProblem(f"--source-text: {exc.message}") from None


def _quotes(checked: Checked, source_id: str, label: str, text: str) -> str:
    from cpkb.check.whole import check_quotes

    sources = checked.document.get("sources") if checked.document is not None else None
    known = (
        [s.get("id") for s in sources if isinstance(s, dict)] if isinstance(sources, list) else []
    )
    if checked.document is not None and source_id not in known:
        raise UsageProblem(
            f"--source-text: no source {source_id!r} in the data file",
            hint="see 'cpkb sources' for the ids",
        )
    count, missing = check_quotes(checked, source_id=source_id, text=text, label=label)
    return f"{count - missing} of {count} quotes citing {source_id} found in {label}"


def _owners(checked: Checked) -> dict[str, str]:
    """A short label for each entity or source id the problems name (an id can be long)."""
    from cpkb.kb.document import brief

    return {p.entity: brief(p.entity) for p in checked.problems if p.entity}


def _summary(checked: Checked, notes: list[str]) -> list[str]:
    counts = ""
    if checked.counts is not None:
        entities, sources = checked.counts
        counts = f"{_n(entities, 'entity', 'entities')}, {_n(sources, 'source')}; "
    tally = f"{_n(checked.errors(), 'error')}, {_n(checked.warnings(), 'warning')}"
    return [*notes, counts + tally]


def _n(count: int, one: str, many: str = "") -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"
