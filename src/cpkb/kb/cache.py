"""The user cache: where derived files live (the index, validate's memo, the database `export
sqlite` wrote last), the one key they are valid under, and keeping the folder bounded.

Every cache entry is derived from a data file and is never the truth: it is used only when it
was written under today's `code_key()` (cpkb's own source files, its bundled schema, Python,
and the libraries whose answers it keeps), and is otherwise made again.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
import time
import zlib
from typing import NamedTuple

from cpkb import __version__

CACHE_ENV = "CPKB_CACHE_DIR"
APP = "cpkb"
KINDS = ("index", "validate", "layout", "export")  # a folder each
MAX_AGE = 30 * 24 * 3600  # seconds: an entry unused this long is removed
MAX_BYTES = 4 << 30  # past this, the least recently used entries are removed
LIBRARIES = ("anyascii", "fastjsonschema", "orjson")  # their answers are kept in cache entries


def location() -> str:
    """$CPKB_CACHE_DIR, else cpkb's folder in the platform's user cache directory."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return override
    base = xdg_cache_home()
    if base is not None:
        return os.path.join(base, APP)
    import platformdirs

    return str(platformdirs.user_cache_dir(APP, appauthor=False))


def xdg_cache_home() -> str | None:
    """The XDG rule where platformdirs follows it (Linux, the BSDs; not Android): absolute
    $XDG_CACHE_HOME, else $HOME/.cache; None to let platformdirs decide. Spares its import."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    if hasattr(sys, "getandroidapilevel") or "ANDROID_ROOT" in os.environ:
        return None
    xdg, home = os.environ.get("XDG_CACHE_HOME", ""), os.environ.get("HOME", "")
    if xdg.startswith("/"):
        return xdg
    if home.startswith("/"):
        return home.rstrip("/") + "/.cache"
    return None


def entry(kind: str, data_path: object, suffix: str) -> str:
    """The cache entry of `kind` for a data file, named by a checksum of its path (a collision
    is harmless: entries record the path they were made from)."""
    name = str(data_path).encode("utf-8", "surrogatepass")
    checksum = f"{zlib.crc32(name):08x}{zlib.adler32(name):08x}"
    return os.path.join(location(), kind, f"{checksum}.{suffix}")


@functools.cache
def code_key() -> str:
    """What every cache entry must have been written under: cpkb's source files and bundled
    schemas (their bytes), cpkb's and Python's versions, and the libraries whose answers entries
    keep. A change to any of them, and every entry is made again."""
    from cpkb.kb.paths import bundled_location

    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    bundled = os.path.dirname(bundled_location("cpkb.schema.json"))
    schemas = [os.path.join(bundled, n) for n in os.listdir(bundled) if n.endswith(".schema.json")]
    files = sorted(_sources(package)) + sorted(schemas)
    crc, adler = 0, 1
    for name in files:
        with contextlib.suppress(OSError), open(name, "rb") as handle:
            data = handle.read()
            crc, adler = zlib.crc32(data, crc), zlib.adler32(data, adler)
    libraries = ";".join(module_identity(name) for name in LIBRARIES)
    return f"{__version__};{sys.version};{crc:08x}{adler:08x};{libraries}"


def _sources(folder: str) -> list[str]:
    found: list[str] = []
    with os.scandir(folder) as entries:
        for item in entries:
            if item.is_dir() and item.name != "__pycache__":
                found += _sources(item.path)
            elif item.name.endswith(".py"):
                found.append(item.path)
    return found


def module_identity(name: str) -> str:
    """Which copy of a module this process would import: its file, size and mtime (an upgrade
    replaces it), found without importing it."""
    module = sys.modules.get(name)
    origin = getattr(module, "__file__", None)
    if origin is None:
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name)
        origin = spec.origin if spec else None
    try:
        st = os.stat(origin) if origin else None
    except OSError:
        st = None
    return f"{name}={origin}:{st.st_size}:{st.st_mtime_ns}" if st else f"{name}=none"


def touch(path: str) -> None:
    """Note that an entry was used (eviction removes the least recently used)."""
    with contextlib.suppress(OSError):
        os.utime(path)


class Entry(NamedTuple):
    path: str
    size: int
    used: float  # seconds since the epoch


# What cpkb makes in a kind's folder: an entry (`entry`), SQLite's files beside an index, and
# the temporary file of each (kb.atomic). Anything else there is someone else's: left alone.
MADE = re.compile(
    r"[0-9a-f]{16}\.(?:sqlite|memo|canonical)(?:-journal|-wal|-shm)?(?:\.[0-9]+\.tmp)?"
)


def entries(*, others: list[str] | None = None) -> list[Entry]:
    """Every cache entry and leftover temporary file, least recently used first; the paths of
    any other files in the cache's folders are added to `others`."""
    found: list[Entry] = []
    for kind in KINDS:
        with contextlib.suppress(OSError), os.scandir(os.path.join(location(), kind)) as items:
            for item in items:
                if not MADE.fullmatch(item.name):
                    if others is not None:
                        others.append(item.path)
                    continue
                with contextlib.suppress(OSError):
                    st = item.stat()
                    found.append(Entry(item.path, st.st_size, st.st_mtime))
    return sorted(found, key=lambda e: e.used)


def tidy(*, keep: str | None = None) -> None:
    """Remove temporary files of processes that are gone, entries unused for MAX_AGE, and the
    least recently used entries past MAX_BYTES (never `keep`, the one just made)."""
    from cpkb.kb.atomic import remove_stale

    for kind in KINDS:
        remove_stale(os.path.join(location(), kind))
    now, total = time.time(), 0
    for found in reversed(entries()):  # most recently used first
        total += found.size
        if found.path != keep and (now - found.used > MAX_AGE or total > MAX_BYTES):
            with contextlib.suppress(OSError):
                os.unlink(found.path)


def clear() -> tuple[int, int, int]:
    """Remove every entry (only files cpkb made); (how many, bytes freed, other files left)."""
    count = freed = 0
    others: list[str] = []
    for found in entries(others=others):
        with contextlib.suppress(OSError):
            os.unlink(found.path)
            count, freed = count + 1, freed + found.size
    return count, freed, len(others)
