"""The capability table: every provider's media models, gathered from the slices
(`media/<provider>/models.py`), with the lookups the rest of dave uses.

Not for checking requests (the rules modules do that) nor for prices (each slice's prices.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from dave.core.errors import InvalidRequest
from dave.media import catalog
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


_TABLE: Mapping[tuple[str, str], ModelCapability] = MappingProxyType(
    {key: row for slice_ in catalog.slices() for key, row in rows(*slice_.rows).items()}
)
_DEFAULTS: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        (slice_.name, kind): model
        for slice_ in catalog.slices()
        for kind, model in slice_.defaults.items()
    }
)


def providers() -> tuple[str, ...]:
    """The providers, in the order they are offered (the slices' order)."""
    return tuple(slice_.name for slice_ in catalog.slices())


def label(provider: str, *, short: bool = False) -> str:
    """How dave names a provider to people: `x.ai Grok Imagine`, or with `short` `x.ai`."""
    slice_ = catalog.get(provider)
    return slice_.short_label if short else slice_.label


def offline_prefix(provider: str) -> str:
    """Where a provider's API sits on the built-in emulator (`/v1`, `/minimax`, ...)."""
    return catalog.get(provider).offline_prefix


def models(provider: str, kind: str | None = None) -> tuple[str, ...]:
    """A provider's model ids (only those that do `kind`, when given)."""
    return tuple(
        row.model
        for (name, _), row in _TABLE.items()
        if name == provider and (kind is None or kind in row.kinds)
    )


def _check_provider(provider: str) -> None:
    catalog.get(provider)  # InvalidRequest naming the known providers


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
