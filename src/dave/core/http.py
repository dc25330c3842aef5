"""The one place for HTTP policy: timeouts, retries, Retry-After, backoff and the billable rule.

Provider modules say what to send and how to read an error body; they never retry on their own.

The billable-POST rule: a request that creates paid work is sent again only when the provider
answered that it did not do it (429, 500, 502, 503, 504) or the connection failed before the
request left (connect errors). A timeout or a dropped connection after the body was sent raises
OutcomeUnknown: the provider may have done (and charged) it, and only a person may decide to
send it again. Requests that cost nothing (GET polls, downloads) retry on any transient failure.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, TypeVar

import httpx2

from dave.core.errors import (
    ConfigError,
    OutcomeUnknown,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    Unauthorized,
    VerificationFailed,
)
from dave.core.redact import redact
from dave.core.settings import HttpSettings

log = logging.getLogger("dave.http")

# The provider said it did not do the work: safe to send again, even when it would be billed.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})

# Raised before a single byte of the request left this machine.
_NOT_SENT = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout)

ErrorParser = Callable[[httpx2.Response], tuple[str, str | None]]
# A provider's own reading of an error: returns the error class, or None for the default one.
ErrorClassifier = Callable[[int, str, str | None], type[ProviderError] | None]
Sleep = Callable[[float], Awaitable[None]]
# A provider's reading of a 2xx answer for an error inside it that means "not done, send again"
# (MiniMax's rate-limit codes arrive with HTTP 200): a short reason to retry, or None to accept.
AnswerCheck = Callable[[httpx2.Response], str | None]


class Sink(Protocol):
    """Where a download's bytes go (dave.store's staging file)."""

    def write(self, chunk: bytes) -> None: ...

    def discard(self) -> None: ...


SinkT = TypeVar("SinkT", bound=Sink)


@dataclass(frozen=True)
class Download:
    bytes: int
    content_type: str | None


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Reads a Retry-After header given as seconds or as an HTTP date; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def default_error_parser(response: httpx2.Response) -> tuple[str, str | None]:
    """Finds a message and a code in the common error bodies: flat, nested or plain text."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return (text[:300] or response.reason_phrase or "error"), None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("message") or error), _str_or_none(error.get("code"))
        if isinstance(error, str):
            return error, _str_or_none(body.get("code"))
        for key in ("message", "detail", "errors"):
            if body.get(key):
                return str(body[key]), _str_or_none(body.get("code") or body.get("name"))
    return str(body)[:300], None


def json_answer(
    response: httpx2.Response, provider: str, *, billable: bool, empty_ok: bool = False
) -> dict[str, Any]:
    """A 2xx answer's JSON object. An unreadable answer to a paid call may stand for work done
    and charged, so it is OutcomeUnknown (never resent by itself); to a free call (a poll) it
    is a passing fault, worth trying again later. `empty_ok`: an empty body reads as {}."""
    if empty_ok and not response.content.strip():
        return {}
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        return body
    what = "not JSON" if body is None else "not a JSON object"
    if billable:
        raise OutcomeUnknown(
            f"the answer to a paid request was {what}; it may have been done and charged",
            provider=provider,
            status=response.status_code,
        )
    raise ProviderUnavailable(
        f"the answer was {what}", provider=provider, status=response.status_code
    )


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


class PauseBoard(Protocol):
    """Where processes sharing a journal note that a provider asked them to wait (a 429 with
    Retry-After), so that one worker's slow-down is every worker's."""

    def paused_until(self, provider: str) -> float:
        """Unix time until which `provider` asked for quiet (0: none)."""
        ...

    def pause(self, provider: str, until: float) -> None: ...


#: The board this task's requests share (a `dave worker` sets it; None: this process alone).
SHARED_PAUSES: ContextVar[PauseBoard | None] = ContextVar("dave_shared_pauses", default=None)


