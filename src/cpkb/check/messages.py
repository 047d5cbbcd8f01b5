"""jsonschema's errors as findings: each one a rule code and a message a person can act on."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from cpkb.check.rules import Finding
from cpkb.kb.document import Path, brief, json_type

SchemaPath = tuple[str | int, ...]
Error = tuple[Path, SchemaPath, Any]  # a jsonschema error, with its full path and schema path

DATE_HELP = "a date is YYYY, YYYY-MM or YYYY-MM-DD, on a day that exists"
ID_HELP = "an id is lowercase letters a-z, digits and single hyphens, at most 200 characters"
NAME_HELP = "a name is lowercase snake_case: a-z, digits, single underscores"


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
    else:
        yield from _translate_value(keyword, expected, instance, path, schema_path)


def _a(type_name: str) -> str:
    return ("an " if type_name[0] in "aeiou" else "a ") + type_name


def _translate_value(
    keyword: str, expected: Any, instance: Any, path: Path, schema_path: SchemaPath
) -> Iterator[Finding]:
    field_name = path[-1] if path else ""
    if "propertyNames" in schema_path:
        yield Finding("E110", (*path, instance), f"{brief(instance)} is not valid: {NAME_HELP}")
    elif keyword == "enum":
        types = ", ".join(expected)
        yield Finding("E105", path, f"unknown entity type {brief(instance)} (one of: {types})")
    elif keyword == "const":
        message = f"unsupported schema_version {brief(instance)} (this cpkb reads {expected})"
        yield Finding("E101", path, message)
    elif keyword in ("minimum", "maximum"):
        yield Finding("E006", path, "number out of range (beyond ±1.8e308)")
    elif keyword == "minItems":
        yield Finding("E112", path, "cites no source: 'sources' is empty")
    elif keyword == "uniqueItems":
        yield from _repeated_items(instance, path)
    elif keyword in ("minLength", "pattern") and expected in (1, "\\S"):
        if field_name == "quote":
            yield Finding("E113", path, "the quote is empty")
        else:
            yield Finding("E108", path, "must not be empty or only white space")
    elif field_name == "property":
        yield Finding("E110", path, f"{brief(instance)} is not valid: {NAME_HELP}")
    elif field_name in ("date", "start", "end"):
        yield Finding("E107", path, f"{brief(instance)} is not a date: {DATE_HELP}")
    elif field_name in ("id", "target", "source"):
        yield Finding("E106", path, f"{brief(instance)} is not a valid id: {ID_HELP}")
    else:  # a keyword the schema gained after this translation was written
        yield Finding("E104", path, f"does not match the schema ({keyword})")


def _repeated_items(items: Iterable[Any], path: Path) -> Iterator[Finding]:
    seen: list[Any] = []
    for i, item in enumerate(items):
        if item in seen:
            yield Finding("E111", (*path, i), f"{brief(item)} is listed twice")
        seen.append(item)
