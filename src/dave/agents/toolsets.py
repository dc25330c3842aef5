"""Which tools an agent gets: the tool sets its spec names, resolved to one ToolSet.

Not for the tools themselves (dave.tools, whose registry names the built-in sets) nor for
reading specs (spec.py): this turns a spec's `toolsets = [...]` into tools, or a ConfigError.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from dave.agents.spec import AgentSpec
from dave.core.errors import ConfigError

if TYPE_CHECKING:
    from dave.tools import ToolSet


def resolve_tools(
    spec: AgentSpec, specs: Mapping[str, AgentSpec] | None = None
) -> tuple[ToolSet, list[str]]:
    """The spec's tools as one set, and the media sets it names that dave does not have yet.

    `media` is every provider's media tools at once; `agents` offers delegation to the agents
    in `can_delegate_to` (described from `specs`). Any other unknown name is a ConfigError, and
    so are two sets with a tool of one name (`media` and `media_xai`, say): the model could not
    tell which it calls.
    """
    from dave.tools import BUILTIN_TOOLSETS, ToolSet

    sets: list[ToolSet] = []
    missing: list[str] = []
    for name in dict.fromkeys(spec.toolsets):  # a set named twice is offered once
        factory = BUILTIN_TOOLSETS.get(name)
        if name == "agents" and spec.can_delegate_to:
            from dave.tools.delegate import agents_tools

            known = specs or {}
            sets.append(
                agents_tools(
                    {
                        agent: known[agent].description if agent in known else ""
                        for agent in spec.can_delegate_to
                    }
                )
            )
        elif factory is not None:
            sets.append(factory())
        elif name.startswith("media_"):
            missing.append(name)
        else:
            toolsets = ", ".join(sorted(BUILTIN_TOOLSETS))
            raise ConfigError(
                f"agent {spec.name!r} names an unknown tool set {name!r}",
                hint=f"tool sets: {toolsets} ({spec.source})",
            )
    owners: dict[str, str] = {}
    for toolset in sets:
        for tool in toolset:
            if tool.name in owners:
                raise ConfigError(
                    f"agent {spec.name!r}: tool sets {owners[tool.name]!r} and "
                    f"{toolset.name!r} both have a tool named {tool.name!r}",
                    hint=f"name only one of them in toolsets ({spec.source})",
                )
            owners[tool.name] = toolset.name
    return ToolSet(spec.name, [tool for toolset in sets for tool in toolset]), missing
