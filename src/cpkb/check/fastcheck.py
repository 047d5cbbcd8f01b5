"""Validators that fastjsonschema compiles, used only where they agree with jsonschema.

They tell valid from invalid many times faster; jsonschema, the authority, words the errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

FastCheck = Callable[[Any], object]

# Keywords that fastjsonschema (draft-07) applies exactly as JSON Schema 2020-12 does.
_SAME_IN_DRAFT_7 = frozenset(
    {
        "type", "enum", "const", "required", "properties", "additionalProperties",
        "propertyNames", "items", "minItems", "maxItems", "uniqueItems", "minLength",
        "maxLength", "pattern", "minimum", "maximum", "oneOf", "anyOf", "allOf", "not",
        "title", "description", "$comment", "$schema", "$id",
    }
)  # fmt: skip
_SCALAR = (str, int, float, bool, type(None))
_SUBSCHEMA = frozenset({"additionalProperties", "propertyNames", "items", "not"})


def fast_check(schema: Mapping[str, Any]) -> FastCheck | None:
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


def clears(check: FastCheck | None, instance: object) -> bool:
    """Whether `check` clears `instance` (never, without a check)."""
    if check is None:
        return False
    try:
        check(instance)
    except Exception:  # invalid, or beyond the fast validator: jsonschema decides
        return False
    return True


class _Invalid(Exception):
    """Raised by a fast validator: the instance is not valid."""


def _same_in_draft_7(schema: object) -> bool:
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, Mapping) or not schema.keys() <= _SAME_IN_DRAFT_7:
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
