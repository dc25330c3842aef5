"""The provider registry: every media provider dave knows, built from its slice
(`media/<provider>/`): its names, key and base-URL variables, emulator prefix, models and their
defaults, and what it offers for each kind of request (options.py). Its rules and driver load
on first use, so a command pays only for the providers it calls.

Adding a provider is a slice plus one line in `_SLICES`. Not for lookups by model (capabilities)
nor for checking requests (validation).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, Any, cast

from dave.core.errors import InvalidRequest
from dave.core.settings import base_url_variable, key_variable
from dave.media.minimax import models as minimax_models
from dave.media.minimax import options as minimax_options
from dave.media.model_rows import ModelCapability
from dave.media.options import Offer
from dave.media.stability import models as stability_models
from dave.media.stability import options as stability_options
from dave.media.xai import models as xai_models
from dave.media.xai import options as xai_options
from dave.providers import minimax_api, stability_api, xai_api

if TYPE_CHECKING:
    from dave.media.driver_protocol import ClientDriver
    from dave.media.rule_checks import ResolvedRequest


@dataclass(frozen=True)
class Slice:
    """One provider as its slice describes it."""

    name: str
    #: The slice's models.py: ROWS, DEFAULTS, LABEL, SHORT_LABEL, OFFLINE_PREFIX,
    #: DEFAULT_BASE_URL.
    models: ModuleType
    #: The slice's options.py: OFFERS.
    options: ModuleType
    #: Where its API is (`providers/<provider>_api.py`): DEFAULT_BASE_URL.
    api: ModuleType

    @property
    def package(self) -> str:
        return self.models.__name__.rsplit(".", 1)[0]

    @property
    def label(self) -> str:
        return cast(str, self.models.LABEL)

    @property
    def short_label(self) -> str:
        return cast(str, self.models.SHORT_LABEL)

    @property
    def offline_prefix(self) -> str:
        return cast(str, self.models.OFFLINE_PREFIX)

    @property
    def default_base_url(self) -> str:
        return cast(str, self.api.DEFAULT_BASE_URL)

    @property
    def key_variable(self) -> str:
        return key_variable(self.name)

    @property
    def base_url_variable(self) -> str:
        return base_url_variable(self.name)

    @property
    def rows(self) -> tuple[ModelCapability, ...]:
        return cast(tuple[ModelCapability, ...], self.models.ROWS)

    @property
    def defaults(self) -> Mapping[str, str]:
        return cast(Mapping[str, str], self.models.DEFAULTS)

    @property
    def offers(self) -> Mapping[str, Offer]:
        """What it offers, by kind."""
        return {offer.kind: offer for offer in cast(tuple[Offer, ...], self.options.OFFERS)}

    def rules(self) -> Callable[..., ResolvedRequest]:
        """Its rules' `validate(request, *, check_files)`."""
        module = importlib.import_module(f"{self.package}.rules")
        return cast(Callable[..., "ResolvedRequest"], module.validate)

    def driver(self) -> type[ClientDriver[Any]]:
        """Its driver class (the slice's driver.py names it `DRIVER`)."""
        module = importlib.import_module(f"{self.package}.driver")
        return cast("type[ClientDriver[Any]]", module.DRIVER)


#: Every provider, in the order they are offered: the one list of them.
_SLICES: Mapping[str, Slice] = MappingProxyType(
    {
        s.name: s
        for s in (
            Slice("xai", xai_models, xai_options, xai_api),
            Slice("minimax", minimax_models, minimax_options, minimax_api),
            Slice("stability", stability_models, stability_options, stability_api),
        )
    }
)


def slices() -> tuple[Slice, ...]:
    """Every provider's slice, in the order providers are offered."""
    return tuple(_SLICES.values())


def get(provider: str) -> Slice:
    """One provider's slice; InvalidRequest naming the known ones if there is none."""
    found = _SLICES.get(provider)
    if found is None:
        raise InvalidRequest(f"unknown provider {provider!r}; use one of {', '.join(_SLICES)}")
    return found


@cache
def offers(kind: str) -> Mapping[str, Offer]:
    """Who offers `kind`, by provider, in the order providers are offered."""
    return MappingProxyType({s.name: s.offers[kind] for s in _SLICES.values() if kind in s.offers})


def short_labels() -> dict[str, str]:
    """Each provider's short name (`x.ai`, `MiniMax`, ...)."""
    return {s.name: s.short_label for s in _SLICES.values()}
