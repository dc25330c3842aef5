"""Fixtures for the agent tests: the real `openai` SDK and dave's manager pointed at the loopback
emulator, whose chat model a test scripts turn by turn."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import openai
import pytest

from dave.core.settings import load_settings
from dave.emulator import EmulatorServer
from dave.providers.openai_compat import llm_endpoint, open_llm

# LLM variables a developer may have exported must never reach a test (or a real service).
_LLM_VARIABLES = (
    "MINIMAX_API_KEY",
    "MINIMAX_BASE_URL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "DAVE_LLM_PROVIDER",
    "DAVE_LLM_MODEL",
)

Script = Callable[[list[dict[str, Any]]], None]


@pytest.fixture(autouse=True)
def _no_llm_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _LLM_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def llm(xai: EmulatorServer) -> AsyncIterator[openai.AsyncOpenAI]:
    """An `AsyncOpenAI` client from dave's own endpoint lookup, on the loopback emulator."""
    client = open_llm(llm_endpoint(load_settings(), "xai"))
    async with client:
        yield client


@pytest.fixture
def script(xai: EmulatorServer) -> Script:
    """Give the emulator's chat model these turns (the `xai` fixture clears them after)."""
    return xai.config.set_chat_script


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def chat_requests(server: EmulatorServer) -> list[Any]:
    """The chat-completions requests the emulator has seen, in order."""
    return [entry for entry in server.log if entry.path.endswith("/chat/completions")]
