"""The agent loop: ask the model (streaming), run the tool calls it makes, give it the results,
until it answers without calling a tool or a limit stops it.

Not for sessions, specs or choosing an endpoint (manager.py, run.py): this takes a conversation,
a tool set, an `openai.AsyncOpenAI` and a `ToolContext`, and yields events.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from dave.agents.events import (
    ApprovalNeeded,
    AssetCreated,
    Done,
    ErrorEvent,
    Event,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
)

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletionMessageParam, ChatCompletionToolUnionParam

    from dave.agents.spec import AgentSpec
    from dave.tools import ToolContext, ToolSet

#: Called with each message the loop adds to the conversation (the assistant's, with the usage
#: of the completion that made it and its `cost_usd`, None when unpriced; each tool result, with
#: None), so a caller can keep them.
OnMessage = Callable[[dict[str, Any], dict[str, float | None] | None], None]
#: The cost in USD of one completion's usage, or None when the price is unknown.
CostOf = Callable[[Mapping[str, int]], float | None]

CANCELLED_RESULT = "cancelled: the run was stopped before this call finished"


@dataclasses.dataclass
class _Call:
    """One tool call as the model streamed it."""

    id: str
    name: str = ""
    arguments: str = ""

    def wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


@dataclasses.dataclass
class _Outcome:
    content: str
    is_error: bool = False
    assets: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    diff: str | None = None


@dataclasses.dataclass
class _Totals:
    usage: dict[str, int] = dataclasses.field(
        default_factory=lambda: {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    )
    cost_usd: float = 0.0
    cost_known: bool = True
    tool_calls: int = 0

    def add(self, usage: Mapping[str, int] | None, cost_of: CostOf | None) -> float | None:
        if not usage:
            return None
        for key in self.usage:
            self.usage[key] += int(usage.get(key) or 0)
        cost = cost_of(usage) if cost_of is not None else None
        if cost is None:
            self.cost_known = False
        else:
            self.cost_usd += cost
        return cost


async def run_agent(
    spec: AgentSpec,
    messages: list[dict[str, Any]],
    tools: ToolSet | None,
    client: openai.AsyncOpenAI,
    ctx: ToolContext,
    *,
    model: str | None = None,
    on_message: OnMessage | None = None,
    cost_of: CostOf | None = None,
    extra_cost: Callable[[], float] | None = None,
) -> AsyncIterator[Event]:
    """Runs one prompt to its end. `messages` (system, history, the new user message) is
    extended in place with every assistant and tool message, in order.

    Tool calls of one turn run concurrently; their results go back in the order of the calls,
    and their `ToolCallFinished` events come in that order too. Cancelling the task that
    iterates this answers the calls in flight as cancelled (so the conversation stays valid)
    and re-raises.
    """
    from openai import omit  # here, not at import: the SDK is slow to load

    model = model or spec.model
    if not model:
        yield ErrorEvent("no model: the agent spec names none and no default was given")
        yield Done("", _Totals().usage, "error")
        return
    schemas = tools.schemas() if tools is not None else []
    totals = _Totals()
    seen_assets: set[str] = set()
    text = ""
    for _turn in range(spec.max_turns):
        turn_text: list[str] = []
        calls: dict[int, _Call] = {}
        usage: dict[str, int] | None = None
        try:
            stream = await client.chat.completions.create(
                model=model,
                messages=_wire_messages(messages),
                stream=True,
                stream_options={"include_usage": True},
                tools=_wire_tools(schemas) if schemas else omit,
            )
            async with stream:
                async for chunk in stream:
                    if chunk.usage is not None:
                        usage = _usage(chunk.usage)
                    if not chunk.choices:
                        continue
                    delta = chunk.choices[0].delta
                    if delta.content:
                        turn_text.append(delta.content)
                        yield TextDelta(delta.content)
                    if delta.tool_calls:
                        _accumulate(calls, delta.tool_calls)
        except Exception as error:
            if not _is_llm_error(error):
                raise
            yield ErrorEvent(describe_llm_error(error))
            yield Done(text, totals.usage, "error", cost_usd=_cost(totals, extra_cost))
            return

        text = "".join(turn_text)
        ordered = [calls[index] for index in sorted(calls)]
        assistant: dict[str, Any] = {"role": "assistant", "content": text or None}
        if ordered:
            assistant["tool_calls"] = [call.wire() for call in ordered]
        messages.append(assistant)
        cost = totals.add(usage, cost_of)
        if on_message is not None:
            on_message(assistant, {**usage, "cost_usd": cost} if usage else None)
        if not ordered:
            yield Done(text, totals.usage, "stop", cost_usd=_cost(totals, extra_cost))
            return

        spent = _cost(totals, extra_cost)
        if spec.budget_usd is not None and spent is not None and spent >= spec.budget_usd:
            stop = "budget"
            refusal = f"refused: this run has spent its budget of ${spec.budget_usd:g}"
            runnable, refused = [], ordered
        else:
            stop = "max_tool_calls"
            refusal = f"refused: this run reached its limit of {spec.max_tool_calls} tool calls"
            allowed = max(0, spec.max_tool_calls - totals.tool_calls)
            runnable, refused = ordered[:allowed], ordered[allowed:]
        totals.tool_calls += len(runnable)
        outcomes = {call.id: _Outcome(refusal, is_error=True) for call in refused}
        try:
            async for event in _run_calls(runnable, tools, ctx, outcomes, seen_assets):
                yield event
        finally:
            # Every call gets an answer, even when the run is being cancelled: a conversation
            # with an unanswered call is refused by the API when the session is continued.
            for call in ordered:
                outcome = outcomes.get(call.id) or _Outcome(CANCELLED_RESULT, is_error=True)
                tool_message = {"role": "tool", "tool_call_id": call.id, "content": outcome.content}
                messages.append(tool_message)
                if on_message is not None:
                    on_message({**tool_message, "name": call.name}, None)
        for call in refused:
            arguments = _parse_arguments(call)
            yield ToolCallStarted(
                call.id, call.name, arguments if isinstance(arguments, dict) else {}
            )
            yield ToolCallFinished(call.id, call.name, outcomes[call.id].content, True)
        if refused:
            yield Done(text, totals.usage, stop, cost_usd=_cost(totals, extra_cost))
            return
        spent = _cost(totals, extra_cost)
        if spec.budget_usd is not None and spent is not None and spent >= spec.budget_usd:
            yield Done(text, totals.usage, "budget", cost_usd=spent)
            return
    yield Done(text, totals.usage, "max_turns", cost_usd=_cost(totals, extra_cost))


async def _run_calls(
    calls: list[_Call],
    tools: ToolSet | None,
    ctx: ToolContext,
    outcomes: dict[str, _Outcome],
    seen_assets: set[str],
) -> AsyncIterator[Event]:
    """Runs the calls at once; yields their events, each call's `Finished` in call order."""
    if not calls:
        return
    queue: asyncio.Queue[Event | int] = asyncio.Queue()
    forward_asset = ctx.on_asset

    def on_asset(asset: dict[str, Any]) -> None:
        key = str(asset.get("id") or asset.get("path") or id(asset))
        if key in seen_assets:
            return
        seen_assets.add(key)
        queue.put_nowait(AssetCreated(asset))
        if forward_asset is not None:
            forward_asset(asset)

    async def approve(request: Any) -> bool:
        queue.put_nowait(ApprovalNeeded(request))
        return await ctx.approve(request)

    call_ctx = dataclasses.replace(ctx, approve=approve, on_asset=on_asset)

    async def one(index: int, call: _Call, arguments: dict[str, Any] | str) -> None:
        try:
            outcomes[call.id] = await _call_tool(tools, call, arguments, call_ctx)
            for asset in outcomes[call.id].assets:
                on_asset(asset)
        finally:
            queue.put_nowait(index)

    parsed = [_parse_arguments(call) for call in calls]
    for call, arguments in zip(calls, parsed, strict=True):
        yield ToolCallStarted(call.id, call.name, arguments if isinstance(arguments, dict) else {})
    tasks = [
        asyncio.create_task(one(index, call, arguments))
        for index, (call, arguments) in enumerate(zip(calls, parsed, strict=True))
    ]
    finished: set[int] = set()
    next_index = 0
    try:
        while next_index < len(calls):
            item = await queue.get()
            if not isinstance(item, int):
                yield item
                continue
            finished.add(item)
            while next_index in finished:
                call = calls[next_index]
                outcome = outcomes.get(call.id) or _Outcome("the tool ended without a result", True)
                outcomes[call.id] = outcome
                yield ToolCallFinished(
                    call.id, call.name, outcome.content, outcome.is_error, outcome.diff
                )
                next_index += 1
    finally:
        pending = [task for task in tasks if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


async def _call_tool(
    tools: ToolSet | None, call: _Call, arguments: dict[str, Any] | str, ctx: ToolContext
) -> _Outcome:
    if isinstance(arguments, str):
        return _Outcome(arguments, is_error=True)
    tool = _find(tools, call.name)
    if tool is None:
        names = ", ".join(tools.names()) if tools is not None else ""
        return _Outcome(f"no tool named {call.name!r}; tools: {names or 'none'}", is_error=True)
    try:
        result = await tool.call(arguments, ctx)
    except asyncio.CancelledError:
        raise
    except Exception as error:  # a tool must not end the run; the model hears what went wrong
        return _Outcome(f"{type(error).__name__}: {error}", is_error=True)
    return _Outcome(
        result.content,
        bool(result.is_error),
        list(result.assets or []),
        getattr(result, "diff", None),
    )


def _find(tools: ToolSet | None, name: str) -> Any:
    if tools is None or not name:
        return None
    try:
        return tools.get(name)
    except (KeyError, LookupError):
        return None


def _parse_arguments(call: _Call) -> dict[str, Any] | str:
    """The call's arguments as a dict, or the error text the model gets back instead."""
    raw = call.arguments.strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        return f"the arguments of {call.name} are not valid JSON ({error.msg} at {error.pos})"
    if not isinstance(value, dict):
        return f"the arguments of {call.name} must be a JSON object, got {type(value).__name__}"
    return value


def _arguments_shown(call: _Call) -> dict[str, Any]:
    arguments = _parse_arguments(call)
    return arguments if isinstance(arguments, dict) else {}


def _accumulate(calls: dict[int, _Call], deltas: list[Any]) -> None:
    """Adds one chunk's tool-call pieces: `id` and `name` come once, `arguments` in pieces."""
    for delta in deltas:
        index = delta.index if delta.index is not None else len(calls)
        call = calls.get(index)
        if call is None:
            call = calls[index] = _Call(id=delta.id or f"call_{index}")
        elif delta.id and call.id != delta.id:
            call.id = delta.id
        function = delta.function
        if function is None:
            continue
        if function.name and function.name != call.name:
            call.name = call.name + function.name if call.name else function.name
        if function.arguments:
            call.arguments += function.arguments


def _usage(usage: Any) -> dict[str, int]:
    prompt = int(getattr(usage, "prompt_tokens", 0) or 0)
    completion = int(getattr(usage, "completion_tokens", 0) or 0)
    total = int(getattr(usage, "total_tokens", 0) or 0) or prompt + completion
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": total}


def _cost(totals: _Totals, extra_cost: Callable[[], float] | None) -> float | None:
    extra = extra_cost() if extra_cost is not None else 0.0
    if not totals.cost_known:
        return None
    return round(totals.cost_usd + extra, 6)


def _is_llm_error(error: Exception) -> bool:
    import openai

    from dave.core.errors import DaveError

    return isinstance(error, openai.OpenAIError | DaveError)


def describe_llm_error(error: Exception) -> str:
    """One line for a failed model call: the status and the server's own message."""
    import openai

    from dave.core.redact import redact

    if isinstance(error, openai.APIStatusError):
        message = _server_message(error)
        return redact(f"the model's endpoint answered HTTP {error.status_code}: {message}")
    if isinstance(error, openai.APITimeoutError):
        return "the model's endpoint did not answer in time"
    if isinstance(error, openai.APIConnectionError):
        request = getattr(error, "request", None)
        where = f" at {request.url.copy_with(query=None)}" if request is not None else ""
        return redact(f"cannot reach the model's endpoint{where}: {error.__cause__ or error}")
    user_line = getattr(error, "user_line", None)
    return redact(user_line() if callable(user_line) else str(error))


def _server_message(error: Any) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    return str(getattr(error, "message", error))


def _wire_messages(messages: list[dict[str, Any]]) -> list[ChatCompletionMessageParam]:
    """The conversation as the SDK types it. The messages are plain JSON objects in the
    chat-completions shape (they round-trip through sessions); the API checks them, so this
    only names their type."""
    return cast("list[ChatCompletionMessageParam]", messages)


def _wire_tools(schemas: list[dict[str, Any]]) -> list[ChatCompletionToolUnionParam]:
    """The tool set's `{"type": "function", "function": ...}` schemas, as the SDK types them."""
    return cast("list[ChatCompletionToolUnionParam]", schemas)
