"""Python's cyclic garbage collector, kept out of the way while a data file is read.

Reading a large file makes millions of small objects that live until the command ends and form
no cycles. The collector would walk them again and again as they are made, and again in later
collections (bench/run.py measures what that costs on a large file).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_one_shot = False


def one_shot() -> None:
    """Declare that this process runs one command and exits (the console script does): what a
    pause leaves behind is then frozen, so that no later collection walks it. Not for a process
    that lives on (tests, a library user): freezing also keeps, for good, any garbage cycles
    that exist at that moment."""
    global _one_shot
    _one_shot = True


@contextmanager
def paused() -> Iterator[None]:
    """No collection inside (nested: the outermost one resumes collection on the way out)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if _one_shot:
                gc.freeze()
            gc.enable()
