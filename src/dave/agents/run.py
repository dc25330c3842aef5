"""One prompt being answered: `AgentRun`, the task that runs the loop, keeps every message,
its usage and cost in the session as they happen, counts media job costs and runs delegations.

Not for starting runs, finding specs or endpoints (manager.py) nor for the loop itself
(loop.py). `repair` answers the tool calls a killed process left open, so its session can go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from dave.agents.events import ApprovalNeeded, AssetCreated, Done, ErrorEvent, Event
from dave.agents.loop import run_agent
from dave.agents.prices import price_of
from dave.agents.toolsets import resolve_tools
from dave.core.errors import DaveError, InvalidRequest

if TYPE_CHECKING:
    from dave.agents.manager import AgentManager
    from dave.agents.spec import AgentSpec
    from dave.media.studio import Studio
    from dave.providers.openai_compat import LlmEndpoint
    from dave.tools import ToolContext, ToolSet

INTERRUPTED_RESULT = "no result: the run was interrupted before this call finished"


def repair(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversation with an answer for every tool call left unanswered (a process killed
    mid-call leaves one), so the API accepts it when the session continues."""
    repaired: list[dict[str, Any]] = []
    pending: list[str] = []
    for message in messages:
        if message["role"] == "tool":
            if message.get("tool_call_id") in pending:
                pending.remove(message["tool_call_id"])
                repaired.append(message)
            continue  # a result for no open call would be refused: drop it
        repaired.extend(_interrupted(pending))
        pending = []
        if message["role"] == "assistant":
            pending = [call["id"] for call in message.get("tool_calls") or []]
        repaired.append(message)
    repaired.extend(_interrupted(pending))
    return repaired


def _interrupted(call_ids: list[str]) -> list[dict[str, Any]]:
    return [
        {"role": "tool", "tool_call_id": call_id, "content": INTERRUPTED_RESULT}
        for call_id in call_ids
    ]


def session_title(prompt: str) -> str:
    """A session's title: the prompt on one line, cut to 80 characters."""
    first = " ".join(prompt.strip().split())
    return first if len(first) <= 80 else first[:77] + "..."


