"""The generation path under every fault the emulator can inject, on every x.ai endpoint dave calls.

One parametrized row per (endpoint, fault, persistence): 8 endpoints (the five billable POSTs, the
video poll, and result downloads of an image and of a video), 15 faults, and the fault happening
`once` (dave must recover, or end the one way the policy allows) or `always` (dave must give up
with one clear error). Which rows exist and what each must end in are computed from rules
(`applies`, `expected`), not written per row:

- a fault that means nothing to an endpoint (a truncated download on a POST, a failed job on an
  image) is left out by `applies`, with the reason;
- a billable POST is sent again only when the provider said it did not do it (429/5xx) or the
  connection was refused before a byte left; a reset or a timeout after sending ends the job
  `unknown` and is never resent;
- free requests (polls, downloads) recover from any transient fault once, and end in one clear
  error naming `xai` (and the HTTP status, when there is one) with a hint when it never stops.

Every row checks that no billable POST went twice unless the provider refused the first and that
no partial or invalid file is under DAVE_HOME/media; the real CLI, for one row of each way of
failing, shows no traceback. `test_the_matrix_as_a_whole` runs one row of each kind of fault,
persistence and endpoint role one after another in one DAVE_HOME, as a user's runs would share
it, and checks the same across them: it runs its rows itself, so it passes alone and in any order.

"Connection refused" is arranged with a loopback gate in front of the emulator: the gate's port is
bound but not listening (so the kernel refuses the connect) from just before the faulted request
until dave's first back-off, when it starts forwarding. The gate is shut from a thin wrapper
around `HttpClient.send`/`download`: only the timing is hooked, the refusal is the kernel's.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import fnmatch
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import av
import pytest
from PIL import Image

from dave import (
    DaveError,
    JobExpired,
    JobFailed,
    Moderated,
    OutcomeUnknown,
    ProviderUnavailable,
    RateLimited,
    Studio,
    VerificationFailed,
)
from dave.core.http import RETRYABLE_STATUSES, HttpClient
from dave.core.settings import HttpSettings
from dave.emulator import EmulatorServer, FaultRule
from dave.emulator.log import LoggedRequest
from dave.media.verify import verify
from dave.store.jobs import JobState

MAX_ATTEMPTS = HttpSettings().max_attempts
# Studio._DOWNLOAD_CHECKS: a download that does not decode is fetched this many times.
DOWNLOAD_CHECKS = 3
READ_TIMEOUT_S = 0.5
# Downloads read with their own (long) timeout; the timeout rows shorten it too.
DOWNLOAD_TIMEOUT_S = 1.0
HANG_S = 5.0
RETRY_AFTER_S = 1
RETRY_AFTER_DATE_AHEAD_S = 2
VIDEO_MODELS = ("grok-imagine-video", "grok-imagine-video-1.5")
TRACEBACK = "Traceback"
# An error a user reads must not show dave's private classes (`_RetryableStatus`, `_Truncated`).
PRIVATE_NAME = re.compile(r"\b_[A-Z]\w+")


# --- the dimensions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    #: What a FaultRule matches (and what the gate shuts before).
    match: str
    #: The Studio call that reaches this endpoint.
    drive: str
    billable: bool = False
    #: The answer carries a result (images) or a video job.
    answers_result: bool = False
    video_job: bool = False
    download: bool = False

    @property
    def role(self) -> str:
        return "post" if self.billable else "download" if self.download else "poll"


ENDPOINTS = (
    Endpoint(
        "POST images/generations",
        "POST /v1/images/generations",
        "image",
        billable=True,
        answers_result=True,
    ),
    Endpoint(
        "POST images/edits", "POST /v1/images/edits", "edit", billable=True, answers_result=True
    ),
    Endpoint(
        "POST videos/generations",
        "POST /v1/videos/generations",
        "video",
        billable=True,
        answers_result=True,
        video_job=True,
    ),
    Endpoint(
        "POST videos/edits",
        "POST /v1/videos/edits",
        "video_edit",
        billable=True,
        answers_result=True,
        video_job=True,
    ),
    Endpoint(
        "POST videos/extensions",
        "POST /v1/videos/extensions",
        "video_extend",
        billable=True,
        answers_result=True,
        video_job=True,
    ),
    Endpoint("GET videos/{id}", "GET /v1/videos/*", "video", answers_result=True, video_job=True),
    Endpoint("GET files/*.jpeg", "GET /files/*.jpeg", "image", download=True),
    Endpoint("GET files/*.mp4", "GET /files/*.mp4", "video", download=True),
)


@dataclass(frozen=True)
class Fault:
    name: str
    #: status, refused, reset, timeout, slow, truncate, corrupt, or outcome
    family: str
    status: int | None = None
    retry_after: str | None = None
    outcome: str | None = None

    def rule(self, match: str, times: int) -> FaultRule | None:
        """The emulator rule for this fault (None: the gate arranges it)."""
        if self.family == "status":
            retry_after = self.retry_after
            if retry_after == "date":
                when = datetime.now(UTC) + timedelta(seconds=RETRY_AFTER_DATE_AHEAD_S)
                retry_after = email.utils.format_datetime(when, usegmt=True)
            return FaultRule(
                match=match,
                kind="status",
                status=self.status or 500,
                retry_after=retry_after,
                times=times,
            )
        if self.family == "refused":
            return None
        if self.family == "timeout":
            return FaultRule(match=match, kind="hang", seconds=HANG_S, times=times)
        if self.family == "slow":
            return FaultRule(match=match, kind="slow", seconds=0.02, chunk_size=8192, times=times)
        if self.family == "outcome":
            assert self.outcome is not None
            return FaultRule(
                match=match, kind=self.outcome, message=f"matrix {self.outcome}", times=times
            )  # type: ignore[arg-type]
        return FaultRule(match=match, kind=self.family, times=times)  # type: ignore[arg-type]


FAULTS = (
    Fault("429 Retry-After seconds", "status", 429, str(RETRY_AFTER_S)),
    Fault("429 Retry-After date", "status", 429, "date"),
    Fault("500", "status", 500),
    Fault("502", "status", 502),
    Fault("503", "status", 503),
    Fault("504", "status", 504),
    Fault("refused", "refused"),
    Fault("reset", "reset"),
    Fault("timeout", "timeout"),
    Fault("slow", "slow"),
    Fault("truncate", "truncate"),
    Fault("corrupt", "corrupt"),
    Fault("job failed", "outcome", outcome="job_failed"),
    Fault("job expired", "outcome", outcome="job_expired"),
    Fault("moderated", "outcome", outcome="moderated"),
)
PERSISTENCE = ("once", "always")


def applies(endpoint: Endpoint, fault: Fault, persistence: str) -> str | None:
    """None if the row belongs in the matrix, else why it does not."""
    if fault.family in ("truncate", "corrupt") and not endpoint.download:
        return "truncate/corrupt reshape media bytes; only downloads carry media"
    if fault.family == "outcome":
        if fault.outcome in ("job_failed", "job_expired") and not endpoint.video_job:
            return "only a video job can end failed or expired"
        if not endpoint.answers_result:
            return "moderation is decided in the answer to a submit or a poll, not in a file"
        if persistence == "always":
            return "an outcome fault ends the job the first time; 'always' adds nothing"
    if persistence == "always":
        if fault.family == "slow":
            return "slow is not a failure; it never exhausts anything"
        if fault.family in ("reset", "timeout") and endpoint.billable:
            return "a lost answer to a billable POST is never retried; 'always' equals 'once'"
        if fault.retry_after == "date":
            return "the two Retry-After forms differ only in the wait, proven by the 'once' rows"
    return None


@dataclass(frozen=True)
class Expected:
    error: type[DaveError] | None
    state: str
    #: The HTTP status the error names.
    status: int | None = None
    #: Requests that reach the emulator at the faulted endpoint: (at least, at most or None).
    hits: tuple[int, int | None] = (1, 1)
    #: Billable POSTs that reach the emulator in the row.
    posts: int = 1
    #: The least gap between the refused request and its retry (Retry-After honoured).
    min_gap_s: float = 0.0
    #: For the CLI subset: must run in process (the gate).
    in_process_only: bool = False


_OUTCOME = {
    "job_failed": (JobFailed, "failed"),
    "job_expired": (JobExpired, "expired"),
    "moderated": (Moderated, "failed"),
}
# Where a job stops when the fault never ends, by the role of the faulted endpoint.
_STUCK_STATE = {"post": "failed", "poll": "submitted", "download": "downloading"}


def expected(endpoint: Endpoint, fault: Fault, persistence: str) -> Expected:
    """What a row must end in, from the policy (core/http.py, media/studio.py)."""
    role, family = endpoint.role, fault.family
    refused = family == "refused"
    poll = role == "poll"

    def hits(n: int) -> tuple[int, int | None]:
        # Polls repeat while the job is pending: count at least, not exactly.
        return (n, None) if poll else (n, n)

    if family == "outcome":
        error, state = _OUTCOME[fault.outcome or ""]
        return Expected(error, state, hits=hits(1))
    if persistence == "once":
        gap = 0.0
        if fault.retry_after == "date":
            gap = 0.3  # an HTTP date has whole seconds: the wait is (ahead - 1, ahead]
        elif fault.retry_after:
            gap = float(fault.retry_after) - 0.1
        if endpoint.billable and family in ("reset", "timeout"):
            return Expected(OutcomeUnknown, "unknown", hits=(1, 1))
        retried = family not in ("refused", "slow")
        n = 2 if retried else 1
        posts = n if endpoint.billable else 1
        return Expected(
            None, "done", hits=hits(n), posts=posts, min_gap_s=gap, in_process_only=refused
        )
    # always: every attempt fails the same way
    state = _STUCK_STATE[role]
    if family == "status":
        error: type[DaveError] = RateLimited if fault.status == 429 else ProviderUnavailable
        status: int | None = fault.status
    elif family in ("truncate", "corrupt"):
        error, status = VerificationFailed, None
    else:  # refused, reset, timeout
        error, status = ProviderUnavailable, None
    n = 0 if refused else DOWNLOAD_CHECKS if family == "corrupt" else MAX_ATTEMPTS
    posts = n if endpoint.billable else 1
    return Expected(error, state, status, hits=(n, n), posts=posts, in_process_only=refused)


@dataclass(frozen=True)
class Row:
    endpoint: Endpoint
    fault: Fault
    persistence: str

    @property
    def id(self) -> str:
        return f"{self.endpoint.name} | {self.fault.name} | {self.persistence}"

    @property
    def expect(self) -> Expected:
        return expected(self.endpoint, self.fault, self.persistence)


ROWS = [
    Row(endpoint, fault, persistence)
    for endpoint in ENDPOINTS
    for fault in FAULTS
    for persistence in PERSISTENCE
    if applies(endpoint, fault, persistence) is None
]
EXCLUDED = [
    (endpoint.name, fault.name, persistence, applies(endpoint, fault, persistence))
    for endpoint in ENDPOINTS
    for fault in FAULTS
    for persistence in PERSISTENCE
    if applies(endpoint, fault, persistence) is not None
]


# --- what a row's run must show ---------------------------------------------------------------


def resent_billable_posts(entries: list[LoggedRequest]) -> list[str]:
    """Billable POSTs sent more than once although the provider had not refused the earlier one.

    Two POSTs are "the same" when their JSON bodies are equal (every row's prompt is unique)."""
    groups: dict[str, list[LoggedRequest]] = {}
    for entry in entries:
        if entry.method == "POST":
            groups.setdefault(json.dumps(entry.json, sort_keys=True), []).append(entry)
    bad = []
    for same in groups.values():
        for earlier in same[:-1]:
            if earlier.status not in RETRYABLE_STATUSES:
                bad.append(f"{earlier.path} answered {earlier.status} (fault {earlier.fault})")
    return bad


def media_problems(home: Path) -> tuple[int, list[str]]:
    """(files, problems) under DAVE_HOME/media: each file must decode and be named by its sha256,
    and nothing may be left in media/.tmp."""
    root = home / "media"
    problems: list[str] = []
    count = 0
    temps = root / ".tmp"
    if temps.is_dir():
        problems += [f"left in .tmp: {p.name}" for p in temps.iterdir()]
    if not root.is_dir():
        return 0, problems
    for path in root.rglob("*"):
        if not path.is_file() or ".tmp" in path.relative_to(root).parts:
            continue
        count += 1
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        rel = path.relative_to(root).as_posix()
        if rel != f"{sha[:2]}/{sha[2:4]}/{sha}{path.suffix}":
            problems.append(f"{rel} is not named by its sha256 {sha}")
        try:
            verify(path, "video" if path.suffix == ".mp4" else "image")
        except DaveError as error:
            problems.append(f"{rel} does not decode: {error}")
    return count, problems


# --- sources, the Studio, the gate -----------------------------------------------------------


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A PNG to edit and a 2 s MP4 to edit or extend."""
    folder = tmp_path_factory.mktemp("matrix-sources")
    png = folder / "source.png"
    Image.new("RGB", (64, 48), (200, 40, 90)).save(png, format="PNG")
    mp4 = folder / "clip.mp4"
    with av.open(str(mp4), "w") as container:
        stream = container.add_stream("libx264", rate=4)
        stream.width, stream.height = 64, 48
        stream.pix_fmt = "yuv420p"
        for i in range(8):
            picture = Image.new("RGB", (64, 48), (i * 30 % 255, 80, 120))
            frame = av.VideoFrame.from_image(picture).reformat(format="yuv420p")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return {"png": png, "mp4": mp4}


def seed_poll_history(studio: Studio) -> None:
    """Journal history saying video jobs finish at once, so polls run at the 0.1 s floor."""
    for model in VIDEO_MODELS:
        for _ in range(3):
            job = studio.jobs.create("xai", "video", model, {"kind": "video", "prompt": "seed"})
            for state in (JobState.SUBMITTING, JobState.SUBMITTED, JobState.DONE):
                studio.jobs.transition(job.id, state)


def drive(studio: Studio, how: str, prompt: str, sources: dict[str, Path]) -> Awaitable[Any]:
    if how == "image":
        return studio.image(prompt)
    if how == "edit":
        return studio.edit(prompt, sources["png"])
    if how == "video":
        return studio.video(prompt, duration=1, aspect_ratio="1:1")
    if how == "video_edit":
        return studio.video(prompt, edit_video=sources["mp4"])
    if how == "video_extend":
        return studio.video(prompt, extend_video=sources["mp4"], duration=2)
    raise AssertionError(how)


def cli_args(how: str, prompt: str, sources: dict[str, Path]) -> list[str]:
    if how == "image":
        return ["image", prompt]
    if how == "edit":
        return ["edit", prompt, "--image", str(sources["png"])]
    if how == "video":
        return ["video", prompt, "--duration", "1", "--aspect-ratio", "1:1"]
    if how == "video_edit":
        return ["video", prompt, "--edit", str(sources["mp4"])]
    if how == "video_extend":
        return ["video", prompt, "--extend", str(sources["mp4"]), "--duration", "2"]
    raise AssertionError(how)


class Gate:
    """A TCP forwarder on loopback to the emulator that can be shut.

    Shut, its port is bound but not listening: a connect is refused by the kernel, so nothing
    of the request leaves. Open, it forwards each connection to the emulator byte for byte.
    """

    def __init__(self, upstream_port: int) -> None:
        self._upstream = ("127.0.0.1", upstream_port)
        self._lock = threading.Lock()
        self._conns: list[socket.socket] = []
        self._sock = self._bound(0)
        self.port: int = self._sock.getsockname()[1]
        self.is_open = False

    @staticmethod
    def _bound(port: int) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        return sock

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def open(self) -> None:
        with self._lock:
            if self.is_open:
                return
            listener = self._sock
            listener.listen(32)
            listener.settimeout(0.05)
            self.is_open = True
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def shut(self) -> None:
        """Stop listening and drop every forwarded connection (dave's idle ones too)."""
        with self._lock:
            if not self.is_open:
                return
            self.is_open = False
            listener, conns, self._conns = self._sock, self._conns, []
            # shutdown() takes a listening socket out of LISTEN at once, even while the accept
            # thread still holds it; close() alone would wait for that thread.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
            self._sock = self._bound(self.port)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def close(self) -> None:
        self.shut()
        self._sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # shut
            conn.settimeout(None)
            try:
                upstream = socket.create_connection(self._upstream)
            except OSError:
                conn.close()
                continue
            with self._lock:
                self._conns += [conn, upstream]
            for src, dst in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)


@dataclass
class Hooks:
    """Spies on dave's HTTP client: why it backed off; and, for refused rows, the gate."""

    backoffs: list[str] = field(default_factory=list)
    gate: Gate | None = None
    target: str | None = None
    reopen: bool = True

    def reset(self) -> None:
        """Forget the last row's back-offs and gate, for the next row in the same test."""
        self.backoffs.clear()
        self.gate, self.target, self.reopen = None, None, True

    async def before(self, method: str, url: str) -> None:
        if self.gate is None or self.target is None:
            return
        if fnmatch.fnmatchcase(f"{method.upper()} {urlsplit(url).path}", self.target):
            self.target = None  # shut once, before the first matching request
            self.gate.shut()
            await asyncio.sleep(0.05)  # let dave's pool see its idle connections closed

    def backed_off(self, why: str) -> None:
        self.backoffs.append(why)
        if self.gate is not None and self.reopen and self.target is None:
            self.gate.open()


@pytest.fixture
def hooks(monkeypatch: pytest.MonkeyPatch) -> Hooks:
    spy = Hooks()
    send, download, backoff = HttpClient.send, HttpClient.download, HttpClient._backoff

    async def hooked_send(self: HttpClient, method: str, url: str, **kwargs: Any) -> Any:
        await spy.before(method, url)
        return await send(self, method, url, **kwargs)

    async def hooked_download(self: HttpClient, url: str, open_sink: Any) -> Any:
        await spy.before("GET", url)
        return await download(self, url, open_sink)

    async def hooked_backoff(self: HttpClient, attempt: int, wait: float | None, why: str) -> None:
        spy.backed_off(why)
        await backoff(self, attempt, wait, why)

    monkeypatch.setattr(HttpClient, "send", hooked_send)
    monkeypatch.setattr(HttpClient, "download", hooked_download)
    monkeypatch.setattr(HttpClient, "_backoff", hooked_backoff)
    return spy


@contextlib.asynccontextmanager
async def arranged(
    row: Row, xai: EmulatorServer, hooks: Hooks, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[None]:
    """Sets the row's fault on the emulator (or the gate), its timeouts and fast video jobs."""
    xai.config.video_ready_s = 0.05
    times = 1 if row.persistence == "once" else 0
    if row.fault.family == "timeout":
        monkeypatch.setenv("DAVE_HTTP_READ_TIMEOUT", str(READ_TIMEOUT_S))
        monkeypatch.setenv("DAVE_HTTP_DOWNLOAD_TIMEOUT", str(DOWNLOAD_TIMEOUT_S))
    if row.persistence == "always":
        # Exhausting four 1 s Retry-After waits proves nothing the 'once' rows do not.
        monkeypatch.setenv("DAVE_HTTP_RETRY_AFTER_CAP", "0.05")
    gate = None
    if row.fault.family == "refused":
        gate = Gate(xai.port)
        gate.open()
        hooks.gate, hooks.target, hooks.reopen = gate, row.endpoint.match, times == 1
        monkeypatch.setenv("XAI_BASE_URL", gate.base_url)
    rule = row.fault.rule(row.endpoint.match, times)
    xai.set_faults([rule] if rule else [])
    try:
        yield
    finally:
        xai.set_faults([])
        if gate is not None:
            gate.close()


def target_entries(row: Row, entries: list[LoggedRequest]) -> list[LoggedRequest]:
    return [e for e in entries if fnmatch.fnmatchcase(f"{e.method} {e.path}", row.endpoint.match)]


def check_error_line(error: DaveError, status: int | None, role: str) -> str:
    """One clear line: names xai, the HTTP status when there is one, and what to do next."""
    line = error.user_line()
    assert "\n" not in line, line
    assert "xai" in line, line
    if status is not None:
        assert f"HTTP {status}" in line, line
        assert getattr(error, "status", None) == status
    assert error.hint, f"no hint in {line!r}"
    assert error.hint in line
    assert not PRIVATE_NAME.search(line), f"a private name leaks into {line!r}"
    assert len(line) < 600, line
    assert error.job_id, "the error names no job"
    if role != "post" and not isinstance(error, JobFailed | JobExpired | Moderated):
        # The paid part is done: the hint must say how to pick the job up, not "try again".
        assert "dave jobs " in error.hint and error.job_id in error.hint, line
        assert "nothing was charged" not in line, line
    if isinstance(error, OutcomeUnknown):
        assert "--resubmit" in error.hint, line
    return line


# --- the matrix ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowRun:
    """What one row's run left: the emulator's log of it, and whether it ended done."""

    entries: list[LoggedRequest]
    done: bool


async def run_row(
    row: Row,
    xai: EmulatorServer,
    hooks: Hooks,
    sources: dict[str, Path],
    dave_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> RowRun:
    """Drive the row's endpoint under its fault and check everything the row must show; files
    under DAVE_HOME/media are counted against those there before, so rows may share a home."""
    expect = row.expect
    prompt = f"matrix {row.id}"
    caught: DaveError | None = None
    xai.log.clear()
    files_before, _ = media_problems(dave_home)
    async with arranged(row, xai, hooks, monkeypatch), Studio(poll_floor_s=0.1) as studio:
        seed_poll_history(studio)
        try:
            result = await drive(studio, row.endpoint.drive, prompt, sources)
        except DaveError as error:
            caught = error
        jobs = [job for job in studio.jobs.list(limit=100) if job.request["prompt"] == prompt]
        (job,) = jobs
        assets = studio.assets.for_job(job.id)

    entries = xai.log.entries()

    # The outcome the rules call for.
    if expect.error is None:
        assert caught is None, f"expected recovery, got {caught!r}: {caught and caught.user_line()}"
        assert result.job.state.value == "done"
        assert len(assets) == 1
        assert (dave_home / "media" / assets[0].path).is_file()
    else:
        assert isinstance(caught, expect.error), f"expected {expect.error.__name__}, got {caught!r}"
        check_error_line(caught, expect.status, row.endpoint.role)
        assert caught.job_id == job.id
        assert assets == []
    assert job.state.value == expect.state, (job.state.value, job.error)

    # How many requests reached the faulted endpoint, and the POSTs in all.
    hit = target_entries(row, entries)
    least, most = expect.hits
    assert len(hit) >= least, [(e.path, e.status, e.fault) for e in hit]
    if most is not None:
        assert len(hit) <= most, [(e.path, e.status, e.fault) for e in hit]
    assert len(xai.log.posts()) == expect.posts, [(e.path, e.status) for e in xai.log.posts()]
    if row.fault.family != "refused" and hit:
        assert hit[0].fault is not None, "the first request at the endpoint was not faulted"
    if expect.min_gap_s:
        assert hit[1].time - hit[0].time >= expect.min_gap_s, "Retry-After was not waited out"
    if row.fault.family == "refused":
        assert any("ConnectError" in why for why in hooks.backoffs), hooks.backoffs

    # No paid request resent without the provider's refusal; no bad files; one file if done.
    assert resent_billable_posts(entries) == []
    count, problems = media_problems(dave_home)
    assert problems == []
    assert count - files_before == (1 if expect.error is None else 0)
    return RowRun(entries, done=expect.error is None)


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
async def test_fault_matrix(
    row: Row,
    xai: EmulatorServer,
    hooks: Hooks,
    sources: dict[str, Path],
    dave_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await run_row(row, xai, hooks, sources, dave_home, monkeypatch)


# --- the same rows through the real CLI --------------------------------------------------------


def _cli_rows() -> list[Row]:
    """For each way of failing at each kind of endpoint (billable POST, poll, download), the
    first row in table order that can run out of process; and the first recovering row."""
    chosen: dict[tuple[str, str], Row] = {}
    for row in ROWS:
        expect = row.expect
        if expect.in_process_only:
            continue
        key = (expect.error.__name__, row.endpoint.role) if expect.error else ("done", "")
        chosen.setdefault(key, row)
    return list(chosen.values())


CLI_ROWS = _cli_rows()


def _run_dave(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dave", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=timeout,
    )


@pytest.mark.parametrize("row", CLI_ROWS, ids=[row.id for row in CLI_ROWS])
async def test_fault_matrix_through_the_cli(
    row: Row,
    xai: EmulatorServer,
    hooks: Hooks,
    sources: dict[str, Path],
    dave_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expect = row.expect
    prompt = f"matrix cli {row.id}"
    async with arranged(row, xai, hooks, monkeypatch):
        xai.config.video_ready_s = 0.0  # the CLI polls at its own 1 s floor
        async with Studio() as studio:
            seed_poll_history(studio)
        done = await asyncio.to_thread(_run_dave, *cli_args(row.endpoint.drive, prompt, sources))

    assert TRACEBACK not in done.stderr
    if expect.error is None:
        assert done.returncode == 0, done.stderr
        (path,) = done.stdout.splitlines()
        assert Path(path).is_file()
    else:
        assert done.returncode == 1, (done.returncode, done.stderr)
        lines = done.stderr.splitlines()
        assert len(lines) == 1, f"expected one line on stderr, got {done.stderr!r}"
        (line,) = lines
        assert line.startswith("dave: error: xai")
        if expect.status is not None:
            assert f"HTTP {expect.status}" in line
        assert re.search(r"\bj_[0-9A-Z]{20,}", line), f"the line names no job: {line}"
        assert done.stdout == ""
    assert resent_billable_posts(xai.log.entries()) == []
    count, problems = media_problems(dave_home)
    assert problems == []
    assert count == (1 if expect.error is None else 0)


# --- the matrix as a whole -------------------------------------------------------------------


def test_every_endpoint_meets_every_transport_fault_and_exclusions_have_reasons() -> None:
    transport = {"status", "refused", "reset", "timeout", "slow"}
    for endpoint in ENDPOINTS:
        faults = {row.fault.name for row in ROWS if row.endpoint == endpoint}
        assert {f.name for f in FAULTS if f.family in transport} <= faults, endpoint.name
    for fault in FAULTS:
        assert any(row.fault == fault for row in ROWS), f"{fault.name} reaches no endpoint"
    assert all(reason for *_, reason in EXCLUDED)
    assert len(ROWS) + len(EXCLUDED) == len(ENDPOINTS) * len(FAULTS) * len(PERSISTENCE)


def _cross_section() -> list[Row]:
    """The first row (in table order) of each fault family, persistence and endpoint role."""
    chosen: dict[tuple[str, str, str], Row] = {}
    for row in ROWS:
        chosen.setdefault((row.fault.family, row.persistence, row.endpoint.role), row)
    return list(chosen.values())


CROSS_SECTION = _cross_section()


@pytest.mark.timeout(600)  # 31 rows one after another (~15 s), a few waiting out timeouts
async def test_the_matrix_as_a_whole(
    xai: EmulatorServer,
    hooks: Hooks,
    sources: dict[str, Path],
    dave_home: Path,
) -> None:
    """A cross-section of the matrix run back to back in one DAVE_HOME: each row must show what
    it shows alone, and together no billable POST went twice without the provider refusing it,
    no file under media/ is partial or invalid, and there is one file per row that ended done."""
    families = {fault.family for fault in FAULTS}
    assert {row.fault.family for row in CROSS_SECTION} == families
    assert {row.endpoint.role for row in CROSS_SECTION} == {"post", "poll", "download"}
    entries: list[LoggedRequest] = []
    done = 0
    for row in CROSS_SECTION:
        hooks.reset()
        with pytest.MonkeyPatch.context() as monkeypatch:
            run = await run_row(row, xai, hooks, sources, dave_home, monkeypatch)
        entries += run.entries
        done += run.done
    assert 0 < done < len(CROSS_SECTION)
    assert resent_billable_posts(entries) == [], "billable POSTs sent twice without a refusal"
    count, problems = media_problems(dave_home)
    assert problems == [], "partial or invalid files under DAVE_HOME/media"
    assert count == done


def test_the_cli_rows_cover_every_way_of_failing() -> None:
    """test_fault_matrix_through_the_cli runs one row for each error at each endpoint role (and
    one that recovers), so every way of failing is seen through the real CLI."""
    ways = {
        (row.expect.error.__name__, row.endpoint.role) if row.expect.error else ("done", "")
        for row in ROWS
        if not row.expect.in_process_only
    }
    cli = {
        (row.expect.error.__name__, row.endpoint.role) if row.expect.error else ("done", "")
        for row in CLI_ROWS
    }
    assert cli == ways
    assert len(CLI_ROWS) == len(ways)
