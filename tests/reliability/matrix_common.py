"""The fault matrix's dimensions, rules and checks, for any provider slice.

`test_fault_matrix.py` describes each slice (which endpoints dave calls, which of them are paid,
what the emulator's fault rules match there, how a request is sent through the Studio and the
CLI) in one table keyed by provider; everything here takes a slice and knows no provider.

Which rows exist and what each must end in are computed from rules (`applies`, `expected`), not
written per row:

- a fault that means nothing to an endpoint (a truncated answer that carries no media, a failed
  job on an image) is left out by `applies`, with the reason;
- a billable POST is sent again only when the provider said it did not do it (429/5xx) or the
  connection was refused before a byte left; a reset, a timeout or a truncated answer after
  sending ends the job `unknown` and is never resent;
- free requests (polls, downloads) recover from any transient fault once, and end in one clear
  error naming the provider (and the HTTP status, when there is one) with a hint when it never
  stops.

"Connection refused" is arranged with a loopback gate in front of the emulator: the gate's port is
bound but not listening (so the kernel refuses the connect) from just before the faulted request
until dave's first back-off, when it starts forwarding. The gate is shut from a thin wrapper
around `HttpClient.send`/`download`: only the timing is hooked, the refusal is the kernel's.

Not a test module: it holds no tests.
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
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

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
POLL_FLOOR_S = 0.05
# An error a user reads must not show dave's private classes (`_RetryableStatus`, `_Truncated`).
PRIVATE_NAME = re.compile(r"\b_[A-Z]\w+")
#: Every outcome fault: a job that failed, one that expired, a moderated answer.
ALL_OUTCOMES = frozenset({"job_failed", "job_expired", "moderated"})
#: The transport faults every endpoint must meet.
TRANSPORT = frozenset({"status", "refused", "reset", "timeout", "slow"})

#: Sources a drive may send: a PNG to edit or upscale and a 2 s MP4 to edit or extend.
Sources = dict[str, Path]


# --- the dimensions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One endpoint dave calls, and what its faults can mean."""

    name: str
    #: What a FaultRule matches (and what the gate shuts before), with the provider's prefix.
    match: str
    #: The slice's drive that reaches this endpoint.
    drive: str
    #: A paid call: sent again only when the provider refused it.
    billable: bool = False
    download: bool = False
    #: The POST's answer carries the media itself (Stability's bytes, MiniMax's hex audio), so
    #: truncate and corrupt reach it.
    inline: bool = False
    #: The inline answer is JSON (MiniMax's hex audio): corrupted, it is not even JSON.
    json_answer: bool = False
    #: Outcome faults this endpoint decides (job_failed, job_expired, moderated), and why the
    #: others are left out.
    outcomes: frozenset[str] = frozenset()
    no_outcome_reason: str = "moderation and job outcomes are decided elsewhere"
    #: Outcomes this endpoint can only report on every request (Stability's failed generation
    #: answers 500 to each poll): their rows run 'always', not 'once'.
    persistent: frozenset[str] = frozenset()

    @property
    def role(self) -> str:
        return "post" if self.billable else "download" if self.download else "poll"


@dataclass(frozen=True)
class Slice:
    """What the matrix needs to know about one provider slice."""

    name: str
    #: The variable that points dave at the provider, and the provider's prefix on the emulator
    #: (the gate needs both).
    base_env: str
    prefix: str
    endpoints: tuple[Endpoint, ...]
    #: (kind, model) pairs whose polls should start at once.
    seeded: tuple[tuple[str, str], ...]
    #: The Studio call for an endpoint's `drive`, given the prompt and the sources.
    drive: Callable[[Studio, str, str, Sources], Awaitable[Any]]
    #: The `dave` arguments for a drive, given the prompt and the sources.
    cli_args: Callable[[str, str, Sources], list[str]]
    #: Drives the CLI has no way to ask for (MiniMax's song by URL).
    no_cli: frozenset[str] = frozenset()


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
    if fault.family in ("truncate", "corrupt") and not (endpoint.download or endpoint.inline):
        return "truncate/corrupt reshape media bytes; this answer carries none"
    if fault.family == "outcome":
        if fault.outcome not in endpoint.outcomes:
            return endpoint.no_outcome_reason
        if fault.outcome in endpoint.persistent:
            if persistence == "once":
                return "this outcome is reported on every request; one such answer is a 5xx"
            return None
        if persistence == "always":
            return "an outcome fault ends the job the first time; 'always' adds nothing"
    if persistence == "always":
        if fault.family == "slow":
            return "slow is not a failure; it never exhausts anything"
        if fault.family in ("reset", "timeout", "truncate", "corrupt") and endpoint.billable:
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


