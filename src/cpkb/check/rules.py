"""The validation rules: a stable code, name and severity for each problem `cpkb validate` finds.

Codes never change meaning; new rules get new codes. E0xx: the file; E1xx: the schema of the
file's version (data/cpkb.schema.json, cpkb-1.schema.json say the same); E2xx: integrity (E208
and on: version 2 only); E3xx: source texts; W4xx: warnings (W408: version 2 only).
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
    ("E101", "schema-version", True, "`schema_version` is not one this cpkb reads (1 or 2)."),
    ("E102", "missing-field", True, "A required field is missing."),
    ("E103", "unknown-field", True, "A field the format does not have (often a typo)."),
    ("E104", "wrong-type", True, "A field has the wrong JSON type."),
    ("E105", "unknown-type", True, "An entity type cpkb does not know (5 in version 1, 10 in 2)."),
    ("E106", "bad-id", False, "An id that is not a lowercase slug of at most 200 characters."),
    (
        "E107",
        "bad-date",
        False,
        "Not YYYY, YYYY-MM or YYYY-MM-DD, or a day the month lacks; a `period` not START/END.",
    ),
    ("E108", "empty-text", True, "A text field (name, summary, title...) is empty or blank."),
    ("E109", "value-or-target", True, "A claim has both or neither of `value` and `target`."),
    (
        "E110",
        "bad-name",
        False,
        "A property, qualifier or `rank_reason` name that is not lowercase snake_case.",
    ),
    (
        "E111",
        "repeated-alias",
        False,
        "An entity lists the same alias (or former id, superseded claim, target type) twice.",
    ),
    ("E112", "no-citation", True, "An entity or claim cites no source."),
    ("E113", "empty-quote", True, "A citation's quote is empty or blank."),
    (
        "E114",
        "no-quote-or-paraphrase",
        True,
        "A citation has neither a `quote` nor a `paraphrase`.",
    ),
    (
        "E115",
        "not-a-choice",
        True,
        "Not one of the values a field takes (`rank`, `kind`, `takes`...).",
    ),
    ("E116", "bad-lang", False, "A `lang` that is not a BCP 47 language tag (`en`, `kk-Cyrl`)."),
    (
        "E117",
        "empty-list",
        False,
        "A list that must hold something is empty (`supersedes`, `types`).",
    ),
    ("E201", "duplicate-id", True, "Two entities, or two sources, share an id."),
    ("E202", "unknown-source", True, "A citation names a source that does not exist."),
    ("E203", "unknown-target", True, "A claim targets an entity that does not exist."),
    ("E204", "self-target", False, "A claim targets its own entity."),
    ("E205", "statistic-no-value", False, "A statistic has no `value` claim."),
    ("E206", "statistic-no-unit", False, "A statistic's `value` claim has no `unit`."),
    ("E207", "no-such-date", False, "29 February of a year that is not a leap year."),
    ("E208", "undeclared-property", False, "A claim's property is not declared in `properties`."),
    (
        "E209",
        "value-kind",
        False,
        "A claim's value does not fit what its property `takes` (an entity, a number...).",
    ),
    (
        "E210",
        "target-type",
        False,
        "A claim targets an entity of a type its property does not take.",
    ),
    ("E211", "duplicate-claim-id", False, "Two claims share an id (stored, or made from a place)."),
    ("E212", "bad-supersedes", False, "`supersedes` names no claim of its entity and property."),
    ("E213", "supersedes-cycle", False, "Claims supersede one another in a cycle."),
    ("E214", "unknown-stater", True, "`stated_by` names an entity that does not exist."),
    (
        "E215",
        "bad-former-id",
        False,
        "A former id that is a live entity's, or another's former id.",
    ),
    ("E216", "duplicate-property", True, "Two properties of the vocabulary share a name."),
    ("E217", "bad-bound", False, "`qualifiers.bound` is neither `at_least` nor `at_most`."),
    (
        "E301",
        "quote-not-in-source",
        False,
        "A quote is not in its source's held text (or --source-text).",
    ),
    (
        "E302",
        "unreadable-text",
        False,
        "A source's `text_file` cannot be read (relative to the file).",
    ),
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
    ("W406", "reversed-period", False, "A claim's `start` is after its `end`, or its `period` is."),
    ("W407", "repeated-citation", False, "The same source and quote cited twice by one claim."),
    ("W408", "unused-property", False, "A property of the vocabulary that no claim uses."),
)
