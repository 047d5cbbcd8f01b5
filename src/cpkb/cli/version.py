"""`cpkb version`: the version, and with --verbose or --json what a bug report needs (Python,
the platform, the data file in use and its schema version, the index cache in use)."""

from __future__ import annotations

import platform
import sys
from typing import Annotated

import typer

from cpkb import __version__
from cpkb.cli.context import CpkbCommand, JsonOpt, app, print_json, settings
from cpkb.errors import CpkbError
from cpkb.kb.paths import STDIN, default_data_path
from cpkb.present.views import View

VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Add Python, the platform, data file and index.")
]


def version_view(ctx: typer.Context) -> View:
    """What `version --json` prints (the same facts --verbose shows)."""
    config = settings(ctx)
    path = config.data_path()
    data: View = {"path": str(path), "bundled": path == default_data_path()}
    try:
        data["schema_version"] = config.kb().schema_version
    except CpkbError as exc:  # a bug report needs the rest all the more
        data.update(schema_version=None, problem=exc.message)
    return {
        "cpkb_version": __version__,
        "python": {
            "version": platform.python_version(),
            "implementation": sys.implementation.name,
            "executable": sys.executable,
        },
        "platform": platform.platform(),
        "data_file": data,
        "index": None if str(path) == STDIN else _index(path),
    }


def _index(path: object) -> View:
    from cpkb.index.catalog import index_state

    return index_state(str(path))


def version_lines(view: View) -> list[str]:
    """--verbose: one fact a line, 'name  value'."""
    data, index, python = view["data_file"], view["index"], view["python"]
    where = "bundled" if data["bundled"] else "--data or CPKB_DATA"
    if data["path"] == STDIN:
        where = "standard input"
    read = data.get("problem") or f"schema version {data['schema_version']}"
    lines = [
        f"cpkb {view['cpkb_version']}",
        f"python    {python['version']} ({python['implementation']}, {python['executable']})",
        f"platform  {view['platform']}",
        f"data      {data['path']} ({where}, {read})",
    ]
    if index is None:
        return [*lines, "index     none (the data is read from standard input)"]
    state = "current" if index["current"] else "stale" if index["exists"] else "not built"
    use = "used" if index["used"] else "not used"
    return [*lines, f"index     {index['path']} ({state}; {use}, CPKB_INDEX={index['mode']})"]


@app.command("version", cls=CpkbCommand)
def version_cmd(ctx: typer.Context, verbose: VerboseOpt = False, as_json: JsonOpt = False) -> None:
    """The version of cpkb (as --version prints it); with --verbose, also Python, the platform,
    the data file in use with its schema version, and the index cache of that file.

    Example: cpkb version --verbose
    """
    if not verbose and not as_json:
        typer.echo(f"cpkb {__version__}")
        return
    view = version_view(ctx)
    if as_json:
        print_json(view)
    else:
        typer.echo("\n".join(version_lines(view)))
