"""Every write to a data file, whatever the command: the one way a data file changes.

`transact` takes the lock beside the file, reads the file under it, lets a command change a
draft of it (kb.draft), validates the whole result with the function the caller passes (kb
cannot import the checks), and only then replaces the file atomically: a temporary file beside
it, fsync, `os.replace`, fsync of the folder. A refused write changes no byte. A file laid out
canonically is changed in place of the entities changed (a SplicedDraft); any other file is
read whole through TinyDB's storage, whose `write` commits it laid out canonically.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from cpkb.errors import DataError
from cpkb.kb import atomic, canonical
from cpkb.kb.draft import Draft, WholeDraft
from cpkb.kb.files import unreadable
from cpkb.kb.paths import STDIN, default_data_path
from cpkb.kb.spans import NotCanonical
from cpkb.kb.spliced import SplicedDraft

T = TypeVar("T")
LOCK_WAIT_ENV = "CPKB_LOCK_TIMEOUT"
WHOLE_ENV = "CPKB_WRITE_WHOLE"  # "1": the reference path, every write reads the whole file
LOCK_WAIT = 60.0  # seconds a write waits for another write to finish
INIT_HINT = "make a knowledge base of your own with 'cpkb init PATH' and use --data PATH"


class Invalid(DataError):
    """A write whose result would not be valid: nothing was written."""

    def __init__(self, path: object, problems: Sequence[Mapping[str, Any]]) -> None:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(path, f"the change was refused ({count}); the file is unchanged", hint="")
        self.problems = problems


class Proposal(NamedTuple):
    """What a validator is asked about: the file (as named), its bytes before and after, and
    the draft that made them."""

    path: Path
    before: bytes
    after: bytes
    draft: Draft


# The problems of the result (as `validate --json` shows them; none: it may be written).
Validator = Callable[[Proposal], Sequence[Mapping[str, Any]]]


class Outcome(Generic[T]):
    """What a write did: the command's result, its draft, the bytes before and after."""

    def __init__(self, result: T, draft: Draft, before: bytes, after: bytes, *, written: bool):
        self.result, self.draft, self.before, self.after = result, draft, before, after
        self.written = written

    @property
    def changed(self) -> bool:
        return self.before != self.after


class Identity(NamedTuple):
    """What changes whenever a file is replaced or written (ctime moves even if mtime is kept)."""

    device: int
    inode: int
    size: int
    mtime: int
    ctime: int
    mode: int
    owner: tuple[int, int]

    @classmethod
    def of(cls, st: os.stat_result) -> Identity:
        return cls(
            st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_mode,
            (st.st_uid, st.st_gid),
        )  # fmt: skip


def transact(
    path: Path,
    change: Callable[[Draft], T],
    *,
    validate: Validator,
    dry_run: bool = False,
    whole: bool = False,
    version_1: bool = False,
) -> Outcome[T]:
    """Apply `change` to the data file at `path` under its lock; write the result if `validate`
    finds no problem (and not `dry_run`). `whole`: read the file whole, and lay all of it out
    canonically; `version_1`: a version-1 file may be written (as version 1)."""
    target = writable(path)
    whole = whole or os.environ.get(WHOLE_ENV) == "1"
    atomic.remove_stale(str(target.parent), of=target.name)
    with locked(target):
        raw, identity = _read(target)
        whole = whole or not canonical.known(target, identity)
        draft, result = _apply(target, raw, change, whole=whole, version_1=version_1)
        finish = Commit(Proposal(path, raw, raw, draft), identity, validate, dry_run=dry_run)
        if isinstance(draft, WholeDraft):  # TinyDB's storage writes it, through `finish`
            from cpkb.kb.store import tables_of

            draft.storage.commit = finish
            draft.storage.write(tables_of(draft.document()))
        else:
            finish(draft.render())
        return Outcome(result, draft, raw, finish.after, written=finish.written)


class Commit:
    """The end of every write: validate the new bytes, then replace the file with them (unless
    they are the old ones, or it is a dry run)."""

    def __init__(
        self, proposal: Proposal, identity: Identity, validate: Validator, *, dry_run: bool
    ) -> None:
        self.proposal, self.identity, self.validate = proposal, identity, validate
        self.dry_run, self.after, self.written = dry_run, proposal.before, False

    def __call__(self, after: bytes) -> None:
        self.after = after
        target = Path(os.path.realpath(self.proposal.path))
        if after == self.proposal.before:
            if not self.dry_run:
                canonical.stamp(target, self.identity)  # laid out whole, or known already
            return
        proposal = self.proposal._replace(after=after)
        problems = self.validate(proposal)
        if problems:
            raise Invalid(proposal.path, problems)
        if not self.dry_run:
            commit(target, after, self.identity)
            self.written = True
            with contextlib.suppress(OSError):
                canonical.stamp(target, Identity.of(os.stat(target)))


