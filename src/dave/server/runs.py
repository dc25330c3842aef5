"""Agent runs the server started: each run's events kept in order, so a client that connects
late (or again) is sent the run from its first event, and the approvals it waits on.

Not for running agents (dave.agents) nor for the socket itself (sockets.py).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from typing import Any

from dave.agents.events import ApprovalNeeded, Done, Event, to_dict
from dave.agents.manager import AgentManager
from dave.agents.run import AgentRun
from dave.core.errors import NotFound
from dave.store import new_id

log = logging.getLogger("dave.server")

#: How long a tool call waits for a client to answer its approval before it is denied.
APPROVAL_TIMEOUT_S = 600.0

# The record of the run whose task asks for an approval (a run's tasks inherit it).
_RECORD: contextvars.ContextVar[RunRecord | None] = contextvars.ContextVar(
    "dave_server_run", default=None
)


class RunRecord:
    """One run: its events so far, a signal for each new one, and its open approvals."""

    def __init__(self, run_id: str, agent: str, session_id: str) -> None:
        self.id = run_id
        self.agent = agent
        self.session_id = session_id
        self.events: list[dict[str, Any]] = []
        self.ended = False
        self._followers: set[asyncio.Queue[dict[str, Any] | None]] = set()
        self._approvals: dict[int, asyncio.Future[bool]] = {}
        self._by_request: dict[int, tuple[object, int]] = {}

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "agent": self.agent, "session_id": self.session_id,
                "ended": self.ended, "events": len(self.events)}  # fmt: skip

    def append(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        for queue in self._followers:
            queue.put_nowait(event)

    def end(self) -> None:
        self.ended = True
        for queue in self._followers:
            queue.put_nowait(None)
        for future in self._approvals.values():
            if not future.done():
                future.set_result(False)

    def follow(self) -> tuple[list[dict[str, Any]], asyncio.Queue[dict[str, Any] | None]]:
        """The events so far and a queue of those to come (None once the run has ended): one
        step, so a follower misses none and sees none twice."""
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        if self.ended:
            queue.put_nowait(None)
        else:
            self._followers.add(queue)
        return list(self.events), queue

    def unfollow(self, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        self._followers.discard(queue)

    def approval_for(self, request: object) -> tuple[int, asyncio.Future[bool]]:
        """The id and answer of the approval `request` (made on first sight, by either side)."""
        seen = self._by_request.get(id(request))
        if seen is not None:
            return seen[1], self._approvals[seen[1]]
        number = len(self._approvals) + 1
        self._approvals[number] = asyncio.get_running_loop().create_future()
        self._by_request[id(request)] = (request, number)  # holds it: no id() reuse
        return number, self._approvals[number]

    def answer(self, number: int, approved: bool) -> bool:
        """Gives approval `number` its answer; False if there is no such open approval."""
        future = self._approvals.get(number)
        if future is None or future.done():
            return False
        future.set_result(approved)
        return True


class Runs:
    """The runs of this server, by id; it is the manager's `approve`."""

    def __init__(self) -> None:
        self._records: dict[str, RunRecord] = {}
        self._runs: dict[str, AgentRun] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def approve(self, request: Any) -> bool:
        """A tool waits here until the run's client answers (or denies by timing out)."""
        record = _RECORD.get()
        if record is None:
            return False
        _, future = record.approval_for(request)
        try:
            return await asyncio.wait_for(asyncio.shield(future), APPROVAL_TIMEOUT_S)
        except TimeoutError:
            return False

    def start(
        self, manager: AgentManager, agent: str | None, prompt: str, session: str | None
    ) -> RunRecord:
        """Starts a run now; raises at once for an unknown agent or session."""
        run = manager.run(agent, prompt, session_id=session)
        record = RunRecord(new_id("r"), run.spec.name, run.session_id)
        self._records[record.id] = record
        self._runs[record.id] = run
        task = asyncio.get_running_loop().create_task(self._drive(record, run))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return record

    def get(self, run_id: str) -> RunRecord:
        record = self._records.get(run_id)
        if record is None:
            raise NotFound(f"no run {run_id!r} on this server")
        return record

    def cancel(self, run_id: str) -> None:
        run = self._runs.get(run_id)
        if run is not None:
            run.cancel()

    async def aclose(self) -> None:
        for run in list(self._runs.values()):
            run.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _drive(self, record: RunRecord, run: AgentRun) -> None:
        # Set inside this task: the run's own tasks are made from here and inherit it.
        _RECORD.set(record)
        try:
            async for event in run:
                record.append(_wire(record, event))
                # A model's chunks often arrive several to a read, and the loop makes their
                # events without pausing: let the sockets send each one as it is made.
                await asyncio.sleep(0)
        except Exception as error:  # a bug in the run: the client still gets an end
            log.exception("run %s", record.id)
            record.append({"kind": "error", "message": f"internal error ({error})"})
        finally:
            if not record.events or record.events[-1]["kind"] != "done":
                done = run.done
                record.append(to_dict(done) if done else {"kind": "done", "text": "",
                              "usage": {}, "stop_reason": "error", "session_id": run.session_id,
                              "cost_usd": None})  # fmt: skip
            record.end()
            self._runs.pop(record.id, None)
            await run.aclose()


def _wire(record: RunRecord, event: Event) -> dict[str, Any]:
    data = to_dict(event)
    if isinstance(event, ApprovalNeeded):
        data["id"], _ = record.approval_for(event.request)
    if isinstance(event, Done):
        data.setdefault("session_id", record.session_id)
    return data
