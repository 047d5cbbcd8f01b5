"""`cpkb man`: the manual page, made from the Typer app itself (every visible command, its
usage, help and options), so it cannot drift from `--help`. Roff, for man(1) to show."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import typer
from typer._click import Command, Context

from cpkb import __version__, streams
from cpkb.cli.context import CpkbCommand, app
from cpkb.errors import ExitCode

EXIT_CODES = {
    ExitCode.OK: "success (an empty listing too)",
    ExitCode.NOT_FOUND: "no such entity, an ambiguous reference, no search hit, no path",
    ExitCode.USAGE: "a bad command line",
    ExitCode.BAD_DATA: "the data file is missing, unreadable or invalid",
    ExitCode.INTERNAL: "a bug in cpkb",
    ExitCode.OUTPUT: "standard output could not be written",
    ExitCode.INTERRUPTED: "interrupted",
}
ENVIRONMENT = {
    "CPKB_DATA": "the data file, when --data is not given",
    "CPKB_INDEX": "auto (the default), always or never: whether big files are read via an index",
    "CPKB_CACHE_DIR": "where indexes and memos are kept",
    "CPKB_DEBUG": "1 shows tracebacks of internal errors",
    "NO_COLOR": "no colour in human output",
}


def roff(text: str) -> str:
    """`text` safe in a roff line: backslashes and hyphens escaped, no line starting a request."""
    lines = text.replace("\\", "\\e").replace("-", "\\-").splitlines()
    return "\n".join("\\&" + line if line.startswith((".", "'")) else line for line in lines)


def paragraphs(text: str) -> str:
    """Help text as roff paragraphs (a blank line starts a new one)."""
    shown = (" ".join(part.split()) for part in text.split("\n\n"))
    return "\n.PP\n".join(roff(part) for part in shown if part)


def commands(ctx: Context) -> Iterator[Context]:
    """A context for every visible command under `ctx`, depth first."""
    group = ctx.command
    for name in getattr(group, "list_commands", lambda _: [])(ctx):
        command: Command | None = group.get_command(ctx, name)  # type: ignore[attr-defined]
        if command is not None and not command.hidden:
            child = Context(command, info_name=name, parent=ctx)
            yield child
            yield from commands(child)


def options(ctx: Context) -> list[str]:
    """Each option or argument of a command, with its help."""
    lines = []
    for param in ctx.command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is not None:
            lines += [".TP", f"\\fB{roff(record[0])}\\fR", roff(" ".join(record[1].split()))]
    return lines


def section(ctx: Context) -> list[str]:
    """One command: its usage, its help, and its options."""
    usage = " ".join(ctx.command.collect_usage_pieces(ctx))
    lines = [f".SS {roff(ctx.command_path)}", f"\\fB{roff(ctx.command_path)}\\fR {roff(usage)}"]
    return [*lines, ".PP", paragraphs(ctx.command.help or ""), *options(ctx)]


def page(root: Context) -> str:
    """The whole manual page."""
    today = datetime.date.today().isoformat()
    lines = [
        f'.TH CPKB 1 "{today}" "cpkb {__version__}" "User Commands"',
        ".SH NAME",
        "cpkb \\- " + roff(root.command.short_help or "the child-protection knowledge base"),
        ".SH SYNOPSIS",
        "\\fBcpkb\\fR [\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...",
        ".SH DESCRIPTION",
        paragraphs(root.command.help or ""),
        ".SH OPTIONS",
        *options(root),
        ".SH COMMANDS",
    ]
    for ctx in commands(root):
        lines += section(ctx)
    lines.append(".SH EXIT STATUS")
    for code, meaning in EXIT_CODES.items():
        lines += [".TP", f"\\fB{int(code)}\\fR", roff(meaning)]
    lines.append(".SH ENVIRONMENT")
    for name, meaning in ENVIRONMENT.items():
        lines += [".TP", f"\\fB{roff(name)}\\fR", roff(meaning)]
    return "\n".join(lines) + "\n"


@app.command("man", cls=CpkbCommand)
def man_cmd(ctx: typer.Context) -> None:
    """The manual page (roff) of cpkb and every command, made from their --help.

    Example: cpkb man > ~/.local/share/man/man1/cpkb.1 && man cpkb
    """
    streams.write_utf8(page(ctx.find_root()))
