"""The property vocabulary of a version-2 file: each claim's property is declared and its value
fits what the property takes (E208, E209), and its bound is one cpkb knows (E217);
each property is declared once (E216) and used (W408)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from cpkb.check.context import Context, Spec
from cpkb.check.nodes import string_of
from cpkb.check.rules import Finding
from cpkb.kb.document import Path, brief, json_path
from cpkb.model.fields import BOUNDS
from cpkb.query.time import span

_KINDS = {
    "text": "a text", "number": "a number", "quantity": "a number with a unit",
    "date": "a date (YYYY, YYYY-MM or YYYY-MM-DD)", "boolean": "true or false",
}  # fmt: skip


def claim_findings(at: Path, claim: dict[str, Any], context: Context) -> Iterator[Finding]:
    """The vocabulary's rules for one claim of a version-2 file."""
    name = string_of(claim, "property")
    spec = context.vocabulary.get(name) if name is not None else None
    if name is not None and spec is None:
        message = f"property {brief(name)} is not declared in 'properties'"
        yield Finding("E208", (*at, "property"), message)
    if spec is not None and spec.takes is not None:
        yield from _fits(at, claim, name or "", spec)
    qualifiers = claim.get("qualifiers")
    bound = qualifiers.get("bound", BOUNDS[0]) if isinstance(qualifiers, dict) else BOUNDS[0]
    if bound not in BOUNDS:
        message = f"a bound is {' or '.join(BOUNDS)}, not {brief(bound)}"
        yield Finding("E217", (*at, "qualifiers", "bound"), message)


def _fits(at: Path, claim: dict[str, Any], name: str, spec: Spec) -> Iterator[Finding]:
    """E209: a target where the property takes a literal (unless it lists target types), a
    value where it takes an entity, or a value of another kind."""
    takes = spec.takes
    if "target" in claim and "value" not in claim:
        if takes != "entity" and spec.types is None:
            message = f"{brief(name)} takes {_KINDS[str(takes)]}, not a target entity"
            yield Finding("E209", (*at, "target"), message)
        return
    if "value" not in claim or "target" in claim:
        return  # neither or both: the schema's to report (E109)
    value = claim["value"]
    if takes == "entity":
        message = f"{brief(name)} takes an entity: the claim needs a 'target', not a 'value'"
        yield Finding("E209", (*at, "value"), message)
    elif isinstance(value, (str, int, float)) and not _literal_fits(str(takes), value):
        message = f"{brief(name)} takes {_KINDS[str(takes)]}, not {brief(value)}"
        yield Finding("E209", (*at, "value"), message)
    elif takes == "quantity" and "unit" not in claim and _literal_fits("number", value):
        message = f"{brief(name)} takes a quantity: the value needs a 'unit'"
        yield Finding("E209", (*at, "value"), message)


def _literal_fits(takes: str, value: object) -> bool:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if takes in ("number", "quantity"):
        return number
    if takes == "boolean":
        return isinstance(value, bool)
    if takes == "date":
        return isinstance(value, str) and span(value) is not None
    return isinstance(value, str)  # text


def property_findings(context: Context, used: Iterable[str]) -> Iterator[Finding]:
    """E216 for a property declared twice, W408 for one that no claim uses."""
    first: dict[str, Path] = {}
    unused = context.vocabulary.keys() - set(used)
    for at, node in context.declared:
        name = string_of(node, "name")
        if name is None:
            continue
        if name in first:
            message = f"duplicate property {brief(name)} (first at {json_path(first[name])})"
            yield Finding("E216", (*at, "name"), message)
            continue
        first[name] = at
        if name in unused:
            yield Finding("W408", at, f"property {brief(name)} is declared but no claim uses it")
