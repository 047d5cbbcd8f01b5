"""The command groups: how a command line is resolved, and its errors in cpkb's own style.

Typer prints a bad command line as a five-line box; gh, rg and git print one line. Every usage
error Typer's parser raises reaches `say` (from CpkbGroup.main), one line on stderr with exit 2,
and an unknown command gets a did-you-mean from `unknown_command`.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, NoSuchOption, UsageError
from typer.core import TyperGroup

from cpkb import streams
from cpkb.errors import ExitCode
from cpkb.model.fields import ENTITY_TYPES
from cpkb.query.text import visible

if TYPE_CHECKING:
    from typer._click import Command, Context


class CpkbGroup(TyperGroup):
    """A group whose usage errors are one line (`say`), whose unknown commands get a
    did-you-mean, and whose help, printed into a pipe that closed (`cpkb --help | head -1`),
    ends quietly with status 0, as a command's output does."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        argv = streams.hoisted(list(sys.argv[1:] if args is None else args))
        try:
            code = super().main(argv, prog_name, complete_var, False, windows_expand_args, **extra)
        except ClickException as exc:
            say(exc)
            code = exc.exit_code
        except typer.Abort:
            print("cpkb: error: aborted", file=sys.stderr)
            code = ExitCode.NOT_FOUND
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else ExitCode.OK)

    def _main_shell_completion(
        self, ctx_args: MutableMapping[str, Any], prog_name: str, complete_var: str | None = None
    ) -> None:
        from cpkb.cli import scripts

        scripts.register()
        super()._main_shell_completion(ctx_args, prog_name, complete_var)

    def resolve_command(
        self, ctx: Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        name = args[0]
        command = self.get_command(ctx, name)
        if command is None and not name.startswith("-") and not ctx.resilient_parsing:
            shown = [n for n, c in self.commands.items() if not c.hidden]
            raise unknown_command(ctx, name, shown)
        if command is not None and not ctx.resilient_parsing:
            error = shadowed_alias(ctx, name, command, args[1:], self.commands)
            if error is not None:
                raise error
        return super().resolve_command(ctx, args)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except OSError as exc:
            if not streams.is_output_error(exc):
                raise
            raise typer.Exit(streams.output_failed(exc)) from None

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as exc:
            if not streams.is_output_error(exc):
                raise
            raise typer.Exit(streams.output_failed(exc)) from None


def say(exc: ClickException) -> None:
    """Print a usage error Typer raised as cpkb's one line (help asked for by giving no
    arguments was already printed: nothing more is said)."""
    if isinstance(exc, NoArgsIsHelpError):
        return
    ctx: Context | None = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "cpkb"
    line = f"cpkb: error: {message(exc)} ({where} --help)"
    print(visible(line), file=sys.stderr)


def message(exc: ClickException) -> str:
    """What went wrong, as a clause; an unknown option with the close ones."""
    if isinstance(exc, NoSuchOption) and exc.option_name[1:2].isdigit():
        example = "cpkb claim add REF PROPERTY -- -30"
        return f"no such option: {exc.option_name} — a negative value goes after '--': {example}"
    if isinstance(exc, NoSuchOption) and exc.possibilities:
        offer = " or ".join(sorted(exc.possibilities))
        return f"no such option: {exc.option_name} — did you mean {offer}?"
    return lowered(exc.format_message())


def lowered(message: str) -> str:
    """Click's sentence as one clause of ours: 'No such option: --x.' -> 'no such option: --x'."""
    text = " ".join(message.split()).rstrip(".")
    if text[:2].istitle() and not text[:2].isupper():
        text = text[0].lower() + text[1:]
    return text


def close(name: str, names: Iterable[str]) -> list[str]:
    """The names `name` is most likely a typo of, best first."""
    return difflib.get_close_matches(name, list(names), n=3, cutoff=0.6)


def unknown_command(ctx: Context, name: str, visible_names: list[str]) -> UsageError:
    """'no command NAME', with the closest commands, or some to try."""
    where = "" if ctx.parent is None else f" in '{ctx.command_path}'"
    found = close(name, visible_names)
    if found:
        offer = "did you mean " + " or ".join(repr(n) for n in found) + "?"
    else:
        tried = [n for n in ENTITY_TYPES if n in visible_names][:2] or visible_names[:2]
        offer = "try " + ", ".join(repr(n) for n in tried) + ", …"
    return UsageError(f"no command {name!r}{where} — {offer}", ctx)


def shadowed_alias(
    ctx: Context, name: str, command: Command, args: list[str], commands: Mapping[str, Command]
) -> UsageError | None:
    """An error when `name` is a hidden alias one letter from a visible command of its own
    ('stat' for 'statistic' beside 'stats') and nothing after it says which was meant."""
    chosen = getattr(command, "commands", {})
    if not command.hidden or (args and args[0] in chosen):
        return None
    shown = [n for n, c in commands.items() if not c.hidden and not same(c, command)]
    found = close(name, shown)
    if not found or difflib.SequenceMatcher(None, name, found[0]).ratio() < 0.85:
        return None
    offer = f"did you mean {found[0]!r} or '{name} list'?"
    return UsageError(f"{name!r} alone is no command — {offer}", ctx)


def same(one: Command, other: Command) -> bool:
    """Whether two commands are one, registered under two names (a type and its alias): Typer
    builds each registration anew, so they are told by their help and their subcommands."""

    def shape(command: Command) -> tuple[str | None, list[str]]:
        return command.help, sorted(getattr(command, "commands", {}))

    return one is other or (bool(shape(one)[1]) and shape(one) == shape(other))
