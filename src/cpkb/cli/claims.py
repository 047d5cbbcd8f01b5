"""`cpkb claim add|set|rank|rm`: claims added and corrected, each by its id."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, Optional

import typer

from cpkb.cli.completion import complete_ref
from cpkb.cli.context import CpkbCommand, RefArg, _typer
from cpkb.cli.writing import (
    Cited,
    Writing,
    citation,
    cited_options,
    report,
    resolve_in,
    run,
    write_options,
)
from cpkb.errors import NoResults, UsageProblem
from cpkb.model.fields import RANKS

if TYPE_CHECKING:
    from cpkb.kb.draft import Doc, Draft

app = _typer(help="Add and correct claims: each is known by its id (see 'cpkb show REF --all').")
TIME = "Time: when it was true, or what date it refers to"


def _opt(name: str, help_text: str, panel: str | None = None, metavar: str = "D") -> Any:
    refs = complete_ref if metavar == "REF" else None  # an entity: completed as show's REF
    return typer.Option(name, metavar=metavar, help=help_text, show_default=False,
                        rich_help_panel=panel, autocompletion=refs)  # fmt: skip


Text = Optional[str]  # noqa: UP045 - typer needs Optional on Python 3.10
DateOpt = Annotated[Text, _opt("--date", "The point in time it refers to.", TIME)]
StartOpt = Annotated[Text, _opt("--start", "From when it holds.", TIME)]
EndOpt = Annotated[Text, _opt("--end", "Until when it holds.", TIME)]
PeriodOpt = Annotated[Text, _opt("--period", "The span a figure covers (2023/2024).", TIME, "P")]
ClaimIdArg = Annotated[str, typer.Argument(metavar="CLAIM_ID", help="The claim's id.")]
RankArg = Annotated[str, typer.Argument(metavar="RANK", help=f"One of {', '.join(RANKS)}.")]
ReasonOpt = Annotated[
    Text, _opt("--reason", "Why: superseded, disputed, erroneous, proposed...", None, "W")
]


@app.command("add", cls=CpkbCommand)
@write_options
@cited_options
def add_cmd(
    ctx: typer.Context,
    writing: Writing,
    cited: Cited,
    ref: RefArg,
    prop: Annotated[str, typer.Argument(metavar="PROPERTY", help="What it says (snake_case).")],
    value: Annotated[Text, typer.Argument(help="Its value (or give --target).")] = None,
    target: Annotated[Text, _opt("--target", "The entity it points to.", None, "REF")] = None,
    unit: Annotated[Text, _opt("--unit", "The value's unit (KZT, percent...).", None, "U")] = None,
    date: DateOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    period: PeriodOpt = None,
    stated_by: Annotated[Text, _opt("--stated-by", "Who says so.", None, "REF")] = None,
    rank: Annotated[Text, _opt("--rank", f"One of {', '.join(RANKS)}.", None, "R")] = None,
    reason: ReasonOpt = None,
    supersedes: Annotated[
        Optional[list[str]],  # noqa: UP045
        _opt("--supersedes", "A claim this one replaces (repeatable).", None, "CLAIM_ID"),
    ] = None,
    note_text: Annotated[Text, _opt("--note", "A note on it.", None, "TEXT")] = None,
) -> None:
    """Add a claim to an entity, cited; print its id.

    Example: cpkb claim add adal-azamat status approved --start 2026-01-27 --supersedes adal-azamat-c2 --source decree --paraphrase "The programme was approved."
    """  # noqa: E501
    _check_shape(value, target, rank)
    asked = Asked(ref, prop, value, target, stated_by, supersedes or [],
                  cited)  # fmt: skip
    fields = {"unit": unit, "date": date, "period": period, "start": start, "end": end,
              "rank": rank, "rank_reason": reason, "supersedes": supersedes or None,
              "note": note_text}  # fmt: skip
    change = functools.partial(_add, ctx, asked, {k: v for k, v in fields.items() if v})
    outcome = run(ctx, change, writing)
    claim_id, entity_id = outcome.result
    extra = {"id": claim_id, "entity": entity_id}
    said = f"added claim {claim_id} to {entity_id}"
    report(outcome, writing, said=said, printed=claim_id, extra=extra)


class Asked(NamedTuple):
    """What `claim add` was asked to add (its other fields as given)."""

    ref: str
    prop: str
    value: str | None
    target: str | None
    stated_by: str | None
    supersedes: list[str]
    cited: Cited


def _add(ctx: typer.Context, asked: Asked, fields: dict[str, Any], draft: Draft) -> tuple[str, str]:
    """Add the claim asked for to the draft: its id, and its entity's."""
    from cpkb.kb.edit import add_claim, typed_value

    entity_id = resolve_in(ctx, draft, asked.ref)
    claim: Doc = {"property": asked.prop}
    if asked.target is not None:
        claim["target"] = resolve_in(ctx, draft, asked.target)
    else:
        claim["value"] = typed_value(str(asked.value), _takes(draft, asked.prop))
    claim.update(fields)
    if asked.stated_by is not None:
        claim["stated_by"] = resolve_in(ctx, draft, asked.stated_by)
    _own_claims(draft, entity_id, asked.supersedes)
    claim["sources"] = [citation(draft, asked.cited)]
    return add_claim(draft, entity_id, claim), entity_id


