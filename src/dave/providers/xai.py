"""x.ai Grok Imagine over REST: image generation and editing, video jobs and their polling.

A thin translation of the wire format (shared/api/xai.md); no validation beyond the wire and no
retries (dave.core.http owns those).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

import httpx2

from dave.core.errors import ProviderError, Unauthorized
from dave.core.http import HttpClient, default_error_parser, json_answer
from dave.core.redact import Secret
from dave.core.settings import HttpSettings
from dave.providers.base import Output, RemoteState, Status, Submission, json_object

NAME = "xai"

# 1 USD = 10,000,000,000 ticks (xai-sdk cost.py).
TICKS_PER_USD = 10_000_000_000

_TERMINAL_WORDS = {
    "done": RemoteState.DONE,
    "failed": RemoteState.FAILED,
    "expired": RemoteState.EXPIRED,
}


def parse_error(response: httpx2.Response) -> tuple[str, str | None]:
    """x.ai sends `{code, error}` flat, `{error: {message, code}}`, or a message string."""
    return default_error_parser(response)


def classify_error(status: int, message: str, code: str | None) -> type[ProviderError] | None:
    """x.ai answers a wrong key with 400 (docs.x.ai/developers/debugging), not 401."""
    if status == 400 and "api key" in message.lower():
        return Unauthorized
    return None


def cost_usd(body: dict[str, Any]) -> float | None:
    ticks = json_object(body.get("usage")).get("cost_in_usd_ticks")
    if isinstance(ticks, int | float):
        return ticks / TICKS_PER_USD
    return None


def image_ref(url: str) -> dict[str, str]:
    return {"url": url, "type": "image_url"}


class XaiClient:
    """Calls x.ai's media endpoints with one key and base URL."""

    def __init__(
        self,
        key: Secret,
        base_url: str,
        settings: HttpSettings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self._key = key
        self.base_url = base_url.rstrip("/")
        self.http = HttpClient(
            NAME,
            settings,
            transport=transport,
            parse_error=parse_error,
            classify_error=classify_error,
        )

    def __repr__(self) -> str:
        return f"XaiClient(base_url={self.base_url!r})"

    async def aclose(self) -> None:
        await self.http.aclose()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._key.reveal()}"}

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.send(
            "POST", self.base_url + path, json=body, headers=self._headers(), billable=True
        )
        return json_answer(response, NAME, billable=True)

    # -- images: synchronous, the answer carries the result --------------------------------

    async def generate_images(self, **fields: Any) -> Submission:
        """POST /images/generations with the documented fields (model, prompt, n, ...)."""
        body = await self._post("/images/generations", _drop_none(fields))
        return Submission(result=self.read_images(body))

    async def edit_images(self, *, image_urls: Sequence[str], **fields: Any) -> Submission:
        """POST /images/edits: one source goes in `image`, several in `images` (≤ 3)."""
        body = _drop_none(fields)
        refs = [image_ref(url) for url in image_urls]
        if len(refs) == 1:
            body["image"] = refs[0]
        else:
            body["images"] = refs
        answer = await self._post("/images/edits", body)
        return Submission(result=self.read_images(answer))

    def read_images(self, body: dict[str, Any]) -> Status:
        outputs: list[Output] = []
        moderated = 0
        for item in body.get("data") or []:
            if not isinstance(item, dict):
                continue
            if item.get("respect_moderation") is False:
                moderated += 1
                continue
            mime = item.get("mime_type")
            if item.get("b64_json"):
                data, inline_mime = _decode_b64(item["b64_json"])
                outputs.append(Output(data=data, mime=mime or inline_mime))
            elif item.get("url"):
                outputs.append(Output(url=item["url"], mime=mime))
            else:
                moderated += 1
        if not outputs and not moderated:
            raise ProviderError("the answer held no images", provider=NAME, status=200)
        return Status(
            state=RemoteState.DONE,
            outputs=outputs,
            cost_usd=cost_usd(body),
            moderated=moderated,
            model=body.get("model"),
        )

    # -- video: asynchronous, submit then poll ---------------------------------------------

    async def create_video(
        self,
        *,
        model: str,
        prompt: str,
        image_url: str | None = None,
        reference_urls: Sequence[str] = (),
        last_frame_url: str | None = None,
        keyframes: Sequence[tuple[str, float]] = (),
        **fields: Any,
    ) -> Submission:
        """POST /videos/generations: text, image (first frame) or reference images."""
        body = _drop_none({"model": model, "prompt": prompt, **fields})
        if image_url:
            body["image"] = {"url": image_url}
        if reference_urls:
            body["reference_images"] = [{"url": url} for url in reference_urls]
        if last_frame_url:
            body["last_frame"] = {"url": last_frame_url}
        if keyframes:
            body["keyframes"] = [
                {"image": {"url": url}, "timestamp_s": at} for url, at in keyframes
            ]
        return self._job(await self._post("/videos/generations", body))

    async def edit_video(self, *, model: str, prompt: str, video_url: str) -> Submission:
        """POST /videos/edits: the output keeps the input's length and ratio."""
        body = {"model": model, "prompt": prompt, "video": {"url": video_url}}
        return self._job(await self._post("/videos/edits", body))

    async def extend_video(
        self, *, model: str, prompt: str, video_url: str, duration: int | None = None
    ) -> Submission:
        """POST /videos/extensions: `duration` counts only the new seconds."""
        body = _drop_none(
            {"model": model, "prompt": prompt, "video": {"url": video_url}, "duration": duration}
        )
        return self._job(await self._post("/videos/extensions", body))

    def _job(self, body: dict[str, Any]) -> Submission:
        request_id = body.get("request_id") or body.get("id")
        if not isinstance(request_id, str) or not request_id:
            raise ProviderError("the answer held no request_id", provider=NAME, status=200)
        return Submission(provider_job_id=request_id)

    async def get_video(self, request_id: str) -> Status:
        """GET /videos/{id}: 202 (maybe with an empty body) while running, 200 when finished."""
        response = await self.http.send(
            "GET", f"{self.base_url}/videos/{request_id}", headers=self._headers()
        )
        body = json_answer(response, NAME, billable=False, empty_ok=response.status_code == 202)
        state = _TERMINAL_WORDS.get(str(body.get("status", "")).lower(), RemoteState.PENDING)
        progress = body.get("progress") if isinstance(body.get("progress"), int) else None
        if state is RemoteState.PENDING:
            return Status(state=state, progress=progress)
        if state is not RemoteState.DONE:
            error = json_object(body.get("error"))
            return Status(
                state=state,
                error_code=_str(error.get("code")),
                error_message=_str(error.get("message")),
                cost_usd=cost_usd(body),
                model=body.get("model"),
            )
        video = json_object(body.get("video"))
        if video.get("respect_moderation") is False or not video.get("url"):
            return Status(state=state, moderated=1, cost_usd=cost_usd(body), progress=100)
        duration = video.get("duration")
        output = Output(
            url=video["url"],
            mime="video/mp4",
            duration_s=float(duration) if isinstance(duration, int | float) else None,
        )
        return Status(
            state=state,
            outputs=[output],
            progress=100,
            cost_usd=cost_usd(body),
            model=body.get("model"),
        )


def _drop_none(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _decode_b64(value: str) -> tuple[bytes, str | None]:
    """Accepts plain base64 or a `data:image/...;base64,` URI (both shapes are documented)."""
    mime = None
    if value.startswith("data:") and "base64," in value:
        header, value = value.split("base64,", 1)
        mime = header[5:].rstrip(";") or None
    try:
        return base64.b64decode(value, validate=False), mime
    except (binascii.Error, ValueError):
        raise ProviderError("an image came back as invalid base64", provider=NAME) from None
