"""What every write command shares: its options, running the write, and saying what it did.

A write prints what scripts need (a new id) on stdout and one line about what it did on
stderr; `--dry-run` prints the change instead and writes nothing; `--json` prints
`{"written", ..., "changes"}` (the change as `cpkb diff --json` shows it).
"""

from __future__ import annotations

import errno
import functools
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, Optional, TypeVar

import typer

from cpkb.cli.context import JsonOpt, print_json, settings
from cpkb.cli.guard import validate_write
from cpkb.cli.options import option, packing
from cpkb.present import human
from cpkb.query.text import visible

if TYPE_CHECKING:
    from cpkb.kb.draft import Draft
    from cpkb.kb.write import Outcome

T = TypeVar("T")
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the change, and write nothing.")]


class Writing(NamedTuple):
    """The options every write takes: --dry-run and --json."""

    dry_run: bool = False
    as_json: bool = False


write_options = packing(
    "writing", [option("dry_run", DryRunOpt), option("as_json", JsonOpt)], Writing
)


def note(message: str) -> None:
    """A message for people, on stderr."""
    print(visible(message), file=sys.stderr)


def run(
    ctx: typer.Context,
    change: Callable[[Draft], T],
    writing: Writing,
    *,
    whole: bool = False,
    version_1: bool = False,
    quiet: bool = False,
    path: Path | None = None,
    texts: Mapping[str, Path] | None = None,
) -> Outcome[T]:
    """Make `change` to the data file (kb.write.transact); a refused write lists its problems
    (on stderr, or in the JSON) before the error line, unless `quiet`. `texts`: held texts a
    dry run has not put in place, by the `text_file` that names them."""
    from cpkb.kb.write import Invalid, transact

    path = path or settings(ctx).data_path()
    try:
        return transact(
            path, change, validate=functools.partial(validate_write, texts=texts),
            dry_run=writing.dry_run, whole=whole,
            version_1=version_1,
        )  # fmt: skip
    except Invalid as refused:
        if quiet:
            raise
        problems = [dict(p) for p in refused.problems]
        if writing.as_json:
            print_json({"written": False, "problems": problems})
        else:
            human.show_refused(problems, file=str(path))
        raise


def report(
    outcome: Outcome[Any],
    writing: Writing,
    *,
    said: str,
    printed: str | None = None,
    extra: dict[str, Any] | None = None,
    unchanged: str = "nothing to change: the file already says so",
) -> None:
    """Tell what a write did: `printed` (a new id) on stdout, `said` on stderr; with --dry-run
    the change instead; with --json all of it as one object. A write whose output cannot be
    printed (a full disk) is done all the same, and the error says so, lest a script that
    retries write it twice."""
    from cpkb import streams
    from cpkb.errors import OutputError

    try:
        _report(outcome, writing.as_json, said, printed, extra, unchanged)
        sys.stdout.flush()
    except OSError as exc:
        if not outcome.written or not streams.is_output_error(exc):
            raise
        streams.silence_stdout()
        if exc.errno != errno.EPIPE:
            problem = exc.strerror or str(exc)
            raise OutputError(f"{said}, but its output could not be printed: {problem}") from None


def _report(
    outcome: Outcome[Any],
    as_json: bool,
    said: str,
    printed: str | None,
    extra: dict[str, Any] | None,
    unchanged: str,
) -> None:
    from cpkb.kb.diff import counts, of_draft

    if as_json:
        changes = of_draft(outcome.draft)
        print_json({**(extra or {}), "written": outcome.written, "changes": changes})
        return
    dry = not outcome.written and outcome.changed
    if dry:
        changes = of_draft(outcome.draft)
        human.show_changes(changes, counts(changes))
    elif printed is not None:
        print(visible(printed))
    if not outcome.changed:
        note(unchanged)
    else:
        note(f"{said} (dry run: nothing written)" if dry else said)


CITE_PANEL = "Citation: the source and what it says"
SourceOpt = Annotated[
    str,
    typer.Option("--source", metavar="SRC", help="The source's id.", rich_help_panel=CITE_PANEL),
]
QuoteOpt = Annotated[
    Optional[str],  # noqa: UP045 - typer needs Optional on Python 3.10
    typer.Option(
        "--quote", metavar="Q", help="Its words, verbatim.", rich_help_panel=CITE_PANEL,
        show_default=False,
    ),
]  # fmt: skip
ParaphraseOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--paraphrase", metavar="P", rich_help_panel=CITE_PANEL, show_default=False,
        help="What it says, in our words (a source we cannot quote, or in another language).",
    ),
]  # fmt: skip
LocatorOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--locator", metavar="L", help="Where in the source: page, article, paragraph.",
        rich_help_panel=CITE_PANEL, show_default=False,
    ),
]  # fmt: skip


def citation(draft: Draft, cited: Cited) -> dict[str, Any]:
    """A citation of a source the draft has: its quote or paraphrase, and where."""
    from cpkb.errors import NoResults

    source = cited.source
    if not any(s.get("id") == source for s in draft.sources if isinstance(s, dict)):
        raise NoResults(f"no source {source!r} in the data file", hint="add it: cpkb source add")
    return {k: v for k, v in cited._asdict().items() if v is not None}


def resolve_in(ctx: typer.Context, draft: Draft, ref: str) -> str:
    """The id of the entity `ref` names: an id the draft has, else as `show` resolves it but
    by a whole id, name or alias only: a write never acts on a guess from a prefix or a typo."""
    from cpkb.errors import NotFound
    from cpkb.query.text import names_exactly

    if draft.entity(ref) is not None:
        return ref
    entity = settings(ctx).resolve(ref)
    if not names_exactly(ref, (entity.id, entity.name, *entity.aliases, *entity.former_ids)):
        meant = f"{entity.id} ({entity.type}: {entity.name})"
        raise NotFound(ref, hint=f"did you mean {meant}? a write takes a whole id, name or alias")
    return entity.id


class Cited(NamedTuple):
    """Where a written fact comes from: its source, and the source's words or ours."""

    source: str
    quote: str | None = None
    paraphrase: str | None = None
    locator: str | None = None


def checked_cited(**given: Any) -> Cited:
    """The citation options; not exactly one of --quote and --paraphrase is a usage error
    before any work."""
    from cpkb.errors import UsageProblem

    cited = Cited(**given)
    if (cited.quote is None) == (cited.paraphrase is None):
        raise UsageProblem("give exactly one of --quote and --paraphrase")
    return cited


cited_options = packing(
    "cited",
    [option("source", SourceOpt, required=True), option("quote", QuoteOpt),
     option("paraphrase", ParaphraseOpt), option("locator", LocatorOpt)],
    checked_cited,
)  # fmt: skip
