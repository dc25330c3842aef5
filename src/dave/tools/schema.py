"""What a model reads about a tool, from a typed, documented Python function: its description
and each parameter's from the docstring, the arguments model from the type hints, and the JSON
schema of that model without pydantic's titles.

Not for what a tool is or does when called (base.py) nor for any particular tool: this knows no
Tool, so base.py can build one from it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_type_hints

import docstring_parser
from pydantic import BaseModel, ConfigDict, Field, create_model


@dataclass(frozen=True)
class Described:
    """A function as a model sees it."""

    #: The docstring's text before its sections.
    description: str
    #: One field per parameter the model gives, described from the docstring.
    arguments_model: type[BaseModel]
    #: The parameter that receives the call's context, left out of the model; None if none.
    context_parameter: str | None


def clean_schema(schema: Any) -> Any:
    """Pydantic's schema without `title`s: the model reads descriptions, titles are noise."""
    if isinstance(schema, list):
        return [clean_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    cleaned = {}
    for key, value in schema.items():
        if key == "title":
            continue
        if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
            # Names here are parameter names, not keywords: a parameter may be called `title`.
            cleaned[key] = {name: clean_schema(sub) for name, sub in value.items()}
        else:
            cleaned[key] = clean_schema(value)
    return cleaned


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """(description, {parameter: description}) from a docstring in Google, NumPy, Sphinx
    (`:param x:`) or Epydoc (`@param x:`) style, whichever reads the most of it.

    The description is the text before the sections, each paragraph's lines joined; each
    parameter's description is one line. A docstring no style can read is all description.
    """
    # Any text reads as NumPy style, all description if nothing else: no docstring is an error.
    parsed = docstring_parser.parse(inspect.cleandoc(doc or ""))
    params = {
        # `*args: ...` names the parameter `args`.
        param.arg_name.lstrip("*"): " ".join((param.description or "").split())
        for param in parsed.params
        if param.args[0] != "attribute"  # a class's attributes are no call's parameters
    }
    return _paragraphs(parsed.description or ""), params


def _paragraphs(text: str) -> str:
    """Each paragraph's lines joined into one, the paragraphs a blank line apart."""
    return "\n\n".join(" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip())


def describe(function: Callable[..., Any], *, name: str, context: type) -> Described:
    """`function` described for the tool `name`. A parameter named `ctx` or typed `context`
    is the context parameter; *args and **kwargs, and hints that do not resolve, are errors."""
    doc_description, doc_params = parse_docstring(function.__doc__)
    try:
        hints = get_type_hints(function, include_extras=True)
    except NameError as error:  # a hint imported only under TYPE_CHECKING, say
        raise TypeError(f"tool {name}: cannot resolve a type hint ({error})") from None
    fields: dict[str, Any] = {}
    context_parameter = None
    for parameter in inspect.signature(function).parameters.values():
        annotation = hints.get(parameter.name, Any)
        if parameter.name == "ctx" or _is_context(annotation, context):
            context_parameter = parameter.name
            continue
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            raise TypeError(f"tool {name}: *args and **kwargs cannot be described to a model")
        default = ... if parameter.default is parameter.empty else parameter.default
        about = doc_params.get(parameter.name)
        # Only a described parameter gets a description here: one given in the annotation
        # (`Annotated[int, Field(description=...)]`) must not be overwritten by None.
        info = Field(default, description=about) if about else Field(default)
        fields[parameter.name] = (annotation, info)
    model = create_model(
        f"{name}_arguments",
        __config__=ConfigDict(extra="forbid", arbitrary_types_allowed=False),
        **fields,
    )
    return Described(doc_description, model, context_parameter)


def _is_context(annotation: Any, context: type) -> bool:
    return annotation is context or annotation == context.__name__
