"""Stability AI's v2beta REST API: Stable Image routes and Stable Audio, sync and async, as
multipart requests and their two answer shapes (raw bytes or JSON), per shared/api/stability.md.

A thin translation of the wire format: no validation beyond the wire and no retries
(dave.core.http owns those); which dave request goes to which route is the driver's business.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any, Literal

import httpx2

from dave.core.errors import (
    Moderated,
    OutOfCredit,
    ProviderError,
    ProviderUnavailable,
    Rejected,
)
from dave.core.http import HttpClient, default_error_parser
from dave.core.http import json_answer as json_body  # `json_answer` names the accept choice
from dave.core.redact import Secret
from dave.core.settings import HttpSettings
from dave.providers.base import Output, RemoteState, Status, Submission

NAME = "stability"
Medium = Literal["image", "audio"]
#: (file name, bytes, media type) of one uploaded part.
Upload = tuple[str, bytes, str]

#: Routes that answer a job id to poll (§2): 200 {id} for the image ones, 202 {id} for audio 3.
ASYNC_PATHS = frozenset(
    {
        "/v2beta/stable-image/upscale/creative",
        "/v2beta/stable-image/edit/replace-background-and-relight",
        "/v2beta/audio/stable-audio/text-to-audio",
        "/v2beta/audio/stable-audio/audio-to-audio",
        "/v2beta/audio/stable-audio/inpaint",
    }
)
RESULTS_PATH = {"image": "/v2beta/results/", "audio": "/v2beta/audio/results/"}
_DEFAULT_MIME = {"image": "image/png", "audio": "audio/mpeg"}
# Stability's own samples send this empty part so a request with only text fields is still
# multipart (a POST with no body is refused: `content-type: required`).
DUMMY_PART: dict[str, Upload] = {"none": ("none", b"", "application/octet-stream")}


def parse_error(response: httpx2.Response) -> tuple[str, str | None]:
    """v2beta `{id, name, errors[]}` and v1 `{id, name, message}`: the message and the name."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("name"), str):
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            return "; ".join(str(item) for item in errors), body["name"]
        if body.get("message"):
            return str(body["message"]), body["name"]
        return body["name"].replace("_", " "), body["name"]
    # Not Stability's own body (a proxy's, an outage page): a message, but no error name, so
    # a gateway's `{"code": "500"}` is never mistaken for a generation's failure.
    message, _ = default_error_parser(response)
    return message, None


def classify_error(status: int, message: str, code: str | None) -> type[ProviderError] | None:
    """403 content_moderation is a refusal of the prompt or input, not of the key (§8)."""
    if status == 403 and code == "content_moderation":
        return Moderated
    if status in (400, 413, 422):
        return Rejected
    if status == 402:
        return OutOfCredit
    return None


class StabilityHttp(HttpClient):
    """dave's HttpClient, keeping an error body's `id` (Stability's support id) as the
    request id when no `x-request-id` header came."""

    def error_for(self, response: httpx2.Response, *, action: str = "request") -> ProviderError:
        error = super().error_for(response, action=action)
        if error.request_id is None:
            try:
                body = response.json()
            except ValueError:
                body = None
            if isinstance(body, dict) and isinstance(body.get("id"), str):
                error.request_id = body["id"]
        return error


