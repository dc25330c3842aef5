"""The emulator's rule-based chat model (no script): what `dave chat --offline` talks to."""

from __future__ import annotations

import json
from typing import Any

import openai

from tests.emulator.chat.wire import IMAGE_TOOL, READ_TOOL, function_tool

EDIT_TOOL = function_tool("edit_image", prompt="string", image="string")
DELEGATE_TOOL = {
    "type": "function",
    "function": {
        "name": "delegate",
        "parameters": {
            "type": "object",
            "properties": {
                "agent": {"type": "string", "enum": ["code", "xai", "minimax"]},
                "task": {"type": "string"},
            },
        },
    },
}
ASK = "make a picture of a lighthouse"


async def _ask(llm: openai.AsyncOpenAI, messages: list[Any], **request: Any) -> Any:
    reply = await llm.chat.completions.create(model="dave-emulator", messages=messages, **request)
    return reply.choices[0]


async def test_asked_for_a_picture_it_calls_the_image_tool_with_the_request(
    llm: openai.AsyncOpenAI,
) -> None:
    choice = await _ask(
        llm, [{"role": "user", "content": ASK}], tools=[READ_TOOL, EDIT_TOOL, IMAGE_TOOL]
    )

    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls
    assert call.function.name == "generate_image"
    assert json.loads(call.function.arguments) == {"prompt": ASK}


async def test_asked_for_a_picture_with_only_delegation_it_hands_the_task_to_a_media_agent(
    llm: openai.AsyncOpenAI,
) -> None:
    choice = await _ask(llm, [{"role": "user", "content": ASK}], tools=[DELEGATE_TOOL])

    (call,) = choice.message.tool_calls
    assert call.function.name == "delegate"
    assert json.loads(call.function.arguments) == {"agent": "xai", "task": ASK}


async def test_after_a_tool_result_it_says_which_asset_came_back_and_where(
    llm: openai.AsyncOpenAI,
) -> None:
    first = await _ask(llm, [{"role": "user", "content": ASK}], tools=[IMAGE_TOOL])
    call = first.message.tool_calls[0]
    result = {"assets": [{"id": "a_7f3c", "path": "/home/me/media/ab/cd.jpg", "kind": "image"}]}
    messages = [
        {"role": "user", "content": ASK},
        first.message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)},
    ]

    second = await _ask(llm, messages, tools=[IMAGE_TOOL])

    assert second.finish_reason == "stop"
    assert second.message.content == "Done: asset a_7f3c; saved at /home/me/media/ab/cd.jpg."


async def test_after_a_plain_text_tool_error_it_repeats_what_the_tool_said(
    llm: openai.AsyncOpenAI,
) -> None:
    messages = [
        {"role": "user", "content": ASK},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "x", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "error: the prompt was refused"},
    ]

    choice = await _ask(llm, messages)

    assert choice.message.content == "The tool answered: error: the prompt was refused"


async def test_small_talk_gets_one_line_saying_it_is_the_offline_emulator(
    llm: openai.AsyncOpenAI,
) -> None:
    choice = await _ask(llm, [{"role": "user", "content": "how are you?"}], tools=[IMAGE_TOOL])

    assert choice.finish_reason == "stop"
    assert "offline emulator" in choice.message.content
    assert "\n" not in choice.message.content


async def test_a_picture_request_with_no_image_tool_or_tool_choice_none_gets_text(
    llm: openai.AsyncOpenAI,
) -> None:
    no_tool = await _ask(llm, [{"role": "user", "content": ASK}], tools=[READ_TOOL])
    refused = await _ask(
        llm, [{"role": "user", "content": ASK}], tools=[IMAGE_TOOL], tool_choice="none"
    )

    assert no_tool.message.tool_calls is None
    assert refused.message.tool_calls is None


async def test_the_same_conversation_gets_the_same_answer(llm: openai.AsyncOpenAI) -> None:
    messages = [{"role": "user", "content": "draw me a cat"}]

    first = await _ask(llm, messages, tools=[IMAGE_TOOL])
    second = await _ask(llm, messages, tools=[IMAGE_TOOL])

    assert first.message.tool_calls[0].function == second.message.tool_calls[0].function
