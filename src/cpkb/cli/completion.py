"""Shell completion for entity references, types and properties, and cpkb's bash script.

Callbacks never raise: a missing or broken data file simply completes to nothing. Typer keeps
only candidates that start with the typed text, so a candidate keeps what was typed and takes
the rest from the label ('qaz' -> 'qazaqstan-balalary', 'regina d' -> 'regina de Dominicis');
text in another script or without accents cannot complete (REF resolution still accepts it).
A reference, a type or a property never falls back to file names (see cpkb.cli.scripts).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

import typer

from cpkb.model.entities import Entity
from cpkb.model.fields import ENTITY_TYPES
from cpkb.query.text import visible

if TYPE_CHECKING:
    from cpkb.query.catalog import Catalog

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


# Besides letters and digits (any script), the characters no shell acts on when a completion
# is inserted into the command line unquoted, or when Typer's zsh script evaluates it.
INERT = frozenset("-_.,+@%/’‘“”–—")
HELP_INERT = INERT | frozenset(" ·()")


def inert(value: str, *, spaces: bool) -> bool:
    """Whether `value` can be inserted into a shell's command line as it is: a label holding
    `$(`, a backtick or `;` would otherwise run as code when the line is run."""
    return all(c.isalnum() or c in INERT or (spaces and c == " ") for c in value)


def inert_help(text: str) -> str:
    """Help text with every character a shell could act on replaced by a space."""
    return "".join(c if c.isalnum() or c in HELP_INERT else " " for c in text)


def entity_names(entity: Entity) -> tuple[str, ...]:
    return (entity.name, *entity.aliases)


def ref_completions(
    entities: Iterable[Entity], incomplete: str, *, spaces: bool = True
) -> list[tuple[str, str]]:
    """Ids, names and aliases that complete `incomplete`; without `spaces`, single words only.

    The label is written with the typed text ('regina d' -> 'regina de Dominicis'), which
    resolves all the same. A label a shell could act on is never offered: its id is instead.
    """
    found: dict[str, tuple[str, str]] = {}  # by the value's casefold: one of 'Akorda', 'akorda'
    for entity in entities:
        # A recased id ('Regina-de-dominicis') only helps where names cannot be offered.
        stand_in = not spaces or not all(inert(n, spaces=True) for n in entity_names(entity))
        for label, help_text in labels(entity):
            value = typed(incomplete, label, recase=label != entity.id or stand_in)
            if value is not None and inert(value, spaces=spaces):
                found.setdefault(value.casefold(), (value, inert_help(visible(help_text))))
        if len(found) >= MAX_ITEMS:
            break
    return sorted(found.values(), key=lambda item: (item[0].casefold(), item[0]))


def spaces_allowed() -> bool:
    """Typer's bash script inserts a completion unquoted, so one with spaces would split in two;
    cpkb's own script has readline quote it (and says so in its environment)."""
    if os.environ.get(SCRIPT_ENV) == SCRIPT_VERSION:
        return True
    return "_TYPER_COMPLETE_ARGS" in os.environ or "COMP_WORDS" not in os.environ


class Asked:
    """What this process's one completion is for: a reference, a type or a property is never
    a file, so the shell must not fall back to file names when none of them matches."""

    no_files = False


SCRIPT_ENV = "_CPKB_SCRIPT"  # set by cpkb's bash script: the completions are quoted by readline
SCRIPT_VERSION = "2"


def catalog(ctx: typer.Context) -> Catalog | None:
    """The knowledge base the command line names (--data, CPKB_DATA, bundled), or None: its
    index for a big file (built silently if need be: no progress bar over the prompt)."""
    try:
        from cpkb.index.catalog import open_catalog
        from cpkb.kb import paths, store

        path = paths.resolve_data_path(ctx.find_root().params.get("data"))
        return open_catalog(path, load=lambda: store.load(path))
    except Exception:
        return None


def complete_ref(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Entity ids, names and aliases starting with what was typed, in any case; after words
    of one reference typed without quotes ('show Adal Az'), the rest of a label they begin."""
    Asked.no_files = True
    try:
        found = catalog(ctx)
        if found is None:
            return []
        before = words_before(ctx)
        if not before:
            return ref_completions(found.labelled(), incomplete, spaces=spaces_allowed())
        offered = ref_completions(found.labelled(), before + incomplete)
        return [(value[len(before) :], help_text) for value, help_text in offered]
    except Exception:
        return []


def words_before(ctx: typer.Context) -> str:
    """The words of a reference typed before the one being completed ('Adal ' in 'show Adal
    Az'), when the command reads its words as one reference; else ''."""
    words = ctx.params.get("ref")
    if not isinstance(words, (list, tuple)) or not words:
        return ""
    return " ".join(str(word) for word in words) + " "


def complete_type(incomplete: str) -> list[tuple[str, str]]:
    """The entity types."""
    Asked.no_files = True
    found = ((typed(incomplete, name), name) for name in ENTITY_TYPES)
    return [(value, f"entity type {name}") for value, name in found if value is not None]


def complete_property(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """The properties of relation claims in the knowledge base."""
    Asked.no_files = True
    try:
        known = catalog(ctx)
        if known is None:
            return []
        found = (typed(incomplete, p) for p in known.relation_properties())
        return [(value, "relation") for value in found if value and inert(value, spaces=False)]
    except Exception:
        return []
