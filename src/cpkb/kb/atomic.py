"""The one atomic write: a private temporary file beside the target, renamed over it.

Readers see the old file or the new one, never a mix. Temporary files are named
`<target>.<pid>.tmp`, so that one a killed process left behind can be told and removed
(`remove_stale`).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

STALE_AFTER = 24 * 3600  # seconds: a temporary file this old is stale even if its pid is alive
_TEMPORARY = re.compile(r"\.(\d+)\.tmp$")


def temporary_for(target: Path) -> Path:
    return target.with_name(f"{target.name}.{os.getpid()}.tmp")


@contextlib.contextmanager
def replacing(
    target: Path,
    *,
    durable: bool = True,
    last_check: Callable[[], None] | None = None,
    make_folder: bool = False,
) -> Iterator[Path]:
    """A temporary path to fill; when the block ends without error it replaces `target`, with
    the permissions of the file it replaces.

    `durable`: the file, then its folder, are synced, so the replacement survives a crash
    (caches, which can be made again, skip it). `last_check` runs just before the replacement
    and may raise to prevent it. `make_folder`: the target's folder is made if need be (a
    cache's; a file the user names goes only where a folder is). On error the temporary file
    is removed; one a killed process left for the same target is removed first.
    """
    if make_folder:
        target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(str(target.parent), of=target.name)  # a killed writer's, of this target
    temporary = temporary_for(target)
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = None
    try:
        yield temporary
        if mode is not None:
            os.chmod(temporary, mode)
        if durable:
            _sync(temporary)
        if last_check is not None:
            last_check()
        os.replace(temporary, target)
        if durable:
            _sync(target.parent)
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()


def write_bytes(
    target: Path, data: bytes, *, durable: bool = True, make_folder: bool = False
) -> None:
    """Replace `target` with `data`, atomically."""
    with replacing(target, durable=durable, make_folder=make_folder) as temporary:
        temporary.write_bytes(data)


def _sync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_stale(folder: str, *, of: str = "") -> int:
    """Remove the temporary files in `folder` of processes that are gone (or very old ones),
    only those of the file named `of` if given; how many were removed."""
    removed = 0
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            found = _TEMPORARY.search(entry.name)
            mine = not of or entry.name[: found.start() if found else 0] == of
            if found and mine and _stale(int(found.group(1)), entry):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed += 1
    return removed


def _stale(pid: int, entry: os.DirEntry[str]) -> bool:
    if pid == os.getpid():
        return False
    try:
        if time.time() - entry.stat().st_mtime > STALE_AFTER:
            return True
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive but not ours (EPERM), or the file went away
        return False
    return False
