"""`cpkb cache info|clear`: the derived files cpkb keeps (indexes, validate's memos, exported
databases)."""

from __future__ import annotations

import os
import time
from typing import Any

import typer

from cpkb.cli.context import CpkbCommand, JsonOpt, _typer, print_json
from cpkb.kb import cache

app = _typer(
    help="The cache of indexes, validate's memos and exported databases: where it is, and "
    "emptying it."
)


def _view() -> dict[str, Any]:
    entries = [
        {
            "kind": os.path.basename(os.path.dirname(e.path)),
            "path": e.path,
            "bytes": e.size,
            "used": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(e.used)),
        }
        for e in reversed(cache.entries())
    ]
    total = sum(e.size for e in cache.entries())
    return {"location": cache.location(), "bytes": total, "entries": entries}


def _size(count: int) -> str:
    return f"{count / (1 << 20):.1f} MiB" if count >= 1 << 20 else f"{count / 1024:.1f} KiB"


@app.command("info", cls=CpkbCommand)
def info_cmd(as_json: JsonOpt = False) -> None:
    """Where the cache is, and each entry in it, most recently used first.

    Entries unused for 30 days, and the least recently used past 4 GiB, are removed as new
    ones are made; every entry can be made again from its data file.

    Example: cpkb cache info --json | jq .bytes
    """
    view = _view()
    if as_json:
        print_json(view)
        return
    lines = [f"{view['location']}: {len(view['entries'])} entries, {_size(view['bytes'])}"]
    lines += [f"  {e['kind']:<8} {_size(e['bytes']):>10}  {e['used']}  {e['path']}"
              for e in view["entries"]]  # fmt: skip
    typer.echo("\n".join(lines))


@app.command("clear", cls=CpkbCommand)
def clear_cmd() -> None:
    """Remove every entry (cpkb makes each again when it is next needed); files cpkb did not
    make are left alone.

    Example: cpkb cache clear
    """
    count, freed, others = cache.clear()
    left = f"; left {others} other file{'s' if others != 1 else ''} alone" if others else ""
    typer.echo(f"removed {count} entries ({_size(freed)}) from {cache.location()}{left}", err=True)
