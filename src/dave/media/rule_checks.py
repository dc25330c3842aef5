"""What every provider's rules share: the `ResolvedRequest` they return and the checks they all
make (the prompt, a choice from a list, fields a provider does not take, sources made absolute).

validation.py (x.ai's rules and the dispatch), minimax_rules.py and stability_rules.py import
these; this module imports none of them. Not for any one provider's limits (capabilities.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from dave.core.errors import InvalidRequest
from dave.media.capabilities import ModelCapability, VideoMode, models, providers
from dave.media.error_lines import shown_value
from dave.media.prices import Charge
from dave.media.requests import Request
from dave.media.sources import Source

#: A request model (one of `Request`'s): `completed` gives back the type it was given.
AnyRequest = TypeVar("AnyRequest", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class ResolvedRequest:
    """A request that passed validation, with what validation learned."""

    #: The request with `model` filled in, the prompt stripped and local paths made absolute.
    request: Request
    capability: ModelCapability
    #: The video mode (text, image, reference, edit, extend); None for images.
    mode: VideoMode | None
    #: Checked sources by field, such as `images[0]`, `image`, `keyframes[1].image`.
    sources: Mapping[str, Source]
    #: Things that work but deserve a word (a deprecated model, an ignored field).
    warnings: tuple[str, ...]
    #: The documented list price in the provider's unit (dollars or credits), if known.
    charge: Charge | None = None

    @property
    def estimated_cost_usd(self) -> float | None:
        """The list price in dollars, if known."""
        return self.charge.usd if self.charge is not None else None

    @property
    def kind(self) -> str:
        return self.request.kind

    @property
    def model(self) -> str:
        return self.capability.model


def completed(
    request: AnyRequest, model: str, update: Mapping[str, Any], sources: Mapping[str, Source]
) -> AnyRequest:
    """The request as it will be journaled: its model filled in, the checked values of
    `update`, and each local source as an absolute path."""
    return request.model_copy(update={"model": model, **update, **absolute(request, sources)})


def who_can(kind: str) -> str:
    """A hint naming the providers that make `kind`, or nothing."""
    able = [name for name in providers() if models(name, kind)]
    return f"; use provider {' or '.join(able)}" if able else ""


def refuse_unsupported(request: Request, accepted: frozenset[str], where: str) -> None:
    """InvalidRequest naming the first field set to other than its default that `where`
    (a provider, or a provider's model or route) does not take."""
    for name, info in type(request).model_fields.items():
        if name in accepted:
            continue
        value = getattr(request, name)
        if value != info.get_default(call_default_factory=True):
            raise InvalidRequest(f"{name} is not supported by {where}; leave it unset")


def check_prompt(prompt: str, max_chars: int, model: str, *, may_be_empty: bool = False) -> str:
    """The prompt, stripped, if it is text `model` can take."""
    text = prompt.strip()
    if "\x00" in text:
        raise InvalidRequest(f"prompt contains a NUL character (at position {text.index(chr(0))})")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise InvalidRequest(
            f"prompt is not valid Unicode (lone surrogate at {err.start})"
        ) from None
    if not text and not may_be_empty:
        raise InvalidRequest("prompt is empty")
    if len(text) > max_chars:
        raise InvalidRequest(
            f"prompt is {len(text):,} characters; {model} takes at most {max_chars:,}"
        )
    return text


def choose(
    field: str, value: str | None, allowed: tuple[str, ...], where: str, hint: str = ""
) -> str | None:
    """The value, tidied, if `allowed` has it; None if unset."""
    if value is None:
        return None
    tidy = value.strip().lower()
    if tidy not in allowed:
        choices = ", ".join(allowed)
        raise InvalidRequest(
            f"{field} {shown_value(value)} is not supported by {where}; use one of {choices}{hint}"
        )
    return tidy


def absolute(request: BaseModel, sources: Mapping[str, Source]) -> dict[str, Any]:
    """The source fields with each local file replaced by its absolute path: an update for
    `model_copy`. Knows the shapes `name`, `name[i]` and `name[i].image`."""
    update: dict[str, Any] = {}
    for field, source in sources.items():
        if source.kind != "file":
            continue
        name, _, rest = field.partition("[")
        if not rest:
            update[name] = source.value
            continue
        index = int(rest.split("]", 1)[0])
        items = update.setdefault(name, list(getattr(request, name)))
        if rest.endswith(".image"):
            items[index] = items[index].model_copy(update={"image": source.value})
        else:
            items[index] = source.value
    return update
