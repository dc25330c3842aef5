"""How a media tool is described: its parameters, read from the request model of its kind and
what each provider offers for it (`media/<provider>/options.py`), and building the Tool for one
provider or for all of them (with a `provider` parameter).

Not for what a provider takes (its slice says) nor for running a call (media_run.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ConfigDict, Field, create_model

from dave.core.errors import InvalidRequest
from dave.media import catalog
from dave.media.capabilities import capability, default_model, label, models, providers
from dave.media.options import Offer
from dave.media.requests import SHARED, request_model
from dave.tools.base import Tool, ToolContext, ToolResult

#: The order providers are offered in, and the first one that can do a kind is the default.
PROVIDER_ORDER = providers()


def _short(provider: str) -> str:
    return label(provider, short=True)


_SOURCE_HOW = "Give an asset id from an earlier result (a_...), a path inside the workspace or "
_SOURCE_HOW += "an http(s) URL."


@dataclass(frozen=True)
class Param:
    """One tool parameter as some providers take it."""

    name: str
    annotation: Any
    default: Any
    description: str
    providers: frozenset[str]
    #: An image or a track to read: an asset id, a workspace path or a URL (or a list of them).
    source: bool = False
    #: The description already says which providers it is for.
    labelled: bool = False

    @property
    def required(self) -> bool:
        return self.default is ...


def offered_params(kind: str, provider: str, offer: Offer) -> list[Param]:
    """Every field `provider` takes for `kind`, typed and defaulted as the request model has it
    and described as the provider's slice says."""
    model = request_model(kind)
    params = []
    for name in offer.fields():
        info = model.model_fields[name]
        needed = info.is_required() or name in offer.required
        default = ... if needed else info.get_default(call_default_factory=True)
        # A list of models (keyframes) holds its own sources: only plain paths are resolved.
        source = name in model.SOURCES and info.annotation in (str, str | None, list[str])
        text = offer.about(name, SHARED[kind])
        params.append(Param(name, info.annotation, default, text, frozenset({provider}), source))
    return params


@dataclass(frozen=True)
class Kind:
    """One media tool: a request kind, the tool's name and the words around what each provider
    does (the providers' own clauses come from their offers)."""

    kind: str
    tool: str
    #: What the tool does, before "with <providers>".
    does: str
    #: What a call costs and gives back.
    gives: str

    def providers(self) -> tuple[str, ...]:
        """The providers that have models for this kind, in PROVIDER_ORDER."""
        return tuple(p for p in PROVIDER_ORDER if models(p, self.kind))

    def offers(self, providers: tuple[str, ...]) -> dict[str, Offer]:
        every = catalog.offers(self.kind)
        return {p: every[p] for p in providers}

    def params(self, providers: tuple[str, ...]) -> list[Param]:
        return [
            param
            for provider, offer in self.offers(providers).items()
            for param in offered_params(self.kind, provider, offer)
        ]

    def describe(self, providers: tuple[str, ...]) -> str:
        clauses = "; ".join(offer.summary for offer in self.offers(providers).values())
        return f"{self.does} with {who(providers)}: {clauses}. {self.gives}"


def who(providers: tuple[str, ...]) -> str:
    """`MiniMax`, or `x.ai Grok Imagine, MiniMax or Stability AI (choose with `provider`)`."""
    if len(providers) == 1:
        return label(providers[0])
    names = [label(p) for p in providers]
    return f"{', '.join(names[:-1])} or {names[-1]} (choose with `provider`)"


# --- building a tool ------------------------------------------------------------------------

#: Runs one call: (context, request kind, provider, arguments, names of source arguments).
Runner = Callable[[ToolContext, str, str, dict[str, Any], frozenset[str]], Awaitable[ToolResult]]


