"""The fault matrix's rules and checks for any provider, as the MiniMax and Stability matrices use
them (the x.ai matrix in `test_fault_matrix.py` keeps its own, older, x.ai-only copy; the fault
table, the gate and the HTTP spies are shared from there).

What is provider-specific here is passed in: the provider's name (errors must name it), the env
var that points dave at it and its path prefix on the emulator (the gate needs both), and which
outcome faults each endpoint decides. Not a test module: it holds no tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
from dave.core.http import RETRYABLE_STATUSES
from dave.emulator import EmulatorServer
from dave.emulator.log import LoggedRequest
from dave.media.verify import verify
from dave.store.jobs import JobState

from .test_fault_matrix import (
    DOWNLOAD_CHECKS,
    DOWNLOAD_TIMEOUT_S,
    FAULTS,
    MAX_ATTEMPTS,
    PERSISTENCE,
    PRIVATE_NAME,
    READ_TIMEOUT_S,
    Expected,
    Fault,
    Gate,
    Hooks,
)

__all__ = ["FAULTS", "PERSISTENCE", "Expected", "Fault", "Hooks"]

_OUTCOME: dict[str, tuple[type[DaveError], str]] = {
    "job_failed": (JobFailed, "failed"),
    "job_expired": (JobExpired, "expired"),
    "moderated": (Moderated, "failed"),
}
_STUCK_STATE = {"post": "failed", "poll": "submitted", "download": "downloading"}
_MEDIUM_BY_SUFFIX = {".mp4": "video", ".mp3": "audio", ".wav": "audio"}


@dataclass(frozen=True)
class Endpoint:
    """One endpoint dave calls, and what its faults can mean."""

    name: str
    #: What a FaultRule matches (and what the gate shuts before), with the provider's prefix.
    match: str
    #: The Studio call that reaches this endpoint (the test module knows how).
    drive: str
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


def rows_of(endpoints: tuple[Endpoint, ...]) -> tuple[list[Row], list[tuple[str, ...]]]:
    """(rows, exclusions with their reasons) over every endpoint × fault × persistence."""
    rows, excluded = [], []
    for endpoint in endpoints:
        for fault in FAULTS:
            for persistence in PERSISTENCE:
                why = applies(endpoint, fault, persistence)
                if why is None:
                    rows.append(Row(endpoint, fault, persistence))
                else:
                    excluded.append((endpoint.name, fault.name, persistence, why))
    return rows, excluded


# --- checks ----------------------------------------------------------------------------------


def post_key(entry: LoggedRequest) -> str:
    """What makes two POSTs "the same": the path and the JSON body, or the multipart text fields
    (a Stability body; every row's prompt is unique, file parts are the same fixture)."""
    body = entry.json if entry.form is None else entry.form["fields"]
    return f"{entry.path} {json.dumps(body, sort_keys=True)}"


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


@contextlib.asynccontextmanager
async def arranged(
    row: Row,
    server: EmulatorServer,
    hooks: Hooks,
    monkeypatch: pytest.MonkeyPatch,
    *,
    base_env: str,
    prefix: str,
) -> AsyncIterator[None]:
    """Sets the row's fault on the emulator (or the gate), its timeouts and fast jobs."""
    server.config.video_ready_s = 0.05
    times = 1 if row.persistence == "once" else 0
    if row.fault.family == "timeout":
        monkeypatch.setenv("DAVE_HTTP_READ_TIMEOUT", str(READ_TIMEOUT_S))
        monkeypatch.setenv("DAVE_HTTP_DOWNLOAD_TIMEOUT", str(DOWNLOAD_TIMEOUT_S))
    if row.persistence == "always":
        monkeypatch.setenv("DAVE_HTTP_RETRY_AFTER_CAP", "0.05")
    gate = None
    if row.fault.family == "refused":
        gate = Gate(server.port)
        gate.open()
        hooks.gate, hooks.target, hooks.reopen = gate, row.endpoint.match, times == 1
        monkeypatch.setenv(base_env, f"http://127.0.0.1:{gate.port}{prefix}")
    rule = row.fault.rule(row.endpoint.match, times)
    server.set_faults([rule] if rule else [])
    try:
        yield
    finally:
        server.set_faults([])
        if gate is not None:
            gate.close()


@dataclass(frozen=True)
class Provider:
    """What a matrix needs to know about one provider."""

    name: str
    base_env: str
    prefix: str
    #: (kind, model) pairs whose polls should start at once.
    seeded: tuple[tuple[str, str], ...]
    #: The Studio call for an endpoint's `drive`, given the prompt.
    drive: Callable[[Studio, str, str], Awaitable[Any]]
    #: Besides a 429/5xx, answers that say "not done, send again" (MiniMax's rate-limit code).
    refused: Callable[[LoggedRequest], bool] | None = None


async def run_row(
    row: Row,
    provider: Provider,
    server: EmulatorServer,
    hooks: Hooks,
    monkeypatch: pytest.MonkeyPatch,
    home: Path,
) -> None:
    """Drives one row through the Studio and checks everything the rules say it must end in."""
    expect = row.expect
    prompt = f"matrix {row.id}"
    caught: DaveError | None = None
    result: Any = None
    async with (
        arranged(
            row, server, hooks, monkeypatch, base_env=provider.base_env, prefix=provider.prefix
        ),
        Studio(poll_floor_s=0.05) as studio,
    ):
        seed_poll_history(studio, provider.name, provider.seeded)
        try:
            result = await provider.drive(studio, row.endpoint.drive, prompt)
        except DaveError as error:
            caught = error
        (job,) = [j for j in studio.jobs.list(limit=100) if j.request.get("prompt") == prompt]
        assets = studio.assets.for_job(job.id)

    entries = server.log.entries()
    if expect.error is None:
        assert caught is None, f"expected recovery, got {caught!r}: {caught and caught.user_line()}"
        assert result.job.state.value == "done"
        assert len(assets) == 1
        assert (home / "media" / assets[0].path).is_file()
    else:
        assert isinstance(caught, expect.error), f"expected {expect.error.__name__}, got {caught!r}"
        check_error_line(caught, provider.name, expect.status, row.endpoint.role)
        assert caught.job_id == job.id
        assert assets == []
    assert job.state.value == expect.state, (job.state.value, job.error)

    hit = [e for e in entries if fnmatch.fnmatchcase(f"{e.method} {e.path}", row.endpoint.match)]
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

    assert resent_billable_posts(entries, provider.refused) == []
    count, problems = media_problems(home)
    assert problems == []
    assert count == (1 if expect.error is None else 0)


# --- a few rows through the real CLI ------------------------------------------------------------


def cli_rows(rows: list[Row], reachable: Callable[[Row], bool]) -> list[Row]:
    """For each way of failing, the first row in table order that can run out of process (and
    that the CLI can drive); and the first recovering row. (Fewer than the x.ai matrix's: the
    in-process rows already check every error line; these prove the CLI prints it whole.)"""
    chosen: dict[str, Row] = {}
    for row in rows:
        expect = row.expect
        if expect.in_process_only or not reachable(row):
            continue
        chosen.setdefault(expect.error.__name__ if expect.error else "done", row)
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
    provider: Provider,
    args: list[str],
    server: EmulatorServer,
    hooks: Hooks,
    monkeypatch: pytest.MonkeyPatch,
    home: Path,
) -> None:
    """The row through `python -m dave`: exit 0 and a path, or exit 1 and one line that names
    the provider (and the HTTP status) and the job; never a traceback, never a bad file."""
    expect = row.expect
    async with arranged(
        row, server, hooks, monkeypatch, base_env=provider.base_env, prefix=provider.prefix
    ):
        server.config.video_ready_s = 0.0  # the CLI polls at its own 1 s floor
        async with Studio() as studio:
            seed_poll_history(studio, provider.name, provider.seeded)
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
        assert lines[0].startswith(f"dave: error: {provider.name}"), lines[0]
        if expect.status is not None:
            assert f"HTTP {expect.status}" in lines[0], lines[0]
        assert re.search(r"\bj_[0-9A-Z]{20,}", lines[0]), f"the line names no job: {lines[0]}"
        assert done.stdout == ""
    assert resent_billable_posts(server.log.entries(), provider.refused) == []
    count, problems = media_problems(home)
    assert problems == []
    assert count == (1 if expect.error is None else 0)