class HttpClient:
    """One provider's connection to the network, with dave's retry policy built in."""

    def __init__(
        self,
        provider: str,
        settings: HttpSettings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        parse_error: ErrorParser = default_error_parser,
        classify_error: ErrorClassifier | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.provider = provider
        self.settings = settings
        self._parse_error = parse_error
        self._classify_error = classify_error
        self._sleep = sleep
        timeout = httpx2.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.write_timeout,
            pool=settings.connect_timeout,
        )
        limits = httpx2.Limits(max_connections=64, max_keepalive_connections=32)
        self._client = httpx2.AsyncClient(
            transport=transport, timeout=timeout, limits=limits, follow_redirects=True
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(
        self,
        method: str,
        url: str,
        *,
        billable: bool = False,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        retry_answer: AnswerCheck | None = None,
        **kwargs: Any,
    ) -> httpx2.Response:
        """Sends one logical request, retrying as the policy allows; returns a 2xx response.
        `retry_answer` reads a 2xx answer for an error inside it that the provider says may be
        sent again; such answers take a turn of the same attempts and backoff as any other
        (on the last attempt the answer is returned, for the caller to raise its error)."""
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= self.settings.max_attempts
            await self._shared_pause()
            try:
                response = await self._client.request(
                    method, url, json=json, headers=headers, **kwargs
                )
            except _NOT_SENT as error:
                if last:
                    raise self._unavailable(f"cannot connect: {_describe(error)}") from None
                await self._backoff(attempt, None, f"connect failed ({_describe(error)})")
                continue
            except (httpx2.UnsupportedProtocol, httpx2.InvalidURL) as error:
                raise ConfigError(f"{self.provider}: bad URL {url!r}: {error}") from None
            except httpx2.TransportError as error:
                if billable:
                    raise OutcomeUnknown(
                        f"the request was sent but no answer came back ({_describe(error)})",
                        provider=self.provider,
                    ) from None
                if last:
                    raise self._unavailable(f"no answer ({_describe(error)})") from None
                await self._backoff(attempt, None, f"no answer ({_describe(error)})")
                continue

            if response.is_success:
                why = retry_answer(response) if retry_answer is not None and not last else None
                if why is None:
                    return response
                await self._backoff(attempt, None, why)
                continue
            if response.status_code in RETRYABLE_STATUSES and not last:
                wait = retry_after_seconds(response.headers.get("retry-after"))
                board = SHARED_PAUSES.get()
                if board is not None and response.status_code == 429 and wait:
                    board.pause(
                        self.provider, time.time() + min(wait, self.settings.retry_after_cap)
                    )
                await self._backoff(attempt, wait, f"HTTP {response.status_code}")
                continue
            raise self.error_for(response)

    async def download(self, url: str, open_sink: Callable[[], SinkT]) -> tuple[SinkT, Download]:
        """Streams `url` into a fresh sink, starting over on a transient failure.

        No credentials are sent: result URLs live on the provider's CDN, not its API host.
        """
        timeout = httpx2.Timeout(
            self.settings.download_timeout, connect=self.settings.connect_timeout
        )
        attempt = 0
        while True:
            attempt += 1
            sink = open_sink()
            try:
                info = await self._stream_into(url, sink, timeout)
                return sink, info
            except (httpx2.TransportError, _Truncated, _RetryableStatus) as error:
                sink.discard()
                if attempt >= self.settings.max_attempts:
                    if isinstance(error, _Truncated):
                        raise VerificationFailed(
                            f"{self.provider}: download of {_short(url)} stopped short: {error}",
                            hint="the result URL may still work: `dave jobs resume ID`",
                        ) from None
                    if isinstance(error, _RetryableStatus):
                        # The provider's own answer: keep its class (429: RateLimited) and status.
                        raise error.error from None
                    raise self._unavailable(f"download failed ({_describe(error)})") from None
                wait = error.retry_after if isinstance(error, _RetryableStatus) else None
                await self._backoff(attempt, wait, f"download {_describe(error)}")
            except BaseException:
                sink.discard()
                raise

    async def _stream_into(self, url: str, sink: Sink, timeout: httpx2.Timeout) -> Download:
        async with self._client.stream("GET", url, timeout=timeout) as response:
            if not response.is_success:
                await response.aread()
                error = self.error_for(response, action="download")
                if response.status_code in RETRYABLE_STATUSES:
                    retry_after = retry_after_seconds(response.headers.get("retry-after"))
                    raise _RetryableStatus(error, retry_after)
                raise error
            expected = response.headers.get("content-length")
            # Media comes unencoded; reading raw skips a re-chunking copy of every byte.
            encoded = response.headers.get("content-encoding", "identity") != "identity"
            chunks = response.aiter_bytes() if encoded else response.aiter_raw()
            try:
                async for chunk in chunks:
                    sink.write(chunk)
            except (httpx2.RemoteProtocolError, httpx2.ReadError) as error:
                # The connection dropped mid-body (h11 sees the short Content-Length first).
                got = response.num_bytes_downloaded
                if not got:
                    raise
                of = f" of {expected}" if expected is not None else ""
                raise _Truncated(f"got {got}{of} bytes before the connection dropped") from None
            # Content-Length counts the bytes on the wire, before any content decoding.
            received = response.num_bytes_downloaded
            if expected is not None and expected.isdigit() and received != int(expected):
                raise _Truncated(f"got {received} of {expected} bytes")
            if received == 0:
                raise _Truncated("the file is empty")
            return Download(bytes=received, content_type=response.headers.get("content-type"))

    def error_for(self, response: httpx2.Response, *, action: str = "request") -> ProviderError:
        """Turns a non-2xx response into the DaveError a user can act on."""
        message, code = self._parse_error(response)
        message = redact(message)
        status = response.status_code
        request_id = response.headers.get("x-request-id")
        fields: dict[str, Any] = {
            "provider": self.provider,
            "status": status,
            "code": code,
            "request_id": request_id,
        }
        special = self._classify_error(status, message, code) if self._classify_error else None
        if special is not None:
            return special(message, **fields)
        if status in (401, 403):
            return Unauthorized(message, **fields)
        if status == 429:
            return RateLimited(message, **fields)
        if status >= 500:
            return ProviderUnavailable(message, **fields)
        if action == "download" and status in (403, 404, 410):
            return ProviderError(
                f"the result URL is gone: {message}",
                hint="result URLs are temporary; the job may need to be submitted again",
                **fields,
            )
        return ProviderError(
            message, hint="the provider refused the request; nothing was made", **fields
        )

    async def _shared_pause(self) -> None:
        """Waits out a pause another process sharing the journal was asked for."""
        board = SHARED_PAUSES.get()
        if board is None:
            return
        wait = min(board.paused_until(self.provider) - time.time(), self.settings.retry_after_cap)
        if wait > 0:
            log.info("%s: asked to wait by a shared 429; pausing %.2fs", self.provider, wait)
            await self._sleep(wait)

    def _unavailable(self, message: str) -> ProviderUnavailable:
        return ProviderUnavailable(redact(message), provider=self.provider)

    async def _backoff(self, attempt: int, retry_after: float | None, why: str) -> None:
        """Waits as long as the provider asked (up to a cap), else a jittered exponential delay."""
        if retry_after is not None:
            delay = min(retry_after, self.settings.retry_after_cap)
        else:
            ceiling = min(
                self.settings.backoff_cap, self.settings.backoff_base * 2 ** (attempt - 1)
            )
            delay = random.uniform(ceiling / 2, ceiling)
        log.info("%s: %s; retrying in %.2fs (attempt %d)", self.provider, why, delay, attempt + 1)
        await self._sleep(delay)


class _Truncated(Exception):
    pass


class _RetryableStatus(Exception):
    """A 429/5xx answer to a download: retried, and raised as `error` once attempts run out."""

    def __init__(self, error: ProviderError, retry_after: float | None) -> None:
        super().__init__(f"HTTP {error.status}")
        self.error = error
        self.retry_after = retry_after


def _describe(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return redact(f"{type(error).__name__}: {text}" if str(error) else text)


def _short(url: str) -> str:
    return url if len(url) <= 80 else url[:77] + "..."
