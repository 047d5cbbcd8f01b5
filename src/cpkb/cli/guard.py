"""What every write must pass: the checks of `cpkb validate`, over the whole result.

kb.write cannot import the checks (they sit above it), so commands hand it `validate_write`.
It runs validate's own check of the bytes the write would leave (its memo, so only the items
it does not know are read again; the texts the sources hold, so every quote is checked) and
keeps the errors: warnings never refuse a write, as `validate` exits 0 on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cpkb.kb import collector

if TYPE_CHECKING:
    from cpkb.kb.write import Proposal

View = dict[str, Any]


def validate_write(proposal: Proposal, texts: Mapping[str, Path] | None = None) -> list[View]:
    """The errors of the file a write would leave, located (as `validate --json` shows them);
    `texts`: held texts not yet in place (a dry run's), by the `text_file` that will name them."""
    from cpkb.cli.validate import check_raw

    with collector.paused():
        checked = check_raw(proposal.path, proposal.after, texts)
    return [p.view() for p in checked.problems if p.is_error]
