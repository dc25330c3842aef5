"""Which tools an agent gets: the built-in agents' sets resolve, a media set dave lacks is
reported, and an unknown set or one tool name in two sets is a ConfigError."""

from __future__ import annotations

import pytest

from dave.agents.spec import AgentSpec, load_specs
from dave.agents.toolsets import resolve_tools
from dave.core.errors import ConfigError
from dave.tools.media import all_media_tools

MEDIA = all_media_tools().names()


def test_built_in_tools_resolve_and_missing_media_sets_are_reported_not_fatal() -> None:
    specs = load_specs()
    code, _ = resolve_tools(specs["code"], specs)
    assert {"read_file", "write_file", "edit_file", "run_command"} <= set(code.names())
    daisy, _ = resolve_tools(specs["daisy"], specs)
    assert {"generate_image", "fetch_url", "delegate"} <= set(daisy.names())
    delegate = daisy.get("delegate")
    assert delegate is not None and "stability:" in delegate.description
    xai, missing = resolve_tools(specs["xai"], specs)
    assert "generate_image" in xai.names() and missing == []
    minimax, missing = resolve_tools(specs["minimax"], specs)
    if "media_minimax" in missing:  # until dave has MiniMax media, the agent has no tools
        assert len(minimax) == 0


def test_an_unknown_tool_set_is_a_config_error() -> None:
    spec = AgentSpec(name="typo", system_prompt="x", toolsets=["flies"])
    with pytest.raises(ConfigError, match="unknown tool set 'flies'"):
        resolve_tools(spec)


def test_builtin_agents_get_no_tool_name_twice() -> None:
    specs = load_specs()
    for spec in specs.values():
        tools, missing = resolve_tools(spec, specs)
        assert len(set(tools.names())) == len(tools.names()), spec.name
        assert missing == []
    daisy, _ = resolve_tools(specs["daisy"], specs)
    assert set(MEDIA) <= set(daisy.names())


def test_two_sets_with_one_tool_name_are_refused_naming_both() -> None:
    spec = AgentSpec(name="greedy", system_prompt="x", toolsets=["media", "media_xai"])
    with pytest.raises(ConfigError) as caught:
        resolve_tools(spec)
    assert caught.value.message == (
        "agent 'greedy': tool sets 'media' and 'media_xai' both have a tool named 'generate_image'"
    )
    # Naming one set twice is not a clash.
    tools, _ = resolve_tools(AgentSpec(name="twice", system_prompt="x", toolsets=["media"] * 2))
    assert tools.names() == MEDIA
