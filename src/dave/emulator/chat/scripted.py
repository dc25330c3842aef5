"""The scripted chat model: a turn's `expect` checked against the request it answers, and the
control routes that show and replace a running emulator's script. Not the script itself (kept
in `EmulatorConfig`, faults.py) nor the rule-based model (rule_based.py)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..appstate import app_config
from ..faults import ScriptedExpect, ScriptedTurn
from .wire import fail, text_of, tool_names


def check_expect(number: int, expect: ScriptedExpect, body: dict[str, Any]) -> None:
    """A 400 (`ChatError`) naming each way `body` misses scripted turn `number`'s `expect`."""
    messages: list[dict[str, Any]] = body["messages"]
    last = messages[-1]
    misses: list[str] = []
    if expect.last_role is not None and last["role"] != expect.last_role:
        misses.append(f"the last message to be {expect.last_role!r}, got {last['role']!r}")
    if expect.contains is not None and expect.contains not in text_of(last):
        misses.append(f"the last message to contain {expect.contains!r}")
    if expect.any_contains is not None and not any(
        expect.any_contains in text_of(m) for m in messages
    ):
        misses.append(f"some message to contain {expect.any_contains!r}")
    if expect.system_contains is not None and not any(
        m["role"] in ("system", "developer") and expect.system_contains in text_of(m)
        for m in messages
    ):
        misses.append(f"the system message to contain {expect.system_contains!r}")
    if expect.message_count is not None and len(messages) != expect.message_count:
        misses.append(f"{expect.message_count} messages, got {len(messages)}")
    offered = tool_names(body)
    if expect.tools is not None and (missing := [t for t in expect.tools if t not in offered]):
        misses.append(f"tools {missing} to be offered, got {offered}")
    if expect.no_tools and offered:
        misses.append(f"no tools to be offered, got {offered}")
    if expect.tool_call_ids is not None:
        trailing: list[str] = []
        for message in reversed(messages):
            if message["role"] != "tool":
                break
            trailing.insert(0, message["tool_call_id"])
        if trailing != expect.tool_call_ids:
            misses.append(f"tool results for {expect.tool_call_ids}, in order, got {trailing}")
    if expect.model is not None and body["model"] != expect.model:
        misses.append(f"model {expect.model!r}, got {body['model']!r}")
    if expect.stream is not None and bool(body.get("stream")) != expect.stream:
        misses.append(f"stream={expect.stream}")
    if misses:
        fail(f"chat script turn {number} expected " + "; ".join(misses))


# --- control ---------------------------------------------------------------------------


async def get_chat_script(request: Request) -> Response:
    """The scripted turns not used yet, or null in rule-based mode."""
    script = app_config(request.app).chat_script
    turns = None if script is None else [ScriptedTurn.model_validate(t) for t in script]
    return JSONResponse(None if turns is None else [t.model_dump() for t in turns])


async def put_chat_script(request: Request) -> Response:
    """Replace the script of a running emulator: a JSON list of turns, or null."""
    try:
        turns = await request.json()
        if turns is not None and not isinstance(turns, list):
            raise ValueError("expected a JSON list of chat turns, or null")
        app_config(request.app).set_chat_script(turns)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError too
        return JSONResponse({"code": "400", "error": str(exc)}, status_code=400)
    return await get_chat_script(request)
