"""MiniMax's native media API over REST: images, Hailuo video tasks, files, music, lyrics and
cover pre-processing, with the one `base_resp` check every answer goes through.

A thin translation of the wire format (shared/api/minimax.md); no request validation (that is
dave.media.minimax.rules) and no reading of answers into results (dave.media.minimax.driver).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx2

from dave.core.errors import (
    Moderated,
    OutOfCredit,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    Rejected,
    Unauthorized,
)
from dave.core.http import HttpClient, default_error_parser, json_answer
from dave.core.redact import Secret, redact
from dave.core.settings import HttpSettings

NAME = "minimax"

# §7.1: base_resp.status_code → the error a user can act on.
RATE_LIMIT_CODES = frozenset({1002, 1039, 1041, 2045})
SERVER_CODES = frozenset({1000, 1001, 1013, 1024, 1033})
MODERATION_CODES = frozenset({1026, 1027})
_CODE_CLASSES: dict[int, type[ProviderError]] = {
    **dict.fromkeys((1004, 2049), Unauthorized),
    # 2044 "no permission for this API" and 2038 "no real-name verification": the account
    # lacks access, which topping up does not fix; MiniMax closed music to new accounts
    # in 2026, which shows up this way.
    **dict.fromkeys((2044, 2038), Unauthorized),
    **dict.fromkeys(RATE_LIMIT_CODES, RateLimited),
    **dict.fromkeys((1008, 1028, 1030, 2056, 2061), OutOfCredit),
    **dict.fromkeys(MODERATION_CODES, Moderated),
    **dict.fromkeys((2013, 1042, 20132, 1043, 1044, 2037, 2039, 2042, 2048), Rejected),
    **dict.fromkeys(SERVER_CODES, ProviderUnavailable),
}
_HINTS: dict[int, str] = {
    2049: "check the key; a key works only on its own region's host "
    "(api.minimax.io or api.minimaxi.com)",
    2044: "this account has no access to this API (MiniMax closed music and lyrics to new "
    "accounts on 2026-08-20)",
    2061: "the model is not part of this key's Token Plan; use a pay-as-you-go key",
}


def error_class(code: int | None) -> type[ProviderError]:
    """The DaveError for a `base_resp.status_code` (ProviderError for an unknown one)."""
    return _CODE_CLASSES.get(code, ProviderError) if code is not None else ProviderError


def as_int(value: Any) -> int | None:
    """An int from an int or a digit string (MiniMax prints some counts as strings)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def base_code(body: Mapping[str, Any]) -> tuple[int | None, str]:
    """`base_resp`'s (status_code, status_msg); (None, "") when the body has none."""
    base = body.get("base_resp")
    if not isinstance(base, dict):
        return None, ""
    return as_int(base.get("status_code")), str(base.get("status_msg") or "")


def business_error(
    code: int, message: str, *, status: int | None, trace_id: str | None
) -> ProviderError:
    text = redact(message or "error")
    return error_class(code)(
        f"{text} (MiniMax code {code})",
        provider=NAME,
        status=status,
        code=str(code),
        request_id=trace_id,
        hint=_HINTS.get(code),
    )


def check_base_resp(body: Mapping[str, Any], response: httpx2.Response) -> None:
    """The one check: an answer whose `base_resp.status_code` is not 0 is never a success,
    whatever its HTTP status. A body without `base_resp` passes (the client is lenient)."""
    code, message = base_code(body)
    if code is None or code == 0:
        return
    trace = response.headers.get("trace-id")
    raise business_error(code, message, status=response.status_code, trace_id=trace)


def parse_error(response: httpx2.Response) -> tuple[str, str | None]:
    """Gateway errors (non-2xx): a `base_resp` body, `{"error": {...}}`, or not JSON."""
    trace = response.headers.get("trace-id")
    suffix = f" (trace {trace})" if trace else ""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        code, message = base_code(body)
        if code is not None and code != 0:
            return f"{message or 'error'}{suffix}", str(code)
    message, code_text = default_error_parser(response)
    return f"{message}{suffix}", code_text


def classify_error(status: int, message: str, code: str | None) -> type[ProviderError] | None:
    """A known base_resp code wins over the HTTP status; then 402 and 400/422."""
    number = as_int(code)
    if number is not None and number in _CODE_CLASSES:
        return _CODE_CLASSES[number]
    if status == 402:
        return OutOfCredit
    if status in (400, 422):
        return Rejected
    return None


def image_subject(url: str) -> list[dict[str, str]]:
    """image_generation's character reference: `image_file` for URLs and data URIs alike."""
    return [{"type": "character", "image_file": url}]


