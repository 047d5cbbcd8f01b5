"""Whether human output is coloured: `--color auto|always|never`. `auto` leaves it to Rich,
which reads NO_COLOR, FORCE_COLOR and whether standard output is a terminal. Colour never
decides the format (a table or plain lines): only whether standard output is a terminal does."""

from __future__ import annotations

from typing import Any

MODES = ("auto", "always", "never")
_chosen = {"mode": "auto"}


def choose(mode: str) -> None:
    """Colour human output as `mode` says, for the rest of this run."""
    _chosen["mode"] = mode


def console_options() -> dict[str, Any]:
    """The keyword arguments that give a Rich console the colour chosen."""
    mode = _chosen["mode"]
    if mode == "never":
        return {"color_system": None}
    if mode == "always":
        return {"force_terminal": True, "no_color": False}
    return {}
