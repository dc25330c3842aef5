"""The emulator's OpenAI-compatible chat endpoint (`wire.py`), as a package of its own."""

from __future__ import annotations

from .wire import (
    ScriptedCall,
    ScriptedExpect,
    ScriptedTurn,
    chat_completions,
    get_chat_script,
    put_chat_script,
    text_of,
)

__all__ = [
    "ScriptedCall",
    "ScriptedExpect",
    "ScriptedTurn",
    "chat_completions",
    "get_chat_script",
    "put_chat_script",
    "text_of",
]
