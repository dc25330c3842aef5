"""Pydantic's validation errors as the one line a person (or an agent) can act on.

Not for the request models themselves (requests.py, options.py) nor for the rules that refuse a
valid model's values (each slice's rules.py): this only rewords what pydantic found.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from dave.core.errors import InvalidRequest


def _loc(parts: tuple[int | str, ...]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "request"


def shown_value(value: object) -> str:
    """A value as an error message quotes it: its repr, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


_PLAIN = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
}


def _one_error(error: Mapping[str, Any], known: tuple[str, ...]) -> str:
    kind, where = error["type"], _loc(tuple(error["loc"]))
    if kind == "missing":
        return f"{where} is required"
    if kind == "extra_forbidden":
        hint = f"; known fields: {', '.join(known)}" if known and "." not in where else ""
        return f"unknown field {where!r}{hint}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tag = error.get("ctx", {}).get("tag", "nothing")
        kinds = "'image', 'edit', 'video', 'upscale', 'control', 'music', 'lyrics'"
        return f"kind must be one of {kinds}, got {shown_value(tag)}"
    if kind == "literal_error":
        return f"{where} must be {error['ctx']['expected']}, got {shown_value(error['input'])}"
    message = _PLAIN.get(kind) or str(error["msg"])[:1].lower() + str(error["msg"])[1:]
    return f"{where} {message}, got {shown_value(error['input'])}"


def validation_error_line(
    err: ValidationError, known: tuple[str, ...] = (), *, drop_first: bool = False
) -> str:
    """Pydantic's many-line report as one line a person (or an agent) can act on.

    `known` lists the model's fields for an unknown-field hint; `drop_first` strips the tag a
    discriminated union puts first in each location.
    """
    lines = []
    for error in err.errors(include_url=False):
        loc = tuple(error["loc"])[1:] if drop_first else tuple(error["loc"])
        lines.append(_one_error({**error, "loc": loc}, known))
    extra = f" (and {len(lines) - 3} more)" if len(lines) > 3 else ""
    return "; ".join(lines[:3]) + extra


def invalid_request(err: ValidationError, known: tuple[str, ...] = ()) -> InvalidRequest:
    """The InvalidRequest that stands for a pydantic ValidationError."""
    return InvalidRequest(validation_error_line(err, known))
