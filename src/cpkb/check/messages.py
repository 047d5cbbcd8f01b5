"""jsonschema's errors as findings: each one a rule code and a message a person can act on."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from cpkb.check.rules import Finding
from cpkb.kb.document import Path, brief, json_type
from cpkb.model import fields
from cpkb.model.fields import VERSIONS

SchemaPath = tuple[str | int, ...]
Error = tuple[Path, SchemaPath, Any]  # a jsonschema error, with its full path and schema path

DATE_HELP = "a date is YYYY, YYYY-MM or YYYY-MM-DD, on a day that exists"
ID_HELP = "an id is lowercase letters a-z, digits and single hyphens, at most 200 characters"
NAME_HELP = "a name is lowercase snake_case: a-z, digits, single underscores"
PERIOD_HELP = f"a period is START/END, each '..' (open) or a date: {DATE_HELP}"
LANG_HELP = "a BCP 47 tag is a language code, then subtags: en, ru, kk-Cyrl"
DATES = frozenset(fields.of_kind(fields.CLAIM + fields.SOURCE, "date"))  # fields of one date
IDS = ("id", "target", "source", "stated_by", "supersedes", "former_ids")  # ... one or more ids


def translate(errors: Iterable[Error]) -> Iterator[Finding]:
    """Each jsonschema error as findings: a rule and a plain message."""
    for path, schema_path, error in errors:
        yield from _translate(
            keyword=str(error.validator),
            expected=error.validator_value,
            instance=error.instance,
            path=path,
            schema_path=schema_path,
            subschema=error.schema if isinstance(error.schema, dict) else {},
        )


def _translate(
    *,
    keyword: str,
    expected: Any,
    instance: Any,
    path: Path,
    schema_path: SchemaPath,
    subschema: Mapping[str, Any],
) -> Iterator[Finding]:
    if keyword == "required" and isinstance(instance, dict):
        for key in (k for k in expected if k not in instance):
            if key == "sources":
                yield Finding("E112", (*path, key), "cites no source: 'sources' is missing")
            else:
                yield Finding("E102", (*path, key), f"missing required field {key!r}")
    elif keyword == "additionalProperties" and isinstance(instance, dict):
        known = list(subschema.get("properties", {}))
        for key in (k for k in instance if k not in known):
            near = difflib.get_close_matches(key[:100], known, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            yield Finding("E103", (*path, key), f"unknown field {brief(key)}{hint}")
    elif keyword == "type":
        wanted = [_a(name) for name in (expected if isinstance(expected, list) else [expected])]
        choice = ", ".join(wanted[:-1]) + " or " + wanted[-1] if len(wanted) > 1 else wanted[0]
        yield Finding("E104", path, f"must be {choice}, not {_a(json_type(instance))}")
    elif keyword == "oneOf" and isinstance(instance, dict):
        both = "value" in instance and "target" in instance
        message = "has both 'value' and 'target'" if both else "has neither 'value' nor 'target'"
        yield Finding("E109", path, f"{message}: a claim has exactly one of them")
    elif keyword == "anyOf":
        yield from _any_of(instance, path)
    else:
        yield from _translate_value(keyword, expected, instance, path, schema_path)


def _any_of(instance: Any, path: Path) -> Iterator[Finding]:
    """A citation with neither quote nor paraphrase; a date that may be null and is neither."""
    if isinstance(instance, dict):
        message = "cites neither a 'quote' nor a 'paraphrase': a citation needs one of them"
        yield Finding("E114", path, message)
    elif isinstance(instance, str):
        yield Finding("E107", path, f"{brief(instance)} is not a date: {DATE_HELP}")
    else:
        yield Finding("E104", path, f"must be a string or null, not {_a(json_type(instance))}")


def _a(type_name: str) -> str:
    return ("an " if type_name[0] in "aeiou" else "a ") + type_name


def _translate_value(
    keyword: str, expected: Any, instance: Any, path: Path, schema_path: SchemaPath
) -> Iterator[Finding]:
    field_name = path[-1] if path else ""
    if isinstance(field_name, int):  # an item of a list: named by the list
        field_name = str(path[-2]) if len(path) > 1 else ""
    if "propertyNames" in schema_path:
        yield Finding("E110", (*path, instance), f"{brief(instance)} is not valid: {NAME_HELP}")
    elif keyword == "enum" and field_name in ("type", "types"):
        types = ", ".join(expected)
        yield Finding("E105", path, f"unknown entity type {brief(instance)} (one of: {types})")
    elif keyword == "enum":
        message = f"{brief(instance)} is not one of: {', '.join(map(str, expected))}"
        yield Finding("E115", path, message)
    elif keyword == "const":
        versions = " or ".join(map(str, VERSIONS))
        message = f"unsupported schema_version {brief(instance)} (this cpkb reads {versions})"
        yield Finding("E101", path, message)
    elif keyword in ("minimum", "maximum"):
        yield Finding("E006", path, "number out of range (beyond ±1.8e308)")
    elif keyword == "minItems" and field_name == "sources":
        yield Finding("E112", path, "cites no source: 'sources' is empty")
    elif keyword == "minItems":
        yield Finding("E117", path, f"{brief(field_name)} must list at least one item")
    elif keyword == "uniqueItems":
        yield from _repeated_items(instance, path)
    elif keyword in ("minLength", "pattern") and expected in (1, "\\S"):
        if field_name == "quote":
            yield Finding("E113", path, "the quote is empty")
        else:
            yield Finding("E108", path, "must not be empty or only white space")
    else:
        yield from _translate_field(keyword, instance, path, str(field_name))


def _translate_field(keyword: str, instance: Any, path: Path, field_name: str) -> Iterator[Finding]:
    """A string the schema's pattern (or length) refuses, by the field it is in."""
    if field_name in ("property", "rank_reason") or (field_name, *path[:1]) == (
        "name",
        "properties",
    ):
        yield Finding("E110", path, f"{brief(instance)} is not valid: {NAME_HELP}")
    elif field_name in DATES:
        yield Finding("E107", path, f"{brief(instance)} is not a date: {DATE_HELP}")
    elif field_name == "period":
        yield Finding("E107", path, f"{brief(instance)} is not a period: {PERIOD_HELP}")
    elif field_name in IDS:
        yield Finding("E106", path, f"{brief(instance)} is not a valid id: {ID_HELP}")
    elif field_name == "lang":
        yield Finding("E116", path, f"{brief(instance)} is not a language tag: {LANG_HELP}")
    else:  # a keyword the schema gained after this translation was written
        yield Finding("E104", path, f"does not match the schema ({keyword})")


def _repeated_items(items: Iterable[Any], path: Path) -> Iterator[Finding]:
    seen: list[Any] = []
    for i, item in enumerate(items):
        if item in seen:
            yield Finding("E111", (*path, i), f"{brief(item)} is listed twice")
        seen.append(item)
