"""The validation rules: a stable code, name and severity for each problem `cpkb validate` finds.

Codes never change meaning; new rules get new codes. E0xx: the file; E1xx: the schema
(data/cpkb.schema.json says the same); E2xx: integrity; E3xx: source texts; W4xx: warnings.
`refused` marks the problems every other command refuses too (exit 3); despite the others, a
command still answers correctly, from the file as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cpkb.kb.document import Path

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    refused: bool
    summary: str


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule broken at a JSON path (keys and indexes), before it is located in the file."""

    code: str
    path: Path
    message: str


def _rules(*rows: tuple[str, str, bool, str]) -> dict[str, Rule]:
    return {
        code: Rule(code, name, "error" if code[0] == "E" else "warning", refused, summary)
        for code, name, refused, summary in rows
    }


RULES: dict[str, Rule] = _rules(
    ("E001", "json-syntax", True, "The file is not JSON (line and column given)."),
    ("E002", "encoding", True, "The file is not UTF-8 (a UTF-8 byte-order mark is accepted)."),
    ("E003", "empty", True, "The file is empty or holds only white space."),
    ("E004", "top-level", True, "The top level is not an object."),
    ("E005", "too-deep", True, "Arrays or objects nested too deeply to read."),
    ("E006", "bad-number", True, "NaN, Infinity, or a number beyond ±1.8e308 (an IEEE double)."),
    ("E007", "duplicate-key", True, "An object has the same key twice."),
    ("E008", "unreadable", True, "The file is missing, a directory, or cannot be read."),
    ("E009", "lone-surrogate", True, "A string holds half a UTF-16 surrogate pair."),
    ("E101", "schema-version", True, "`schema_version` is not one this cpkb reads (1)."),
    ("E102", "missing-field", True, "A required field is missing."),
    ("E103", "unknown-field", True, "A field the format does not have (often a typo)."),
    ("E104", "wrong-type", True, "A field has the wrong JSON type."),
    ("E105", "unknown-type", True, "An entity type other than the five known ones."),
    ("E106", "bad-id", False, "An id that is not a lowercase slug of at most 200 characters."),
    ("E107", "bad-date", False, "Not YYYY, YYYY-MM or YYYY-MM-DD, or a day the month lacks."),
    ("E108", "empty-text", True, "A text field (name, summary, title...) is empty or blank."),
    ("E109", "value-or-target", True, "A claim has both or neither of `value` and `target`."),
    ("E110", "bad-name", False, "A property or qualifier name that is not lowercase snake_case."),
    ("E111", "repeated-alias", False, "An entity lists the same alias twice."),
    ("E112", "no-citation", True, "An entity or claim cites no source."),
    ("E113", "empty-quote", True, "A citation's quote is empty or blank."),
    ("E201", "duplicate-id", True, "Two entities, or two sources, share an id."),
    ("E202", "unknown-source", True, "A citation names a source that does not exist."),
    ("E203", "unknown-target", True, "A claim targets an entity that does not exist."),
    ("E204", "self-target", False, "A claim targets its own entity."),
    ("E205", "statistic-no-value", False, "A statistic has no `value` claim."),
    ("E206", "statistic-no-unit", False, "A statistic's `value` claim has no `unit`."),
    ("E207", "no-such-date", False, "29 February of a year that is not a leap year."),
    ("E301", "quote-not-in-source", False, "With --source-text: a quote is not in that text."),
    ("W401", "source-never-cited", False, "A source that no entity or claim cites."),
    ("W402", "alias-is-name", False, "An alias that is the entity's name again."),
    (
        "W403",
        "shared-label",
        False,
        "Two entities share a name or alias: references are ambiguous.",
    ),
    ("W404", "control-characters", False, "A string holds control or bidi characters."),
    ("W405", "statistic-not-number", False, "A statistic's `value` is not a number."),
    ("W406", "reversed-period", False, "A claim's `start` is after its `end`."),
    ("W407", "repeated-citation", False, "The same source and quote cited twice by one claim."),
)