_OUTCOME: dict[str, tuple[type[DaveError], str]] = {
    "job_failed": (JobFailed, "failed"),
    "job_expired": (JobExpired, "expired"),
    "moderated": (Moderated, "failed"),
}
# Where a job stops when the fault never ends, by the role of the faulted endpoint.
_STUCK_STATE = {"post": "failed", "poll": "submitted", "download": "downloading"}
_MEDIUM_BY_SUFFIX = {".mp4": "video", ".mp3": "audio", ".wav": "audio"}


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
        # A persistent outcome at a poll is a 5xx there, retried before it is believed.
        n = MAX_ATTEMPTS if fault.outcome in endpoint.persistent else 1
        return Expected(error, state, hits=hits(n))
    if endpoint.billable and family in ("reset", "timeout", "truncate"):
        return Expected(OutcomeUnknown, "unknown", hits=(1, 1))
    if endpoint.billable and family == "corrupt":
        # Paid for, and what came back is not the media: kept aside, never re-sent.
        if endpoint.json_answer:
            # A 200 that cannot be read: the provider took the call and may have charged it.
            return Expected(OutcomeUnknown, "unknown", hits=(1, 1))
        # Inline bytes cannot be fetched again: the job must end (`failed`), not linger in
        # `downloading` pointing at a staged file that is gone, which resume retries forever.
        return Expected(VerificationFailed, "failed", hits=(1, 1))
    if persistence == "once":
        gap = 0.0
        if fault.retry_after == "date":
            gap = 0.3  # an HTTP date has whole seconds: the wait is (ahead - 1, ahead]
        elif fault.retry_after:
            gap = float(fault.retry_after) - 0.1
        retried = family not in ("refused", "slow")
        n = 2 if retried else 1
        posts = n if endpoint.billable else 1
        return Expected(
            None, "done", hits=hits(n), posts=posts, min_gap_s=gap, in_process_only=refused
        )
    # always: every attempt fails the same way
    state = _STUCK_STATE[role]
    status: int | None = None
    if family == "status":
        error: type[DaveError] = RateLimited if fault.status == 429 else ProviderUnavailable
        status = fault.status
    elif family in ("truncate", "corrupt"):
        error = VerificationFailed
    else:  # refused, reset, timeout
        error = ProviderUnavailable
    n = 0 if refused else DOWNLOAD_CHECKS if family == "corrupt" else MAX_ATTEMPTS
    posts = n if endpoint.billable else 1
    return Expected(error, state, status, hits=(n, n), posts=posts, in_process_only=refused)


@dataclass(frozen=True)
class Row:
    slice: Slice
    endpoint: Endpoint
    fault: Fault
    persistence: str

    @property
    def id(self) -> str:
        return f"{self.slice.name} | {self.endpoint.name} | {self.fault.name} | {self.persistence}"

    @property
    def expect(self) -> Expected:
        return expected(self.endpoint, self.fault, self.persistence)


@dataclass(frozen=True)
class Excluded:
    slice: str
    endpoint: str
    fault: str
    persistence: str
    reason: str


def rows_of(slices: Iterable[Slice]) -> tuple[list[Row], list[Excluded]]:
    """(rows, exclusions with their reasons) over every slice × endpoint × fault × persistence."""
    rows, excluded = [], []
    for slice_ in slices:
        for endpoint in slice_.endpoints:
            for fault in FAULTS:
                for persistence in PERSISTENCE:
                    why = applies(endpoint, fault, persistence)
                    if why is None:
                        rows.append(Row(slice_, endpoint, fault, persistence))
                    else:
                        excluded.append(
                            Excluded(slice_.name, endpoint.name, fault.name, persistence, why)
                        )
    return rows, excluded


# --- what a row's run must show ---------------------------------------------------------------


def post_key(entry: LoggedRequest) -> str:
    """What makes two POSTs "the same": equal JSON bodies, or equal multipart text fields (a
    Stability body; every row's prompt is unique, file parts are the same fixture)."""
    body = entry.json if entry.form is None else entry.form["fields"]
    return json.dumps(body, sort_keys=True)


def resent_billable_posts(
    entries: list[LoggedRequest], refused: Callable[[LoggedRequest], bool] | None = None
) -> list[str]:
    """Billable POSTs sent more than once although the provider had not refused the earlier one
    (a 429/5xx, or what `refused` also counts as a refusal, such as MiniMax's rate-limit code)."""
    groups: dict[str, list[LoggedRequest]] = {}
    for entry in entries:
        if entry.method == "POST":
            groups.setdefault(post_key(entry), []).append(entry)
    bad = []
    for same in groups.values():
        for earlier in same[:-1]:
            if earlier.status in RETRYABLE_STATUSES or (refused and refused(earlier)):
                continue
            bad.append(f"{earlier.path} answered {earlier.status} (fault {earlier.fault})")
    return bad


