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
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, NoReturn

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from ..appstate import app_config
from ..faults import (
    ChatScriptExhausted,
    EmulatorConfig,
    ScriptedCall,
    ScriptedExpect,
    ScriptedTurn,
)
from ..tokens import nonce
from ..wire import bearer_key

__all__ = [
    "ScriptedCall",
    "ScriptedExpect",
    "ScriptedTurn",
    "chat_completions",
    "get_chat_script",
    "put_chat_script",
    "text_of",
]

ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})
_PICTURE = re.compile(r"\b(picture|image|photo|drawing|draw|paint|illustrat)", re.IGNORECASE)
_SONG = re.compile(r"\b(song|music|tune|melody|jingle)", re.IGNORECASE)
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


def _fail(message: str, param: str | None = None, status: int = 400) -> NoReturn:
    raise ChatError(status, message, param=param)


# --- the request ------------------------------------------------------------------------


def _authorize(request: Request, config: EmulatorConfig) -> None:
    key = bearer_key(request)
    if key is None:
        raise ChatError(
            401,
            "You didn't provide an API key: send 'Authorization: Bearer <key>'",
            code="missing_api_key",
        )
    if config.api_keys is not None and key not in config.api_keys:
        raise ChatError(401, "Incorrect API key provided", code="invalid_api_key")


async def _read_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        _fail("We could not parse the JSON body of your request.")
    if not isinstance(body, dict):
        _fail("The request body must be a JSON object.")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        _fail("you must provide a model parameter", "model")
    if not isinstance(body.get("stream", False), bool):
        _fail("'stream' must be a boolean", "stream")
    if body.get("n", 1) != 1:
        _fail("this emulator answers only n=1", "n")
    options = body.get("stream_options")
    if options is not None and (not isinstance(options, dict) or not body.get("stream")):
        _fail("stream_options is only allowed when stream is true (and must be an object)")
    _check_tools(body.get("tools"))
    _check_messages(body.get("messages"))
    return body


def _check_tools(tools: Any) -> None:
    if tools is None:
        return
    if not isinstance(tools, list):
        _fail("'tools' must be an array", "tools")
    for index, entry in enumerate(tools):
        where = f"tools[{index}]"
        if not isinstance(entry, dict) or entry.get("type") != "function":
            _fail(f"{where}.type must be 'function'", f"{where}.type")
        function = entry.get("function")
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            _fail(f"{where}.function.name is required", f"{where}.function.name")
        parameters = function.get("parameters")
        if parameters is not None and not isinstance(parameters, dict):
            _fail(f"{where}.function.parameters must be a JSON schema object", where)


def _check_messages(messages: Any) -> None:
    """Roles, shapes, and the pairing of tool calls with tool results."""
    if not isinstance(messages, list) or not messages:
        _fail("'messages' must be a non-empty array", "messages")
    pending: dict[str, str] = {}  # call id -> function name, not yet answered
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            _fail(f"{where}.role must be one of: {', '.join(sorted(ROLES))}", f"{where}.role")
        role = message["role"]
        if role == "tool":
            call_id = message.get("tool_call_id")
            if not isinstance(call_id, str):
                _fail(f"{where}.tool_call_id is required for a tool message", where)
            if call_id not in pending:
                _fail(
                    f"{where}: tool message answers tool_call_id {call_id!r}, which is not an "
                    "unanswered call of the preceding assistant message",
                    f"{where}.tool_call_id",
                )
            del pending[call_id]
            continue
        if pending:
            ids = ", ".join(sorted(pending))
            _fail(
                f"{where}: an assistant message with 'tool_calls' must be followed by tool "
                f"messages answering each tool_call_id; not answered: {ids}",
                "messages",
            )
        if role == "assistant":
            pending = _calls_of(message, where)
        elif not isinstance(message.get("content"), str | list):
            _fail(f"{where}.content must be a string or an array of parts", f"{where}.content")
    if pending:
        _fail(
            "the last assistant message has tool calls that no tool message answers: "
            + ", ".join(sorted(pending)),
            "messages",
        )


def _calls_of(message: dict[str, Any], where: str) -> dict[str, str]:
    calls = message.get("tool_calls") or []
    if not isinstance(calls, list):
        _fail(f"{where}.tool_calls must be an array", f"{where}.tool_calls")
    if not calls and message.get("content") is None:
        _fail(f"{where}: an assistant message needs content or tool_calls", where)
    found: dict[str, str] = {}
    for number, call in enumerate(calls):
        spot = f"{where}.tool_calls[{number}]"
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(call, dict) or not isinstance(call.get("id"), str):
            _fail(f"{spot}.id is required", f"{spot}.id")
        if (
            not isinstance(function, dict)
            or not isinstance(function.get("name"), str)
            or not isinstance(function.get("arguments"), str)
        ):
            _fail(f"{spot}.function needs a name and arguments (a JSON string)", spot)
        if call["id"] in found:
            _fail(f"{spot}.id {call['id']!r} is used twice", f"{spot}.id")
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


def _tool_names(body: dict[str, Any]) -> list[str]:
    return [tool["function"]["name"] for tool in body.get("tools") or []]


