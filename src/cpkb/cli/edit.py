"""`cpkb edit REF`: an entity as JSON in your editor, as `git commit` and `kubectl edit` do.

On save the entity replaces the one in the file, through the same validated write as every
command. If the result has problems, the editor opens again with them on top (as `#` lines),
at most ROUNDS times, and only when stdin is a terminal (else the problems are reported once);
an unchanged or emptied buffer changes nothing. The lock is not held while you edit: if the
entity changed meanwhile, the edit is refused and your buffer kept.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cpkb.cli.context import CpkbCommand, RefArg, app, settings
from cpkb.cli.writing import Writing, note, report, resolve_in, run, write_options
from cpkb.errors import Refused, UsageProblem

if TYPE_CHECKING:
    from cpkb.kb.draft import Doc, Draft
    from cpkb.kb.write import Outcome

HEADER = (
    "# cpkb edit: {id} in {file}\n"
    "# Lines starting with '#' are ignored. Save to apply; empty the buffer to cancel.\n"
)
REFUSED = "# The change was refused. Fix these and save, or empty the buffer to cancel:\n"
ROUNDS = 5  # saves with problems before giving up


@app.command("edit", cls=CpkbCommand)
@write_options
def edit_cmd(ctx: typer.Context, writing: Writing, ref: RefArg) -> None:
    """Edit an entity as JSON in $VISUAL or $EDITOR; on save it is validated, and on a
    problem the editor opens again with the problems on top.

    Example: EDITOR=nano cpkb edit adal-azamat
    """
    from cpkb.kb.layout import dumps, ordered_entity
    from cpkb.kb.write import Invalid, peek, writable

    path = settings(ctx).data_path()
    writable(path)
    command = editor()
    entity_id, original = peek(path, lambda draft: _entity(ctx, draft, ref))
    shown = dumps(ordered_entity(original)).decode("utf-8") + "\n"
    session = Session(HEADER.format(id=entity_id, file=path), shown, command)
    while True:
        entity = session.next()
        if entity is None:
            return
        final = session.final()
        try:
            outcome = _apply(ctx, entity_id, original, entity, writing,
                             quiet=not final)  # fmt: skip
        except Invalid as invalid:
            if final:
                note(f"your edit is kept in {session.buffer}")
                raise
            session.failed(_problem_lines(invalid.problems))
            continue
        session.done()
        report(outcome, writing, said=f"edited {entity_id}", extra={"id": entity_id})
        return


def _entity(ctx: typer.Context, draft: Draft, ref: str) -> tuple[str, Doc]:
    entity_id = resolve_in(ctx, draft, ref)
    found = draft.entity(entity_id)
    if found is None:
        raise UsageProblem(f"no entity {ref!r}")
    return entity_id, found


class Session:
    """The buffer being edited: its header, the problems of the last try, the JSON text; the
    editor's command line, and how many saves had problems."""

    def __init__(self, header: str, text: str, command: list[str]) -> None:
        import tempfile

        self.header, self.text, self.problems = header, text, ""
        self.command, self.rounds = command, 0
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
                if self.final():
                    raise self._given_up(usage.message) from None
                self.failed(f"{REFUSED}#   {usage.message}\n")

    def final(self) -> bool:
        """Whether a problem with this save ends the edit: no terminal to reopen the editor
        on, or the last round."""
        return not sys.stdin.isatty() or self.rounds + 1 >= ROUNDS

    def failed(self, problems: str) -> None:
        self.problems, self.rounds = problems, self.rounds + 1

    def _given_up(self, message: str) -> Refused:
        tries = f" after {ROUNDS} tries" if sys.stdin.isatty() else ""
        return Refused(f"{message}{tries}; nothing written",
                       hint=f"your edit is kept in {self.buffer}")  # fmt: skip

    def _edit(self) -> str:
        """Open the buffer (problems on top) in the editor; what it holds after, `#` lines out."""
        import subprocess

        self.buffer.write_text(self.header + self.problems + self.text, encoding="utf-8")
        try:
            done = subprocess.run([*self.command, str(self.buffer)], check=False)
        except OSError as exc:
            if not self.problems:
                self.done()
            kept = f"your edit is kept in {self.buffer}" if self.problems else None
            named = f"${_editor_variable()}" if _editor_variable() else "the default"
            raise UsageProblem(f"the editor {self.command[0]!r} ({named}) cannot be run: "
                               f"{exc.strerror or exc}", hint=kept) from None  # fmt: skip
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
    """$VISUAL, else $EDITOR, else vi if there is a terminal for it: a command line (it may
    hold arguments)."""
    import shlex

    name = _editor_variable()
    if name is None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise UsageProblem("no editor: set $VISUAL or $EDITOR (vi needs a terminal)")
        return ["vi"]
    try:
        found = shlex.split(os.environ[name])
    except ValueError as exc:
        raise UsageProblem(f"${name} is not a command line: {exc}") from None
    if not found:
        raise UsageProblem(f"${name} is blank: set it to an editor's command line")
    return found


def _editor_variable() -> str | None:
    """The variable that names the editor: VISUAL, else EDITOR (set and not empty), or None."""
    return next((n for n in ("VISUAL", "EDITOR") if os.environ.get(n)), None)


def _parse(text: str) -> Doc:
    try:
        entity = json.loads(text)
    except ValueError as exc:
        raise UsageProblem(f"not JSON: {exc}") from None
    if not isinstance(entity, dict) or not isinstance(entity.get("id"), str):
        raise UsageProblem("an entity is a JSON object with a string 'id'")
    return entity


def _apply(
    ctx: typer.Context, entity_id: str, original: Doc, entity: Doc, writing: Writing,
    *, quiet: bool,
) -> Outcome[None]:  # fmt: skip
    def change(draft: Draft) -> None:
        if draft.entity(entity_id) != original:
            raise Refused(f"{entity_id} was changed by another write while you edited it")
        draft.put(entity, replacing=entity_id)

    return run(ctx, change, writing, quiet=quiet)


def _problem_lines(problems: Iterable[Mapping[str, Any]]) -> str:
    """Each problem as a `#` line, its path inside the entity (`$` is the entity)."""
    lines = [REFUSED]
    for p in problems:
        path = str(p.get("path") or "")
        inside = "$" + path.split("]", 1)[1] if path.startswith("$.entities[") else path
        lines.append(f"#   {p['code']} {inside}: {p['message']}\n")
    return "".join(lines)
