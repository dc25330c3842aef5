"""The Studio runs a generation: journal → submit → poll → download → verify → record.

Each step is written to the journal before the next starts, so a crash at any moment leaves a
job that `resume` can finish without paying twice. Not for wire formats (dave.providers) nor for
validation rules (dave.media.requests).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any

from dave.core.errors import (
    DaveError,
    InvalidRequest,
    JobExpired,
    JobFailed,
    Moderated,
    OutcomeUnknown,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
)
from dave.core.processes import THIS_PROCESS, other_live_process
from dave.core.redact import redact, redact_data
from dave.core.settings import Settings, load_settings
from dave.media.driver_protocol import Driver
from dave.media.drivers import open_driver
from dave.media.error_lines import invalid_request
from dave.media.events import EventHandler, StudioEvent, ignore
from dave.media.keeping import Keeper
from dave.media.lineage import source_assets
from dave.media.polling import PollSchedule, expected_duration
from dave.media.prices import Charge
from dave.media.requests import (
    ControlRequest,
    EditRequest,
    ImageRequest,
    LyricsRequest,
    MusicRequest,
    Request,
    UpscaleRequest,
    VideoRequest,
    parse_request,
)
from dave.media.rule_checks import ResolvedRequest
from dave.media.validation import validate
from dave.providers.base import RemoteState, Status
from dave.store import Store
from dave.store.assets import Asset
from dave.store.base import AssetCatalog, JobJournal
from dave.store.jobs import Job, JobState

# Waiting on a job that already ended badly reports why, as the first run did.
_ENDED_BADLY: dict[JobState, type[ProviderError]] = {
    JobState.UNKNOWN: OutcomeUnknown,
    JobState.FAILED: JobFailed,
    JobState.EXPIRED: JobExpired,
}


@dataclass(frozen=True)
class Result:
    """A job and the files it produced (none yet if it is still running)."""

    job: Job
    assets: list[Asset]
    media_root: Path

    def paths(self) -> list[Path]:
        return [self.media_root / asset.path for asset in self.assets]

    def to_dict(self) -> dict[str, Any]:
        job = self.job
        return {
            "job": {
                "id": job.id,
                "provider": job.provider,
                "kind": job.kind,
                "model": job.model,
                "state": job.state.value,
                "provider_job_id": job.provider_job_id,
                "price": job.price,
                "price_unit": job.price_unit,
                "price_estimate": job.price_estimate,
                "charged_usd": job.cost_usd,
                "offline": job.offline,
                "error": job.error,
                "details": (job.result or {}).get("details") or None,
                "created_at": job.created_at,
            },
            "assets": [
                {
                    "id": asset.id,
                    "path": str(path),
                    "sha256": asset.sha256,
                    "mime": asset.mime,
                    "bytes": asset.bytes,
                    "width": asset.width,
                    "height": asset.height,
                    "duration_s": asset.duration_s,
                }
                for asset, path in zip(self.assets, self.paths(), strict=True)
            ],
        }


class Studio:
    """Makes media and keeps it: `async with Studio() as studio: await studio.image("...")`."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        offline: bool | None = None,
        on_event: EventHandler = ignore,
        poll_floor_s: float = 1.0,
        wait_timeout_s: float = 30 * 60,
    ) -> None:
        self.settings = settings or load_settings(offline=offline)
        self._on_event = on_event
        self._poll_floor_s = poll_floor_s
        self._wait_timeout_s = wait_timeout_s
        self._store: Store | None = None
        self._keeper: Keeper
        self._drivers: dict[tuple[str, bool], Driver] = {}

    def __repr__(self) -> str:
        return f"Studio(home={str(self.settings.home)!r}, offline={self.settings.offline})"

    async def __aenter__(self) -> Studio:
        self._store = Store.for_settings(self.settings)
        self._keeper = Keeper(self._store, self._driver_for, self._move, self._emit)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        drivers, self._drivers = self._drivers, {}
        for driver in drivers.values():
            await driver.aclose()
        if self._store is not None:
            self._store.close()
            self._store = None

    @property
    def store(self) -> Store:
        if self._store is None:
            raise DaveError("the Studio is closed; use `async with Studio() as studio:`")
        return self._store

    @property
    def jobs(self) -> JobJournal:
        """The job journal (SQLite's JobStore unless the Store was given another)."""
        return self.store.jobs

    @property
    def assets(self) -> AssetCatalog:
        """The asset catalogue (SQLite's AssetStore unless the Store was given another)."""
        return self.store.assets

    # -- the public verbs ----------------------------------------------------------------

    async def image(self, prompt: str, **options: Any) -> Result:
        """Generate images; options are ImageRequest's fields (n, aspect_ratio, ...)."""
        return await self.run(_build(ImageRequest, prompt=prompt, **options))

    async def edit(
        self,
        prompt: str,
        images: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
        **options: Any,
    ) -> Result:
        """Edit one to three images (paths, URLs or data URIs) as the prompt says."""
        if isinstance(images, str | bytes | os.PathLike):
            images = [images]
        elif isinstance(images, Iterable):
            images = list(images)
        else:
            raise InvalidRequest(
                f"images must be a path, a URL or a list of them, got {type(images).__name__}"
            )
        return await self.run(_build(EditRequest, prompt=prompt, images=images, **options))

    async def video(self, prompt: str, *, wait: bool = True, **options: Any) -> Result:
        """Make a video; `wait=False` returns once the provider has accepted the job."""
        return await self.run(_build(VideoRequest, prompt=prompt, **options), wait=wait)

    async def upscale(self, image: str | os.PathLike[str], **options: Any) -> Result:
        """Upscale one image (Stability); `mode` is fast, conservative or creative."""
        return await self.run(_build(UpscaleRequest, image=image, **options))

    async def control(
        self, image: str | os.PathLike[str], prompt: str = "", **options: Any
    ) -> Result:
        """An image guided by another (Stability); `mode` is sketch, structure, style or
        style-transfer (with `style_image`)."""
        return await self.run(_build(ControlRequest, image=image, prompt=prompt, **options))

    async def music(self, prompt: str = "", **options: Any) -> Result:
        """Music or sound: MiniMax songs (default) or Stability's Stable Audio."""
        return await self.run(_build(MusicRequest, prompt=prompt, **options))

    async def lyrics(self, prompt: str = "", **options: Any) -> Result:
        """Song lyrics (MiniMax): written, edited, or read from a `track`."""
        return await self.run(_build(LyricsRequest, prompt=prompt, **options))

    async def run(
        self, request: Request | Mapping[str, Any], *, wait: bool = True, queue: bool = False
    ) -> Result:
        """Validates (before any network call), journals and runs one request; with `queue`,
        journals it `queued` and sends nothing (a `dave worker` runs it)."""
        if isinstance(request, Mapping):
            request = parse_request(request)
        if request.source_fields():
            resolved = await asyncio.to_thread(validate, request)
        else:
            resolved = validate(request)
        for warning in resolved.warnings:
            self._emit("-", "state", message=f"warning: {warning}")
        request = resolved.request
        # A missing key fails here, before anything is journaled.
        self._driver(request.provider, self.settings.offline)
        journal = redact_data(request.model_dump(mode="json", exclude_defaults=False))
        charge = resolved.charge
        links = (
            await asyncio.to_thread(source_assets, resolved.sources, self.assets)
            if resolved.sources
            else []
        )
        with self.store.together():
            job = self._journal(request, resolved, journal, charge, queue)
            self.store.lineage.link(job.id, links)
        self._emit(job.id, "state", state=job.state.value)
        if queue:
            return self.result(job)
        return await self._advance(job, wait=wait)

    async def work(self, job: Job) -> Result:
        """Runs a job a worker has claimed, from wherever it stands: a queued one is started;
        one found mid-submit (its worker died with the paid request on the wire) becomes
        `unknown` and is never resent by itself; the rest are polled or fetched."""
        if job.state is JobState.QUEUED:
            job = self.jobs.transition(
                job.id, JobState.CREATED, expect={JobState.QUEUED}, detail="claimed"
            )
        elif job.state is JobState.SUBMITTING:
            job = self._mark_unknown(job, "its worker stopped mid-submit")
        return await self._advance(job, wait=True)

    def _journal(
        self,
        request: Request,
        resolved: ResolvedRequest,
        journal: dict[str, Any],
        charge: Charge | None,
        queue: bool,
    ) -> Job:
        return self.jobs.create(
            request.provider,
            request.kind,
            resolved.model,
            journal,
            price=charge.amount if charge else None,
            price_unit=charge.unit if charge else None,
            price_basis=charge.basis if charge else None,
            price_estimate=charge.estimate if charge else False,
            offline=self.settings.offline,
            queued=queue,
        )

    async def wait(self, job_id: str) -> Result:
        """Follows one job to its end: polls, downloads, records."""
        return await self._advance(self.jobs.get(job_id), wait=True)

    async def resume(
        self, job_id: str | None = None, *, resubmit: bool = False, offline: bool | None = None
    ) -> list[Result]:
        """Finishes what a crash left: never resends a paid request unless `resubmit`. Each
        job goes where it was first sent; `offline=True` takes only the emulator's jobs,
        `False` only the providers'."""
        if resubmit and not job_id:
            raise InvalidRequest(
                "--resubmit sends a paid request again, so it takes one job id",
                hint="`dave jobs list --state unknown`, then `dave jobs resume ID --resubmit`",
            )
        unfinished = self.jobs.unfinished()
        staged = [
            entry["staged"]
            for job in unfinished
            for entry in (job.result or {}).get("outputs", [])
            if entry.get("staged")
        ]
        self.store.media.clean_temps(older_than_s=3600, keep=staged)
        # Queued jobs wait for a worker (`dave worker`); naming one runs it here.
        jobs = (
            [self.jobs.get(job_id)]
            if job_id
            else [
                job
                for job in unfinished
                if (offline is None or job.offline == offline) and job.state is not JobState.QUEUED
            ]
        )
        results = []
        for job in jobs:
            if job.state is JobState.QUEUED:
                job = self.jobs.transition(
                    job.id, JobState.CREATED, expect={JobState.QUEUED}, detail="resumed"
                )
            if job.state is JobState.UNKNOWN and resubmit:
                job = self.jobs.transition(
                    job.id, JobState.CREATED, expect={JobState.UNKNOWN}, detail="resubmit"
                )
            elif job.state is JobState.SUBMITTING:
                if other_live_process(job.owner):
                    self._emit(
                        job.id, "state", message=f"{job.id}: still being sent by {job.owner}"
                    )
                    continue
                job = self._mark_unknown(job, "found mid-submit after a crash")
            results.append(await self._settle(job))
        return results

    async def cancel(self, job_id: str) -> Job:
        """Stops tracking an unfinished job (x.ai has no cancel: it may still bill it)."""
        job = self.jobs.get(job_id)
        if job.terminal:
            raise DaveError(f"job {job.id} is already {job.state.value}")
        return self.jobs.transition(
            job.id, JobState.CANCELLED, expect={job.state}, detail="cancelled by the user"
        )

    def result(self, job: Job) -> Result:
        assets = self.assets.for_job(job.id)
        for asset in assets:  # a team library's file made elsewhere comes into the cache
            self.store.media.fetch(asset.path)
        return Result(job, assets, self.store.media.root)

    # -- the steps -----------------------------------------------------------------------

    async def _settle(self, job: Job) -> Result:
        """Like _advance for resume: one job's failure does not stop the others."""
        try:
            return await self._advance(job, wait=True)
        except DaveError as error:
            self._emit(job.id, "state", message=f"{job.id}: {error.user_line()}")
            return self.result(self.jobs.get(job.id))

    async def _advance(self, job: Job, *, wait: bool) -> Result:
        try:
            if job.state is JobState.CREATED:
                job = await self._submit(job)
            if job.state is JobState.SUBMITTED:
                if not wait:
                    return self.result(job)
                job = await self._poll(job)
            if job.state is JobState.DOWNLOADING:
                job = await self._keeper.download(job)
        except DaveError as error:
            error.job_id = job.id
            raise
        ended = _ENDED_BADLY.get(job.state)
        if ended is not None:
            failure = ended(job.error or f"the job is {job.state.value}", provider=job.provider)
            failure.job_id = job.id
            raise failure
        return self.result(job)

    async def _submit(self, job: Job) -> Job:
        request = parse_request(job.request)
        driver = self._driver_for(job)
        try:
            send = await driver.prepare(request)
        except DaveError as error:  # a source vanished or changed: nothing was sent
            self._move(job, JobState.FAILED, error=error.user_line(), error_code="invalid")
            raise
        # Claim the job first: of two processes resuming it, only one gets past this line.
        job = self._move(
            job,
            JobState.SUBMITTING,
            expect={JobState.CREATED},
            count_attempt=True,
            owner=THIS_PROCESS,
        )
        try:
            submission = await send()
        except OutcomeUnknown as error:
            self._mark_unknown(job, error.message)
            raise
        except ProviderError as error:
            self._move(job, JobState.FAILED, error=error.user_line(), error_code=_code(error))
            raise
        except BaseException as error:
            # Cancelled or crashed while the request may be on the wire: never guess.
            self._mark_unknown(job, f"interrupted while sending ({type(error).__name__})")
            raise
        if submission.result is not None:
            return await self._accept_outputs(job, submission.result, submission.provider_job_id)
        return self._move(
            job,
            JobState.SUBMITTED,
            expect={JobState.SUBMITTING, JobState.UNKNOWN},
            provider_job_id=submission.provider_job_id,
        )

    async def _poll(self, job: Job) -> Job:
        if not job.provider_job_id:
            return self._mark_unknown(job, "submitted without a provider job id")
        driver = self._driver_for(job)
        schedule = PollSchedule(self._expected_s(job), floor_s=self._poll_floor_s)
        started = time.monotonic()
        submitted_age = _age_s(job.updated_at)
        last_progress: int | None = None
        while True:
            # The provider's progress describes the moment the poll left, not its answer's
            # arrival: time it from the send, and count the round trip as part of the wait.
            sent = time.monotonic()
            try:
                status = await driver.status(job.kind, job.provider_job_id)
            except (ProviderUnavailable, RateLimited) as error:
                # The paid part is done; only the polling failed, and it can start again.
                error.hint = f"the job is still with {job.provider}; `dave jobs wait {job.id}`"
                raise
            if status.state is not RemoteState.PENDING:
                return await self._finish_remote(job, status)
            if status.progress is not None and status.progress != last_progress:
                last_progress = status.progress
                self._emit(job.id, "progress", progress=status.progress)
            # Every answer, changed or not: a door that must show life (MCP) hears each poll.
            self._emit(job.id, "poll", progress=status.progress)
            now = time.monotonic()
            if now - started > self._wait_timeout_s:
                raise DaveError(
                    f"job {job.id} is still running after {now - started:.0f}s",
                    hint=f"`dave jobs wait {job.id}` picks it up later",
                )
            delay = schedule.delay(submitted_age + (sent - started), status.progress)
            await asyncio.sleep(max(0.0, delay - (now - sent)))

    async def _finish_remote(self, job: Job, status: Status) -> Job:
        if status.state is RemoteState.DONE:
            return await self._accept_outputs(job, status, None)
        message = status.error_message or f"the job ended {status.state.value}"
        if status.state is RemoteState.EXPIRED:
            self._move(job, JobState.EXPIRED, error=message, error_code="expired")
            raise JobExpired(message, provider=job.provider, code=status.error_code)
        self._move(job, JobState.FAILED, error=message, error_code=status.error_code)
        raise JobFailed(message, provider=job.provider, code=status.error_code)

    async def _accept_outputs(self, job: Job, status: Status, provider_job_id: str | None) -> Job:
        """Journals the outputs (URLs, or inline bytes written to staging files) before
        fetching any of them."""
        if not status.outputs:
            message = f"all {status.moderated or 1} output(s) refused by the content policy"
            self._move(
                job,
                JobState.FAILED,
                error=message,
                error_code="moderated",
                cost_usd=status.cost_usd,
            )
            raise Moderated(message, provider=job.provider, code="moderated")
        outputs = await asyncio.to_thread(self._keeper.stage_inline, status.outputs)
        result: dict[str, Any] = {
            "outputs": [output.journal() for output in outputs],
            "moderated": status.moderated,
        }
        if status.details:
            result["details"] = status.details
        return self._move(
            job,
            JobState.DOWNLOADING,
            provider_job_id=provider_job_id,
            result=result,
            cost_usd=status.cost_usd,
        )

    # -- helpers -------------------------------------------------------------------------

    def _driver(self, provider: str, offline: bool) -> Driver:
        """The provider's client, or (offline) the same client pointed at the emulator."""
        key = (provider, offline)
        if key not in self._drivers:
            settings = self.settings
            if settings.offline != offline:
                settings = replace(settings, offline=offline)
            self._drivers[key] = open_driver(provider, settings)
        return self._drivers[key]

    def _driver_for(self, job: Job) -> Driver:
        """Follow-ups go where the job was sent: an emulator job to the emulator, whether or
        not this Studio was opened offline."""
        return self._driver(job.provider, job.offline)

    def _expected_s(self, job: Job) -> float:
        typical = self._driver_for(job).typical_job_s
        if typical is not None:
            return typical
        history = self.jobs.recent_durations(job.provider, job.kind, job.model)
        return expected_duration(history, job.kind)

    def _move(self, job: Job, state: JobState, **changes: Any) -> Job:
        if changes.get("error"):
            changes["error"] = redact(changes["error"])
        moved = self.jobs.transition(job.id, state, **changes)
        self._emit(job.id, "state", state=state.value)
        return moved

    def _mark_unknown(self, job: Job, why: str) -> Job:
        return self._move(job, JobState.UNKNOWN, error=why, error_code="outcome_unknown")

    def _emit(self, job_id: str, kind: str, **fields: Any) -> None:
        self._on_event(StudioEvent(job_id=job_id, kind=kind, **fields))


def _build(request_type: type[Request], **fields: Any) -> Request:
    from pydantic import ValidationError

    fields = {key: _plain(value) for key, value in fields.items()}
    try:
        return request_type(**fields)
    except ValidationError as error:  # the request models convert most; this is the backstop
        raise invalid_request(error) from None


def _plain(value: Any) -> Any:
    """Paths are welcome wherever a source goes; the request models hold text."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _code(error: ProviderError) -> str:
    return error.code or (str(error.status) if error.status else type(error).__name__)


def _age_s(timestamp: str) -> float:
    from dave.store.ids import parse_timestamp

    try:
        return max(0.0, time.time() - parse_timestamp(timestamp).timestamp())
    except ValueError:
        return 0.0
