"""`cpkb import FILE`: many records in one write, all or nothing (kb.importing)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from cpkb.cli.context import CpkbCommand, app, print_json
from cpkb.cli.writing import Writing, report, run, write_options
from cpkb.errors import Refused
from cpkb.model import fields
from cpkb.query.text import visible

if TYPE_CHECKING:
    from cpkb.kb.draft import Draft
    from cpkb.kb.importing import Imported, Problem, Row
    from cpkb.kb.write import Outcome


class ImportRefused(Refused):
    """An import with problems: nothing was written."""

    def __init__(self, name: str, problems: list[Problem]) -> None:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"{name}: not imported ({count}); the data file is unchanged")
        self.problems = problems


@app.command(
    "import",
    cls=CpkbCommand,
    help=f"""Import sources, properties, entities and claims in one write: all or nothing, every
    problem reported with its line. JSON Lines: one record a line, with its "kind"
    (source, property, entity, claim; a claim names its "entity"). CSV: one claim a row, under
    the header {",".join(fields.claim_row())} (any order, any subset holding entity, property
    and source).

    Example: cpkb import new-claims.csv --dry-run""",
)
@write_options
def import_cmd(
    ctx: typer.Context,
    writing: Writing,
    file: Annotated[Path, typer.Argument(help="A .jsonl file of records, or a .csv of claims.")],
) -> None:
    """Import records in one write (help above: the CSV's columns come from the field table)."""
    from cpkb.kb import files
    from cpkb.kb.importing import read_rows

    rows, unread = read_rows(file.name, files.read_input(file))
    outcome = _import(ctx, str(file), rows, unread, writing)
    counts = outcome.result.counts
    said = "imported " + ", ".join(f"{n} {kind}{'s' if n != 1 else ''}"
                                   for kind, n in counts.items() if n)  # fmt: skip
    report(outcome, writing, said=said if any(counts.values()) else "nothing to import",
           extra={"imported": counts})  # fmt: skip


def _import(
    ctx: typer.Context, name: str, rows: list[Row], unread: list[Problem], writing: Writing
) -> Outcome[Imported]:  # fmt: skip
    """The write that adds every row; refused with every problem at its line."""
    from cpkb.kb.importing import apply_rows
    from cpkb.kb.write import Invalid

    made: list[tuple[Draft, Imported]] = []

    def change(draft: Draft) -> Imported:
        imported, found = apply_rows(draft, rows)
        if unread or found:
            raise ImportRefused(name, sorted([*unread, *found], key=lambda p: p.line))
        made[:] = [(draft, imported)]
        return imported

    try:
        return run(ctx, change, writing, quiet=True)
    except ImportRefused as refused:
        _refuse(name, refused.problems, as_json=writing.as_json)
    except Invalid as invalid:
        lines = _located(invalid.problems, *made[0])
        _refuse(name, lines, as_json=writing.as_json, problems=invalid.problems)


def _refuse(
    name: str, found: list[Problem], *, as_json: bool, problems: Any = None
) -> NoReturn:  # fmt: skip
    if as_json:
        lines = [{"line": p.line, "message": p.message} for p in found]
        print_json({"written": False, "problems": lines, **({"result": problems} if problems
                                                                 else {})})  # fmt: skip
    else:
        for p in found:
            print(visible(f"{name}:{p.line}: {p.message}" if p.line else f"{name}: {p.message}"),
                  file=sys.stderr)  # fmt: skip
    raise ImportRefused(name, found)


_CLAIM = re.compile(r"^\$\.entities\[\d+\]\.claims\[(\d+)\]")


def _located(problems: Any, draft: Draft, imported: Imported) -> list[Problem]:
    """The result's problems, each at the line that added what it concerns (0: none did)."""
    from cpkb.kb.importing import Problem

    found = []
    for p in problems:
        owner, path = p.get("entity"), str(p.get("path") or "")
        line = imported.origins.get(f"entity {owner}", 0)
        claim = _CLAIM.match(path)
        entity = draft.entity(owner) if claim and isinstance(owner, str) else None
        if claim and entity is not None:
            claims = entity.get("claims") or []
            k = int(claim.group(1))
            claim_id = claims[k].get("id") if k < len(claims) else None
            line = imported.origins.get(f"claim {claim_id}", line)
        found.append(Problem(line, f"{p['code']} {path}: {p['message']}"))
    return sorted(found, key=lambda p: p.line)
