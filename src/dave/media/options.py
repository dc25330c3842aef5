"""The pieces every request model is built from: the strict base model, the options a slice adds
to one kind of request, and merging every slice's options into that kind's request model.

A slice (`media/<provider>/options.py`) declares, per kind it makes, an `Offer`: the fields it
adds (an `Options` model, each field documented by its docstring), the shared fields it takes and
what it says about them. requests.py builds each request model from the shared fields and every
slice's options, so the tools, the CLI's `--opt` and `dave providers --options` read the same
fields. Not for checking values against a provider's limits (each slice's rules.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Self, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, create_model
from pydantic_core import PydanticCustomError

from dave.media.error_lines import invalid_request
from dave.media.sources import SourceMedium


def _whole_number(value: object) -> object:
    if isinstance(value, bool):  # pydantic would take True as 1
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]


class StrictModel(BaseModel):
    """Raises InvalidRequest, never ValidationError, from every way of building a model; its
    `SOURCES` name the fields that hold an input file, and `source_fields` finds them."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)

    #: Fields holding an input (a path, URL or data URI, or a list of them, or of models that
    #: have sources of their own), with the medium each must be.
    SOURCES: ClassVar[Mapping[str, SourceMedium]] = {}

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as err:
            raise invalid_request(err, tuple(type(self).model_fields)) from None

    # Marks this __init__ as pydantic's own (RootModel does the same), so nested models and
    # TypeAdapters validate straight through the core and keep each error's full location.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]  # a function attribute

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as err:
            raise invalid_request(err, tuple(cls.model_fields)) from None

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except ValidationError as err:
            raise invalid_request(err, tuple(cls.model_fields)) from None

    def source_fields(self) -> list[tuple[str, str, SourceMedium]]:
        """(field, value, medium) for each input this request names, such as `images[0]` or
        `keyframes[1].image`, in field order."""
        found: list[tuple[str, str, SourceMedium]] = []
        for name, medium in self.SOURCES.items():
            value = getattr(self, name, None)
            items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
            for index, item in items:
                where = name if index is None else f"{name}[{index}]"
                if isinstance(item, StrictModel):
                    found += [(f"{where}.{n}", v, m) for n, v, m in item.source_fields()]
                elif isinstance(item, str):
                    found.append((where, item, medium))
        return found


class Options(StrictModel):
    """The fields one provider adds to one kind of request; subclassed in each slice."""

    @classmethod
    def of(cls, request: BaseModel) -> Self:
        """These options as `request` holds them (already checked by the request model)."""
        values = {name: getattr(request, name) for name in cls.model_fields}
        return cls.model_construct(**values)  # type: ignore[return-value]  # it is cls


@dataclass(frozen=True)
class Offer:
    """What one provider offers for one kind of request."""

    kind: str
    #: The fields only this provider (or a few) takes, with their docstrings.
    options: type[Options]
    #: The shared request fields it takes, each with what this provider says about it (None:
    #: the shared field's own description).
    shared: Mapping[str, str | None]
    #: One clause a tool description uses for this provider, such as "x.ai changes one to
    #: three images as the prompt says".
    summary: str
    #: What the `model` parameter adds for this provider, such as "S2V-01 for a subject".
    model_note: str = ""
    #: Whether a `model` is named; False where another field (`op`, `mode`) picks the route.
    names_model: bool = True
    #: Shared fields this provider needs though the shared model has a default for them.
    required: frozenset[str] = frozenset()

    def fields(self) -> tuple[str, ...]:
        """Every request field this provider takes for this kind, shared ones first."""
        return (*self.shared, *self.options.model_fields)

    def accepted(self) -> frozenset[str]:
        """What its rules let a request set: its fields and which request it is."""
        return frozenset({"kind", "provider", "model", *self.fields()})

    def about(self, name: str, shared_model: type[BaseModel]) -> str:
        """This provider's description of one of its fields, as one line."""
        if name in self.options.model_fields:
            text = self.options.model_fields[name].description
        else:
            text = self.shared[name] or shared_model.model_fields[name].description
        return " ".join((text or "").split())


Model = TypeVar("Model", bound=StrictModel)


def with_options(
    name: str, base: type[Model], offers: Mapping[str, Offer], short_labels: Mapping[str, str]
) -> type[Model]:
    """`base` plus every provider's options for its kind, as one model called `name`.

    A field two providers add must have the same type and default in both (each provider's
    rules then check its own ranges); its description says what each provider takes.
    """
    merged: dict[str, Any] = {}
    texts: dict[str, list[str]] = {}
    owners: dict[str, str] = {}
    sources: dict[str, SourceMedium] = dict(base.SOURCES)
    for provider, offer in offers.items():
        for name, info in offer.options.model_fields.items():
            if name in base.model_fields:
                raise TypeError(f"{provider} options redefine the shared field {name!r}")
            if name in merged:
                _same_field(merged[name][1], info, name, owners[name], provider)
            else:
                merged[name] = (info.annotation, info)
                owners[name] = provider
            text = " ".join((info.description or "").split())
            texts.setdefault(name, []).append(f"{short_labels[provider]}: {text}")
        sources.update(offer.options.SOURCES)
    fields: dict[str, Any] = {}
    for name, (annotation, info) in merged.items():
        copy = info._copy()  # a FieldInfo per model: the description differs from each slice's
        copy.description = " ".join(texts[name])
        fields[name] = (annotation, copy)
    built = create_model(name, __base__=base, __module__=base.__module__, **fields)
    built.SOURCES = sources
    built.__doc__ = base.__doc__
    return built


def _same_field(first: Any, second: Any, name: str, one: str, other: str) -> None:
    if first.annotation != second.annotation or first.default != second.default:
        raise TypeError(f"{one} and {other} options give {name!r} different types or defaults")
