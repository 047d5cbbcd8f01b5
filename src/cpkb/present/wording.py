"""How a claim reads in a sentence: its value, when it holds, who says so, and what qualifies
it, in plain words that say no more than the claim does.

A phrase is a list of pieces: text, an entity named (`Named`), footnote marks (`Marks`), so that
each format writes names as links and marks as footnotes; cpkb.present.brief makes sentences.
"""

from __future__ import annotations

from typing import NamedTuple, Union

from cpkb.present.views import View

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
BOUNDS = {"at_least": "at least ", "at_most": "at most "}
# Why a claim shown beside a conflict is not current (`status` in the JSON contract).
NOT_CURRENT = {
    "not_yet": "not yet in effect",
    "ended": "ended",
    "deprecated": "deprecated",
    "superseded": "superseded",
    "earlier": "an earlier figure",
    "outranked": "ranked below a preferred claim",
}


class Named(NamedTuple):
    """An entity named in a sentence: a link to its section when the brief has one."""

    id: str
    type: str
    name: str


class Marks(NamedTuple):
    """Footnote numbers, placed right after what they support."""

    numbers: tuple[int, ...]


Piece = Union[str, Named, Marks]  # noqa: UP007 - a runtime alias on Python 3.10
Phrase = list[Piece]


def named(ref: View) -> Named:
    return Named(ref["id"], ref["type"], ref["name"])


def spoken_date(text: str) -> str:
    """`2026-01-27` as '27 January 2026', `2026-01` as 'January 2026'; else as it is."""
    parts = text.split("-")
    if not (1 <= len(parts) <= 3 and all(p.isdigit() for p in parts)):
        return text
    year, *rest = parts
    if rest and not 1 <= int(rest[0]) <= 12:
        return text
    spoken = [MONTHS[int(rest[0]) - 1], year] if rest else [year]
    if len(rest) == 2:
        spoken.insert(0, str(int(rest[1])))
    return " ".join(spoken)


def on_date(text: str) -> str:
    """'on 27 January 2026', 'in January 2026', 'in 2026'."""
    return ("on " if text.count("-") == 2 else "in ") + spoken_date(text)


def period_words(period: str) -> str:
    """An ISO 8601 interval as words: 'covering 2026 to 2030', open ends left open."""
    start, _, end = period.partition("/")
    if start in ("", "..") and end in ("", ".."):
        return ""
    if end in ("", ".."):
        return f"covering the time from {spoken_date(start)}"
    if start in ("", ".."):
        return f"covering the time to {spoken_date(end)}"
    return f"covering {spoken_date(start)} to {spoken_date(end)}"


def time_words(claim: View) -> list[str]:
    """When the claim refers to, and how long it holds."""
    words = [on_date(claim["date"])] if "date" in claim else []
    if "period" in claim and (covering := period_words(claim["period"])):
        words.append(covering)
    if "start" in claim and "end" in claim:
        words.append(f"from {spoken_date(claim['start'])} to {spoken_date(claim['end'])}")
    elif "start" in claim:
        words.append(f"from {spoken_date(claim['start'])}")
    elif "end" in claim:
        words.append(f"until {spoken_date(claim['end'])}")
    return words


def scalar(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (int, float)) and abs(value) >= 10_000:
        return f"{value:,}"
    return "" if value is None else str(value)


def value_phrase(claim: View) -> Phrase:
    """The claim's value: the entity it names, or the value with its bound and unit."""
    if "target" in claim:
        return [named(claim["target"])]
    bound = BOUNDS.get(str(claim.get("qualifiers", {}).get("bound")), "")
    about = "about " if claim.get("approx") else ""
    unit = f" {claim['unit']}" if "unit" in claim else ""
    return [f"{bound}{about}{scalar(claim['value'])}{unit}"]


def words(name: str) -> str:
    """A field's or a qualifier's name as words: `rank_reason` -> 'rank reason'."""
    return name.replace("_", " ")


def details(claim: View, *, attributed: bool = True) -> list[Phrase]:
    """What qualifies the claim, each a phrase: who says so (unless `attributed` is false:
    the reader knows already), when, its baseline and qualifiers, how it ranks, its note."""
    found: list[Phrase] = []
    if attributed and "stated_by" in claim:
        found.append(["according to ", named(claim["stated_by"])])
    found += [[w] for w in time_words(claim)]
    if "baseline" in claim:
        since = f", {spoken_date(claim['baseline_date'])}" if "baseline_date" in claim else ""
        found.append([f"baseline: {scalar(claim['baseline'])}{since}"])
    qualifiers = claim.get("qualifiers", {})
    found += [[f"{words(k)}: {scalar(v)}"] for k, v in qualifiers.items() if k != "bound"]
    found += [[w] for w in standing(claim)]
    if "note" in claim:
        found.append([f"note: {claim['note']}"])
    return found


def standing(claim: View) -> list[str]:
    """How the claim ranks, and why it is not current when it is not (a conflict shows such
    claims beside the current ones)."""
    found = []
    if "rank_reason" in claim:
        found.append(words(claim["rank_reason"]))
    elif claim.get("rank", "normal") != "normal":
        found.append(claim["rank"])
    if not claim.get("current", True):
        found.append(NOT_CURRENT.get(claim.get("status", ""), words(claim.get("status", ""))))
    return found


def claim_phrase(value: Phrase, claim: View, marks: Marks, *, attributed: bool = True) -> Phrase:
    """'approved (from 27 January 2026)[5]': the value (or, in a backlink, the entity that
    makes the claim), the claim's details in brackets, then the marks."""
    phrase = list(value)
    parts = details(claim, attributed=attributed)
    if parts:
        phrase += [" (", *listed(parts), ")"]
    phrase.append(marks)
    return phrase


def listed(phrases: list[Phrase]) -> Phrase:
    """Phrases one after the other, separated by semicolons."""
    joined: Phrase = []
    for number, phrase in enumerate(phrases):
        joined += (["; "] if number else []) + phrase
    return joined
