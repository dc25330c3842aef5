"""The emulator's `POST /v1/chat/completions` (and MiniMax's same route): checks the request,
takes the next scripted turn or asks the rule-based model, and answers, streaming or not. Not
the checks or the answer's shape (wire.py), nor the models (scripted.py, rule_based.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from ..appstate import app_config
from ..faults import ChatScriptExhausted
from .rule_based import reply
from .scripted import check_expect
from .wire import ChatError, authorize, chunks, completion, fail, read_body, sse, wire_calls


async def chat_completions(request: Request) -> Response:
    """`POST /v1/chat/completions`, streaming or not."""
    config = app_config(request.app)
    try:
        authorize(request, config)
        body = await read_body(request)
        try:
            taken = config.next_chat_turn()
        except ChatScriptExhausted as exc:
            fail(str(exc))
        if taken is None:
            turn = reply(body)
        else:
            number, turn = taken
            if turn.expect is not None:
                check_expect(number, turn.expect, body)
    except ChatError as error:
        return error.response()
    calls = wire_calls(turn)
    if body.get("stream"):
        return StreamingResponse(
            sse(chunks(body, turn, calls)),
            media_type="text/event-stream",
            headers={"cache-control": "no-cache"},
        )
    return JSONResponse(completion(body, turn, calls))
