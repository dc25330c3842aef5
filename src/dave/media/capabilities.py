"""The capability table: every provider's media models, gathered from the slices
(`media/<provider>/models.py`), with the lookups the rest of dave uses.

Not for checking requests (the rules modules do that) nor for prices (each slice's prices.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Protocol

from dave.core.errors import InvalidRequest
from dave.media.minimax import models as minimax_models
from dave.media.model_rows import (
    MODE_LABELS,
    ImageCapability,
    Kind,
    ModelCapability,
    Span,
    VideoCapability,
    VideoMode,
    VideoModeCapability,
    rows,
)
from dave.media.stability import models as stability_models
from dave.media.xai import models as xai_models

__all__ = [
    "MODE_LABELS",
    "ImageCapability",
    "Kind",
    "ModelCapability",
    "Span",
    "VideoCapability",
    "VideoMode",
    "VideoModeCapability",
    "capability",
    "default_model",
    "label",
    "models",
    "offline_prefix",
    "providers",
]


class _Slice(Protocol):
    """What a slice's models.py gives: its rows, defaults, names and emulator prefix."""

    @property
    def ROWS(self) -> tuple[ModelCapability, ...]: ...
    @property
    def DEFAULTS(self) -> Mapping[str, str]: ...
    @property
    def LABEL(self) -> str: ...
    @property
    def SHORT_LABEL(self) -> str: ...
    @property
    def OFFLINE_PREFIX(self) -> str: ...


#: Each provider's slice, in the order providers are offered: the one list of them.
_SLICES: Mapping[str, _Slice] = {
    "xai": xai_models,
    "minimax": minimax_models,
    "stability": stability_models,
}

_TABLE: Mapping[tuple[str, str], ModelCapability] = MappingProxyType(
    {key: row for slice_ in _SLICES.values() for key, row in rows(*slice_.ROWS).items()}
)
_DEFAULTS: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        (provider, kind): model
        for provider, slice_ in _SLICES.items()
        for kind, model in slice_.DEFAULTS.items()
    }
)


def providers() -> tuple[str, ...]:
    """The providers, in the order they are offered (the slices' order)."""
    return tuple(_SLICES)


def label(provider: str, *, short: bool = False) -> str:
    """How dave names a provider to people: `x.ai Grok Imagine`, or with `short` `x.ai`."""
    _check_provider(provider)
    slice_ = _SLICES[provider]
    return slice_.SHORT_LABEL if short else slice_.LABEL


def offline_prefix(provider: str) -> str:
    """Where a provider's API sits on the built-in emulator (`/v1`, `/minimax`, ...)."""
    _check_provider(provider)
    return _SLICES[provider].OFFLINE_PREFIX


def models(provider: str, kind: str | None = None) -> tuple[str, ...]:
    """A provider's model ids (only those that do `kind`, when given)."""
    return tuple(
        row.model
        for (name, _), row in _TABLE.items()
        if name == provider and (kind is None or kind in row.kinds)
    )


def _check_provider(provider: str) -> None:
    if provider not in providers():
        known = ", ".join(providers())
        raise InvalidRequest(f"unknown provider {provider!r}; use one of {known}")


def capability(provider: str, model: str) -> ModelCapability:
    """The row for provider+model; InvalidRequest naming the known models when there is none."""
    _check_provider(provider)
    row = _TABLE.get((provider, model))
    if row is None:
        known = ", ".join(models(provider))
        raise InvalidRequest(f"unknown {provider} model {model!r}; use one of {known}")
    return row


def default_model(provider: str, kind: str) -> str:
    """The model dave uses when a request names none."""
    _check_provider(provider)
    try:
        return _DEFAULTS[(provider, kind)]
    except KeyError:
        raise InvalidRequest(f"{provider} has no {kind} models") from None
