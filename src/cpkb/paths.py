"""Where the data file is: --data, else $CPKB_DATA, else the knowledge base bundled with cpkb."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

DATA_ENV = "CPKB_DATA"
_PACKAGE_DATA = Path(__file__).resolve().parent / "data"
_CHECKOUT_DATA = Path(__file__).resolve().parents[2] / "data"


def _bundled(name: str) -> Path:
    packaged = _PACKAGE_DATA / name
    return packaged if packaged.is_file() else _CHECKOUT_DATA / name


def default_data_path() -> Path:
    """The bundled knowledge base (inside the installed package, or the checkout's data/)."""
    return _bundled("kb.json")


def schema_path() -> Path:
    """The bundled JSON Schema of the data format."""
    return _bundled("cpkb.schema.json")


def resolve_data_path(option: str | os.PathLike[str] | None) -> Path:
    """--data wins over CPKB_DATA, which wins over the bundled file."""
    chosen = option if option else os.environ.get(DATA_ENV)
    if not chosen:
        return default_data_path()
    path = Path(chosen)
    with contextlib.suppress(RuntimeError):  # '~nobody': keep the name, let reading fail on it
        path = path.expanduser()
    return path.absolute()
