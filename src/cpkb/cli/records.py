"""`cpkb source add` and `cpkb property add`: the sources claims cite, and the vocabulary."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from cpkb.cli.context import CpkbCommand, _typer, settings
from cpkb.cli.writing import Writing, report, run, write_options
from cpkb.errors import Refused, UsageProblem
from cpkb.model.fields import ENTITY_TYPES, LEVELS, SOURCE_KINDS, TAKES

if TYPE_CHECKING:
    from cpkb.kb.draft import Draft

source_app = _typer(help="The sources that claims cite.")
property_app = _typer(help="The property vocabulary: what claims may say.")
Text = Optional[str]  # noqa: UP045 - typer needs Optional on Python 3.10
TEXTS = "texts"  # the folder beside the data file that holds sources' texts
TEXT_HELP = (
    f"Its text (UTF-8): a copy is kept in {TEXTS}/ beside the data file, and quotes that cite "
    "the source are checked against it."
)
TEXT_HELP = (
    f"Its text (UTF-8): a copy is kept in {TEXTS}/ beside the data file, and quotes that cite "
    "the source are checked against it."
)


def _opt(name: str, help_text: str, metavar: str = "TEXT") -> Any:
    return typer.Option(name, metavar=metavar, help=help_text, show_default=False)


@source_app.command("add", cls=CpkbCommand)
@write_options
def source_add_cmd(
    ctx: typer.Context,
    writing: Writing,
    source_id: Annotated[str, typer.Argument(metavar="ID", help="The source's id (a slug).")],
    title: Annotated[str, _opt("--title", "Its title.", "T")],
    publisher: Annotated[str, _opt("--publisher", "Who published it.", "P")],
    date: Annotated[Text, _opt("--date", "When (YYYY, YYYY-MM or YYYY-MM-DD).", "D")] = None,
    url: Annotated[Text, _opt("--url", "Where it is.", "U")] = None,
    kind: Annotated[Text, _opt("--kind", f"One of {', '.join(SOURCE_KINDS)}.", "K")] = None,
    lang: Annotated[Text, _opt("--lang", "Its language (BCP 47: en, ru, kk).", "L")] = None,
    level: Annotated[Text, _opt("--reliability", f"One of {', '.join(LEVELS)}.", "LEVEL")] = None,
    reliability_note: Annotated[
        str, _opt("--reliability-note", "What its reliability rests on, in a few words.")
    ] = "not described",
    retrieved: Annotated[Text, _opt("--retrieved", "When it was read.", "D")] = None,
    text: Annotated[Optional[Path], _opt("--text", TEXT_HELP, "FILE")] = None,  # noqa: UP045
) -> None:
    """Add a source that claims can cite, with its text if you hold it.

    Example: cpkb source add gov-2026-01-27 --title "Decree No. 12" --publisher "The Government" --date 2026-01-27 --kind legislation --lang ru --reliability high --text decree.txt
    """  # noqa: E501
    _choice("--kind", kind, SOURCE_KINDS)
    _choice("--reliability", level, LEVELS)
    record = {"id": source_id, "title": title, "publisher": publisher, "date": date, "url": url,
              "reliability": reliability_note, "reliability_level": level, "kind": kind,
              "lang": lang, "retrieved": retrieved}  # fmt: skip
    record = {k: v for k, v in record.items() if v is not None or k in ("date", "url")}
    _add_source(ctx, record, text, writing)


def _add_source(
    ctx: typer.Context, record: dict[str, Any], text: Path | None, writing: Writing
) -> None:  # fmt: skip
    """Add the source, with a copy of its text (removed again if the write is refused)."""
    source_id, made, pending = record["id"], None, {}
    if text is not None:
        record["text_file"] = f"{TEXTS}/{source_id}.txt"
        made = None if writing.dry_run else _keep_text(settings(ctx).data_path(), text, source_id)
        pending = {record["text_file"]: text} if writing.dry_run else {}

    def change(draft: Draft) -> str:
        from cpkb.kb.edit import add_record

        add_record(draft, "source", record)
        return str(source_id)

    try:
        outcome = run(ctx, change, writing, texts=pending)
    except BaseException:
        if made is not None:
            with contextlib.suppress(OSError):
                made.unlink()
        raise
    report(outcome, writing, said=f"added source {source_id}", extra={"id": source_id})


def _choice(option: str, value: str | None, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        raise UsageProblem(f"{option} must be one of {', '.join(choices)}, not {value!r}")


def _keep_text(data: Path, text: Path, source_id: str) -> Path | None:
    """Copy the source's text beside the data file; the copy, if this made it."""
    from cpkb.kb import atomic, files
    from cpkb.kb.paths import folder_of

    if "/" in source_id or source_id.startswith("."):
        raise UsageProblem(f"a source id to name a file by, not {source_id!r}")
    raw = files.read_input(text, hint="check --text")
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageProblem(f"--text {text}: is not UTF-8 text") from None
    copy = folder_of(data) / TEXTS / f"{source_id}.txt"
    if copy.exists():
        if copy.read_bytes() == raw:
            return None
        raise Refused(f"{copy} exists and holds another text; nothing written")
    try:
        atomic.write_bytes(copy, raw, make_folder=True)  # texts/, beside the data file
    except OSError as exc:
        why = "it is not a folder" if copy.parent.exists() and not copy.parent.is_dir() else None
        raise Refused(f"cannot keep the text in {copy.parent}: {why or exc.strerror or exc}; "
                      "nothing written") from None  # fmt: skip
    return copy


@property_app.command("add", cls=CpkbCommand)
@write_options
def property_add_cmd(
    ctx: typer.Context,
    writing: Writing,
    name: Annotated[str, typer.Argument(help="Its name (snake_case), as claims give it.")],
    label: Annotated[str, _opt("--label", "How it reads (member of).", "L")],
    takes: Annotated[str, _opt("--takes", f"What it takes: {', '.join(TAKES)}.", "KIND")],
    inverse: Annotated[Text, _opt("--inverse", "How a backlink reads (has member).", "I")] = None,
    description: Annotated[Text, _opt("--description", "What it means.")] = None,
    types: Annotated[
        Optional[list[str]],  # noqa: UP045
        _opt("--types", "With --takes entity: a type it points to (repeatable).", "TYPE"),
    ] = None,
    single: Annotated[
        bool, typer.Option("--single", help="One value at a time (a status, a figure).")
    ] = False,
    series: Annotated[
        bool, typer.Option("--series", help="Its dated values form a series (a yearly figure).")
    ] = False,
) -> None:
    """Add a property to the vocabulary, so that claims can say it.

    Example: cpkb property add holds_position --label "holds position" --inverse "held by" --takes entity --types position
    """  # noqa: E501
    _choice("--takes", takes, TAKES)
    for entity_type in types or []:
        _choice("--types", entity_type, ENTITY_TYPES)
    record = {"name": name, "label": label, "inverse": inverse, "description": description,
              "takes": takes, "types": types or None, "single": single or None,
              "series": series or None}  # fmt: skip
    record = {k: v for k, v in record.items() if v is not None}

    def change(draft: Draft) -> str:
        from cpkb.kb.edit import add_record

        add_record(draft, "property", record)
        return name

    outcome = run(ctx, change, writing)
    report(outcome, writing, said=f"added property {name}", extra={"name": name})