def media_problems(home: Path) -> tuple[int, list[str]]:
    """(files, problems) under DAVE_HOME/media: each file must decode as its kind and be named
    by its sha256, and nothing may be left in media/.tmp."""
    root = home / "media"
    problems: list[str] = []
    temps = root / ".tmp"
    if temps.is_dir():
        problems += [f"left in .tmp: {p.name}" for p in temps.iterdir()]
    if not root.is_dir():
        return 0, problems
    count = 0
    for path in root.rglob("*"):
        if not path.is_file() or ".tmp" in path.relative_to(root).parts:
            continue
        count += 1
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        rel = path.relative_to(root).as_posix()
        if rel != f"{sha[:2]}/{sha[2:4]}/{sha}{path.suffix}":
            problems.append(f"{rel} is not named by its sha256 {sha}")
        try:
            verify(path, _MEDIUM_BY_SUFFIX.get(path.suffix, "image"))  # type: ignore[arg-type]
        except DaveError as error:
            problems.append(f"{rel} does not decode: {error}")
    return count, problems


def library(home: Path) -> set[str]:
    """The files kept under DAVE_HOME/media (temp files left out), relative to it."""
    root = home / "media"
    if not root.is_dir():
        return set()
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and ".tmp" not in path.relative_to(root).parts
    }


def check_error_line(error: DaveError, provider: str, status: int | None, role: str) -> str:
    """One clear line: names the provider, the HTTP status when there is one, what to do next."""
    line = error.user_line()
    assert "\n" not in line, line
    assert provider in line, line
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


def seed_poll_history(studio: Studio, provider: str, models: tuple[tuple[str, str], ...]) -> None:
    """Journal history saying these (kind, model) jobs finish at once: polls run at the floor."""
    jobs = studio.jobs
    for kind, model in models:
        for _ in range(3):
            job = jobs.create(provider, kind, model, {"kind": kind, "prompt": "seed"})
            for state in (JobState.SUBMITTING, JobState.SUBMITTED, JobState.DONE):
                jobs.transition(job.id, state)


# --- the gate and the spies on dave's HTTP client --------------------------------------------


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

    def base_url(self, prefix: str) -> str:
        return f"http://127.0.0.1:{self.port}{prefix}"

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


def install_hooks(monkeypatch: pytest.MonkeyPatch) -> Hooks:
    """Wraps `HttpClient.send`, `download` and `_backoff` with a `Hooks` spy (for the test)."""
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
    row: Row, server: EmulatorServer, hooks: Hooks, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[None]:
    """Sets the row's fault on the emulator (or the gate), its timeouts and fast jobs."""
    server.config.video_ready_s = 0.05
    times = 1 if row.persistence == "once" else 0
    if row.fault.family == "timeout":
        monkeypatch.setenv("DAVE_HTTP_READ_TIMEOUT", str(READ_TIMEOUT_S))
        monkeypatch.setenv("DAVE_HTTP_DOWNLOAD_TIMEOUT", str(DOWNLOAD_TIMEOUT_S))
    if row.persistence == "always":
        # Exhausting four 1 s Retry-After waits proves nothing the 'once' rows do not.
        monkeypatch.setenv("DAVE_HTTP_RETRY_AFTER_CAP", "0.05")
    gate = None
    if row.fault.family == "refused":
        gate = Gate(server.port)
        gate.open()
        hooks.gate, hooks.target, hooks.reopen = gate, row.endpoint.match, times == 1
        monkeypatch.setenv(row.slice.base_env, gate.base_url(row.slice.prefix))
    rule = row.fault.rule(row.endpoint.match, times)
    server.set_faults([rule] if rule else [])
    try:
        yield
    finally:
        server.set_faults([])
        if gate is not None:
            gate.close()


def target_entries(row: Row, entries: list[LoggedRequest]) -> list[LoggedRequest]:
    return [e for e in entries if fnmatch.fnmatchcase(f"{e.method} {e.path}", row.endpoint.match)]


# --- one row, in process ----------------------------------------------------------------------


@dataclass(frozen=True)
class RowRun:
    """What one row's run left: the emulator's log of it, and the file it kept if it ended done."""

    entries: list[LoggedRequest]
    kept: str | None

    @property
    def done(self) -> bool:
        return self.kept is not None


