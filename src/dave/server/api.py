"""The JSON API: the library's assets (searched, filtered, paged), jobs, lineage, and the
requests that spend money (generate, agent runs, publish).

Every error is one line: `{"error": "..."}` with 400 (bad input, nothing done), 404, 413 or
502 (a provider or CDN said no). Not for files (files.py) nor sockets (sockets.py).
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dave.core.errors import DaveError, InvalidRequest, NotFound
from dave.media.capabilities import providers
from dave.server.state import ServerState
from dave.server.views import asset_view, event_view, job_view
from dave.store import Asset, JobState

#: Bodies larger than this are refused unread: sources may travel inline as data: URIs.
MAX_BODY = 32 * 1024 * 1024
MAX_PAGE = 200
ASSET_KINDS = ("image", "video", "audio", "text")


def error_response(error: DaveError) -> JSONResponse:
    if isinstance(error, NotFound):
        status = 404
    elif isinstance(error, BodyTooLarge):
        status = 413
    elif isinstance(error, InvalidRequest) or type(error).__name__ == "ConfigError":
        status = 400
    else:
        status = 502
    return JSONResponse({"error": error.user_line()}, status_code=status)


async def read_json(request: Request, limit: int = MAX_BODY) -> dict[str, Any]:
    """The request's JSON object; InvalidRequest (400) for anything else, 413 when too big."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise BodyTooLarge(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge(limit)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidRequest(f"the body is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise InvalidRequest("the body must be a JSON object")
    return data


