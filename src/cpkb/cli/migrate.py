"""`cpkb migrate`: a version-1 data file rewritten as version 2, with the same answers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from cpkb.cli.context import CpkbCommand, app, data_file_argument, settings
from cpkb.cli.targets import output_file
from cpkb.errors import DataError, UsageProblem
from cpkb.query.text import visible

if TYPE_CHECKING:
    from cpkb.kb.migrate import Migration

FileArg = Annotated[Optional[Path], data_file_argument("migrate")]  # noqa: UP045 - for Python 3.10
OutOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--output", "-o", show_default=False,
                 help="Write the migrated file here (default: in place)."),
]  # fmt: skip
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Print what would change; write nothing.")
]


@app.command("migrate", cls=CpkbCommand)
def migrate_cmd(
    ctx: typer.Context, path: FileArg = None, output: OutOpt = None, dry_run: DryRunOpt = False
) -> None:
    """Rewrite a version-1 data file as version 2: claim ids stored, periods, a vocabulary.

    Every answer stays as it was. Example: cpkb migrate my.json --dry-run
    """
    from cpkb.kb import paths, read, store
    from cpkb.kb.migrate import migrate

    source = paths.resolve_data_path(path or settings(ctx).data)
    target = output_file(ctx, output, what="the migrated file") if output is not None else source
    if not dry_run and _same_file(target, paths.default_data_path()):
        raise UsageProblem(
            "will not rewrite the bundled knowledge base", hint="give -o FILE for a migrated copy"
        )
    shown = str(path or source)
    if store.load(source).schema_version == 2:  # refuses, as every command does, a bad file
        _say(f"{shown}: already schema version 2: nothing to do")
        return
    migration = migrate(read.read_document(source))
    if dry_run:
        for line in report(migration, shown):
            print(visible(line))
        return
    _write(target, migration)
    _say(f"{shown}: migrated to schema version 2, {_counts(migration)}; written to {target}")


def report(migration: Migration, shown: str) -> list[str]:
    """What `--dry-run` prints: each change the migration makes."""
    before, after = migration.schema
    lines = [f"{shown}: would migrate to schema version 2 ({_counts(migration)}); nothing written"]
    lines.append("  schema_version: 1 -> 2")
    lines.append(
        f"  $schema: {after!r}" + (" (unchanged)" if before == after else f" (was {before!r})")
    )
    lines += [f"  claim {claim_id}: start/end -> period {p}" for claim_id, p in migration.periods]
    if migration.ids:
        lines.append(f"  claim ids stored: {migration.ids[0]} ... {migration.ids[-1]}")
    for declared in migration.properties:
        types = f" ({', '.join(declared['types'])})" if "types" in declared else ""
        lines.append(f"  property {declared['name']}: takes {declared['takes']}{types}")
    lines += [f"  note: {note}" for note in migration.notes]
    return lines


def _counts(migration: Migration) -> str:
    ids, periods = len(migration.ids), len(migration.periods)
    properties = len(migration.properties)
    return (
        f"{ids} claim id{'s' * (ids != 1)} stored, {periods} period{'s' * (periods != 1)}, "
        f"{properties} propert{'ies' if properties != 1 else 'y'} declared"
    )


def _write(target: Path, migration: Migration) -> None:
    """The migrated file, atomically (a file it replaces keeps its mode)."""
    import json

    from cpkb.kb import atomic

    text = json.dumps(migration.document, ensure_ascii=False, indent=2) + "\n"
    try:
        atomic.write_bytes(target, text.encode("utf-8"))
    except OSError as exc:
        problem = f"cannot be written ({exc.strerror or exc})"
        raise DataError(target, problem, hint="check -o and the folder's permissions") from None


def _same_file(one: Path, other: Path) -> bool:
    return os.path.realpath(one) == os.path.realpath(other)


def _say(message: str) -> None:
    typer.echo(visible(message), err=True)
