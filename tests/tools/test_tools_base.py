"""The tool machinery: schemas from hints and docstrings, sync and async calls, argument
checks, errors as results, approval, and tool sets."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pytest

from dave.core.errors import InvalidRequest
from dave.core.redact import Secret
from dave.tools import (
    DENIED,
    ApprovalRequest,
    Tool,
    ToolContext,
    ToolResult,
    ToolSet,
    approve_all,
    deny_all,
    tool,
)

if TYPE_CHECKING:
    from tests.tools.conftest import Approvals


@tool
def resize(path: str, width: int, mode: Literal["fit", "fill"] = "fit", *, keep: bool = True):
    """Resize an image in place.

    Only local files.

    Args:
        path: The image file.
        width: New width in pixels; the
            height follows.
        mode: How to fit the box.
        keep (bool): Keep the original.

    Returns:
        Nothing useful.
    """
    return {"path": path, "width": width, "mode": mode, "keep": keep}


def test_schema_comes_from_the_type_hints_and_the_docstring() -> None:
    assert resize.schema() == {
        "type": "function",
        "function": {
            "name": "resize",
            "description": "Resize an image in place.\n\nOnly local files.",
            "parameters": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "path": {"type": "string", "description": "The image file."},
                    "width": {
                        "type": "integer",
                        "description": "New width in pixels; the height follows.",
                    },
                    "mode": {
                        "type": "string",
                        "enum": ["fit", "fill"],
                        "default": "fit",
                        "description": "How to fit the box.",
                    },
                    "keep": {
                        "type": "boolean",
                        "default": True,
                        "description": "Keep the original.",
                    },
                },
                "required": ["path", "width"],
            },
        },
    }


async def test_context_parameter_is_injected_and_left_out_of_the_schema(
    ctx: ToolContext,
) -> None:
    @tool(name="where_am_i")
    async def locate(ctx: ToolContext, suffix: str = "") -> str:
        """Say where the workspace is."""
        return f"{ctx.workspace.name}{suffix}"

    assert locate.parameters == {
        "type": "object",
        "additionalProperties": False,
        "properties": {"suffix": {"type": "string", "default": ""}},
    }
    assert locate.name == "where_am_i"
    assert (await locate.call({"suffix": "!"}, ctx)).content == "workspace!"


async def test_sync_tool_runs_in_a_worker_thread(ctx: ToolContext) -> None:
    seen: list[str] = []

    @tool
    def which_thread() -> str:
        """Report the thread."""
        seen.append(threading.current_thread().name)
        return "ok"

    result = await which_thread.call({}, ctx)
    assert result == ToolResult("ok")
    assert seen and seen[0] != threading.main_thread().name


async def test_async_tool_runs_on_the_event_loop(ctx: ToolContext) -> None:
    @tool
    async def which_loop() -> str:
        """Report the loop."""
        return str(id(asyncio.get_running_loop()))

    result = await which_loop.call({}, ctx)
    assert result.content == str(id(asyncio.get_running_loop()))


async def test_arguments_are_validated_and_converted(ctx: ToolContext) -> None:
    result = await resize.call({"path": "a.png", "width": "640"}, ctx)
    assert json.loads(result.content) == {
        "path": "a.png",
        "width": 640,
        "mode": "fit",
        "keep": True,
    }


async def test_arguments_may_come_as_the_json_text_the_model_sent(ctx: ToolContext) -> None:
    result = await resize.call('{"path": "a.png", "width": 10, "mode": "fill"}', ctx)
    assert json.loads(result.content)["mode"] == "fill"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"width": 10}, "invalid arguments for resize: path is required"),
        (
            {"path": "a", "width": "wide"},
            "invalid arguments for resize: width must be a whole number, got 'wide'",
        ),
        (
            {"path": "a", "width": 1, "height": 2},
            "invalid arguments for resize: unknown field 'height'; "
            "known fields: path, width, mode, keep",
        ),
        (
            {"path": "a", "width": 1, "mode": "crop"},
            "invalid arguments for resize: mode must be 'fit' or 'fill', got 'crop'",
        ),
        ('{"path": ', "invalid arguments for resize: not valid JSON"),
        ("[1, 2]", "invalid arguments for resize: expected a JSON object, got list"),
    ],
)
async def test_bad_arguments_are_an_error_result_not_an_exception(
    ctx: ToolContext, arguments: object, message: str
) -> None:
    result = await resize.call(arguments, ctx)  # type: ignore[arg-type]
    assert result.is_error
    assert result.content.startswith(message)


async def test_a_tools_exception_becomes_an_error_result(ctx: ToolContext) -> None:
    @tool
    def explode(reason: str) -> str:
        """Fail."""
        raise ValueError(f"cannot: {reason}")

    @tool
    async def explode_later() -> str:
        """Fail asynchronously."""
        await asyncio.sleep(0)
        raise KeyError("gone")

    assert await explode.call({"reason": "no"}, ctx) == ToolResult(
        "ValueError: cannot: no", is_error=True
    )
    assert await explode_later.call({}, ctx) == ToolResult("KeyError: 'gone'", is_error=True)


async def test_a_dave_error_reads_as_its_user_line(ctx: ToolContext) -> None:
    @tool
    def refuse() -> str:
        """Refuse."""
        raise InvalidRequest("n must be 1-10", hint="ask for fewer")

    assert await refuse.call({}, ctx) == ToolResult("n must be 1-10 (ask for fewer)", True)


async def test_a_secret_in_an_error_message_is_masked(ctx: ToolContext) -> None:
    key = Secret("xai-very-secret-key-123")

    @tool
    def leak() -> str:
        """Leak."""
        raise RuntimeError(f"bad key {key.reveal()}")

    result = await leak.call({}, ctx)
    assert result.content == "RuntimeError: bad key ***"


async def test_cancellation_is_not_swallowed(ctx: ToolContext) -> None:
    started = asyncio.Event()

    @tool
    async def wait_forever() -> str:
        """Wait."""
        started.set()
        await asyncio.sleep(60)
        return "never"

    task = asyncio.create_task(wait_forever.call({}, ctx))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_return_values_become_text_for_the_model(ctx: ToolContext) -> None:
    @tool
    def nothing() -> None:
        """Do nothing."""

    @tool
    def numbers() -> list[int]:
        """Numbers."""
        return [1, 2]

    @tool
    def made() -> ToolResult:
        """A ready result."""
        return ToolResult("made", assets=[{"id": "a_1"}])

    assert (await nothing.call({}, ctx)).content == "done"
    assert (await numbers.call(None, ctx)).content == "[1,2]"
    assert await made.call({}, ctx) == ToolResult("made", assets=[{"id": "a_1"}])


# --- approval -------------------------------------------------------------------------------


def _guarded(calls: list[str]) -> Tool:
    @tool(needs_approval=True, summarize=lambda args: f"delete {args['path']}")
    def delete(path: str, force: bool = False) -> str:
        """Delete a file."""
        calls.append(path)
        return f"deleted {path}"

    return delete


async def test_denied_approval_is_a_denied_result_and_the_function_never_runs(
    workspace: Path,
) -> None:
    calls: list[str] = []
    asked: list[ApprovalRequest] = []

    async def say_no(request: ApprovalRequest) -> bool:
        asked.append(request)
        return False

    result = await _guarded(calls).call({"path": "x.txt"}, ToolContext(workspace, approve=say_no))

    assert result == ToolResult(DENIED, is_error=True)
    assert result.content == "denied by the user"
    assert calls == []
    assert asked == [ApprovalRequest("delete", {"path": "x.txt", "force": False}, "delete x.txt")]


async def test_approved_call_runs_after_asking(ctx: ToolContext, approvals: Approvals) -> None:
    calls: list[str] = []
    result = await _guarded(calls).call({"path": "y.txt"}, ctx)
    assert result.content == "deleted y.txt"
    assert calls == ["y.txt"]
    assert [request.summary for request in approvals.asked] == ["delete y.txt"]


async def test_bad_arguments_fail_before_anyone_is_asked(
    ctx: ToolContext, approvals: Approvals
) -> None:
    calls: list[str] = []
    result = await _guarded(calls).call({"force": True}, ctx)
    assert result.is_error and "path is required" in result.content
    assert approvals.asked == []


async def test_the_default_context_denies_and_approve_all_allows(workspace: Path) -> None:
    calls: list[str] = []
    guarded = _guarded(calls)
    assert (await guarded.call({"path": "a"}, ToolContext(workspace))).content == DENIED
    assert ToolContext(workspace).approve is deny_all
    approved = await guarded.call({"path": "a"}, ToolContext(workspace, approve=approve_all))
    assert approved.content == "deleted a"
    assert calls == ["a"]


async def test_an_approver_that_fails_counts_as_no(workspace: Path) -> None:
    calls: list[str] = []

    async def broken(request: ApprovalRequest) -> bool:
        raise OSError("no terminal")

    result = await _guarded(calls).call({"path": "a"}, ToolContext(workspace, approve=broken))
    assert result == ToolResult("could not ask for approval: OSError: no terminal", True)
    assert calls == []


async def test_an_unserializable_return_value_is_shown_as_text(ctx: ToolContext) -> None:
    @tool
    def where() -> dict[str, object]:
        """Where."""
        return {"path": Path("/x/y")}

    assert (await where.call({}, ctx)).content == '{"path":"/x/y"}'


def test_default_summary_shows_the_tool_and_its_arguments() -> None:
    @tool(needs_approval=True)
    def send(to: str) -> str:
        """Send."""
        return to

    assert send.summary({"to": "ops"}) == 'send {"to": "ops"}'


# --- tool sets -------------------------------------------------------------------------------


@tool
def ping() -> str:
    """Ping."""
    return "pong"


@tool
async def echo(text: str) -> str:
    """Echo."""
    return text


def test_a_tool_set_lists_gets_and_describes_its_tools() -> None:
    tools = ToolSet("demo", [ping, echo])
    assert tools.names() == ["ping", "echo"]
    assert [t.name for t in tools] == ["ping", "echo"]
    assert len(tools) == 2 and "echo" in tools and "nope" not in tools
    assert tools.get("echo") is echo and tools.get("nope") is None
    assert tools.schemas() == [ping.schema(), echo.schema()]


def test_merge_keeps_order_and_refuses_two_tools_of_one_name() -> None:
    merged = ToolSet("a", [ping]).merge(ToolSet("b", [echo]))
    assert merged.name == "a+b" and merged.names() == ["ping", "echo"]
    assert ToolSet.merge(ToolSet("a", [ping]), ToolSet("b", [echo]), name="all").name == "all"
    with pytest.raises(ValueError, match="two tools named 'ping'"):
        ToolSet("a", [ping]).merge(ToolSet("b", [ping]))


def test_only_filters_and_names_the_unknown() -> None:
    tools = ToolSet("demo", [ping, echo])
    assert tools.only(["echo"]).names() == ["echo"]
    with pytest.raises(ValueError, match="has no nope; it has ping, echo"):
        tools.only(["nope"])


async def test_a_tool_set_calls_by_name_and_reports_unknown_names(ctx: ToolContext) -> None:
    tools = ToolSet("demo", [ping, echo])
    assert (await tools.call("echo", '{"text": "hi"}', ctx)).content == "hi"
    unknown = await tools.call("pong", {}, ctx)
    assert unknown == ToolResult("no tool named 'pong'; the tools are: ping, echo", True)


def test_tool_names_must_suit_the_api() -> None:
    with pytest.raises(ValueError, match="must be 1-64 letters"):
        tool(name="has space")(ping.function)


def test_star_args_cannot_be_described() -> None:
    def loose(*items: str) -> str:
        """Loose."""
        return ""

    with pytest.raises(TypeError, match="cannot be described"):
        tool(loose)
