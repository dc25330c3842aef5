"""Keeping a job's outputs: download (or read the staged inline bytes), verify, commit into the
media folder, record the asset rows, and end the job `done`, in that order, so a crash at any
moment leaves either the journal's promise of a file or the file itself.

Not for sending or polling (the Studio) nor for what makes a file valid (verify.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from dave.core.errors import (
    DaveError,
    ProviderUnavailable,
    RateLimited,
    StoreError,
    VerificationFailed,
)
from dave.media.driver_protocol import Driver
from dave.media.requests import OUTPUT_MEDIUM
from dave.media.verify import MediaInfo, verify
from dave.providers.base import Output
from dave.store import Store
from dave.store.assets import Asset
from dave.store.jobs import Job, JobState

#: A download that does not decode is fetched again this many times before giving up.
DOWNLOAD_CHECKS = 3

#: Moves a job to a state and tells the Studio's listeners (Studio._move).
Move = Callable[..., Job]
#: Tells the Studio's listeners of an event of one job (Studio._emit).
Emit = Callable[..., None]


class Keeper:
    """Keeps the outputs of the jobs of one Studio."""

    def __init__(
        self, store: Store, driver_for: Callable[[Job], Driver], move: Move, emit: Emit
    ) -> None:
        self._store = store
        self._driver_for = driver_for
        self._move = move
        self._emit = emit

    def stage_inline(self, outputs: list[Output]) -> list[Output]:
        """Writes inline bytes to staging files, so the journal holds a name, not megabytes."""
        media = self._store.media
        return [
            replace(output, data=None, staged=media.stage_bytes(output.data).name)
            if output.data is not None
            else output
            for output in outputs
        ]

    async def download(self, job: Job) -> Job:
        """Fetches, verifies and files every output the job's journal names that the library
        does not hold yet; the last one and the job's end are one write."""
        outputs = [Output.from_journal(entry) for entry in (job.result or {}).get("outputs", [])]
        kept = {asset.index: asset for asset in self._store.assets.for_job(job.id)}
        missing = [index for index in range(len(outputs)) if index not in kept]
        for index in missing:
            output = outputs[index]
            try:
                fields = await self._keep(job, index, output)
            except (ProviderUnavailable, RateLimited, VerificationFailed) as error:
                if output.url is None:
                    # The bytes came inside the paid answer and are broken (or their staged
                    # copy is gone): nothing can fetch them again, so the job ends here.
                    error.hint = (
                        f"the provider's answer held a broken file; see `dave jobs show {job.id}`"
                    )
                    self._move(
                        job, JobState.FAILED, error=error.user_line(), error_code="broken_output"
                    )
                    raise
                # Paid for and journaled: only the fetch failed, and it can start again.
                error.hint = (
                    f"the result is paid for and journaled; `dave jobs resume {job.id}` "
                    "fetches it again"
                )
                self._move(job, JobState.DOWNLOADING, error=error.user_line())
                raise
            except StoreError as error:
                # The library could not take the file (a full disk, S3 down): what was
                # fetched or staged waits for the resume.
                paid = f"the result is paid for and journaled; `dave jobs resume {job.id}` keeps it"
                error.hint = f"{error.hint}; {paid}" if error.hint else paid
                self._move(job, JobState.DOWNLOADING, error=error.user_line())
                raise
            if index != missing[-1]:
                kept[index] = self._store.assets.add(**fields)
                continue
            # The last file and the job's end are one write: a crash leaves both or neither.
            with self._store.together():
                kept[index] = self._store.assets.add(**fields)
                return self._finish(job, kept)
        return self._finish(job, kept)

    def _finish(self, job: Job, kept: dict[int, Asset]) -> Job:
        # Inline bytes now live in the library: keep the journal small, point at the files.
        result = dict(job.result or {})
        result["outputs"] = [
            {k: v for k, v in entry.items() if k not in ("b64", "staged")}
            | {"sha256": kept[i].sha256}
            for i, entry in enumerate(result.get("outputs", []))
        ]
        return self._move(job, JobState.DONE, result=result, clear_error=True)

    async def _keep(self, job: Job, index: int, output: Output) -> dict[str, Any]:
        """Fetches, verifies and files one output; returns its asset row, not yet recorded."""
        medium = OUTPUT_MEDIUM.get(job.kind, "image")
        media = self._store.media
        for check in range(1, DOWNLOAD_CHECKS + 1):
            staging, expected = await self._fetch(job, output)
            try:
                info: MediaInfo = await asyncio.to_thread(
                    verify, staging.path, medium, expected_bytes=expected
                )
            except VerificationFailed as error:
                staging.discard()
                if output.url is None or check == DOWNLOAD_CHECKS:
                    # Not verify's message: it names a temp file that is gone by now.
                    what = _problem(error, staging.path)
                    how = f"downloaded {check} times" if output.url else "sent inline"
                    raise VerificationFailed(
                        f"{job.provider}: output {index + 1} ({how}) is not a valid {medium}: "
                        f"{what}"
                    ) from None
                continue
            path = await asyncio.to_thread(media.commit, staging, info.ext)
            return dict(
                kind=medium,
                path=media.relative(path),
                sha256=staging.sha256,
                bytes=staging.bytes,
                job_id=job.id,
                index=index,
                provider=job.provider,
                mime=info.mime,
                width=info.width,
                height=info.height,
                duration_s=info.duration_s,
                prompt=str(job.request.get("prompt", "")),
                params={
                    key: value
                    for key, value in job.request.items()
                    if key not in ("prompt", "kind") and value not in (None, [], "")
                },
            )
        raise AssertionError("unreachable")

    async def _fetch(self, job: Job, output: Output) -> tuple[Any, int | None]:
        media = self._store.media
        if output.staged is not None:
            try:
                staging = await asyncio.to_thread(media.reopen, output.staged)
            except (OSError, DaveError):
                raise VerificationFailed(
                    f"job {job.id}: the staged result {output.staged} is gone"
                ) from None
            return staging, staging.bytes
        if output.data is not None:  # writing and syncing a file: off the event loop
            return await asyncio.to_thread(media.stage_bytes, output.data), len(output.data)
        if not output.url:
            raise VerificationFailed(f"job {job.id}: an output has neither URL nor bytes")
        driver = self._driver_for(job)
        staging, download = await driver.download(output.url, media.stage)
        self._emit(job.id, "download", done_bytes=download.bytes, total_bytes=download.bytes)
        return staging, download.bytes


def _problem(error: VerificationFailed, path: Path) -> str:
    """What verify found, without the temp file's name: `not a decodable image`."""
    # The decoder's own detail, in brackets, repeats the temp file's name: leave it out.
    return error.message.removeprefix(f"{path}: ").split(" (", 1)[0]
