"""The body of `dave providers`: each media provider, whether its key is set (never the key),
its base URL and what its models do, from settings and the registry alone; with `--options`,
every field each provider takes, and the flag (or `--opt`) that sets it.

Not for checking a key against the provider: this makes no network call.
"""

from __future__ import annotations

import re
from typing import Any

from dave.cli.output import console, emit_json, stdout_console

#: The kinds in the order a person reads them.
KINDS = ("image", "edit", "video", "upscale", "control", "music", "lyrics")


def describe(provider: str, settings: Any) -> dict[str, Any]:
    """One provider as `--json` shows it: key variable, whether it is set, base URL, and per
    kind its models with the default and any deprecation marked."""
    from dave.core.errors import InvalidRequest
    from dave.media import catalog
    from dave.media.capabilities import capability, default_model, models

    info = catalog.get(provider)
    kinds: dict[str, Any] = {}
    for kind in KINDS:
        names = models(provider, kind)
        if not names:
            continue
        try:
            default: str | None = default_model(provider, kind)
        except InvalidRequest:  # a kind only named models do (MiniMax covers as lyrics)
            default = None
        kinds[kind] = {
            "default": default,
            "models": [
                {
                    "model": name,
                    "default": name == default,
                    "deprecated": capability(provider, name).deprecated,
                    "note": capability(provider, name).note,
                }
                for name in names
            ],
        }
    return {
        "name": provider,
        "key_variable": info.key_variable,
        "key_set": settings.has_key(provider),
        "base_url": settings.base_url(provider, info.default_base_url),
        "base_url_variable": info.base_url_variable,
        "kinds": kinds,
    }


def show(*, json_output: bool) -> None:
    from dave.core.settings import load_settings
    from dave.media.capabilities import providers

    settings = load_settings()
    described = [describe(name, settings) for name in providers()]
    if json_output:
        emit_json({"providers": described})
        return
    out = stdout_console()
    for index, provider in enumerate(described):
        key = "key set" if provider["key_set"] else f"no key: set {provider['key_variable']}"
        out.print(
            ("\n" if index else "")
            + f"[bold]{provider['name']}[/bold]  {provider['base_url']}  ({key})"
        )
        for kind, entry in provider["kinds"].items():
            names = [_label(model) for model in entry["models"]]
            out.print(f"  {kind:8} {', '.join(names)}")
    console().print("\n* the default; a deprecated model still works but should not be used")


def _label(model: dict[str, Any]) -> str:
    label: str = model["model"] + ("*" if model["default"] else "")
    if model["deprecated"]:
        label += f" ({model['deprecated']})"
    return label


def options(kind_commands: dict[str, Any]) -> list[dict[str, Any]]:
    """Per provider and kind, every field it takes: the flag that sets it on the kind's
    command (or `--opt name=VALUE`), its type and what the provider says of it."""
    from dave.cli.flags import OPT, command_flags
    from dave.media import catalog
    from dave.media.requests import SHARED, request_model

    listed = []
    for slice_ in catalog.slices():
        kinds = {}
        for kind, offer in slice_.offers.items():
            flags = command_flags(kind_commands[kind], with_arguments=True)
            fields = request_model(kind).model_fields
            kinds[kind] = [
                {
                    "field": name,
                    "flag": flags.get(name, f"{OPT} {name}=VALUE"),
                    "type": _type_name(fields[name].annotation),
                    "about": offer.about(name, SHARED[kind]),
                }
                for name in offer.fields()
            ]
        listed.append({"name": slice_.name, "kinds": kinds})
    return listed


def _type_name(annotation: Any) -> str:
    text = str(annotation).replace("typing.", "")
    text = re.sub(r"Annotated\[int, [^\]]*\]", "int", text)
    text = re.sub(r"<class '(\w+)'>", r"\1", text)
    return re.sub(r"dave\.[\w.]+\.(\w+)", r"\1", text).replace(" | None", "")


def show_options(commands: dict[str, Any], *, json_output: bool) -> None:
    """`dave providers --options`, from the root command's media `commands` by name."""
    listed = options({kind: commands[kind] for kind in KINDS})
    if json_output:
        emit_json({"providers": listed})
        return
    out = stdout_console()
    for index, provider in enumerate(listed):
        out.print(("\n" if index else "") + f"[bold]{provider['name']}[/bold]")
        for kind, fields in provider["kinds"].items():
            out.print(f"  dave {kind}")
            for field in fields:
                out.print(f"    {field['flag']:28} {field['about']}", soft_wrap=True, markup=False)