def _apply(
    target: Path, raw: bytes, change: Callable[[Draft], T], *, whole: bool, version_1: bool
) -> tuple[Draft, T]:
    """The draft `change` made, the spliced kind when the file's layout allows."""
    if not whole:
        with contextlib.suppress(NotCanonical):
            draft: Draft = SplicedDraft(raw)
            check_version(target, draft.header, version_1=version_1)
            return draft, change(draft)
    draft = whole_draft(target, raw)
    check_version(target, draft.header, version_1=version_1)
    return draft, change(draft)


def peek(path: Path, look: Callable[[Draft], T]) -> T:
    """What `look` finds in a draft of the file as it is now: no lock, nothing written."""
    raw, _ = _read(Path(path))
    with contextlib.suppress(NotCanonical):
        return look(SplicedDraft(raw))
    return look(whole_draft(Path(path)))


def whole_draft(target: Path, raw: bytes | None = None) -> WholeDraft:
    """A draft of the whole file, read through TinyDB's storage (store.KBFileStorage), which
    also writes it."""
    from cpkb.kb.store import KBFileStorage, document_of

    storage = KBFileStorage(target, raw=raw)
    document = document_of(storage.read() or {})
    entities = document.pop("entities", [])
    return WholeDraft(document, entities, storage)


def check_version(path: Path, header: dict[str, Any], *, version_1: bool) -> None:
    version = header.get("schema_version")
    if version == 1 and not version_1:
        problem = "is a version-1 file, and writes write version 2"
        raise DataError(path, problem, hint=f"run 'cpkb migrate {path}' first")
    if version not in (1, 2) or isinstance(version, bool):
        raise DataError(path, f"has schema version {version!r}, which cpkb does not write")


def writable(path: Path) -> Path:
    """The file a write replaces (a symbolic link's target); refuses what cpkb never writes."""
    if str(path) == STDIN:
        raise DataError(path, "a write needs a file, not standard input", hint="")
    if os.path.realpath(path) == os.path.realpath(default_data_path()):
        problem = "is the knowledge base bundled with cpkb, which is never written"
        raise DataError(path, problem, hint=INIT_HINT)
    target = Path(os.path.realpath(path))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        raise unreadable(path, "no such file (make one with 'cpkb init PATH')") from None
    except OSError as exc:
        raise unreadable(path, f"cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        raise DataError(path, "is not a regular file, and cannot be written in place", hint="")
    if not st.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise DataError(path, "is read-only", hint="make it writable (chmod u+w) to change it")
    return target


def lock_wait() -> float:
    try:
        return max(0.0, float(os.environ.get(LOCK_WAIT_ENV, LOCK_WAIT)))
    except ValueError:
        return LOCK_WAIT


@contextlib.contextmanager
def locked(target: Path) -> Iterator[None]:
    """Hold the lock file beside `target` (an OS lock: it dies with its holder)."""
    import filelock

    name, wait = f"{target}.lock", lock_wait()
    folder = target.parent
    if not os.stat(folder).st_mode & 0o222 or not os.access(folder, os.W_OK | os.X_OK):
        raise DataError(target, f"cannot be written: its folder {folder} is read-only", hint="")
    lock = filelock.FileLock(name, timeout=wait)
    try:
        lock.acquire()
    except filelock.Timeout:
        problem = f"another write has held its lock ({name}) for {wait:g} s"
        hint = f"try again, or wait longer ({LOCK_WAIT_ENV})"
        raise DataError(target, problem, hint=hint) from None
    except OSError as exc:
        problem = f"cannot take its lock {name} ({exc.strerror or exc})"
        raise DataError(target, problem, hint="") from None
    try:
        yield
    finally:
        lock.release()


def _read(target: Path) -> tuple[bytes, Identity]:
    """The file's bytes and the identity of the very file they were read from."""
    try:
        with open(target, "rb") as handle:
            identity = Identity.of(os.fstat(handle.fileno()))
            return handle.read(), identity
    except OSError as exc:
        raise unreadable(target, f"cannot be read ({exc.strerror or exc})") from None


def commit(target: Path, data: bytes, identity: Identity) -> None:
    """Replace `target` by `data` atomically and durably, unless another program replaced or
    wrote it since it was read; keeps its permissions (and owner, where allowed)."""

    def unchanged() -> None:
        try:
            now = Identity.of(os.stat(target))
        except OSError:
            now = None
        if now != identity:
            problem = "was changed by another program while cpkb was writing it; nothing written"
            raise DataError(target, problem, hint="run the command again")

    try:
        with atomic.replacing(target, last_check=unchanged) as temporary:
            with open(temporary, "xb") as handle:
                handle.write(data)
            with contextlib.suppress(OSError):
                os.chown(temporary, *identity.owner)
    except OSError as exc:
        problem = f"could not be written ({exc.strerror or exc}); it is unchanged"
        raise DataError(target, problem, hint="") from None