# --- the scripted model ---------------------------------------------------------------


def _check_expect(number: int, expect: ScriptedExpect, body: dict[str, Any]) -> None:
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
    offered = _tool_names(body)
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
        _fail(f"chat script turn {number} expected " + "; ".join(misses))


# --- the rule-based model -------------------------------------------------------------


def _rule_based(body: dict[str, Any]) -> ScriptedTurn:
    messages: list[dict[str, Any]] = body["messages"]
    last = messages[-1]
    if last["role"] == "tool":
        return ScriptedTurn(content=_summarise_results(messages))
    text = text_of(last).strip()
    may_call = body.get("tool_choice") != "none"
    if last["role"] == "user" and _SONG.search(text) and may_call:
        call = _song_call(body, text)
        if call is not None:
            return ScriptedTurn(tool_calls=[call])
    if last["role"] == "user" and _PICTURE.search(text) and may_call:
        call = _picture_call(body, text)
        if call is not None:
            return ScriptedTurn(tool_calls=[call])
    return ScriptedTurn(
        content="Hello from dave's offline emulator: a rule-based stand-in for a real model. "
        "Ask me for a picture and I will call the image tool."
    )


def _picture_call(body: dict[str, Any], text: str) -> ScriptedCall | None:
    names = _tool_names(body)
    images = [n for n in names if "image" in n.lower()]
    # Prefer a generating tool over an editing one when both are offered.
    images.sort(key=lambda n: ("generat" not in n.lower(), "edit" in n.lower()))
    if images:
        return ScriptedCall(name=images[0], arguments={"prompt": text})
    delegates = [t for t in body.get("tools") or [] if "delegate" in t["function"]["name"]]
    if delegates:
        function = delegates[0]["function"]
        return ScriptedCall(
            name=function["name"], arguments={"agent": _media_agent(function), "task": text}
        )
    return None


def _song_call(body: dict[str, Any], text: str) -> ScriptedCall | None:
    for entry in body.get("tools") or []:
        function = entry["function"]
        if "music" in function["name"].lower():
            arguments: dict[str, Any] = {"prompt": text}
            # A song needs words: where the tool can have the service write them, ask it to.
            if "lyrics_optimizer" in (function.get("parameters") or {}).get("properties", {}):
                arguments["lyrics_optimizer"] = True
            return ScriptedCall(name=function["name"], arguments=arguments)
    return None


def _media_agent(function: dict[str, Any]) -> str:
    agent = ((function.get("parameters") or {}).get("properties") or {}).get("agent") or {}
    choices = agent.get("enum") if isinstance(agent, dict) else None
    if isinstance(choices, list) and choices and "xai" not in choices:
        return str(choices[0])
    return "xai"


def _summarise_results(messages: list[dict[str, Any]]) -> str:
    results: list[str] = []
    for message in reversed(messages):
        if message["role"] != "tool":
            break
        results.insert(0, text_of(message))
    found: dict[str, list[str]] = {"ids": [], "paths": []}
    for result in results:
        with contextlib.suppress(ValueError):  # a plain-text result has nothing to collect
            _collect(json.loads(result), found)
    if found["ids"] or found["paths"]:
        parts = []
        if found["ids"]:
            parts.append("asset " + ", ".join(dict.fromkeys(found["ids"])))
        if found["paths"]:
            parts.append("saved at " + ", ".join(dict.fromkeys(found["paths"])))
        return "Done: " + "; ".join(parts) + "."
    first = " ".join(" ".join(results).split())[:200]
    return f"The tool answered: {first}" if first else "The tool answered with nothing."


def _collect(value: Any, found: dict[str, list[str]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and key in ("asset_id", "id") and item:
                found["ids"].append(item)
            elif isinstance(item, str) and key == "path" and item:
                found["paths"].append(item)
            else:
                _collect(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, found)


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


def _wire_calls(turn: ScriptedTurn) -> list[dict[str, Any]]:
    return [
        {
            "id": call.id or f"call_{nonce()}{nonce()}",
            "type": "function",
            "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
        }
        for call in turn.tool_calls
    ]


def _completion(
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


def _chunks(
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


async def _sse(chunks: Iterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    for item in chunks:
        yield f"data: {json.dumps(item)}\n\n".encode()
    yield b"data: [DONE]\n\n"


async def chat_completions(request: Request) -> Response:
    """`POST /v1/chat/completions`, streaming or not."""
    config = app_config(request.app)
    try:
        _authorize(request, config)
        body = await _read_body(request)
        try:
            taken = config.next_chat_turn()
        except ChatScriptExhausted as exc:
            _fail(str(exc))
        if taken is None:
            turn = _rule_based(body)
        else:
            number, turn = taken
            if turn.expect is not None:
                _check_expect(number, turn.expect, body)
    except ChatError as error:
        return error.response()
    calls = _wire_calls(turn)
    if body.get("stream"):
        return StreamingResponse(
            _sse(_chunks(body, turn, calls)),
            media_type="text/event-stream",
            headers={"cache-control": "no-cache"},
        )
    return JSONResponse(_completion(body, turn, calls))


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
