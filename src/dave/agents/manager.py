"""The agent manager: loads specs, starts runs, keeps every session in the store.

A run is an `AgentRun`: iterate it for events, cancel it at any time. Its messages (the user's,
the assistant's with their tool calls, each tool result), token usage and cost are written as
they happen, so a session can be continued by another process. Not for the loop itself
(loop.py) nor for rendering events (the doors).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from dave.agents.events import ApprovalNeeded, AssetCreated, Done, ErrorEvent, Event
from dave.agents.loop import run_agent
from dave.agents.prices import price_of
from dave.agents.spec import AgentSpec, find_spec, load_specs
from dave.agents.toolsets import resolve_tools as resolve_tools  # the CLI imports it from here
from dave.core.errors import DaveError, InvalidRequest
from dave.core.settings import Settings, load_settings
from dave.media.offline import chat_emulator
from dave.store.db import Database
from dave.store.sessions import Message, Session, SessionStore

if TYPE_CHECKING:
    import httpx2
    import openai

    from dave.media.studio import Studio
    from dave.providers.openai_compat import LlmEndpoint
    from dave.tools import ApprovalRequest, ToolContext, ToolSet

Approve = Callable[["ApprovalRequest"], Awaitable[bool]]

DEFAULT_AGENT = "daisy"
MAX_DEPTH = 3
INTERRUPTED_RESULT = "no result: the run was interrupted before this call finished"


async def _deny(request: ApprovalRequest) -> bool:
    return False


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


def _title(prompt: str) -> str:
    first = " ".join(prompt.strip().split())
    return first if len(first) <= 80 else first[:77] + "..."


class AgentManager:
    """Runs named agents and keeps their sessions: `async with AgentManager() as manager:`.

    `approve` is asked before every tool call that needs approval (default: deny all);
    `workspace` is where the files and shell tools work (default: the current directory);
    `llm_transport` replaces the HTTP transport of every model client (tests, benchmarks).
    Offline, `DAVE_EMULATOR_CONFIG` may name an emulator config file (JSON or TOML, as for
    `dave emulator serve --faults`) whose `chat_script` the in-process model then follows, so
    `dave code --offline` can be driven turn by turn with no server at all.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        offline: bool = False,
        approve: Approve | None = None,
        llm_transport: httpx2.AsyncBaseTransport | None = None,
        workspace: Path | None = None,
        max_depth: int = MAX_DEPTH,
    ) -> None:
        settings = settings or load_settings(offline=offline or None)
        if offline and not settings.offline:
            settings = dataclasses.replace(settings, offline=True)
        self.settings = settings
        self.approve: Approve = approve or _deny
        self.workspace = Path(workspace) if workspace is not None else Path.cwd()
        self.max_depth = max_depth
        self._llm_transport = llm_transport
        self._offline_llm: httpx2.AsyncBaseTransport | None = None
        self._specs: dict[str, AgentSpec] | None = None
        self._db: Database | None = None
        self._sessions: SessionStore | None = None
        self._clients: dict[tuple[str, str, str], openai.AsyncOpenAI] = {}
        self._runs: set[AgentRun] = set()

    def __repr__(self) -> str:
        return f"AgentManager(home={str(self.settings.home)!r}, offline={self.settings.offline})"

    # -- specs ---------------------------------------------------------------------------

    def specs(self) -> list[AgentSpec]:
        """Every agent, built-in and the user's, by name."""
        return list(self._load_specs().values())

    def spec(self, name: str) -> AgentSpec:
        return find_spec(self._load_specs(), name)

    def _load_specs(self) -> dict[str, AgentSpec]:
        if self._specs is None:
            self._specs = load_specs(self.settings.home)
        return self._specs

    # -- sessions ------------------------------------------------------------------------

    @property
    def sessions(self) -> SessionStore:
        if self._sessions is None:
            self._db = Database(self.settings.db_path)
            self._sessions = SessionStore(self._db)
        return self._sessions

    def history(self, session_id: str) -> list[Message]:
        return self.sessions.messages(self.sessions.resolve(session_id))

    # -- runs ----------------------------------------------------------------------------

    def run(self, agent: str | None, prompt: str, *, session_id: str | None = None) -> AgentRun:
        """Starts a prompt in a new session, or continues `session_id` (its agent by default).

        Raises at once for an unknown agent or session, or a missing key; everything after
        that arrives as events, ending with one `Done`.
        """
        if not prompt or not prompt.strip():
            raise InvalidRequest("the prompt is empty")
        session: Session | None = None
        if session_id is not None:
            session = self.sessions.get(session_id)
            if agent is not None and agent != session.agent:
                raise InvalidRequest(
                    f"session {session.id} is with agent {session.agent!r}, not {agent!r}",
                    hint="leave out --agent to continue it",
                )
            agent = session.agent
        spec = self.spec(agent or DEFAULT_AGENT)
        endpoint = self.endpoint(spec)
        tools, _missing = resolve_tools(spec, self._load_specs())
        if session is None:
            session = self.sessions.create(spec.name, title=_title(prompt))
            self.sessions.add_message(session.id, {"role": "system", "content": spec.system_prompt})
        run = AgentRun(self, spec, session.id, prompt, endpoint, tools)
        self._runs.add(run)
        return run

    def cancel(self, run: AgentRun) -> None:
        """Stops a run: calls in flight are answered as cancelled, and it ends `cancelled`."""
        run.cancel()

    def endpoint(self, spec: AgentSpec) -> LlmEndpoint:
        from dave.providers.openai_compat import llm_endpoint

        return llm_endpoint(self.settings, spec.provider, spec.model)

    def client(self, endpoint: LlmEndpoint) -> openai.AsyncOpenAI:
        """One model client per endpoint, kept for the manager's life."""
        from dave.providers.openai_compat import open_llm

        key = (endpoint.provider, endpoint.base_url, endpoint.key.reveal())
        if key not in self._clients:
            transport = self._llm_transport
            if transport is None and endpoint.offline:
                transport = self._offline_chat()
            self._clients[key] = open_llm(endpoint, transport=transport)
        return self._clients[key]

    def _offline_chat(self) -> httpx2.AsyncBaseTransport:
        """The in-process emulator's chat, one per manager: every offline model client of its
        runs follows one `DAVE_EMULATOR_CONFIG` chat script."""
        if self._offline_llm is None:
            self._offline_llm = chat_emulator()
        return self._offline_llm

    # -- life ----------------------------------------------------------------------------

    async def __aenter__(self) -> AgentManager:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for run in list(self._runs):
            await run.aclose()
        clients, self._clients = self._clients, {}
        for client in clients.values():
            with contextlib.suppress(Exception):
                await client.close()
        if self._db is not None:
            self._db.close()
            self._db = None
            self._sessions = None


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
        child = manager.sessions.create(spec.name, title=_title(task), parent_id=parent_id)
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
