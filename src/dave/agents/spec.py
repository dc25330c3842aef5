"""Agent specs: what an agent is (model, system prompt, tool sets, limits), read from TOML.

Built-in specs live beside this module in `builtin/*.toml`; `$DAVE_HOME/agents/*.toml` adds
agents or overrides fields of built-in ones. Not for running agents (loop.py, run.py,
manager.py).

A user file names the agent by its `name` field, or by its file name when it has none. A user
spec whose name is a built-in's changes only the fields it gives:

    # $DAVE_HOME/agents/code.toml
    model = "grok-code-fast-1"
    max_turns = 60
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dave.core.errors import ConfigError, NotFound

_NAME = r"^[a-z][a-z0-9_-]{0,39}$"


class AgentSpec(BaseModel):
    """One named agent."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    name: str = Field(pattern=_NAME)
    """Lower-case letters, digits, `-` and `_`: how `--agent` and delegation name it."""
    description: str = ""
    """One line for `dave agents list` and for agents that may delegate to this one."""
    provider: str | None = None
    """The LLM provider (xai, minimax, openai, local); none means the default one."""
    model: str | None = None
    """The chat model id; none means the provider's default model."""
    system_prompt: str
    """The system message every session with this agent starts with."""
    toolsets: list[str] = []
    """Tool sets by name: files, shell, web, agents, media_<provider>, or media (all media)."""
    max_turns: int = Field(default=20, ge=1, le=1000)
    """At most this many model calls per prompt; the run stops with `max_turns` after."""
    max_tool_calls: int = Field(default=50, ge=0, le=10_000)
    """At most this many tool calls per prompt; calls beyond it are refused."""
    budget_usd: float | None = Field(default=None, ge=0)
    """Stop the run once it has cost this much (model tokens and media), if prices are known."""
    can_delegate_to: list[str] = []
    """Agents this one may hand a task to with the `delegate` tool."""
    source: str = "builtin"
    """Where the spec came from: `builtin` or the path of the user's file."""


def builtin_dir() -> Path:
    return Path(str(resources.files("dave.agents") / "builtin"))


def user_dir(home: Path) -> Path:
    return Path(home) / "agents"


def load_specs(home: Path | None = None) -> dict[str, AgentSpec]:
    """Every agent by name: the built-ins, then the user's files under `home/agents/`."""
    tables: dict[str, dict[str, Any]] = {}
    for path in _toml_files(builtin_dir()):
        table = _read(path)
        tables[str(table.setdefault("name", path.stem))] = table
    if home is not None:
        for path in _toml_files(user_dir(home)):
            table = _read(path)
            name = str(table.setdefault("name", path.stem))
            base = tables.get(name, {})
            tables[name] = {**base, **table, "source": str(path)}
    return {name: _build(table) for name, table in sorted(tables.items())}


def find_spec(specs: dict[str, AgentSpec], name: str) -> AgentSpec:
    try:
        return specs[name]
    except KeyError:
        known = ", ".join(specs) or "none"
        raise NotFound(
            f"no agent {name!r}", hint=f"agents: {known}; `dave agents list` shows them"
        ) from None


def _toml_files(folder: Path) -> Iterable[Path]:
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.glob("*.toml") if path.is_file())


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read the agent spec {path}: {error}") from None


def _build(table: dict[str, Any]) -> AgentSpec:
    source = table.get("source", "builtin")
    try:
        return AgentSpec.model_validate(table)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "spec"
        raise ConfigError(
            f"agent spec {source}: {where}: {_plain(first['msg'])}",
            hint="see `dave agents show code` for a spec that works",
        ) from None


def _plain(message: str) -> str:
    return re.sub(r"^(Value error|Assertion failed), ", "", message)