def _check_shape(value: str | None, target: str | None, rank: str | None) -> None:
    """What `claim add` refuses before reading the file (when it holds: kb.edit.check_when)."""
    if (value is None) == (target is None):
        raise UsageProblem("give exactly one of VALUE and --target")
    if value is not None and not value.strip():
        raise UsageProblem("VALUE is empty: give what the claim says (or --target)")
    if rank is not None and rank not in RANKS:
        raise UsageProblem(f"--rank must be one of {', '.join(RANKS)}, not {rank!r}")


def _takes(draft: Draft, prop: str) -> str | None:
    for declared in draft.properties:
        if isinstance(declared, dict) and declared.get("name") == prop:
            return str(declared.get("takes"))
    return None


def _own_claims(draft: Draft, entity_id: str, claim_ids: list[str]) -> None:
    """Refuse to supersede a claim of another entity (or none)."""
    for claim_id in claim_ids:
        if draft.claim_owner(claim_id) != entity_id:
            raise NoResults(f"--supersedes {claim_id}: {entity_id!r} has no such claim")


@app.command("set", cls=CpkbCommand)
@write_options
def set_cmd(
    ctx: typer.Context,
    writing: Writing,
    claim_id: ClaimIdArg,
    date: DateOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    period: PeriodOpt = None,
    unset: Annotated[
        Optional[list[str]],  # noqa: UP045
        _opt("--unset", "Remove this time field: date, start, end or period.", TIME, "FIELD"),
    ] = None,
) -> None:
    """Set when a claim holds: close a tenure or a status with --end, date it, or undo one.

    Example: cpkb claim set karin-post-c1 --end 2026-02
    """
    fields: dict[str, Any] = {"date": date, "start": start, "end": end, "period": period}
    fields = {k: v for k, v in fields.items() if v is not None}
    for name in unset or []:
        if name not in ("date", "start", "end", "period") or name in fields:
            raise UsageProblem(f"--unset {name}: one of date, start, end, period, not also set")
        fields[name] = None
    if not fields:
        raise UsageProblem("nothing to set: give --date, --start, --end, --period or --unset")
    _correct(ctx, claim_id, fields, writing)


def _correct(ctx: typer.Context, claim_id: str, fields: dict[str, Any], writing: Writing) -> None:
    def change(draft: Draft) -> str:
        from cpkb.kb.edit import set_claim

        return set_claim(draft, claim_id, fields)

    outcome = run(ctx, change, writing)
    said = f"changed claim {claim_id} of {outcome.result}"
    report(outcome, writing, said=said, extra={"id": claim_id, "entity": outcome.result})


@app.command("rank", cls=CpkbCommand)
@write_options
def rank_cmd(
    ctx: typer.Context,
    writing: Writing,
    claim_id: ClaimIdArg,
    rank: RankArg,
    reason: ReasonOpt = None,
) -> None:
    """Rank a claim: preferred (of its property, what holds), normal, or deprecated (wrong).
    A claim replaced by a newer one is not deprecated: give the newer one --supersedes.

    Example: cpkb claim rank law-x-c3 deprecated --reason erroneous
    """
    if rank not in RANKS:
        raise UsageProblem(f"RANK must be one of {', '.join(RANKS)}, not {rank!r}")
    fields = {"rank": None if rank == "normal" else rank, "rank_reason": reason}
    _correct(ctx, claim_id, fields, writing)


@app.command("rm", cls=CpkbCommand)
@write_options
def rm_cmd(
    ctx: typer.Context,
    writing: Writing,
    claim_id: ClaimIdArg,
) -> None:
    """Remove a claim (refused while another claim supersedes it).

    Example: cpkb claim rm adal-azamat-c4
    """

    def change(draft: Draft) -> str:
        from cpkb.kb.edit import remove_claim

        return remove_claim(draft, claim_id)

    outcome = run(ctx, change, writing)
    said = f"removed claim {claim_id} of {outcome.result}"
    report(outcome, writing, said=said, extra={"id": claim_id, "entity": outcome.result})