def build_tool(kind: Kind, providers: tuple[str, ...], run: Runner, *, merged: bool) -> Tool:
    """The tool for `providers`: one provider's exact parameters, or (`merged`) the union of
    theirs plus `provider`, refusing a parameter the chosen provider does not take.

    A merged tool has `provider` even when one provider can do its kind, so a model that
    passes a provider to every media tool is never refused for it.
    """
    offers = kind.offers(providers)
    params = _merge(kind.params(providers), providers)
    named = tuple(p for p in providers if offers[p].names_model)
    if named:
        params.append(_model_param(kind, named, merged=merged))
    fields: dict[str, Any] = {}
    if merged:
        # A Literal built at run time (pydantic reads it; a type checker cannot).
        choice = Literal[providers]  # type: ignore[valid-type]
        about_provider = (
            "Who makes it: "
            + ", ".join(f"{p} ({label(p)})" for p in providers)
            + f"; default {providers[0]}. A parameter labelled with a provider's name works "
            "only with that provider."
        )
        fields["provider"] = (
            choice,
            Field(providers[0], description=about_provider, json_schema_extra=_as_enum),
        )
    for each in params:
        text = _description(each, providers)
        info = Field(each.default, description=text, json_schema_extra=_as_enum)
        fields[each.name] = (each.annotation, info)
    arguments = create_model(
        f"{kind.tool}_arguments", __config__=ConfigDict(extra="forbid"), **fields
    )
    sources = frozenset(p.name for p in params if p.source)
    takes = {p.name: p.providers for p in params}
    defaults = {p.name: p.default for p in params}

    async def call(ctx: ToolContext, **values: Any) -> ToolResult:
        provider = values.pop("provider", providers[0])
        for name, value in values.items():
            if provider not in takes[name] and value is not None and value != defaults[name]:
                able = " or ".join(_short(p) for p in sorted(takes[name]))
                raise InvalidRequest(
                    f"{name} is for {able} only, not {_short(provider)}; leave it unset or "
                    f"choose that provider"
                )
        return await run(ctx, kind.kind, provider, values, sources)

    return Tool(
        call,
        name=kind.tool,
        description=kind.describe(providers),
        arguments_model=arguments,
        context_parameter="ctx",
    )


def _as_enum(schema: dict[str, Any]) -> None:
    """A choice of one is an enum of one, not pydantic's `const`: every model reads enums."""
    if "const" in schema:
        schema["enum"] = [schema.pop("const")]
    for option in schema.get("anyOf", []):
        _as_enum(option)


def _description(each: Param, providers: tuple[str, ...]) -> str:
    """The text a model reads; in a set for several providers, it says whose parameter it is."""
    text = each.description
    named = any(text.startswith(_short(p)) for p in each.providers)
    if not (each.labelled or named or each.providers >= set(providers)):
        text = f"{'/'.join(_short(p) for p in providers if p in each.providers)}: {text}"
    return f"{text} {_SOURCE_HOW}" if each.source else text


def _merge(params: list[Param], providers: tuple[str, ...]) -> list[Param]:
    """One parameter per name: a name some providers describe differently gets each text,
    labelled, and is required only if every provider offering it requires it."""
    by_name: dict[str, list[Param]] = {}
    for each in params:
        by_name.setdefault(each.name, []).append(each)
    merged = []
    for name, variants in by_name.items():
        if len(variants) == 1:
            merged.append(variants[0])
            continue
        if len({v.description for v in variants}) == 1:  # said the same way by each
            takers = frozenset().union(*(v.providers for v in variants))
            first = variants[0]
            merged.append(
                Param(
                    name, first.annotation, first.default, first.description, takers, first.source
                )
            )
            continue
        required = all(v.required for v in variants)
        default = ... if required else next(v.default for v in variants if not v.required)
        takers = frozenset().union(*(v.providers for v in variants))
        text = " ".join(
            f"{'/'.join(_short(p) for p in providers if p in v.providers)}: {v.description}"
            for v in variants
        )
        first = variants[0]
        merged.append(Param(name, first.annotation, default, text, takers, first.source, True))
    return merged


def _model_param(kind: Kind, providers: tuple[str, ...], *, merged: bool) -> Param:
    # Deprecated models still run, but offering them would steer a model to them.
    choices = tuple(
        model
        for provider in providers
        for model in models(provider, kind.kind)
        if not capability(provider, model).deprecated
    )
    notes = []
    for provider in providers:
        default = default_model(provider, kind.kind)
        note = catalog.offers(kind.kind)[provider].model_note
        line = f"unset uses {default}{f' ({note})' if note else ''}"
        notes.append(f"{_short(provider)}: {line}" if merged else line)
    text = "Which model; " + "; ".join(notes) + "."
    if merged:
        text += " Name a model of the chosen provider."
    choice = Literal[choices] | None  # type: ignore[valid-type]  # built at run time, as above
    return Param("model", choice, None, text, frozenset(providers), labelled=True)
