"""Stable Audio in the emulator (§7): the synchronous Stable Audio 2/2.5 routes and the async
Stable Audio 3 routes, answering real MP3/WAV of the asked length. Not the polling of
Stable Audio 3 jobs (results.py)."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..makers import AUDIO_MIME, make_audio
from .results import start_job
from .wire import (
    SEED,
    Param,
    StabilityError,
    bad,
    check_form,
    endpoint,
    enum,
    media_answer,
    number,
    outcome,
    pick_seed,
    read_form,
    text,
    wants_json,
)

Mode = Literal["text-to-audio", "audio-to-audio", "inpaint"]
_AUDIO_FILE = Param("audio", required=True)
_STEPS = {"stable-audio-2": (30, 100), "stable-audio-2.5": (4, 8), "stable-audio-3": (4, 8)}
_MIN_STRENGTH = {"stable-audio-2.5": 0.01}


def _params(family: str, mode: Mode) -> dict[str, Param]:
    longest = 380 if family == "stable-audio-3" else 190
    params: dict[str, Param] = {
        "prompt": text(required=True),
        "duration": number(1, longest),
        "seed": SEED,
        "steps": number(1, 100, integer=True),
        "output_format": enum("mp3", "wav"),
    }
    models = (
        ("stable-audio-3",)
        if family == "stable-audio-3"
        else ("stable-audio-2", "stable-audio-2.5")
    )
    if not (mode == "inpaint" and family == "stable-audio-2"):
        params |= {"model": enum(*models), "cfg_scale": number(1, 25)}
    if mode != "text-to-audio":
        params["audio"] = _AUDIO_FILE
    if mode == "audio-to-audio":
        params["strength"] = number(0, 1)
    if mode == "inpaint":
        params |= {"mask_start": number(0, longest), "mask_end": number(0, longest)}
    return params


def _english(prompt: str) -> None:
    """Stable Audio takes English prompts only (422 invalid_language); mostly non-Latin
    letters stand for another language here."""
    letters = [ch for ch in prompt if ch.isalpha()]
    if letters and sum(not ch.isascii() for ch in letters) > len(letters) * 0.3:
        raise StabilityError(422, "invalid_language", "prompt: only English is supported")


def _check(family: str, mode: Mode, values: dict[str, Any]) -> str:
    """Cross-field rules; returns the model."""
    default = "stable-audio-3" if family == "stable-audio-3" else "stable-audio-2"
    implied = "stable-audio-2.5" if family == "stable-audio-2" and mode == "inpaint" else default
    model: str = values.get("model", implied)
    low, high = _STEPS[model]
    if "steps" in values and not low <= values["steps"] <= high:
        bad(f"steps: must be between {low} and {high} for {model}, got {values['steps']}")
    if values.get("strength", 1) < _MIN_STRENGTH.get(model, 0):
        bad(f"strength: must be at least {_MIN_STRENGTH[model]} for {model}")
    if "audio" in values:
        longest = 380 if family == "stable-audio-3" else 190
        seconds = values["audio"][1]
        if not 6 <= seconds <= longest + 0.5:
            bad(f"audio: must be 6 to {longest} seconds long, got {seconds:.1f}")
    _english(values["prompt"])
    return model


def _route(family: str, mode: Mode) -> Route:
    is_async = family == "stable-audio-3"
    params = _params(family, mode)
    limit = 100_000_000 if is_async else 50_000_000

    @endpoint
    async def handle(request: Request) -> Response:
        form = await read_form(request, limit)
        values = check_form(form, params)
        model = _check(family, mode, values)
        fmt = values.get("output_format", "mp3")
        seconds = float(
            values.get("duration") or (values["audio"][1] if "audio" in values else 190)
        )
        seed = pick_seed(values)
        if is_async:
            return start_job(
                request, f"stable-audio-3/{mode}", fmt, seed, values["prompt"],
                seconds=seconds, status=202,
            )  # fmt: skip
        as_json = wants_json(request, "audio")
        fault = outcome(request)
        # Audio documents only SUCCESS; a moderated answer still reports CONTENT_FILTERED.
        reason = (
            "CONTENT_FILTERED" if fault is not None and fault.kind == "moderated" else "SUCCESS"
        )
        data = await asyncio.to_thread(make_audio, f"{model} {values['prompt']}", seconds, fmt)
        return media_answer(
            data, AUDIO_MIME[fmt], seed, as_json=as_json, medium="audio", reason=reason
        )

    path = "stable-audio" if is_async else "stable-audio-2"
    return Route(f"/v2beta/audio/{path}/{mode}", handle, methods=["POST"])


MODES: tuple[Mode, ...] = ("text-to-audio", "audio-to-audio", "inpaint")
ROUTES = tuple(
    _route(family, mode) for family in ("stable-audio-2", "stable-audio-3") for mode in MODES
)
