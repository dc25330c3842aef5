"""The wire side of the emulator's OpenAI-compatible chat endpoint: the key check, the request
checked as the real services check it (roles, tools, the pairing of tool calls with tool
results), OpenAI's error body, and the answer as a completion or as SSE chunks. Not which turn
answers (scripted.py, rule_based.py) nor the route (routes.py)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, NoReturn

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..faults import EmulatorConfig, ScriptedTurn
from ..tokens import nonce
from ..wire import bearer_key

ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})

# Tool-call arguments are streamed in pieces at most this long (and always in at least two),
# so a client's delta accumulation is exercised.
_ARGUMENT_PIECE = 16


class ChatError(Exception):
    """A request the endpoint refuses, rendered as OpenAI's error body."""

    def __init__(
        self, status: int, message: str, *, param: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code

    def response(self) -> JSONResponse:
        kind = "authentication_error" if self.status == 401 else "invalid_request_error"
        error = {"message": self.message, "type": kind, "param": self.param, "code": self.code}
        return JSONResponse({"error": error}, status_code=self.status)


def fail(message: str, param: str | None = None, status: int = 400) -> NoReturn:
    raise ChatError(status, message, param=param)


# --- the request ------------------------------------------------------------------------


def authorize(request: Request, config: EmulatorConfig) -> None:
    key = bearer_key(request)
    if key is None:
        raise ChatError(
            401,
            "You didn't provide an API key: send 'Authorization: Bearer <key>'",
            code="missing_api_key",
        )
    if config.api_keys is not None and key not in config.api_keys:
        raise ChatError(401, "Incorrect API key provided", code="invalid_api_key")


async def read_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        fail("We could not parse the JSON body of your request.")
    if not isinstance(body, dict):
        fail("The request body must be a JSON object.")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        fail("you must provide a model parameter", "model")
    if not isinstance(body.get("stream", False), bool):
        fail("'stream' must be a boolean", "stream")
    if body.get("n", 1) != 1:
        fail("this emulator answers only n=1", "n")
    options = body.get("stream_options")
    if options is not None and (not isinstance(options, dict) or not body.get("stream")):
        fail("stream_options is only allowed when stream is true (and must be an object)")
    _check_tools(body.get("tools"))
    _check_messages(body.get("messages"))
    return body


def _check_tools(tools: Any) -> None:
    if tools is None:
        return
    if not isinstance(tools, list):
        fail("'tools' must be an array", "tools")
    for index, entry in enumerate(tools):
        where = f"tools[{index}]"
        if not isinstance(entry, dict) or entry.get("type") != "function":
            fail(f"{where}.type must be 'function'", f"{where}.type")
        function = entry.get("function")
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            fail(f"{where}.function.name is required", f"{where}.function.name")
        parameters = function.get("parameters")
        if parameters is not None and not isinstance(parameters, dict):
            fail(f"{where}.function.parameters must be a JSON schema object", where)


def _check_messages(messages: Any) -> None:
    """Roles, shapes, and the pairing of tool calls with tool results."""
    if not isinstance(messages, list) or not messages:
        fail("'messages' must be a non-empty array", "messages")
    pending: dict[str, str] = {}  # call id -> function name, not yet answered
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            fail(f"{where}.role must be one of: {', '.join(sorted(ROLES))}", f"{where}.role")
        role = message["role"]
        if role == "tool":
            call_id = message.get("tool_call_id")
            if not isinstance(call_id, str):
                fail(f"{where}.tool_call_id is required for a tool message", where)
            if call_id not in pending:
                fail(
                    f"{where}: tool message answers tool_call_id {call_id!r}, which is not an "
                    "unanswered call of the preceding assistant message",
                    f"{where}.tool_call_id",
                )
            del pending[call_id]
            continue
        if pending:
            ids = ", ".join(sorted(pending))
            fail(
                f"{where}: an assistant message with 'tool_calls' must be followed by tool "
                f"messages answering each tool_call_id; not answered: {ids}",
                "messages",
            )
        if role == "assistant":
            pending = _calls_of(message, where)
        elif not isinstance(message.get("content"), str | list):
            fail(f"{where}.content must be a string or an array of parts", f"{where}.content")
    if pending:
        fail(
            "the last assistant message has tool calls that no tool message answers: "
            + ", ".join(sorted(pending)),
            "messages",
        )


def _calls_of(message: dict[str, Any], where: str) -> dict[str, str]:
    calls = message.get("tool_calls") or []
    if not isinstance(calls, list):
        fail(f"{where}.tool_calls must be an array", f"{where}.tool_calls")
    if not calls and message.get("content") is None:
        fail(f"{where}: an assistant message needs content or tool_calls", where)
    found: dict[str, str] = {}
    for number, call in enumerate(calls):
        spot = f"{where}.tool_calls[{number}]"
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(call, dict) or not isinstance(call.get("id"), str):
            fail(f"{spot}.id is required", f"{spot}.id")
        if (
            not isinstance(function, dict)
            or not isinstance(function.get("name"), str)
            or not isinstance(function.get("arguments"), str)
        ):
            fail(f"{spot}.function needs a name and arguments (a JSON string)", spot)
        if call["id"] in found:
            fail(f"{spot}.id {call['id']!r} is used twice", f"{spot}.id")
        found[call["id"]] = function["name"]
    return found


def text_of(message: dict[str, Any]) -> str:
    """A message's text: its content string, or its text parts joined."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, dict)]
        return "".join(p for p in parts if isinstance(p, str))
    return ""


def tool_names(body: dict[str, Any]) -> list[str]:
    return [tool["function"]["name"] for tool in body.get("tools") or []]


# --- the answer -----------------------------------------------------------------------


def _words(text: str) -> int:
    return len(text.split())


def _usage(body: dict[str, Any], turn: ScriptedTurn) -> dict[str, int]:
    """Roughly one token a word: enough for tests of usage accounting, not for billing."""
    prompt = sum(_words(text_of(m)) + 3 for m in body["messages"])
    for message in body["messages"]:
        for call in message.get("tool_calls") or []:
            prompt += _words(call["function"]["arguments"]) + 1
    prompt += sum(_words(json.dumps(t)) for t in body.get("tools") or [])
    completion = _words(turn.content or "") + sum(
        1 + _words(json.dumps(c.arguments)) for c in turn.tool_calls
    )
    completion = max(completion, 1)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def wire_calls(turn: ScriptedTurn) -> list[dict[str, Any]]:
    return [
        {
            "id": call.id or f"call_{nonce()}{nonce()}",
            "type": "function",
            "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
        }
        for call in turn.tool_calls
    ]


def completion(
    body: dict[str, Any], turn: ScriptedTurn, calls: list[dict[str, Any]]
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": turn.content, "refusal": None}
    if calls:
        message["tool_calls"] = calls
    return {
        "id": f"chatcmpl-{nonce()}{nonce()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body["model"],
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": "tool_calls" if calls else "stop",
            }
        ],
        "usage": _usage(body, turn),
        "system_fingerprint": None,
    }


def _pieces(text: str) -> Iterator[str]:
    """Word-sized pieces of text, each keeping its trailing space."""
    yield from re.findall(r"\S+\s*|\s+", text)


def _argument_pieces(arguments: str) -> Iterator[str]:
    size = max(1, min(_ARGUMENT_PIECE, (len(arguments) + 1) // 2))
    for start in range(0, len(arguments), size):
        yield arguments[start : start + size]


def chunks(
    body: dict[str, Any], turn: ScriptedTurn, calls: list[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    head = {
        "id": f"chatcmpl-{nonce()}{nonce()}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body["model"],
        "system_fingerprint": None,
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        out = {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        if include_usage:
            out["usage"] = None
        return out

    yield chunk({"role": "assistant", "content": ""})
    for piece in _pieces(turn.content or ""):
        yield chunk({"content": piece})
    for index, call in enumerate(calls):
        opening = {"name": call["function"]["name"], "arguments": ""}
        yield chunk(
            {
                "tool_calls": [
                    {"index": index, "id": call["id"], "type": "function", "function": opening}
                ]
            }
        )
        for piece in _argument_pieces(call["function"]["arguments"]):
            yield chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
    yield chunk({}, "tool_calls" if calls else "stop")
    if include_usage:
        yield {**head, "choices": [], "usage": _usage(body, turn)}


async def sse(chunks: Iterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    for item in chunks:
        yield f"data: {json.dumps(item)}\n\n".encode()
    yield b"data: [DONE]\n\n"