def video_subject(url: str) -> list[dict[str, Any]]:
    """video_generation's character reference: note `image`, a list of one."""
    return [{"type": "character", "image": [url]}]


class MinimaxClient:
    """Calls MiniMax's media endpoints with one key and base URL (a host: paths carry /v1)."""

    def __init__(
        self,
        key: Secret,
        base_url: str,
        http_settings: HttpSettings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self._key = key
        self.base_url = base_url.rstrip("/")
        self.settings = http_settings
        self.http = HttpClient(
            NAME,
            http_settings,
            transport=transport,
            parse_error=parse_error,
            classify_error=classify_error,
        )

    def __repr__(self) -> str:
        return f"MinimaxClient(base_url={self.base_url!r})"

    async def aclose(self) -> None:
        await self.http.aclose()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._key.reveal()}"}

    async def _call(
        self,
        method: str,
        path: str,
        *,
        billable: bool,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        outcome: bool = False,
    ) -> dict[str, Any]:
        """One logical call, its answer checked. A business error answers HTTP 200; the codes
        that mean "not done" take their turn in HttpClient's one retry policy: rate limits
        always (nothing was made, so a paid call cannot pay twice), server errors only on
        calls that cost nothing. `outcome`: a video query, whose failure codes describe the
        task rather than the call."""

        def not_done(response: httpx2.Response) -> str | None:
            try:
                answer = response.json()
            except ValueError:  # unreadable: json_answer below says what that means
                return None
            if not isinstance(answer, dict) or _ends_task(answer, outcome):
                return None
            code, _ = base_code(answer)
            if code in RATE_LIMIT_CODES or (not billable and code in SERVER_CODES):
                return f"MiniMax code {code}"
            return None

        response = await self.http.send(
            method,
            self.base_url + path,
            billable=billable,
            json=dict(body) if body is not None else None,
            params=dict(params) if params is not None else None,
            headers=self._headers(),
            retry_answer=not_done,
        )
        answer = json_answer(response, NAME, billable=billable)
        if _ends_task(answer, outcome):
            return answer
        check_base_resp(answer, response)
        return answer

    # -- the endpoints (§6) ----------------------------------------------------------------

    async def image_generation(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST /v1/image_generation (synchronous): text-to-image or character reference."""
        return await self._call("POST", "/v1/image_generation", billable=True, body=body)

    async def video_generation(self, body: Mapping[str, Any]) -> str:
        """POST /v1/video_generation: the task id to poll."""
        answer = await self._call("POST", "/v1/video_generation", billable=True, body=body)
        task_id = answer.get("task_id")
        if isinstance(task_id, int) and not isinstance(task_id, bool):
            task_id = str(task_id)
        if not isinstance(task_id, str) or not task_id:
            raise ProviderError("the answer held no task_id", provider=NAME, status=200)
        return task_id

    async def query_video(self, task_id: str) -> dict[str, Any]:
        """GET /v1/query/video_generation: status, and file_id once `Success`."""
        return await self._call(
            "GET",
            "/v1/query/video_generation",
            billable=False,
            params={"task_id": task_id},
            outcome=True,
        )

    async def retrieve_file(self, file_id: str) -> dict[str, Any]:
        """GET /v1/files/retrieve: the file's metadata and its download_url (valid ~9 h)."""
        return await self._call(
            "GET", "/v1/files/retrieve", billable=False, params={"file_id": file_id}
        )

    async def music_generation(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST /v1/music_generation (synchronous and slow): hex or a URL in `data`."""
        return await self._call("POST", "/v1/music_generation", billable=True, body=body)

    async def lyrics_generation(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST /v1/lyrics_generation: song_title, style_tags and tagged lyrics."""
        return await self._call("POST", "/v1/lyrics_generation", billable=True, body=body)

    async def music_cover_preprocess(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST /v1/music_cover_preprocess: a cover_feature_id and the track's lyrics."""
        return await self._call("POST", "/v1/music_cover_preprocess", billable=True, body=body)


def _ends_task(answer: Mapping[str, Any], outcome: bool) -> bool:
    """On a video query, a moderation code or a failed status is the task's end, not an error
    of the call."""
    if not outcome:
        return False
    code, _ = base_code(answer)
    return code in MODERATION_CODES or _failed_word(answer.get("status"))


def _failed_word(value: Any) -> bool:
    # The spec says `Fail`; mmx spells it `Failed`; callbacks use lower case.
    return isinstance(value, str) and value.strip().lower().startswith("fail")