class StabilityClient:
    """Calls Stability's v2beta routes with one key and base URL."""

    def __init__(
        self,
        key: Secret,
        base_url: str,
        http_settings: HttpSettings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        client_id: str | None = "dave",
    ) -> None:
        self._key = key
        self._client_id = client_id
        self.base_url = base_url.rstrip("/")
        self.http = StabilityHttp(
            NAME,
            http_settings,
            transport=transport,
            parse_error=parse_error,
            classify_error=classify_error,
        )

    def __repr__(self) -> str:
        return f"StabilityClient(base_url={self.base_url!r})"

    async def aclose(self) -> None:
        await self.http.aclose()

    def _headers(self, accept: str) -> dict[str, str]:
        headers = {"authorization": f"Bearer {self._key.reveal()}", "accept": accept}
        if self._client_id:
            headers["stability-client-id"] = self._client_id
        return headers

    async def post(
        self,
        path: str,
        fields: Mapping[str, Any],
        files: Mapping[str, Upload] | None = None,
        *,
        json_answer: bool = False,
    ) -> Submission:
        """POST one route as multipart: a job id for the async routes, else the result.

        `fields` may hold None (left out), numbers and booleans (sent as text); `json_answer`
        asks for `application/json` instead of raw bytes.
        """
        medium: Medium = "audio" if path.startswith("/v2beta/audio/") else "image"
        is_async = path in ASYNC_PATHS
        accept = "application/json" if json_answer or is_async else f"{medium}/*"
        response = await self.http.send(
            "POST",
            self.base_url + path,
            billable=True,
            headers=self._headers(accept),
            data=form_fields(fields),
            files=dict(files) if files else DUMMY_PART,
        )
        if is_async:
            return Submission(provider_job_id=_job_id(response))
        status = read_result(response, medium, billable=True)
        if status.state is RemoteState.FAILED:
            raise ProviderError(
                status.error_message or "the generation failed",
                provider=NAME,
                status=response.status_code,
                code=status.error_code,
                request_id=response.headers.get("x-request-id"),
            )
        return Submission(result=status)

    async def result(self, medium: Medium, job_id: str, *, json_answer: bool = False) -> Status:
        """GET the results route once: pending (202), done (200), expired (404) or failed."""
        accept = "application/json" if json_answer else f"{medium}/*"
        try:
            response = await self.http.send(
                "GET", self.base_url + RESULTS_PATH[medium] + job_id, headers=self._headers(accept)
            )
        except ProviderUnavailable as error:
            # A v2beta error body on a 500 is the generation's own failure: polling on would
            # only get it again. A bare 5xx (a proxy, an outage) stays an outage.
            if error.status == 500 and error.code is not None:
                return Status(
                    RemoteState.FAILED, error_code=error.code, error_message=error.message
                )
            raise
        except ProviderError as error:
            if error.status == 404:
                return Status(
                    RemoteState.EXPIRED,
                    error_code=error.code or "generation_not_found",
                    error_message=f"the result is gone: {error.message}",
                )
            raise
        if response.status_code == 202:
            return Status(RemoteState.PENDING)
        return read_result(response, medium, billable=False)


def form_fields(fields: Mapping[str, Any]) -> dict[str, str]:
    """Multipart has no types: numbers and booleans go as text, None is left out."""
    out: dict[str, str] = {}
    for name, value in fields.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, float) and value.is_integer():
            out[name] = str(int(value))
        else:
            out[name] = str(value)
    return out


def read_result(response: httpx2.Response, medium: Medium, *, billable: bool) -> Status:
    """A finished generation from raw bytes (headers finish-reason, seed) or from JSON
    (`image`/`audio`/`result` as base64, finish_reason, seed); both shapes are read."""
    content_type = response.headers.get("content-type", "")
    base_type = content_type.split(";")[0].strip().lower()
    if base_type == "application/json":
        body = json_body(response, NAME, billable=billable)
        encoded = body.get(medium) or body.get("result")
        reason = body.get("finish_reason")
        seed = body.get("seed")
        mime = _type_param(content_type) or _DEFAULT_MIME[medium]
        data = _decode_b64(encoded) if isinstance(encoded, str) and encoded else None
    else:
        reason = response.headers.get("finish-reason")
        seed = response.headers.get("seed")
        mime = base_type or _DEFAULT_MIME[medium]
        data = response.content or None
    reason = str(reason).upper() if reason is not None else "SUCCESS"
    details = {"seed": _seed(seed), "finish_reason": reason}
    if reason == "CONTENT_FILTERED":
        # The output broke the content policy and came back blurred: never keep it.
        return Status(RemoteState.DONE, moderated=1, details=details)
    if reason != "SUCCESS":
        return Status(
            RemoteState.FAILED,
            error_code=reason.lower(),
            error_message=f"the generation ended {reason}",
            details=details,
        )
    if data is None:
        raise ProviderError(f"the answer held no {medium}", provider=NAME, status=200)
    return Status(RemoteState.DONE, outputs=[Output(data=data, mime=mime)], details=details)


def _job_id(response: httpx2.Response) -> str:
    job_id = json_body(response, NAME, billable=True).get("id")
    if not isinstance(job_id, str) or not job_id:
        raise ProviderError("the answer held no generation id", provider=NAME, status=200)
    return job_id


def _type_param(content_type: str) -> str | None:
    """`image/png` from `application/json; type=image/png`."""
    for param in content_type.split(";")[1:]:
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "type" and value.strip():
            return value.strip().strip('"').lower()
    return None


def _seed(value: Any) -> int | None:
    try:
        return int(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def _decode_b64(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=False)
    except (binascii.Error, ValueError):
        raise ProviderError("the answer held invalid base64", provider=NAME) from None
