"""The built-in tool sets by name, the package's public names, and the layer rule."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import dave.tools
from dave.core.errors import ConfigError
from dave.media.capabilities import providers
from dave.tools import BUILTIN_TOOLSETS, ToolSet, builtin_toolset

TOOLS_SOURCE = Path(dave.tools.__file__).parent


def test_the_built_in_sets_are_named_as_agent_specs_name_them() -> None:
    assert list(BUILTIN_TOOLSETS) == [
        "files",
        "shell",
        "web",
        "agents",
        "publish",
        "media",
        *(f"media_{provider}" for provider in providers()),
    ]


@pytest.mark.parametrize("name", list(BUILTIN_TOOLSETS))
def test_every_built_in_set_builds_with_valid_schemas(name: str) -> None:
    tools = builtin_toolset(name)
    assert isinstance(tools, ToolSet) and tools.name == name
    for schema in tools.schemas():
        assert schema["type"] == "function"
        function = schema["function"]
        assert function["description"], function["name"]
        assert function["parameters"]["type"] == "object"
        assert function["parameters"]["additionalProperties"] is False
        for prop in function["parameters"]["properties"].values():
            assert prop.get("description"), (function["name"], prop)


def test_an_unknown_set_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="no built-in tool set 'email'; the tool sets are: files"):
        builtin_toolset("email")


def _isort_order(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions (ruff's RUF022 order)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert dave.tools.__all__ == sorted(dave.tools.__all__, key=_isort_order)
    assert len(set(dave.tools.__all__)) == len(dave.tools.__all__)
    for name in dave.tools.__all__:
        assert getattr(dave.tools, name) is not None, name


def test_tools_import_nothing_from_the_layers_above() -> None:
    for module in TOOLS_SOURCE.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(("dave.agents", "dave.cli", "dave.server")), (
                    f"{module.name} imports {name}"
                )
