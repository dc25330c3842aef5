"""The emulator's chat endpoint through the real `openai` SDK over loopback: scripted replies,
streamed text and tool calls, and the conversation checks a real service makes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2
import openai
import pytest

from dave.emulator import EmulatorServer
from tests.emulator.chat.wire import IMAGE_TOOL, READ_TOOL, function_tool

Script = Callable[[list[dict[str, Any]]], None]
USER = [{"role": "user", "content": "hello there"}]


async def _stream(client: openai.AsyncOpenAI, **request: Any) -> list[Any]:
    stream = await client.chat.completions.create(model="grok-test", stream=True, **request)
    return [chunk async for chunk in stream]


def _joined_calls(chunks: list[Any]) -> dict[int, dict[str, Any]]:
    """Accumulate tool-call deltas by index, as an agent loop does; count the argument pieces."""
    calls: dict[int, dict[str, Any]] = {}
    for chunk in chunks:
        for choice in chunk.choices:
            for delta in choice.delta.tool_calls or []:
                call = calls.setdefault(delta.index, {"id": None, "name": "", "args": "", "n": 0})
                call["id"] = delta.id or call["id"]
                if delta.function and delta.function.name:
                    call["name"] += delta.function.name
                if delta.function and delta.function.arguments:
                    call["args"] += delta.function.arguments
                    call["n"] += 1
    return calls


async def test_a_scripted_text_reply_comes_back_with_usage(
    llm: openai.AsyncOpenAI, script: Script
) -> None:
    script([{"content": "Hi, I am scripted."}])

    reply = await llm.chat.completions.create(model="grok-test", messages=USER)

    assert reply.choices[0].message.content == "Hi, I am scripted."
    assert reply.choices[0].finish_reason == "stop"
    assert reply.choices[0].message.tool_calls is None
    assert reply.model == "grok-test"
    assert reply.usage is not None
    assert reply.usage.completion_tokens == 4
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + 4


async def test_streamed_text_arrives_in_pieces_that_join_to_the_reply(
    llm: openai.AsyncOpenAI, script: Script
) -> None:
    script([{"content": "one two three four"}])

    chunks = await _stream(llm, messages=USER)

    pieces = [c.choices[0].delta.content for c in chunks if c.choices[0].delta.content]
    assert len(pieces) == 4
    assert "".join(pieces) == "one two three four"
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"


async def test_streamed_tool_call_arguments_come_in_several_pieces_that_join_to_json(
    llm: openai.AsyncOpenAI, script: Script
) -> None:
    script([{"tool_calls": [{"name": "read_file", "arguments": {"path": "a.txt"}}]}])

    chunks = await _stream(llm, messages=USER, tools=[READ_TOOL])

    calls = _joined_calls(chunks)
    assert list(calls) == [0]
    assert calls[0]["name"] == "read_file"
    assert calls[0]["id"].startswith("call_")
    assert calls[0]["n"] >= 2
    assert json.loads(calls[0]["args"]) == {"path": "a.txt"}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


async def test_parallel_tool_calls_stream_with_their_own_indexes_and_ids(
    llm: openai.AsyncOpenAI, script: Script
) -> None:
    script(
        [
            {
                "content": "Reading both.",
                "tool_calls": [
                    {"name": "read_file", "arguments": {"path": "a.txt"}, "id": "call_a"},
                    {"name": "read_file", "arguments": {"path": "b.txt"}, "id": "call_b"},
                ],
            }
        ]
    )

    chunks = await _stream(llm, messages=USER, tools=[READ_TOOL])

    calls = _joined_calls(chunks)
    assert [(calls[i]["id"], json.loads(calls[i]["args"])) for i in sorted(calls)] == [
        ("call_a", {"path": "a.txt"}),
        ("call_b", {"path": "b.txt"}),
    ]
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == "Reading both."


async def test_include_usage_adds_a_last_chunk_with_usage_and_no_choices(
    llm: openai.AsyncOpenAI, script: Script
) -> None:
    script([{"content": "short answer"}])

    chunks = await _stream(llm, messages=USER, stream_options={"include_usage": True})

    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 2
    assert all(c.usage is None for c in chunks[:-1])


async def test_a_whole_tool_turn_round_trips_with_results_answering_the_calls_in_order(
    llm: openai.AsyncOpenAI, script: Script, xai: EmulatorServer
) -> None:
    script(
        [
            {
                "tool_calls": [
                    {"name": "read_file", "arguments": {"path": "a.txt"}, "id": "call_a"},
                    {"name": "read_file", "arguments": {"path": "b.txt"}, "id": "call_b"},
                ],
                "expect": {"last_role": "user", "tools": ["read_file"]},
            },
            {
                "content": "a says alpha, b says beta",
                "expect": {"last_role": "tool", "tool_call_ids": ["call_a", "call_b"]},
            },
        ]
    )
    messages: list[Any] = [{"role": "user", "content": "read a.txt and b.txt"}]

    first = await llm.chat.completions.create(
        model="grok-test", messages=messages, tools=[READ_TOOL]
    )
    message = first.choices[0].message
    messages.append(message.model_dump(exclude_none=True))
    for call, text in zip(message.tool_calls or [], ["alpha", "beta"], strict=True):
        messages.append({"role": "tool", "tool_call_id": call.id, "content": text})
    second = await llm.chat.completions.create(
        model="grok-test", messages=messages, tools=[READ_TOOL]
    )

    assert second.choices[0].message.content == "a says alpha, b says beta"
    sent = xai.log.posts("/v1/chat/completions")
    assert [len(entry.json["messages"]) for entry in sent] == [1, 4]
    assert sent[1].headers["authorization"].startswith("Bearer ")


async def test_results_in_the_wrong_order_miss_an_expectation_and_answer_400(
    llm: openai.AsyncOpenAI, script: Script
) -> None:
    script([{"content": "ok", "expect": {"tool_call_ids": ["call_a", "call_b"]}}])
    messages = _answered(["call_a", "call_b"], answers=["call_b", "call_a"])

    with pytest.raises(openai.BadRequestError) as caught:
        await llm.chat.completions.create(model="grok-test", messages=messages)

    assert "chat script turn 1 expected tool results for ['call_a', 'call_b']" in str(caught.value)


def _answered(call_ids: list[str], answers: list[str]) -> list[dict[str, Any]]:
    calls = [
        {"id": i, "type": "function", "function": {"name": "read_file", "arguments": "{}"}}
        for i in call_ids
    ]
    return [
        {"role": "user", "content": "go"},
        {"role": "assistant", "content": None, "tool_calls": calls},
        *({"role": "tool", "tool_call_id": i, "content": "done"} for i in answers),
    ]


async def test_a_tool_result_for_an_unknown_call_id_is_refused(
    llm: openai.AsyncOpenAI, script: Script
) -> None:
    script([{"content": "never sent"}])

    with pytest.raises(openai.BadRequestError) as caught:
        await llm.chat.completions.create(
            model="grok-test", messages=_answered(["call_a"], answers=["call_zzz"])
        )

    assert "tool_call_id 'call_zzz'" in caught.value.message
    assert caught.value.body["param"] == "messages[2].tool_call_id"  # type: ignore[index]


async def test_a_call_left_unanswered_before_the_next_user_message_is_refused(
    llm: openai.AsyncOpenAI,
) -> None:
    messages = [*_answered(["call_a", "call_b"], answers=["call_a"])]
    messages.append({"role": "user", "content": "and now?"})

    with pytest.raises(openai.BadRequestError, match="not answered: call_b"):
        await llm.chat.completions.create(model="grok-test", messages=messages)


async def test_a_conversation_ending_on_unanswered_calls_is_refused(
    llm: openai.AsyncOpenAI,
) -> None:
    with pytest.raises(openai.BadRequestError, match="no tool message answers: call_a"):
        await llm.chat.completions.create(
            model="grok-test", messages=_answered(["call_a"], answers=[])
        )


async def test_a_tool_message_with_no_call_before_it_is_refused(
    llm: openai.AsyncOpenAI,
) -> None:
    messages = [
        {"role": "user", "content": "hi"},
        {"role": "tool", "tool_call_id": "call_x", "content": "?"},
    ]

    with pytest.raises(openai.BadRequestError, match="not an unanswered call"):
        await llm.chat.completions.create(model="grok-test", messages=messages)  # type: ignore[arg-type]


async def test_a_refused_conversation_does_not_use_up_a_scripted_turn(
    llm: openai.AsyncOpenAI, script: Script
) -> None:
    script([{"content": "still here"}])
    with pytest.raises(openai.BadRequestError):
        await llm.chat.completions.create(
            model="grok-test", messages=_answered(["call_a"], answers=[])
        )

    reply = await llm.chat.completions.create(model="grok-test", messages=USER)

    assert reply.choices[0].message.content == "still here"


async def test_an_unmet_expectation_answers_400_naming_every_miss(
    llm: openai.AsyncOpenAI, script: Script
) -> None:
    script(
        [
            {
                "content": "x",
                "expect": {
                    "last_role": "tool",
                    "contains": "a_123",
                    "tools": ["generate_image"],
                    "stream": True,
                },
            }
        ]
    )

    with pytest.raises(openai.BadRequestError) as caught:
        await llm.chat.completions.create(model="grok-test", messages=USER)

    message = caught.value.message
    assert "chat script turn 1 expected the last message to be 'tool', got 'user'" in message
    assert "the last message to contain 'a_123'" in message
    assert "tools ['generate_image'] to be offered, got []" in message
    assert "stream=True" in message


async def test_met_expectations_let_the_turn_answer(
    llm: openai.AsyncOpenAI, script: Script
) -> None:
    script(
        [
            {
                "content": "fine",
                "expect": {
                    "last_role": "user",
                    "contains": "there",
                    "system_contains": "helpful",
                    "any_contains": "hello",
                    "message_count": 2,
                    "tools": ["read_file"],
                    "model": "grok-test",
                    "stream": False,
                },
            }
        ]
    )
    messages = [{"role": "system", "content": "You are helpful."}, *USER]

    reply = await llm.chat.completions.create(
        model="grok-test",
        messages=messages,  # type: ignore[arg-type]
        tools=[READ_TOOL, IMAGE_TOOL],
    )

    assert reply.choices[0].message.content == "fine"


async def test_a_request_after_the_last_scripted_turn_answers_400(
    llm: openai.AsyncOpenAI, script: Script
) -> None:
    script([{"content": "only one"}])
    await llm.chat.completions.create(model="grok-test", messages=USER)

    with pytest.raises(openai.BadRequestError, match="chat script is exhausted: all 1 scripted"):
        await llm.chat.completions.create(model="grok-test", messages=USER)


async def test_a_script_put_over_http_drives_the_model_and_shows_what_is_left(
    llm: openai.AsyncOpenAI, xai: EmulatorServer
) -> None:
    turns = [{"content": "first"}, {"content": "second", "expect": {"last_role": "user"}}]
    async with httpx2.AsyncClient(base_url=xai.url) as control:
        put = await control.put("/_emulator/chat-script", json=turns)
        assert [t["content"] for t in put.json()] == ["first", "second"]

        reply = await llm.chat.completions.create(model="grok-test", messages=USER)
        left = await control.get("/_emulator/chat-script")

        assert reply.choices[0].message.content == "first"
        assert [t["content"] for t in left.json()] == ["second"]
        assert left.json()[0]["expect"]["last_role"] == "user"

        bad = await control.put("/_emulator/chat-script", json=[{"contnet": "typo"}])
        assert bad.status_code == 400
        assert "contnet" in bad.json()["error"]

        back = await control.put("/_emulator/chat-script", content=b"null")
        assert back.json() is None
    assert xai.config.chat_script is None


async def test_a_request_without_a_key_is_401_in_openai_form(xai: EmulatorServer) -> None:
    async with httpx2.AsyncClient(base_url=xai.xai_base_url) as http:
        response = await http.post("/chat/completions", json={"model": "m", "messages": USER})

    assert response.status_code == 401
    assert response.json()["error"]["type"] == "authentication_error"


async def test_a_wrong_key_surfaces_as_the_sdks_authentication_error(
    llm: openai.AsyncOpenAI, xai: EmulatorServer
) -> None:
    xai.config.api_keys = ["the-only-good-key"]

    with pytest.raises(openai.AuthenticationError, match="Incorrect API key"):
        await llm.chat.completions.create(model="grok-test", messages=USER)


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"messages": USER}, "model"),
        ({"model": "m"}, "messages"),
        ({"model": "m", "messages": []}, "messages"),
        ({"model": "m", "messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
        ({"model": "m", "messages": USER, "tools": [{"type": "web"}]}, "tools[0].type"),
        ({"model": "m", "messages": USER, "stream": "yes"}, "stream"),
        ({"model": "m", "messages": USER, "n": 2}, "n"),
    ],
)
async def test_a_bad_body_gets_an_openai_style_400_naming_the_field(
    xai: EmulatorServer, body: dict[str, Any], param: str
) -> None:
    async with httpx2.AsyncClient(
        base_url=xai.xai_base_url, headers={"authorization": "Bearer k"}
    ) as http:
        response = await http.post("/chat/completions", json=body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param


async def test_a_fault_on_the_chat_endpoint_is_retried_by_the_sdk(
    llm: openai.AsyncOpenAI, script: Script, xai: EmulatorServer
) -> None:
    script([{"content": "after the retry"}])
    xai.set_faults(
        [{"match": "POST /v1/chat/completions", "kind": "status", "status": 503,
          "retry_after": "0.01"}]
    )  # fmt: skip

    reply = await llm.chat.completions.create(model="grok-test", messages=USER)

    assert reply.choices[0].message.content == "after the retry"
    assert [e.status for e in xai.log.posts("/v1/chat/completions")] == [503, 200]


def test_each_tool_schema_in_the_request_is_checked_for_a_name(xai: EmulatorServer) -> None:
    nameless = function_tool("x")
    del nameless["function"]["name"]
    response = httpx2.post(
        f"{xai.xai_base_url}/chat/completions",
        headers={"authorization": "Bearer k"},
        json={"model": "m", "messages": USER, "tools": [nameless]},
    )

    assert response.status_code == 400
    assert response.json()["error"]["param"] == "tools[0].function.name"