class BodyTooLarge(DaveError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the body is larger than {limit // (1024 * 1024)} MiB")


def _one(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    return value.strip() if value is not None and value.strip() else None


def _choice(request: Request, name: str, allowed: tuple[str, ...]) -> str | None:
    value = _one(request, name)
    if value is not None and value not in allowed:
        raise InvalidRequest(f"unknown {name} {value[:40]!r}; use one of {', '.join(allowed)}")
    return value


def _limit(request: Request, default: int = 60) -> int:
    value = _one(request, "limit")
    if value is None:
        return default
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise InvalidRequest(f"limit must be 1 to {MAX_PAGE}, not {value[:20]!r}")
    return int(value)


def _day(request: Request, name: str) -> date | None:
    value = _one(request, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidRequest(
            f"{name} must be a day such as 2026-12-01, not {value[:40]!r}"
        ) from None


def _state(request: Request) -> ServerState:
    state: ServerState = request.app.state.dave
    return state


def _views(state: ServerState, assets: list[Asset]) -> list[dict[str, Any]]:
    jobs = state.store.jobs.many(a.job_id for a in assets if a.job_id)
    return [asset_view(a, jobs.get(a.job_id or "")) for a in assets]


async def list_assets(request: Request) -> JSONResponse:
    """`?q=&provider=&kind=&since=&until=&cursor=&limit=`: newest first, one page."""
    state = _state(request)
    since, until = _day(request, "since"), _day(request, "until")
    page = state.store.assets.page(
        q=_one(request, "q"),
        provider=_choice(request, "provider", providers()),
        kind=_choice(request, "kind", ASSET_KINDS),
        since=since.isoformat() if since else None,
        before=(until + timedelta(days=1)).isoformat() if until else None,  # until is inclusive
        cursor=_one(request, "cursor"),
        limit=_limit(request),
    )
    return JSONResponse({"assets": _views(state, page.assets), "next_cursor": page.next_cursor})


async def show_asset(request: Request) -> JSONResponse:
    """An asset with its job and the job's events, lineage both ways, and publications."""
    state = _state(request)
    store = state.store
    asset = store.assets.get(request.path_params["asset_id"])
    job = store.jobs.get(asset.job_id) if asset.job_id else None
    sources = store.lineage.sources_of(asset)
    source_views = _views(state, [a for _, a in sources])
    derived = store.lineage.derived_from(asset.id)
    return JSONResponse(
        {
            "asset": asset_view(asset, job),
            "job": job_view(job) if job else None,
            "events": [event_view(e) for e in store.jobs.events(job.id)] if job else [],
            "sources": [
                {"field": field, "asset": view}
                for (field, _), view in zip(sources, source_views, strict=True)
            ],
            "derived": _views(state, derived),
            "published": [p.to_dict() for p in store.publications.for_asset(asset.id)],
        }
    )


async def list_jobs(request: Request) -> JSONResponse:
    """`?state=&provider=&kind=&limit=`: newest first."""
    state_name = _choice(request, "state", tuple(s.value for s in JobState))
    jobs = _state(request).store.jobs.list(
        states=[state_name] if state_name else None,
        provider=_choice(request, "provider", providers()),
        kind=_one(request, "kind"),
        limit=_limit(request, 50),
    )
    return JSONResponse({"jobs": [job_view(job) for job in jobs]})


async def show_job(request: Request) -> JSONResponse:
    state = _state(request)
    job = state.store.jobs.get(request.path_params["job_id"])
    return JSONResponse(
        {
            "job": job_view(job),
            "events": [event_view(e) for e in state.store.jobs.events(job.id)],
            "assets": _views(state, state.store.assets.for_job(job.id)),
        }
    )


async def generate(request: Request) -> JSONResponse:
    """A media request, as the Studio takes it: validated, journaled and left running; 202 with
    its job id (follow it on /ws/events or /api/jobs/{id})."""
    body = await read_json(request)
    answer = await _state(request).generate(body)
    return JSONResponse(answer, status_code=202)


async def start_run(request: Request) -> JSONResponse:
    """`{"agent", "prompt", "session"?}`: the run's id; its events are at /ws/runs/{id}."""
    body = await read_json(request, 1024 * 1024)
    agent, prompt, session = body.get("agent"), body.get("prompt"), body.get("session")
    for name, value in (("agent", agent), ("session", session)):
        if value is not None and not isinstance(value, str):
            raise InvalidRequest(f"{name} must be a string")
    if not isinstance(prompt, str):
        raise InvalidRequest("prompt must be a string")
    state = _state(request)
    record = state.runs.start(state.manager, agent, prompt, session)
    return JSONResponse({"id": record.id, "session_id": record.session_id}, status_code=201)


async def show_run(request: Request) -> JSONResponse:
    record = _state(request).runs.get(request.path_params["run_id"])
    return JSONResponse({**record.summary(), "events": record.events})


async def cancel_run(request: Request) -> JSONResponse:
    state = _state(request)
    record = state.runs.get(request.path_params["run_id"])
    state.runs.cancel(record.id)
    return JSONResponse(record.summary(), status_code=202)


async def publish(request: Request) -> JSONResponse:
    """`{"target": "local"|"s3"}` (default local): the lasting link."""
    from dave.publish.publisher import Publisher
    from dave.publish.settings import TARGETS, open_target

    body = await read_json(request, 64 * 1024) if await _has_body(request) else {}
    target = body.get("target", "local")
    if target not in TARGETS:
        raise InvalidRequest(f"unknown publish target {str(target)[:40]!r}; use one of "
                             f"{', '.join(TARGETS)}")  # fmt: skip
    state = _state(request)
    asset = state.store.assets.get(request.path_params["asset_id"])
    publisher = Publisher(state.store, open_target(target, state.settings))
    row = await asyncio.to_thread(publisher.publish, asset.id)
    return JSONResponse(row.to_dict())


async def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return length not in (None, "0") or "chunked" in request.headers.get("transfer-encoding", "")


async def list_providers(request: Request) -> JSONResponse:
    """The gallery's filters, from the registry."""
    from dave.media.capabilities import label

    return JSONResponse(
        {
            "providers": [{"name": p, "label": label(p)} for p in providers()],
            "kinds": list(ASSET_KINDS),
        }
    )


ROUTES = [
    Route("/api/assets", list_assets),
    Route("/api/assets/{asset_id}", show_asset),
    Route("/api/assets/{asset_id}/publish", publish, methods=["POST"]),
    Route("/api/jobs", list_jobs),
    Route("/api/jobs/{job_id}", show_job),
    Route("/api/generate", generate, methods=["POST"]),
    Route("/api/runs", start_run, methods=["POST"]),
    Route("/api/runs/{run_id}", show_run),
    Route("/api/runs/{run_id}/cancel", cancel_run, methods=["POST"]),
    Route("/api/providers", list_providers),
]
