"""The work of `cpkb merge-driver`: read three versions, merge them (kb.merge), validate the
result as every write is validated, and leave it in place of ours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cpkb.cli.guard import validate_write

View = dict[str, Any]


def merge_files(
    base: Path, ours: Path, theirs: Path, path: Path | None
) -> tuple[list[View], list[View]]:
    """Merge into `ours`; the conflicts (each with its three versions) and the problems of the
    result. `path`: the data file in the work tree (its memo, and where held texts are)."""
    from cpkb.kb import atomic, files, layout
    from cpkb.kb.merge import merge
    from cpkb.kb.read import parse_bytes
    from cpkb.kb.write import Proposal

    raw = {side: files.read_bytes(p) for side, p in (("base", base), ("ours", ours),
                                                     ("theirs", theirs))}  # fmt: skip
    docs = {side: parse_bytes(side, data) if data.strip() else {} for side, data in raw.items()}
    merged, conflicts = merge(docs["base"], docs["ours"], docs["theirs"])
    after = layout.document_bytes(merged)
    named = (path or ours).absolute()
    draft = _draft_of(docs["ours"], merged)
    problems = validate_write(Proposal(named, raw["ours"], after, draft))
    atomic.write_bytes(ours, after)
    return [c._asdict() for c in conflicts], problems


def _draft_of(ours: dict[str, Any], merged: dict[str, Any]) -> Any:
    """A draft of ours changed into the merge: what validation asks which entities changed."""
    from cpkb.kb.diff import by_field, keyed
    from cpkb.kb.draft import WholeDraft

    header = {k: v for k, v in ours.items() if k != "entities"}
    draft = WholeDraft(header, list(ours.get("entities") or []))
    draft.header = {k: v for k, v in merged.items() if k != "entities"}
    before = keyed(ours.get("entities"), by_field("id"))
    after = keyed(merged.get("entities"), by_field("id"))
    for key, entity in after.items():
        if before.get(key) != entity:
            draft.put(entity)
    for key in before.keys() - after.keys():
        draft.remove(key)
    return draft
