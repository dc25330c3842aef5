"""The agent manager: loads specs, starts runs, keeps every session in the store.

A run is an `AgentRun` (run.py): iterate it for events, cancel it at any time. Its messages
(the user's, the assistant's with their tool calls, each tool result), token usage and cost are
written as they happen, so a session can be continued by another process. Not for the loop
itself (loop.py), a run's work (run.py) nor for rendering events (the doors).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from dave.agents.run import AgentRun, session_title
from dave.agents.spec import AgentSpec, find_spec, load_specs
from dave.agents.toolsets import resolve_tools
from dave.core.errors import InvalidRequest
from dave.core.settings import Settings, load_settings
from dave.media.offline import chat_emulator
from dave.store import open_database
from dave.store.db import SqlDatabase
from dave.store.sessions import Message, Session, SessionStore

if TYPE_CHECKING:
    import httpx2
    import openai

    from dave.providers.openai_compat import LlmEndpoint
    from dave.tools import ApprovalRequest

Approve = Callable[["ApprovalRequest"], Awaitable[bool]]

DEFAULT_AGENT = "daisy"
MAX_DEPTH = 3


async def _deny(request: ApprovalRequest) -> bool:
    return False


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
        self._db: SqlDatabase | None = None
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
            self._db = open_database(self.settings.home, self.settings.database)
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
            session = self.sessions.create(spec.name, title=session_title(prompt))
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