class AgentRun:
    """One prompt being answered: `async for event in run`; `run.cancel()` stops it.

    The run works in its own task, so a cancel from anywhere (another task, a signal handler,
    a server request) stops it wherever it is, and the events still end with one `Done`.
    """

    def __init__(
        self,
        manager: AgentManager,
        spec: AgentSpec,
        session_id: str,
        prompt: str,
        endpoint: LlmEndpoint,
        tools: ToolSet,
    ) -> None:
        self.manager = manager
        self.spec = spec
        self.session_id = session_id
        self.prompt = prompt
        self.endpoint = endpoint
        self.tools = tools
        self.done: Done | None = None
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._cancelled = False
        self._ended = False
        self._seen_assets: set[str] = set()
        self._job_costs: dict[str, float] = {}
        self._studio: Studio | None = None
        self._text = ""
        self._usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}

    def __repr__(self) -> str:
        return f"AgentRun(agent={self.spec.name!r}, session={self.session_id!r})"

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._events()

    async def _events(self) -> AsyncIterator[Event]:
        # One consumer: a second `async for` after the end sees no events (`done` holds the end).
        self._start()
        while not self._ended:
            event = await self._queue.get()
            if event is None:
                self._ended = True
                return
            yield event

    async def wait(self) -> Done:
        """Runs to the end without looking at the events; the final `Done`."""
        async for _event in self:
            pass
        assert self.done is not None
        return self.done

    def cancel(self) -> None:
        self._cancelled = True
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def aclose(self) -> None:
        """Cancels the run if it is still going and waits for it to wind down."""
        if self._task is not None and not self._task.done():
            self.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.manager._runs.discard(self)

    def _start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._work())
            self._task.add_done_callback(self._task_ended)

    # -- the work, in its own task --------------------------------------------------------

    async def _work(self) -> None:
        try:
            if self._cancelled:
                raise asyncio.CancelledError
            async for event in self._main():
                self._emit(event)
        except asyncio.CancelledError:
            self._finish(Done(self._text, self._usage, "cancelled", self.session_id))
        except DaveError as error:
            self._emit(ErrorEvent(error.user_line()))
            self._finish(Done(self._text, self._usage, "error", self.session_id))
        except Exception as error:  # a bug: the caller still gets an end
            self._emit(ErrorEvent(f"internal error ({type(error).__name__}: {error})"))
            self._finish(Done(self._text, self._usage, "error", self.session_id))
        finally:
            if self._studio is not None:
                with contextlib.suppress(Exception):
                    await self._studio.aclose()

    async def _main(self) -> AsyncIterator[Event]:
        manager = self.manager
        sessions = manager.sessions
        sessions.add_message(self.session_id, {"role": "user", "content": self.prompt})
        messages = repair([m.to_openai() for m in sessions.messages(self.session_id)])
        ctx = self._context(depth=0)
        async for event in self._loop(self.spec, self.endpoint, self.tools, messages, ctx):
            if isinstance(event, Done):
                event = dataclasses.replace(event, session_id=self.session_id)
            yield event

    def _loop(
        self,
        spec: AgentSpec,
        endpoint: LlmEndpoint,
        tools: ToolSet,
        messages: list[dict[str, Any]],
        ctx: ToolContext,
        session_id: str | None = None,
    ) -> AsyncIterator[Event]:
        sessions = self.manager.sessions
        target = session_id or self.session_id
        top = session_id is None

        def keep(message: dict[str, Any], usage: dict[str, Any] | None) -> None:
            cost = usage.pop("cost_usd", None) if usage else None
            sessions.add_message(target, message, usage=usage, cost_usd=cost)
            if top and usage:
                for key in self._usage:
                    self._usage[key] += int(usage.get(key) or 0)
            if top and message["role"] == "assistant":
                self._text = message.get("content") or ""

        return run_agent(
            spec,
            messages,
            tools if len(tools) else None,
            self.manager.client(endpoint),
            ctx,
            model=endpoint.model,
            on_message=keep,
            cost_of=price_of(endpoint.model),
            extra_cost=lambda: sum(self._job_costs.values()),
        )

    def _context(self, depth: int) -> ToolContext:
        from dave.tools import ToolContext

        manager = self.manager
        return ToolContext(
            workspace=manager.workspace,
            approve=manager.approve,
            delegate=self._delegate_from(self.spec, self.session_id, depth),
            depth=depth,
            max_depth=manager.max_depth,
            on_asset=self._asset,
            open_studio=self._open_studio,
        )

    async def _open_studio(self) -> Studio:
        if self._studio is None:
            from dave.media.studio import Studio

            self._studio = Studio(self.manager.settings)
            await self._studio.__aenter__()
        return self._studio

    def _asset(self, asset: dict[str, Any]) -> None:
        """Told of every asset of the run, its own tools' and its delegates'."""
        self._emit(AssetCreated(asset))
        job_id = asset.get("job_id")
        if job_id and job_id not in self._job_costs and self._studio is not None:
            with contextlib.suppress(DaveError):
                from dave.media.prices import job_usd

                cost = job_usd(self._studio.jobs.get(job_id))
                self._job_costs[job_id] = cost
                if cost:
                    self.manager.sessions.add_cost(self.session_id, cost)

    def _emit(self, event: Event) -> None:
        if isinstance(event, AssetCreated):
            # The loop reports its tools' assets and so does `_asset`: say each once.
            key = str(event.asset.get("id") or event.asset.get("path"))
            if key in self._seen_assets:
                return
            self._seen_assets.add(key)
        if isinstance(event, Done):
            self._finish(event)
        else:
            self._queue.put_nowait(event)

    def _finish(self, done: Done) -> None:
        if self.done is None:
            self.done = done
            self._queue.put_nowait(done)

    def _task_ended(self, task: asyncio.Task[None]) -> None:
        # A task cancelled before its first step never runs `_work`, so end the events here.
        if self.done is None:
            self._finish(Done(self._text, self._usage, "cancelled", self.session_id))
        self._queue.put_nowait(None)
        self.manager._runs.discard(self)

    # -- delegation ----------------------------------------------------------------------

    def _delegate_from(
        self, spec: AgentSpec, session_id: str, depth: int
    ) -> Callable[[str, str], Awaitable[str]]:
        async def delegate(agent: str, task: str) -> str:
            if agent not in spec.can_delegate_to:
                allowed = ", ".join(spec.can_delegate_to) or "none"
                raise InvalidRequest(
                    f"{spec.name} may not delegate to {agent!r}; it may delegate to: {allowed}"
                )
            if depth + 1 > self.manager.max_depth:
                raise InvalidRequest(f"delegation deeper than {self.manager.max_depth} levels")
            return await self._delegated(agent, task, session_id, depth + 1)

        return delegate

    async def _delegated(self, agent: str, task: str, parent_id: str, depth: int) -> str:
        """Runs `agent` on `task` in a child session; its final text is the tool's result."""
        manager = self.manager
        spec = manager.spec(agent)
        endpoint = manager.endpoint(spec)
        tools, _missing = resolve_tools(spec, manager._load_specs())
        child = manager.sessions.create(spec.name, title=session_title(task), parent_id=parent_id)
        messages = [
            {"role": "system", "content": spec.system_prompt},
            {"role": "user", "content": task},
        ]
        for message in messages:
            manager.sessions.add_message(child.id, message)
        ctx = dataclasses.replace(
            self._context(depth), delegate=self._delegate_from(spec, child.id, depth)
        )
        done: Done | None = None
        errors: list[str] = []
        async for event in self._loop(spec, endpoint, tools, messages, ctx, child.id):
            if isinstance(event, ApprovalNeeded):
                self._emit(event)  # the person asked should know which call it is about
            elif isinstance(event, ErrorEvent):
                errors.append(event.message)
            elif isinstance(event, Done):
                done = event
        if errors:
            raise DaveError(f"agent {agent} failed: {errors[-1]}")
        assert done is not None
        answer = done.text or "(no answer)"
        if done.stop_reason != "stop":
            answer += f"\n[agent {agent} stopped: {done.stop_reason}; session {child.id}]"
        return answer
