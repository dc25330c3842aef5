"""The body of `dave providers`: each media provider, whether its key is set (never the key),
its base URL and what its models do, from settings and the capability table alone.

Not for checking a key against the provider: this makes no network call.
"""

from __future__ import annotations

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
