"""Agent specs: the built-in TOML files and user files that add or override."""

from __future__ import annotations

from pathlib import Path

import pytest

from dave.agents.spec import find_spec, load_specs
from dave.core.errors import ConfigError, NotFound


def write(home: Path, name: str, text: str) -> Path:
    folder = home / "agents"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text)
    return path


def test_the_built_in_agents_are_code_daisy_and_one_per_media_provider() -> None:
    specs = load_specs()
    assert list(specs) == ["code", "daisy", "minimax", "stability", "xai"]
    assert specs["code"].toolsets == ["files", "shell"]
    assert set(specs["daisy"].can_delegate_to) == {"code", "xai", "minimax", "stability"}
    assert all(spec.source == "builtin" and spec.system_prompt.strip() for spec in specs.values())


def test_a_user_file_adds_an_agent_named_by_its_file(dave_home: Path) -> None:
    path = write(dave_home, "poet", 'description = "writes poems"\nsystem_prompt = "Rhyme."\n')
    spec = find_spec(load_specs(dave_home), "poet")
    assert (spec.name, spec.description, spec.source) == ("poet", "writes poems", str(path))
    assert (spec.max_turns, spec.max_tool_calls, spec.toolsets) == (20, 50, [])


def test_a_user_file_overrides_only_the_fields_it_gives(dave_home: Path) -> None:
    write(dave_home, "code", 'model = "grok-code-fast-1"\nmax_turns = 60\n')
    builtin = load_specs()["code"]
    spec = load_specs(dave_home)["code"]
    assert (spec.model, spec.max_turns) == ("grok-code-fast-1", 60)
    assert spec.system_prompt == builtin.system_prompt and spec.toolsets == builtin.toolsets


def test_a_bad_user_spec_is_one_line_naming_the_file_and_field(dave_home: Path) -> None:
    path = write(dave_home, "broken", 'system_prompt = "x"\nmax_turns = 0\n')
    with pytest.raises(ConfigError) as caught:
        load_specs(dave_home)
    assert str(path) in str(caught.value) and "max_turns" in str(caught.value)
    write(dave_home, "broken", "system_prompt = [unclosed\n")
    with pytest.raises(ConfigError, match="cannot read the agent spec"):
        load_specs(dave_home)
    write(dave_home, "broken", 'system_prompt = "x"\nmodel_name = "typo"\n')
    with pytest.raises(ConfigError, match="model_name"):
        load_specs(dave_home)


def test_an_unknown_agent_names_the_known_ones() -> None:
    with pytest.raises(NotFound) as caught:
        find_spec(load_specs(), "nobody")
    assert "daisy" in caught.value.user_line()
