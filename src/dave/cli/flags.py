"""How the media commands speak of request fields: each field's flag (read from the command's
own parameters, which are named after the fields), `--opt name=value` for the rest, and errors
reworded to name what the user typed.

Not for parsing the dedicated flags (typer does, in image_commands.py and av_commands.py) nor
for checking values (the request models and each provider's rules).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, get_args

from dave.core.errors import InvalidRequest

OPT = "--opt"


def command_flags(command: Any, *, with_arguments: bool = False) -> dict[str, str]:
    """Each request field that has a flag on `command`, by field: the command's parameters are
    named after the fields they fill. `with_arguments` adds the positional ones, by their
    metavar (PROMPT)."""
    flags = {}
    for param in command.params:
        # By kind, not class: typer's parameters need not subclass click's own.
        if param.param_type_name == "option" and param.name:
            flags[param.name] = param.opts[0]  # as the command declares it first (-n, --image)
        elif param.param_type_name == "argument" and param.name and with_arguments:
            flags[param.name] = param.human_readable_name.upper()
    return flags


def parse_opts(
    opts: Iterable[str], kind: str, given: Mapping[str, Any], flags: Mapping[str, str]
) -> dict[str, Any]:
    """`--opt name=value` pairs as request fields: the value as text where the field is text,
    else read as JSON (numbers, true/false, lists) or, failing that, as text."""
    from dave.media.requests import request_model

    fields = request_model(kind).model_fields
    found: dict[str, Any] = {}
    for item in opts:
        name, sep, raw = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or not name.isidentifier():
            raise InvalidRequest(
                f"{OPT} needs NAME=VALUE, got {item!r}",
                hint="`dave providers --options` lists each provider's options",
            )
        if name not in fields:
            raise InvalidRequest(
                f"{OPT} {name}: {kind} requests have no such field",
                hint="`dave providers --options` lists each provider's options",
            )
        if name in found:
            raise InvalidRequest(f"{OPT} {name} is given twice; give it once")
        if given.get(name) is not None:
            typed = flags.get(name, name)
            raise InvalidRequest(f"{OPT} {name} repeats {typed}; give it once")
        found[name] = raw if _takes_text(fields[name].annotation) else _json_or_text(raw)
    return found


def _takes_text(annotation: Any) -> bool:
    return annotation is str or str in get_args(annotation)


def _json_or_text(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def name_flags(error: InvalidRequest, flags: Mapping[str, str], opts: Iterable[str] = ()) -> str:
    """The error's message with each field the user set by a flag (or `--opt`) named as typed:
    a field that begins a clause (`strength must be ...`), or that no prose word could be
    (`negative_prompt`, `images[0]`), becomes its flag."""
    names = {**flags, **{name: f"{OPT} {name}" for name in opts}}  # as the user gave it
    message = error.message
    if not names:
        return message
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w\-./\[`'])({alternatives})(\[\d+\])?(?![\w\-/`'])")

    def typed(match: re.Match[str]) -> str:
        name, index = match.group(1), match.group(2)
        starts_clause = match.start() == 0 or message[: match.start()].endswith("; ")
        if not (starts_clause or "_" in name or index):
            return match.group(0)
        return f"{names[name]} #{int(index[1:-1]) + 1}" if index else names[name]

    return pattern.sub(typed, message)
