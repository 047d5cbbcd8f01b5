"""`cpkb edit REF`: an entity as JSON in your editor, as `git commit` and `kubectl edit` do.

On save the entity replaces the one in the file, through the same validated write as every
command. If the result has problems, the editor opens again with them on top (as `#` lines);
an unchanged or emptied buffer changes nothing. The lock is not held while you edit: if the
entity changed meanwhile, the edit is refused and your buffer kept.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cpkb.cli.context import CpkbCommand, JsonOpt, RefArg, app, settings
from cpkb.cli.writing import DryRunOpt, note, report, resolve_in, run
from cpkb.errors import Refused, UsageProblem

if TYPE_CHECKING:
    from cpkb.kb.draft import Doc, Draft
    from cpkb.kb.write import Outcome

HEADER = (
    "# cpkb edit: {id} in {file}\n"
    "# Lines starting with '#' are ignored. Save to apply; empty the buffer to cancel.\n"
)
REFUSED = "# The change was refused. Fix these and save, or empty the buffer to cancel:\n"


@app.command("edit", cls=CpkbCommand)
def edit_cmd(
    ctx: typer.Context, ref: RefArg, dry_run: DryRunOpt = False, as_json: JsonOpt = False
) -> None:
    """Edit an entity as JSON in $VISUAL or $EDITOR; on save it is validated, and on a
    problem the editor opens again with the problems on top.

    Example: EDITOR=nano cpkb edit adal-azamat
    """
    from cpkb.kb.layout import dumps, ordered_entity
    from cpkb.kb.write import Invalid, peek, writable

    path = settings(ctx).data_path()
    writable(path)
    entity_id, original = peek(path, lambda draft: _entity(ctx, draft, ref))
    shown = dumps(ordered_entity(original)).decode("utf-8") + "\n"
    session = Session(HEADER.format(id=entity_id, file=path), shown)
    while True:
        entity = session.next()
        if entity is None:
            return
        try:
            outcome = _apply(ctx, entity_id, original, entity, dry_run=dry_run, as_json=as_json)
        except Invalid as invalid:
            session.problems = _problem_lines(invalid.problems)
            continue
        session.done()
        report(outcome, as_json=as_json, said=f"edited {entity_id}", extra={"id": entity_id})
        return


def _entity(ctx: typer.Context, draft: Draft, ref: str) -> tuple[str, Doc]:
    entity_id = resolve_in(ctx, draft, ref)
    found = draft.entity(entity_id)
    if found is None:
        raise UsageProblem(f"no entity {ref!r}")
    return entity_id, found


class Session:
    """The buffer being edited: its header, the problems of the last try, the JSON text."""

    def __init__(self, header: str, text: str) -> None:
        import tempfile

        self.header, self.text, self.problems = header, text, ""
        handle, name = tempfile.mkstemp(prefix="cpkb-edit-", suffix=".json")
        os.close(handle)
        self.buffer = Path(name)

    def next(self) -> Doc | None:
        """The entity the next save holds; None when it changes nothing (said on stderr)."""
        while True:
            edited = self._edit()
            if not edited.strip():
                self._stop("the buffer is empty: nothing changed")
                return None
            if edited == self.text:
                if not self.problems:
                    self._stop("unchanged: nothing changed")
                    return None
                hint = f"your edit is kept in {self.buffer}"
                raise Refused("the edit still has problems; nothing written", hint=hint)
            self.text = edited
            try:
                return _parse(edited)
            except UsageProblem as usage:
                self.problems = f"{REFUSED}#   {usage.message}\n"

    def _edit(self) -> str:
        """Open the buffer (problems on top) in the editor; what it holds after, `#` lines out."""
        import subprocess

        self.buffer.write_text(self.header + self.problems + self.text, encoding="utf-8")
        done = subprocess.run([*editor(), str(self.buffer)], check=False)
        if done.returncode != 0:
            hint = f"your edit is kept in {self.buffer}"
            raise Refused(f"the editor exited with status {done.returncode}; nothing written",
                          hint=hint)  # fmt: skip
        saved = self.buffer.read_text(encoding="utf-8")
        return "".join(ln for ln in saved.splitlines(keepends=True) if not ln.startswith("#"))

    def _stop(self, message: str) -> None:
        note(message)
        self.done()

    def done(self) -> None:
        self.buffer.unlink(missing_ok=True)


def editor() -> list[str]:
    """$VISUAL, else $EDITOR, else vi: a command line (it may hold arguments)."""
    import shlex

    return shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")


def _parse(text: str) -> Doc:
    try:
        entity = json.loads(text)
    except ValueError as exc:
        raise UsageProblem(f"not JSON: {exc}") from None
    if not isinstance(entity, dict) or not isinstance(entity.get("id"), str):
        raise UsageProblem("an entity is a JSON object with a string 'id'")
    return entity


def _apply(
    ctx: typer.Context, entity_id: str, original: Doc, entity: Doc, *, dry_run: bool,
    as_json: bool,
) -> Outcome[None]:  # fmt: skip
    def change(draft: Draft) -> None:
        if draft.entity(entity_id) != original:
            raise Refused(f"{entity_id} was changed by another write while you edited it")
        draft.put(entity, replacing=entity_id)

    return run(ctx, change, dry_run=dry_run, as_json=as_json, quiet=True)


def _problem_lines(problems: Iterable[Mapping[str, Any]]) -> str:
    """Each problem as a `#` line, its path inside the entity (`$` is the entity)."""
    lines = [REFUSED]
    for p in problems:
        path = str(p.get("path") or "")
        inside = "$" + path.split("]", 1)[1] if path.startswith("$.entities[") else path
        lines.append(f"#   {p['code']} {inside}: {p['message']}\n")
    return "".join(lines)
