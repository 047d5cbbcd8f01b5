"""Where things are: the data file (--data, else $CPKB_DATA, else the knowledge base bundled with
cpkb), the bundled schema, and the user cache directory that holds indexes and validate's memo.

pathlib is imported only when a Path is made: importing it slows start-up, and the fast lane
(cpkb.entry) answers from an index with plain strings when they are what pathlib would make.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

DATA_ENV = "CPKB_DATA"
STDIN = "-"  # as a data path: read the data from standard input


def _bundled(name: str) -> Path:
    from pathlib import Path

    return Path(bundled_location(name))


def bundled_location(name: str) -> str:
    """A bundled file, inside the installed package or the checkout's data/, as a string."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    packaged = os.path.join(package, "data", name)
    if os.path.isfile(packaged):
        return packaged
    return os.path.join(os.path.dirname(os.path.dirname(package)), "data", name)


def default_data_path() -> Path:
    """The bundled knowledge base (inside the installed package, or the checkout's data/)."""
    return _bundled("kb.json")


def schema_path(version: int = 2) -> Path:
    """The bundled JSON Schema of a version of the data format (the latest by default)."""
    return _bundled("cpkb.schema.json" if version == 2 else f"cpkb-{version}.schema.json")


def folder_of(data: str | os.PathLike[str]) -> Path:
    """The folder a data file's relative names (its held texts) are read from: the real file's,
    through symbolic links, as a write replaces the real file."""
    from pathlib import Path

    return Path(os.path.realpath(data)).parent


def resolve_data_path(option: str | os.PathLike[str] | None) -> Path:
    """--data wins over CPKB_DATA, which wins over the bundled file."""
    from pathlib import Path

    chosen = option if option else os.environ.get(DATA_ENV)
    if not chosen:
        return default_data_path()
    if str(chosen) == STDIN:
        return Path(STDIN)
    path = Path(chosen)
    with contextlib.suppress(RuntimeError):  # '~nobody': keep the name, let reading fail on it
        path = path.expanduser()
    return path.absolute()
