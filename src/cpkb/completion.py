"""Shell completion for entity references, types and properties.

Callbacks never raise: a missing or broken data file simply completes to nothing. Typer keeps
only candidates that start with the typed text, so a candidate keeps what was typed and takes
the rest from the label ('qaz' -> 'qazaqstan-balalary', 'regina d' -> 'regina de Dominicis');
text in another script or without accents cannot complete (REF resolution still accepts it).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

import typer

from cpkb.models import ENTITY_TYPES, Entity
from cpkb.text import visible

if TYPE_CHECKING:
    from cpkb.catalog import Catalog

MAX_ITEMS = 100


def typed(incomplete: str, label: str, *, recase: bool = True) -> str | None:
    """`label` completing `incomplete` (ignoring case if `recase`), as typed; else None."""
    if label.startswith(incomplete):
        return label
    if recase and label[: len(incomplete)].casefold() == incomplete.casefold():
        return incomplete + label[len(incomplete) :]
    return None


def labels(entity: Entity) -> Iterable[tuple[str, str]]:
    """Every label of an entity, with the help text a shell shows next to it."""
    yield entity.id, entity.name
    yield entity.name, f"{entity.type} · {entity.id}"
    for alias in entity.aliases:
        yield alias, f"{entity.name} ({entity.type})"


def ref_completions(
    entities: Iterable[Entity], incomplete: str, *, spaces: bool = True
) -> list[tuple[str, str]]:
    """Ids, names and aliases that complete `incomplete`; without `spaces`, single words only.

    The label is written with the typed text ('regina d' -> 'regina de Dominicis'), which
    resolves all the same.
    """
    found: dict[str, str] = {}
    for entity in entities:
        for label, help_text in labels(entity):
            if visible(label) != label:  # control characters must not reach the shell
                continue
            # A recased id ('Regina-de-dominicis') only helps where names cannot be offered.
            value = typed(incomplete, label, recase=label != entity.id or not spaces)
            if value is not None and (spaces or not any(c.isspace() for c in value)):
                found.setdefault(value, visible(help_text))
        if len(found) >= MAX_ITEMS:
            break
    return sorted(found.items(), key=lambda item: (item[0].casefold(), item[0]))


def spaces_allowed() -> bool:
    """Typer's bash script inserts a completion unquoted, so one with spaces would split in two."""
    return "_TYPER_COMPLETE_ARGS" in os.environ or "COMP_WORDS" not in os.environ


def catalog(ctx: typer.Context) -> Catalog | None:
    """The knowledge base the command line names (--data, CPKB_DATA, bundled), or None: its
    index for a big file (built silently if need be: no progress bar over the prompt)."""
    try:
        from cpkb import store
        from cpkb.catalog import open_catalog

        path = store.resolve_data_path(ctx.find_root().params.get("data"))
        return open_catalog(path, load=lambda: store.load(path), progress_bar=False)
    except Exception:
        return None


def complete_ref(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Entity ids, names and aliases starting with what was typed, in any case."""
    try:
        found = catalog(ctx)
        if found is None:
            return []
        return ref_completions(found.labelled(), incomplete, spaces=spaces_allowed())
    except Exception:
        return []


def complete_type(incomplete: str) -> list[tuple[str, str]]:
    """The five entity types."""
    found = ((typed(incomplete, name), name) for name in ENTITY_TYPES)
    return [(value, f"entity type {name}") for value, name in found if value is not None]


def complete_property(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """The properties of relation claims in the knowledge base."""
    try:
        known = catalog(ctx)
        if known is None:
            return []
        found = ((typed(incomplete, p), p) for p in known.relation_properties())
        return [(value, "relation") for value, _ in found if value is not None]
    except Exception:
        return []
