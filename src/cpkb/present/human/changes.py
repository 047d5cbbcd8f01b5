"""Changes to a data file as people read them: `diff`, `--dry-run`, refused writes, conflicts.

A line per record: `+` added, `-` removed, `~` changed, a changed entity's fields and claims
indented under it. Data reaches Rich as inert text (base.t).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from rich.text import Text

from cpkb.present.human.base import t, type_style

Doc = dict[str, Any]
MARKS = {"added": "+", "removed": "-", "changed": "~"}
STYLES = {"added": "green", "removed": "red", "changed": "yellow"}
RECORDS = (("properties", "name", "property"), ("sources", "id", "source"))


def brief(value: object, limit: int = 70) -> str:
    """A value as JSON, shortened: how a field's old and new values are shown."""
    if value is None:
        return "—"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def claim_text(claim: Doc) -> str:
    """`property = value unit` or `property → target`, then its time."""
    if "target" in claim:
        said = f"{claim.get('property')} → {claim['target']}"
    else:
        unit = f" {claim['unit']}" if claim.get("unit") else ""
        said = f"{claim.get('property')} = {brief(claim.get('value'))}{unit}"
    times = [f"{k} {claim[k]}" for k in ("date", "period", "start", "end") if claim.get(k)]
    return said + (f" ({', '.join(times)})" if times else "")


def _mark(kind: str, text: str, indent: int = 0) -> Text:
    line = Text(" " * indent)
    line.append(MARKS[kind] + " ", style=STYLES[kind])
    return line.append_text(t(text))


def _fields(fields: Doc, indent: int) -> Iterator[Text]:
    for name, change in fields.items():
        line = t(f"{' ' * indent}{name}: {brief(change['old'])} → {brief(change['new'])}")
        yield line


def _claims(claims: Doc) -> Iterator[Text]:
    for kind in ("added", "removed"):
        for claim in claims[kind]:
            yield _mark(kind, f"claim {claim.get('id', '(no id)')}  {claim_text(claim)}", 4)
    for change in claims["changed"]:
        yield _mark("changed", f"claim {change['id']}", 4)
        yield from _fields(change["fields"], 8)


def _entity(kind: str, entity: Doc) -> Text:
    line = _mark(kind, f"{entity.get('id')}  ")
    line.append_text(t(f"{entity.get('type')} · ", type_style(str(entity.get("type")))))
    line.append_text(t(str(entity.get("name"))))
    if kind != "changed":
        line.append_text(t(f"  ({len(entity.get('claims') or [])} claims)", "dim"))
    return line


def change_lines(changes: Doc, counts: Doc) -> list[Text]:
    """Every change, records of each kind in turn, and a count first."""
    lines = [t(summary(counts), "bold")]
    for key, label in (("$schema", "$schema"), ("schema_version", "schema version")):
        if key in changes["top"]:
            old, new = changes["top"][key]["old"], changes["top"][key]["new"]
            lines.append(t(f"{label}: {brief(old)} → {brief(new)}"))
    for kind, name, label in RECORDS:
        for side in ("added", "removed"):
            lines += [_mark(side, f"{label} {r.get(name)}") for r in changes[kind][side]]
        for change in changes[kind]["changed"]:
            lines.append(_mark("changed", f"{label} {change[name]}"))
            lines += _fields(change["fields"], 4)
    for side in ("added", "removed"):
        lines += [_entity(side, entity) for entity in changes["entities"][side]]
    for change in changes["entities"]["changed"]:
        lines.append(_entity("changed", change))
        lines += _fields(change["fields"], 4)
        lines += _claims(change["claims"])
    return lines


def summary(counts: Doc) -> str:
    """`entities: 1 added, 2 changed; claims: 3 added, 1 rank moved; ...` (nothing: no change)."""
    parts = []
    for kind in ("entities", "claims", "sources", "properties"):
        found = [f"{n} {k}" for k, n in counts[kind].items() if n and k != "ranked"]
        if kind == "claims" and counts[kind]["ranked"]:
            ranked = counts[kind]["ranked"]
            found.append(f"{ranked} rank{'s' if ranked > 1 else ''} moved")
        if found:
            parts.append(f"{kind}: {', '.join(found)}")
    return "; ".join(parts) or "no changes"


def problem_text(problem: Doc, file: str) -> Text:
    """A refused write's problem: `FILE: error CODE: PATH (entity ID): message`."""
    from cpkb.check.rules import RULES

    line = t(f"{file}: ")
    rule = RULES.get(problem["code"])
    name = f" {rule.name}" if rule is not None else ""
    line.append(f"{problem['severity']} {problem['code']}{name}:", style="bold red")
    owner = f"(entity {problem['entity']})" if problem.get("entity") else ""
    where = " ".join(w for w in (problem.get("path"), owner) if w)
    if where:
        line.append_text(t(f" {where}:", "dim"))
    return line.append_text(t(f" {problem['message']}"))


def conflict_lines(conflicts: list[Doc]) -> list[Text]:
    """Each conflict, with the base, our and their versions."""
    lines: list[Text] = []
    for conflict in conflicts:
        lines.append(t(f"conflict: {conflict['what']}", "bold red"))
        for side in ("base", "ours", "theirs"):
            shown = json.dumps(conflict[side], ensure_ascii=False) if conflict[side] else "(absent)"
            lines.append(t(f"  {side}: {shown}"))
    return lines
