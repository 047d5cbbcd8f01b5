"""The schema layer of `cpkb validate`: what data/cpkb.schema.json says is wrong, as findings.

jsonschema is the authority: every error is its error, in its order, translated to a rule and a
plain message. To be fast on large files, validators that fastjsonschema compiles from the same
schema first clear the top level and each item of its arrays (each source, each entity), and
jsonschema reads only what they do not clear. Pure: no file access.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from cpkb.check.rules import Finding
from cpkb.kb.parse import Path, brief, json_type


def schema_findings(document: object, schema: Mapping[str, Any]) -> Iterator[Finding]:
    """What the JSON Schema says is wrong, each error translated to a rule and a plain message."""
    return translate(schema_parts(schema).errors(document))


SchemaPath = tuple[str | int, ...]
FastCheck = Callable[[Any], object]
Error = tuple[Path, SchemaPath, Any]  # a jsonschema error, with its full path and schema path


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


class SchemaParts:
    """The schema in parts: the top level, and the items of each top-level array.

    A validator that fastjsonschema compiles from each part clears the top level and each item
    (each source, each entity) in a fraction of the time; jsonschema, the authority, reads only
    what they do not clear, so the errors are those of jsonschema over the whole document.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        self.whole = inline_refs(schema)
        properties = self.whole.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        self.items: dict[str, dict[str, Any]] = {
            name: sub["items"]
            for name, sub in properties.items()
            if isinstance(sub, dict)
            and isinstance(sub.get("items"), dict)
            and sub.keys() <= _SPLITTABLE
        }
        self.top = dict(self.whole)
        if self.items:
            self.top["properties"] = {
                name: {k: v for k, v in sub.items() if k != "items"} if name in self.items else sub
                for name, sub in properties.items()
            }
        self.fast_top = _fast_check(self.top)
        self.fast = {name: _fast_check(part) for name, part in self.items.items()}
        self._validators: dict[str | None, Any] = {}

    def errors(self, document: object) -> Iterator[Error]:
        """jsonschema's errors over `document`, in its order, with their full paths."""
        found: list[tuple[tuple[int, ...], Path, SchemaPath, Any]] = []
        try:
            self._collect(document, found)
        except RecursionError:
            deep = True
        else:
            deep = False
        found.sort(key=lambda row: row[0])
        for _, path, schema_path, error in found:
            yield path, schema_path, error
        if deep:  # what was found before still counts
            raise RecursionError("nested too deeply")

    def _collect(
        self, document: object, found: list[tuple[tuple[int, ...], Path, SchemaPath, Any]]
    ) -> None:
        if not self.top_passes(document):
            for error in self._validator(None, self.top).iter_errors(document):
                schema_path = tuple(error.absolute_schema_path)
                rank = (*self._rank(schema_path), -1, len(found))
                found.append((rank, tuple(error.absolute_path), schema_path, error))
        for name in self.items:
            values = document.get(name) if isinstance(document, dict) else None
            values = values if isinstance(values, list) else []
            passed = self.passes(name, values)
            for i, value in enumerate(values):
                if passed[i]:
                    continue
                for path, schema_path, error in self.item_errors(name, i, value):
                    rank = (*self.item_rank(name), i, len(found))
                    found.append((rank, path, schema_path, error))

    def by_item(self, names: Iterable[str]) -> bool:
        """Whether the arrays `names` can be checked item by item apart from the top level: each
        item and the top level have a fast validator, and the top level looks into no item."""
        fast = [self.fast_top, *(self.fast.get(name) for name in names)]
        return None not in fast and self.whole.keys() <= _TOP_KEYS

    def top_passes(self, document: object) -> bool:
        """Whether the fast validator clears the top level (its arrays' items aside)."""
        return _passes(self.fast_top, document)

    def passes(self, name: str, values: Iterable[object]) -> list[bool]:
        """Whether the fast validator clears each item of the array `name`."""
        check = self.fast[name]
        return [_passes(check, value) for value in values]

    def item_errors(self, name: str, i: int, value: object) -> Iterator[Error]:
        """jsonschema's errors over item `i` of the array `name`, with their full paths."""
        base = ("properties", name, "items")
        for error in self._validator(name, self.items[name]).iter_errors(value):
            yield (name, i, *error.absolute_path), (*base, *error.absolute_schema_path), error

    def item_rank(self, name: str) -> tuple[int, ...]:
        """Where jsonschema reaches the items of the array `name` (see `_rank`)."""
        return self._rank(("properties", name, "items"))

    def _rank(self, schema_path: SchemaPath) -> tuple[int, ...]:
        """Where jsonschema, which applies keywords in the order written, reaches `schema_path`."""
        ranks: list[int] = []
        node: Any = self.whole
        for key in schema_path[:3]:
            if not isinstance(node, dict) or key not in node:
                break
            ranks.append(list(node).index(key))
            node = node[key]
        return tuple(ranks)

    def _validator(self, name: str | None, part: dict[str, Any]) -> Any:
        if name not in self._validators:
            from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

            self._validators[name] = Draft202012Validator(part)
        return self._validators[name]


