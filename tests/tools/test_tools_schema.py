"""What a model reads about a tool made with `@tool`: descriptions from the docstring in each
style it may be written in, the schema from the type hints, without pydantic's titles."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import Field

from dave.tools import Tool, tool
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


@tool(name="scale")
def scale_numpy(path: str, factor: float = 2.0) -> str:
    """Scale a picture.

    Keeps the aspect
    ratio.

    Parameters
    ----------
    path : str
        The picture file,
        inside the workspace.
    factor : float, optional
        How much bigger.

    Returns
    -------
    str
        The new picture's path.
    """
    return path


@tool(name="scale")
def scale_sphinx(path: str, factor: float = 2.0) -> str:
    """Scale a picture.

    Keeps the aspect
    ratio.

    :param path: The picture file,
        inside the workspace.
    :type path: str
    :param float factor: How much bigger.
    :returns: The new picture's path.
    :raises ValueError: for a factor below zero.
    """
    return path


@tool(name="scale")
def scale_epydoc(path: str, factor: float = 2.0) -> str:
    """Scale a picture.

    Keeps the aspect
    ratio.

    @param path: The picture file,
        inside the workspace.
    @type path: str
    @param factor: How much bigger.
    @return: The new picture's path.
    """
    return path


@pytest.mark.parametrize("scale", [scale_numpy, scale_sphinx, scale_epydoc])
def test_numpy_sphinx_and_epydoc_docstrings_describe_the_tool_and_its_parameters(
    scale: Tool,
) -> None:
    assert scale.schema() == {
        "type": "function",
        "function": {
            "name": "scale",
            "description": "Scale a picture.\n\nKeeps the aspect ratio.",
            "parameters": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "path": {
                        "type": "string",
                        "description": "The picture file, inside the workspace.",
                    },
                    "factor": {"type": "number", "default": 2.0, "description": "How much bigger."},
                },
                "required": ["path"],
            },
        },
    }


def test_a_docstring_no_style_reads_is_all_description() -> None:
    @tool
    def odd(x: int) -> str:
        """Do it.

        :param: no name
        @param: no name either

        Args:
            x has no colon
        """
        return str(x)

    assert odd.description == (
        "Do it.\n\n:param: no name @param: no name either\n\nArgs: x has no colon"
    )
    assert odd.parameters["properties"]["x"] == {"type": "integer"}
