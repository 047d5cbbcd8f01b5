"""The files a command writes its output to (`brief -o`, `export sqlite|csv`, `migrate -o`).

An output replaces its file atomically (kb.atomic), which is right for a file and wrong for
anything else: renamed over a device such as /dev/full, or over the data file being read, the
temporary file would replace it. So a target is checked first, once, here.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from cpkb.cli.context import settings
from cpkb.errors import UsageProblem


def output_file(ctx: typer.Context, given: Path, *, what: str = "the output") -> Path:
    """The real path to write `what` to: a regular file or none yet, in a folder that exists,
        neither the data file in use nor the bundled knowledge base (a usage error otherwise; with
    no folder to write in, it cannot be written: exit 5)."""
    from cpkb.kb.paths import default_data_path
    from cpkb.present.flatfiles import CannotWrite

    if not str(given) or given.name in ("", ".", ".."):
        raise UsageProblem(f"{what} needs a file name, not {str(given)!r}")
    if str(given) == "-":
        raise UsageProblem(f"{what} cannot go to standard output ('-')", hint="name a file")
    real = Path(os.path.realpath(given))
    if real.exists() and not real.is_file():
        raise UsageProblem(f"{given}: is not a regular file", hint=f"name a file for {what}")
    if not real.parent.is_dir():
        raise CannotWrite(f"cannot write {given}: no folder {real.parent}")
    protected = {"the data file in use": settings(ctx).data_path()}
    protected["the bundled knowledge base"] = default_data_path()
    for name, path in protected.items():
        if real.exists() and _same(real, path):
            raise UsageProblem(f"{given}: is {name}, which an output never replaces")
    return real


def output_folder(ctx: typer.Context, given: Path, names: tuple[str, ...]) -> Path:
    """The real folder to write the files `names` into (made if need be), each checked as
    output_file checks one."""
    from cpkb.present.flatfiles import CannotWrite

    real = Path(os.path.realpath(given))
    if real.exists() and not real.is_dir():
        raise CannotWrite(f"cannot write {given}: Not a directory")
    if real.exists():
        for name in names:
            output_file(ctx, real / name)
    return real


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