# Top-level keywords that look into no item of an array (`properties` holds only what they do).
_TOP_KEYS = frozenset({"type", "required", "additionalProperties", "properties"}) | frozenset(
    {"title", "description", "$comment", "$schema", "$id"}
)
# Keywords that the array schemas may hold besides `items` for their items to be checked apart.
_SPLITTABLE = frozenset({"type", "items", "minItems", "maxItems", "description", "$comment"})


def schema_parts(schema: Mapping[str, Any]) -> SchemaParts:
    """The parts of `schema`, with their validators: made once per process for each schema."""
    return _parts(json.dumps(schema))


@functools.lru_cache(maxsize=4)
def _parts(schema_json: str) -> SchemaParts:
    return SchemaParts(json.loads(schema_json))


def _passes(check: FastCheck | None, instance: object) -> bool:
    if check is None:
        return False
    try:
        check(instance)
    except Exception:  # invalid, or beyond the fast validator: jsonschema decides
        return False
    return True


# Keywords that fastjsonschema (draft-07) applies exactly as JSON Schema 2020-12 does.
SAME_IN_DRAFT_7 = frozenset(
    {
        "type", "enum", "const", "required", "properties", "additionalProperties",
        "propertyNames", "items", "minItems", "maxItems", "uniqueItems", "minLength",
        "maxLength", "pattern", "minimum", "maximum", "oneOf", "anyOf", "allOf", "not",
        "title", "description", "$comment", "$schema", "$id",
    }
)  # fmt: skip
_SCALAR = (str, int, float, bool, type(None))
_SUBSCHEMA = frozenset({"additionalProperties", "propertyNames", "items", "not"})


def _fast_check(schema: Mapping[str, Any]) -> FastCheck | None:
    """A fastjsonschema validator for `schema`, or None where it might not agree with jsonschema."""
    if not _same_in_draft_7(schema):
        return None
    try:
        import fastjsonschema
    except ImportError:  # jsonschema alone, as before
        return None
    definition = {k: v for k, v in schema.items() if k not in ("$schema", "$id")}
    for detailed in (False, True):  # 2.22 fails on `const` without detailed exceptions
        try:
            code = fastjsonschema.compile_to_code(
                definition, use_default=False, use_formats=False, detailed_exceptions=detailed
            )
        except Exception:  # e.g. an older fastjsonschema
            continue
        # Only whether it raises matters (a oneOf raises on every claim): neither format the
        # messages, which costs more than the checks, nor build the library's exceptions.
        namespace: dict[str, Any] = {}
        exec(code.replace(".format(**locals())", ""), namespace)
        if not detailed:
            namespace["JsonSchemaValueException"] = _Invalid
        check: FastCheck = namespace["validate"]
        return check
    return None


class _Invalid(Exception):
    """Raised by a fast validator: the instance is not valid."""


def _same_in_draft_7(schema: object) -> bool:
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, Mapping) or not schema.keys() <= SAME_IN_DRAFT_7:
        return False
    pattern = schema.get("pattern", "")
    if not isinstance(pattern, str) or "$" in pattern[:-1]:  # fastjsonschema reads $ as \Z
        return False
    if not all(isinstance(v, _SCALAR) for v in [schema.get("const"), *schema.get("enum", [])]):
        return False
    subschemas = [schema[k] for k in _SUBSCHEMA if k in schema]
    subschemas += [*schema.get("properties", {}).values()]
    subschemas += [*schema.get("oneOf", []), *schema.get("anyOf", []), *schema.get("allOf", [])]
    return all(_same_in_draft_7(sub) for sub in subschemas)


def inline_refs(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema with each `$ref` to `#/$defs/...` replaced by its target (validates ~3x faster).

    The cpkb schema has no recursive references, so this terminates and means the same.
    """
    defs = schema.get("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, list):
            return [inline(item) for item in node]
        if not isinstance(node, dict):
            return node
        here = {k: inline(v) for k, v in node.items() if k not in ("$ref", "$defs")}
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return {**inline(defs[ref.removeprefix("#/$defs/")]), **here}
        return here

    return dict(inline(schema))


DATE_HELP = "a date is YYYY, YYYY-MM or YYYY-MM-DD, on a day that exists"
ID_HELP = "an id is lowercase letters a-z, digits and single hyphens, at most 200 characters"
NAME_HELP = "a name is lowercase snake_case: a-z, digits, single underscores"


def _translate(
    *,
    keyword: str,
    expected: Any,
    instance: Any,
    path: Path,
    schema_path: tuple[str | int, ...],
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
    keyword: str, expected: Any, instance: Any, path: Path, schema_path: tuple[str | int, ...]
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
