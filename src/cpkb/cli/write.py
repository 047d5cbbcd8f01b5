"""Write commands for entities: `init` (a knowledge base of your own), `add` and `rm`."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from cpkb.cli.completion import complete_type
from cpkb.cli.context import CpkbCommand, RefArg, app, print_json, settings
from cpkb.cli.writing import (
    Cited,
    Writing,
    citation,
    cited_options,
    note,
    report,
    run,
    write_options,
)
from cpkb.errors import Ambiguous, NotFound, Refused, UsageProblem

if TYPE_CHECKING:
    from cpkb.kb.draft import Draft

SCHEMA_NAME = "cpkb.schema.json"
EMPTY = {"$schema": f"./{SCHEMA_NAME}", "schema_version": 2, "properties": [], "sources": [],
         "entities": []}  # fmt: skip


@app.command("init", cls=CpkbCommand)
@write_options
def init_cmd(
    writing: Writing,
    path: Annotated[Path, typer.Argument(help="The data file to make.", show_default=False)],
    from_bundled: Annotated[
        bool, typer.Option("--from-bundled", help="A copy of the bundled knowledge base.")
    ] = False,
) -> None:
    """Make a new, valid, empty knowledge base (or a copy of the bundled one to extend), with
    the JSON Schema beside it so that editors check it as you type.

    Example: cpkb init dossier.json && export CPKB_DATA=$PWD/dossier.json
    """
    from cpkb.kb import atomic, layout, paths

    target = path.absolute()
    if target.exists():
        raise Refused(f"{path}: exists; nothing written", hint="choose another PATH")
    if from_bundled:
        document = json.loads(paths.default_data_path().read_bytes())
        version = document.get("schema_version", 1)
        data = layout.document_bytes(document)  # laid out as writes keep it
    else:
        data, version = layout.document_bytes(EMPTY), 2
    _check_new(target, data)
    schema = target.with_name(SCHEMA_NAME)
    if not writing.dry_run:
        atomic.write_bytes(target, data, make_folder=True)  # a new knowledge base's folder too
        if not schema.exists():
            atomic.write_bytes(schema, paths.schema_path(version).read_bytes())
    if writing.as_json:
        print_json(
            {"data_file": str(target), "schema_version": version, "written": not writing.dry_run}
        )
    older = " (version 1: run 'cpkb migrate' before writing to it)" if version == 1 else ""
    note(f"{'would make' if writing.dry_run else 'made'} {path}{older}")


def _check_new(target: Path, data: bytes) -> None:
    from cpkb.cli.validate import check_raw

    if check_raw(target, data).errors():  # the bundled file or an empty one
        raise Refused(f"{target}: the new file would not be valid; nothing written")


TypeArg = Annotated[
    str,
    typer.Argument(
        metavar="TYPE", help="The entity's type (e.g. official).", autocompletion=complete_type
    ),
]


@app.command("add", cls=CpkbCommand)
@write_options
@cited_options
def add_cmd(
    ctx: typer.Context,
    entity_type: TypeArg,
    name: Annotated[str, typer.Argument(help="Its name.")],
    summary: Annotated[str, typer.Option("--summary", help="One or two sentences, ours.")],
    cited: Cited,
    writing: Writing,
    alias: Annotated[
        Optional[list[str]],  # noqa: UP045 - typer needs Optional on Python 3.10
        typer.Option("--alias", help="Another name (repeatable).", show_default=False),
    ] = None,
    entity_id: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--id", help="Its id (default: made from the name).", show_default=False),
    ] = None,
    new: Annotated[
        bool, typer.Option("--new", help="Add it even if a name already names an entity.")
    ] = False,
) -> None:
    """Add an entity, cited; print its id. A name or alias that already names an entity is
    refused ("did you mean ...?") unless --new.

    Example: cpkb add official "Aida Balayeva" --summary "Minister of Culture." --source gov-2025 --quote "Minister Aida Balayeva said"
    """  # noqa: E501
    kind = _entity_type(entity_type)
    if not new:
        for label in [name, *(alias or [])]:
            _not_named(ctx, label)
    entity = {"id": entity_id, "type": kind, "name": name, "aliases": list(alias or []),
              "summary": summary}  # fmt: skip
    outcome = run(ctx, functools.partial(_add, entity, cited), writing)
    new_id = outcome.result
    report(outcome, writing, said=f"added {kind} {new_id}", printed=new_id,
           extra={"id": new_id})  # fmt: skip


def _add(entity: dict[str, Any], cited: Cited, draft: Draft) -> str:
    """Add the entity (an id made from its name if it has none), cited: its id."""
    from cpkb.kb.edit import add_entity, new_entity_id

    made = {**entity, "id": entity["id"] or new_entity_id(draft, entity["name"])}
    return add_entity(draft, {**made, "sources": [citation(draft, cited)], "claims": []})


def _entity_type(text: str) -> str:
    from cpkb.model.fields import ENTITY_TYPES, TYPE_ALIASES

    found = TYPE_ALIASES.get(text.lower())
    if found is None:
        raise UsageProblem(
            f"unknown entity type {text!r}", hint=f"one of {', '.join(ENTITY_TYPES)}"
        )
    return found


def _not_named(ctx: typer.Context, label: str) -> None:
    """Refuse a label that already resolves to an entity (as `show` resolves it)."""
    try:
        found = settings(ctx).resolve(label)
    except NotFound:
        return
    except Ambiguous as exc:
        names = ", ".join(exc.candidates)
        raise Refused(f"{label!r} already names entities: {names}", hint=NEW_HINT) from None
    hint = f"did you mean {found.name} ({found.id})? {NEW_HINT}"
    raise Refused(f"{label!r} already names {found.type} {found.id!r}", hint=hint)


NEW_HINT = "use --new to add another entity all the same"


@app.command("rm", cls=CpkbCommand)
@write_options
def rm_cmd(
    ctx: typer.Context,
    writing: Writing,
    ref: RefArg,
    cascade: Annotated[
        bool, typer.Option("--cascade", help="Remove the claims that point to it, too.")
    ] = False,
) -> None:
    """Remove an entity. Refused while other entities' claims point to it (they are listed)
    unless --cascade, which removes those claims with it.

    Example: cpkb rm old-programme --cascade --dry-run
    """
    from cpkb.cli.writing import resolve_in

    def change(draft: Draft) -> tuple[str, list[str]]:
        from cpkb.kb.edit import remove_entity

        entity_id = resolve_in(ctx, draft, ref)
        return entity_id, remove_entity(draft, entity_id, cascade=cascade)

    outcome = run(ctx, change, writing)
    entity_id, claims = outcome.result
    count = f"{len(claims)} claim{'s' if len(claims) != 1 else ''}"
    said = f"removed entity {entity_id}" + (f" and {count} that pointed to it" if claims else "")
    report(outcome, writing, said=said, extra={"id": entity_id, "claims_removed": claims})
