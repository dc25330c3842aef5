"""An OpenAI-compatible `/v1/chat/completions` for tests and offline runs: a scripted model and a
small rule-based one. Not a language model: it never makes up anything but what is below.

Every request's conversation is checked as the real services check it: each `tool` message must
answer a call of the assistant message before it, and every call must be answered before the
next user or assistant message (else a 400 in OpenAI's error shape).

A test scripts a conversation in the config it starts the emulator with::

    config = EmulatorConfig(chat_script=[
        # 1st request: call a tool (arguments are streamed in several pieces).
        {"tool_calls": [{"name": "read_file", "arguments": {"path": "a.txt"}, "id": "call_1"}],
         "expect": {"last_role": "user", "tools": ["read_file"]}},
        # 2nd request: must carry the tool result for call_1; answer with text.
        {"content": "a.txt says hello", "expect": {"last_role": "tool", "contains": "hello",
                                                   "tool_call_ids": ["call_1"]}},
    ])
    with EmulatorServer(config) as server:
        client = openai.AsyncOpenAI(base_url=server.xai_base_url, api_key="test")

or on a running emulator (e.g. one a `dave chat` subprocess talks to)::

    httpx2.put(f"{server.url}/_emulator/chat-script", json=[{"content": "hi"}])
    server.config.set_chat_script([ScriptedTurn(content="hi")])   # the same, in-process

Each request takes the next turn; a turn whose `expect` is not met answers 400 with a message
naming the miss, and a request after the last turn answers 400. `PUT` `null` (or
`set_chat_script(None)`) goes back to the rule-based model, which: calls an offered tool named
like `*image*` (or else `*delegate*`) with the user's text when asked for a picture, and one
named like `*music*` when asked for a song (letting the service write the words); sums up
a tool's result (asset ids, paths) after a tool message; otherwise says in one line that it is
the offline emulator. `GET /_emulator/chat-script` shows the turns left.

The package splits at the seams: `wire.py` checks requests and shapes answers (JSON or SSE),
`scripted.py` checks scripted turns and serves the control routes, `rule_based.py` is the
rule-based model, and `routes.py` is the endpoint that joins them.
"""

from __future__ import annotations

from ..faults import ScriptedCall, ScriptedExpect, ScriptedTurn
from .routes import chat_completions
from .scripted import get_chat_script, put_chat_script
from .wire import text_of

__all__ = [
    "ScriptedCall",
    "ScriptedExpect",
    "ScriptedTurn",
    "chat_completions",
    "get_chat_script",
    "put_chat_script",
    "text_of",
]
