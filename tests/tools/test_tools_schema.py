"""What a model reads about a tool made with `@tool`: descriptions from the docstring, the
schema from the type hints, without pydantic's titles."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from dave.tools import tool
from dave.tools.schema import parse_docstring


def test_annotated_field_descriptions_and_constraints_reach_the_schema() -> None:
    @tool
    def pick(count: Annotated[int, Field(ge=1, le=5, description="How many.")] = 1) -> str:
        """Pick some."""
        return str(count)

    assert pick.parameters["properties"]["count"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 5,
        "default": 1,
        "description": "How many.",
    }


def test_a_parameter_called_title_keeps_its_name_while_titles_are_dropped() -> None:
    @tool
    def name_it(title: str) -> str:
        """Name it."""
        return title

    assert name_it.parameters == {
        "type": "object",
        "additionalProperties": False,
        "properties": {"title": {"type": "string"}},
        "required": ["title"],
    }


def test_docstring_without_sections_is_all_description() -> None:
    assert parse_docstring("  One line.\n\n  Two\n  lines.  ") == ("One line.\n\nTwo lines.", {})
    assert parse_docstring(None) == ("", {})
