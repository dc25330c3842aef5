"""Fixtures for the agent tests: the real `openai` SDK and dave's manager pointed at the loopback
emulator, whose chat model a test scripts turn by turn."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dave.emulator import EmulatorServer

Script = Callable[[list[dict[str, Any]]], None]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def chat_requests(server: EmulatorServer) -> list[Any]:
    """The chat-completions requests the emulator has seen, in order."""
    return [entry for entry in server.log if entry.path.endswith("/chat/completions")]
