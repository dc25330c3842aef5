"""The server's WebSockets: an agent run's events (`/ws/runs/{id}`, from its first event, with
approvals answered on the same socket) and the gallery's live updates (`/ws/events`).

Not for the runs themselves (runs.py) nor for what changes (live.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from dave.core.errors import NotFound
from dave.server.runs import RunRecord
from dave.server.state import ServerState

#: The largest message a client may send (an approval answer is a few dozen bytes).
MAX_CLIENT_MESSAGE = 16 * 1024


async def run_events(socket: WebSocket) -> None:
    state: ServerState = socket.app.state.dave
    try:
        record = state.runs.get(socket.path_params["run_id"])
    except NotFound as error:
        await socket.close(code=4404, reason=error.user_line()[:120])
        return
    await socket.accept()
    so_far, queue = record.follow()
    listening = asyncio.create_task(_answers(socket, state, record))
    # The client leaving ends the wait for the next event (a run may wait long on approval).
    listening.add_done_callback(lambda _: queue.put_nowait(None))
    try:
        for earlier in so_far:
            await socket.send_text(json.dumps(earlier))
        while (event := await queue.get()) is not None:
            await socket.send_text(json.dumps(event))
        if not listening.done():
            await socket.close(code=1000)
    except (WebSocketDisconnect, RuntimeError):
        return
    finally:
        record.unfollow(queue)
        listening.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await listening


async def _answers(socket: WebSocket, state: ServerState, record: RunRecord) -> None:
    """Reads the client's messages: `{"kind": "approval", "id": n, "approved": bool}` and
    `{"kind": "cancel"}`; anything else gets an error message back."""
    while True:
        text = await socket.receive_text()
        reply = _answer(text, state, record)
        if reply is not None:
            await socket.send_text(json.dumps(reply))


def _answer(text: str, state: ServerState, record: RunRecord) -> dict[str, Any] | None:
    if len(text) > MAX_CLIENT_MESSAGE:
        return {"kind": "refused", "message": "message too large"}
    try:
        message = json.loads(text)
    except ValueError:
        return {"kind": "refused", "message": "not JSON"}
    if not isinstance(message, dict):
        return {"kind": "refused", "message": "send a JSON object"}
    if message.get("kind") == "cancel":
        state.runs.cancel(record.id)
        return None
    if message.get("kind") == "approval":
        number, approved = message.get("id"), message.get("approved")
        if not isinstance(number, int) or not isinstance(approved, bool):
            return {"kind": "refused", "message": "an approval needs an integer id and a bool"}
        if not record.answer(number, approved):
            return {"kind": "refused", "message": f"no open approval {number}"}
        return None
    return {"kind": "refused", "message": "send kind approval or cancel"}


async def live_events(socket: WebSocket) -> None:
    state: ServerState = socket.app.state.dave
    await socket.accept()
    queue = state.live.subscribe()
    reading = asyncio.create_task(_drain(socket))
    try:
        await socket.send_text(json.dumps({"kind": "hello"}))
        while True:
            getting = asyncio.create_task(queue.get())
            done, _ = await asyncio.wait({getting, reading}, return_when=asyncio.FIRST_COMPLETED)
            if reading in done:
                getting.cancel()
                return
            message = getting.result()
            if message is None:  # shutting down, or too far behind
                await socket.close(code=1013)
                return
            await socket.send_text(json.dumps(message))
    except (WebSocketDisconnect, RuntimeError):
        return
    finally:
        state.live.unsubscribe(queue)
        reading.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reading


async def _drain(socket: WebSocket) -> None:
    """Reads until the client leaves (this socket only sends)."""
    while True:
        message = await socket.receive()
        if message["type"] == "websocket.disconnect":
            return


ROUTES = [
    WebSocketRoute("/ws/runs/{run_id}", run_events),
    WebSocketRoute("/ws/events", live_events),
]
