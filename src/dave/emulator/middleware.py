"""The emulator's ASGI middleware: logs each provider request, adds latency and carries out faults.
Not the place that decides faults (`faults.py`) or that shapes answers (the provider routers)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .appstate import app_config, app_log
from .faults import OUTCOME_KINDS, FaultRule
from .log import LoggedRequest
from .wire import multipart_parts

# Where `EmulatorServer`'s uvicorn protocol puts each connection's asyncio transport: in the
# per-connection copy of the lifespan state, which uvicorn copies into every request's
# `scope["state"]`. See `server.py`.
TRANSPORT_KEY = "dave_emulator.transport"
# Paths for the emulator's own control API: never logged, delayed or faulted.
CONTROL_PREFIX = "/_emulator"
# The scope key through which an outcome fault (failed, expired, moderated) reaches a handler.
FAULT_SCOPE_KEY = "dave.fault"


class EmulatorMiddleware:
    """Reads the whole request, logs it, sleeps `latency_s`, then applies the chosen fault."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        config = app_config(scope["app"])
        log = app_log(scope["app"])
        body = await _read_body(receive)
        if body is None:
            return  # the client left before sending the whole request
        headers = _headers(scope)
        entry = LoggedRequest(
            method=scope["method"],
            path=scope["path"],
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            json=_json_or_none(body),
            body_bytes=len(body),
            form=_form_or_none(headers.get("content-type", ""), body),
        )
        log.add(entry)

        async def logged_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
            await send(message)

        replay = _replay(body, receive)
        if config.latency_s:
            await asyncio.sleep(config.latency_s)
        rule = config.pick_fault(scope["method"], scope["path"])
        if rule is None:
            await self.app(scope, replay, logged_send)
            return
        entry.fault = rule.kind
        if rule.kind in OUTCOME_KINDS:
            scope[FAULT_SCOPE_KEY] = rule
            await self.app(scope, replay, logged_send)
        elif rule.kind == "status":
            await _answer_status(rule, logged_send)
        elif rule.kind == "reset":
            await drop_connection(scope, receive, flush=False)
        elif rule.kind == "hang":
            if await _sleep_unless_disconnected(rule.delay(), receive):
                await self.app(scope, replay, logged_send)
        else:
            await _reshape_response(rule, self.app, scope, replay, logged_send, receive)


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive channel that hands the already-read body out once, then defers to the real one
    (which reports the client's disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _headers(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _form_or_none(content_type: str, body: bytes) -> dict[str, Any] | None:
    parts = multipart_parts(content_type, body)
    if parts is None:
        return None
    fields = {p.name: p.data.decode("utf-8", "replace") for p in parts if p.filename is None}
    files = {
        p.name: [p.filename, p.content_type, len(p.data)] for p in parts if p.filename is not None
    }
    return {"fields": fields, "files": files}


def _json_or_none(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


async def _answer_status(rule: FaultRule, send: Send) -> None:
    from http import HTTPStatus

    headers: list[tuple[bytes, bytes]] = []
    if rule.retry_after is not None:
        headers.append((b"retry-after", rule.retry_after.encode("latin-1")))
    if isinstance(rule.body, str):
        payload, content_type = rule.body.encode(), b"text/plain; charset=utf-8"
    else:
        try:
            phrase = HTTPStatus(rule.status).phrase
        except ValueError:
            phrase = "Error"
        body = rule.body if rule.body is not None else {"code": str(rule.status), "error": phrase}
        payload, content_type = json.dumps(body).encode(), b"application/json"
    headers += [(b"content-type", content_type), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": rule.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def drop_connection(scope: Scope, receive: Receive, *, flush: bool) -> None:
    """End the connection with no (further) HTTP bytes, so the client sees a transport error.

    Under `EmulatorServer` the request's own asyncio transport is in `scope["state"]`: `abort()`
    drops it at once (a reset, nothing written); `close()` first flushes what was already
    written (a truncated body). We then wait for uvicorn's `http.disconnect`, so that uvicorn
    knows the client is gone and neither answers 500 nor logs an unfinished response.
    With no transport at hand (in-process through httpx2's ASGITransport) we raise the error
    the client would have seen; any other server turns that into a 500 or a cut response.
    """
    transport = (scope.get("state") or {}).get(TRANSPORT_KEY)
    if transport is None:
        import httpx2

        raise httpx2.RemoteProtocolError("Server disconnected (emulator fault)")
    if flush:
        transport.close()
    else:
        transport.abort()
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(5):
            while (await receive())["type"] != "http.disconnect":
                pass


async def _sleep_unless_disconnected(seconds: float, receive: Receive) -> bool:
    """Sleep, but stop early when the client hangs up; True if the client is still there."""
    sleeper = asyncio.ensure_future(asyncio.sleep(seconds))
    listener = asyncio.ensure_future(_wait_for_disconnect(receive))
    done, pending = await asyncio.wait({sleeper, listener}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return sleeper in done


async def _wait_for_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _reshape_response(
    rule: FaultRule, app: ASGIApp, scope: Scope, receive: Receive, send: Send, raw: Receive
) -> None:
    """Run the app to completion, then send its answer corrupted, slowly or cut short."""
    messages: list[Message] = []

    async def collect(message: Message) -> None:
        messages.append(message)

    await app(scope, receive, collect)
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    if rule.kind == "corrupt":
        # Same length and headers, so only a content check (not a size check) can catch it.
        await send(start)
        await send({"type": "http.response.body", "body": _garbage(len(body))})
    elif rule.kind == "slow":
        await send(start)
        for offset in range(0, len(body), rule.chunk_size):
            await send(
                {
                    "type": "http.response.body",
                    "body": body[offset : offset + rule.chunk_size],
                    "more_body": True,
                }
            )
            await asyncio.sleep(rule.delay())
        await send({"type": "http.response.body", "body": b""})
    else:  # truncate: the full Content-Length is promised, part of the body is sent
        await send(start)
        cut = int(len(body) * rule.fraction)
        await send({"type": "http.response.body", "body": body[:cut], "more_body": True})
        await drop_connection(scope, raw, flush=True)


def _garbage(size: int) -> bytes:
    pattern = b"\x00dave-emulator: corrupted bytes, not media\n"
    return (pattern * (size // len(pattern) + 1))[:size]
