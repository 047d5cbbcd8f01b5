"""Commands for sharing a knowledge base through git: `fmt` (the canonical layout, so diffs
stay small), `diff` (semantic: also git's diff driver) and `merge-driver` (three-way, by
entity and claim id: git's merge driver). README: "Keeping your own knowledge base".
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from cpkb.cli.context import CpkbCommand, JsonOpt, app, print_json, settings
from cpkb.cli.writing import Writing, note, report, run, write_options
from cpkb.errors import ExitCode, UsageProblem
from cpkb.present import human

if TYPE_CHECKING:
    from cpkb.kb.draft import Draft

Doc = dict[str, Any]
GIT_EXTERNAL_ARGS = 7  # path old-file old-hex old-mode new-file new-hex new-mode


@app.command("fmt", cls=CpkbCommand)
@write_options
def fmt_cmd(
    ctx: typer.Context,
    writing: Writing,
    path: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional on Python 3.10
        typer.Argument(help="The data file (default: --data, CPKB_DATA).", show_default=False),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Only say whether it is laid out canonically.")
    ] = False,
) -> None:
    """Lay a data file out canonically, as every write does: 2-space indent, each record's keys
    in the format's order, records in file order. --check exits 1 if it is not.

    Example: cpkb fmt dossier.json --check || cpkb fmt dossier.json
    """
    target = (path or settings(ctx).data_path()).absolute()
    if check:
        _check_layout(target, as_json=writing.as_json)
        return

    def change(draft: Draft) -> None:
        return None

    outcome = run(ctx, change, writing, whole=True, version_1=True,
                  path=target)  # fmt: skip
    extra = {"data_file": str(target)}
    unchanged = f"{target}: laid out canonically"
    report(outcome, writing, said=f"reformatted {target}", unchanged=unchanged, extra=extra)


def _check_layout(target: Path, *, as_json: bool) -> None:
    """Say whether the file is laid out canonically; exit 1 if not."""
    from cpkb.kb.files import read_bytes
    from cpkb.kb.layout import document_bytes
    from cpkb.kb.read import parse_bytes

    raw = read_bytes(target)
    laid_out = document_bytes(parse_bytes(target, raw)) == raw
    if as_json:
        print_json({"data_file": str(target), "canonical": laid_out})
    else:
        note(f"{target}: " + ("laid out canonically" if laid_out else "would be reformatted"))
    if not laid_out:
        raise typer.Exit(ExitCode.NOT_FOUND)


@app.command("diff", cls=CpkbCommand)
def diff_cmd(
    ctx: typer.Context,
    files: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Argument(metavar="OLD NEW", help="Two data files.", show_default=False),
    ] = None,
    git: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--git",
            metavar="REV[..REV]",
            show_default=False,
            help="The data file at REV against the working file, or at two REVs.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """What changed between two versions of a data file: entities, claims (by id), sources and
    properties added, removed or changed, ranks moved. Also git's diff driver (given git's
    seven arguments).

    Example: cpkb diff --git HEAD~1..HEAD
    """
    from cpkb.kb.diff import counts, diff_bytes

    old, new = _versions(ctx, files or [], git)
    labels = {id(old.raw): old.label, id(new.raw): new.label}
    changes = diff_bytes(old.raw, new.raw, parse=lambda raw: _document(labels[id(raw)], raw))
    tally = counts(changes)
    if as_json:
        print_json({"old": old.label, "new": new.label, "counts": tally, **changes})
        return
    print(f"--- {old.label}\n+++ {new.label}")
    human.show_changes(changes, tally)


class Version:
    """A version of the data file: where it came from, and its bytes."""

    def __init__(self, label: str, raw: bytes) -> None:
        self.label, self.raw = label, raw


def _document(label: str, raw: bytes) -> Doc:
    from cpkb.kb.read import parse_bytes

    document = parse_bytes(label, raw) if raw.strip() else {}
    if not isinstance(document, dict):
        raise UsageProblem(f"{label}: not a data file (its top level is not an object)")
    return document


def _versions(ctx: typer.Context, files: list[str], git: str | None) -> tuple[Version, Version]:
    from cpkb.kb.files import read_bytes

    if git is not None:
        if files:
            raise UsageProblem("give two files, or --git REV[..REV], not both")
        return _git_versions(settings(ctx).data_path(), git)
    labels = files
    if len(files) == GIT_EXTERNAL_ARGS:  # git's diff driver: path old-file ... new-file ...
        files, labels = [files[1], files[4]], [f"a/{files[0]}", f"b/{files[0]}"]
    if len(files) != 2:
        raise UsageProblem("give two data files (OLD NEW), or --git REV[..REV]")
    old, new = (Version(label, _bytes(name, read_bytes))
                for label, name in zip(labels, files, strict=True))  # fmt: skip
    return old, new


def _bytes(name: str, read: Any) -> bytes:
    """A file's bytes; git passes /dev/null for a file that is added or removed."""
    if name == "/dev/null":
        return b""
    data: bytes = read(Path(name))
    return data


def _git_versions(data: Path, revisions: str) -> tuple[Version, Version]:
    """The data file at REV and in the working tree, or at both REVs of REV..REV."""
    top = _git(data.parent, "rev-parse", "--show-toplevel").decode().strip()
    relative = Path(data).resolve().relative_to(Path(top).resolve()).as_posix()
    first, dots, second = revisions.partition("..")
    for revision in (first, second) if dots and second else (first,):
        if not revision or revision.startswith("-"):
            raise UsageProblem(f"--git: {revision!r} is not a revision", hint="e.g. HEAD~1..HEAD")
    old = Version(f"{first}:{relative}", _git(Path(top), "show", f"{first}:{relative}"))
    if dots and second:
        return old, Version(f"{second}:{relative}", _git(Path(top), "show", f"{second}:{relative}"))
    from cpkb.kb.files import read_bytes

    return old, Version(str(data), read_bytes(data))


def _git(folder: Path, *args: str) -> bytes:
    import subprocess

    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, check=False)
    except OSError as exc:
        raise UsageProblem(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        why = done.stderr.decode(errors="replace").strip().splitlines()
        raise UsageProblem(f"git {' '.join(args)}: {why[-1] if why else 'failed'}")
    return done.stdout


@app.command("merge-driver", cls=CpkbCommand)
def merge_driver_cmd(
    base: Annotated[Path, typer.Argument(help="The common ancestor (git's %O).")],
    ours: Annotated[Path, typer.Argument(help="Our version, where the result goes (%A).")],
    theirs: Annotated[Path, typer.Argument(help="Their version (%B).")],
    path: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Argument(help="The data file's path in the work tree (%P).", show_default=False),
    ] = None,
) -> None:
    """Merge two versions of a data file by entity and claim id (git's merge driver): the
    result, laid out canonically and validated, replaces OURS. A conflict (both sides changed
    the same claim) or an invalid result exits 1 and lists what conflicts, with both versions.

    Example: git config merge.cpkb.driver "cpkb merge-driver %O %A %B %P"
    """
    from cpkb.cli.merging import merge_files

    conflicts, problems = merge_files(base, ours, theirs, path)
    if conflicts:
        human.show_conflicts_of_merge(conflicts)
    if problems:
        human.show_refused(problems, file=str(path or ours))
    if conflicts or problems:
        what = f"{len(conflicts)} conflicts" if conflicts else "an invalid result"
        note(f"cpkb: merge of {path or ours}: {what}; our version kept where they conflict")
        raise typer.Exit(ExitCode.NOT_FOUND)