async def run_row(
    row: Row,
    server: EmulatorServer,
    hooks: Hooks,
    sources: Sources,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> RowRun:
    """Drive the row's endpoint under its fault and check everything the row must show; files
    under DAVE_HOME/media are compared with those there before, so rows may share a home (where
    two jobs that got the same bytes share one file, named by its sha256)."""
    slice_, expect = row.slice, row.expect
    prompt = f"matrix {row.id}"
    caught: DaveError | None = None
    result: Any = None
    server.log.clear()
    files_before = library(home)
    async with (
        arranged(row, server, hooks, monkeypatch),
        Studio(poll_floor_s=POLL_FLOOR_S) as studio,
    ):
        seed_poll_history(studio, slice_.name, slice_.seeded)
        try:
            result = await slice_.drive(studio, row.endpoint.drive, prompt, sources)
        except DaveError as error:
            caught = error
        (job,) = [j for j in studio.jobs.list(limit=100) if j.request.get("prompt") == prompt]
        assets = studio.assets.for_job(job.id)

    entries = server.log.entries()

    # The outcome the rules call for: in what the caller got and in the journal's rows.
    if expect.error is None:
        assert caught is None, f"expected recovery, got {caught!r}: {caught and caught.user_line()}"
        assert result.job.state.value == "done"
        assert len(assets) == 1
        assert (home / "media" / assets[0].path).is_file()
    else:
        assert isinstance(caught, expect.error), f"expected {expect.error.__name__}, got {caught!r}"
        check_error_line(caught, slice_.name, expect.status, row.endpoint.role)
        assert caught.job_id == job.id
        assert assets == []
    assert job.state.value == expect.state, (job.state.value, job.error)

    # How many requests reached the faulted endpoint, and the POSTs in all, as the emulator saw.
    hit = target_entries(row, entries)
    least, most = expect.hits
    assert len(hit) >= least, [(e.path, e.status, e.fault) for e in hit]
    if most is not None:
        assert len(hit) <= most, [(e.path, e.status, e.fault) for e in hit]
    posts = server.log.posts()
    assert len(posts) == expect.posts, [(e.path, e.status, e.fault) for e in posts]
    if row.fault.family != "refused" and hit:
        assert hit[0].fault is not None, "the first request at the endpoint was not faulted"
    if expect.min_gap_s:
        assert hit[1].time - hit[0].time >= expect.min_gap_s, "Retry-After was not waited out"
    if row.fault.family == "refused":
        assert any("ConnectError" in why for why in hooks.backoffs), hooks.backoffs

    # No paid request resent without the provider's refusal; no bad files; the asset's file kept
    # if done, and no other.
    assert resent_billable_posts(entries) == []
    _, problems = media_problems(home)
    assert problems == []
    kept = assets[0].path if expect.error is None else None
    assert library(home) == files_before | ({kept} if kept else set())
    return RowRun(entries, kept)


# --- one row, through the real CLI -------------------------------------------------------------


def way_of_ending(row: Row) -> tuple[str, str]:
    """How a row ends, for choosing the CLI rows: (error, endpoint role), or ("done", "")."""
    error = row.expect.error
    return (error.__name__, row.endpoint.role) if error else ("done", "")


def cli_reachable(row: Row) -> bool:
    """The row can run out of process (not the gate) and the CLI can send its request."""
    return not row.expect.in_process_only and row.endpoint.drive not in row.slice.no_cli


def cli_rows(rows: list[Row]) -> list[Row]:
    """For each slice and each way of failing at each kind of endpoint (billable POST, poll,
    download), the first row in table order that the CLI can run; and the first recovering row."""
    chosen: dict[tuple[str, tuple[str, str]], Row] = {}
    for row in rows:
        if cli_reachable(row):
            chosen.setdefault((row.slice.name, way_of_ending(row)), row)
    return list(chosen.values())


def run_dave_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dave", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=timeout,
    )


async def run_cli_row(
    row: Row,
    server: EmulatorServer,
    hooks: Hooks,
    sources: Sources,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The row through `python -m dave`: exit 0 and a path, or exit 1 and one line that names
    the provider (and the HTTP status) and the job; never a traceback, never a bad file."""
    slice_, expect = row.slice, row.expect
    args = slice_.cli_args(row.endpoint.drive, f"matrix cli {row.id}", sources)
    async with arranged(row, server, hooks, monkeypatch):
        server.config.video_ready_s = 0.0  # the CLI polls at its own 1 s floor
        async with Studio() as studio:
            seed_poll_history(studio, slice_.name, slice_.seeded)
        done = await asyncio.to_thread(run_dave_cli, *args)

    assert "Traceback" not in done.stderr, done.stderr
    if expect.error is None:
        assert done.returncode == 0, done.stderr
        (path,) = done.stdout.splitlines()
        assert Path(path).is_file()
    else:
        assert done.returncode == 1, (done.returncode, done.stderr)
        lines = done.stderr.splitlines()
        assert len(lines) == 1, f"expected one line on stderr, got {done.stderr!r}"
        (line,) = lines
        assert line.startswith(f"dave: error: {slice_.name}"), line
        if expect.status is not None:
            assert f"HTTP {expect.status}" in line, line
        assert re.search(r"\bj_[0-9A-Z]{20,}", line), f"the line names no job: {line}"
        assert done.stdout == ""
    assert resent_billable_posts(server.log.entries()) == []
    count, problems = media_problems(home)
    assert problems == []
    assert count == (1 if expect.error is None else 0)
