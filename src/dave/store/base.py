"""The small interfaces the layers above program against: a job journal and an asset catalogue.

Not an implementation: SQLite lives in jobs.py and assets.py, a PostgreSQL one would go beside it.
"""

# A PostgreSQL back end would implement these two protocols, with workers claiming jobs through
# `transition(expect=…)` as `SELECT … FOR UPDATE SKIP LOCKED`; the media folder could become S3
# the same way, without touching providers or the Studio.

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any, Protocol, runtime_checkable

from .assets import Asset, AssetPage
from .jobs import CostLine, Job, JobEvent, JobState


@runtime_checkable
class JobJournal(Protocol):
    def create(
        self,
        provider: str,
        kind: str,
        model: str,
        request: dict[str, Any],
        *,
        price: float | None = None,
        price_unit: str | None = None,
        price_basis: str | None = None,
        price_estimate: bool = False,
        offline: bool = False,
        queued: bool = False,
    ) -> Job: ...

    def claim(
        self,
        owner: str,
        limit: int,
        lease_s: float,
        *,
        provider: str | None = None,
        offline: bool | None = None,
        caps: Mapping[str, int] | None = None,
    ) -> builtins.list[Job]: ...

    def renew(self, owner: str, job_ids: Iterable[str], lease_s: float) -> set[str]: ...

    def release(self, owner: str, job_id: str) -> None: ...

    def transition(
        self,
        job_id: str,
        state: JobState | str,
        *,
        expect: Iterable[JobState | str] | None = None,
        provider_job_id: str | None = None,
        result: dict[str, Any] | None = None,
        error: str | None = None,
        error_code: str | None = None,
        cost_usd: float | None = None,
        detail: str | None = None,
        count_attempt: bool = False,
    ) -> Job: ...

    def update_result(self, job_id: str, result: dict[str, Any]) -> Job: ...

    def get(self, job_id: str) -> Job: ...

    def many(self, job_ids: Iterable[str]) -> dict[str, Job]: ...

    def list(
        self,
        states: Iterable[JobState | str] | None = None,
        provider: str | None = None,
        limit: int = 50,
        offset: int = 0,
        *,
        kind: str | None = None,
        offline: bool | None = None,
    ) -> builtins.list[Job]: ...

    def unfinished(self, *, offline: bool | None = None) -> builtins.list[Job]: ...

    def events(self, job_id: str) -> builtins.list[JobEvent]: ...

    def events_since(self, event_id: int, limit: int = 200) -> builtins.list[JobEvent]: ...

    def last_event_id(self) -> int: ...

    def recent_durations(
        self, provider: str, kind: str, model: str, limit: int = 20
    ) -> builtins.list[float]: ...

    def cost_summary(
        self, since: str | None = None, *, offline: bool = False
    ) -> builtins.list[CostLine]:
        """The ledger summed by provider, model, UTC day and unit (jobs sent, not failed): the
        providers' jobs, or with `offline` the emulator's."""
        ...

    def count(self, states: Iterable[JobState | str] | None = None) -> int: ...


@runtime_checkable
class AssetCatalog(Protocol):
    def add(
        self,
        *,
        kind: str,
        path: str | PurePath,
        sha256: str,
        bytes: int,
        job_id: str | None = None,
        index: int = 0,
        provider: str | None = None,
        mime: str | None = None,
        width: int | None = None,
        height: int | None = None,
        duration_s: float | None = None,
        prompt: str | None = None,
        params: dict[str, Any] | None = None,
        created_at: str | None = None,
    ) -> Asset: ...

    def get(self, asset_id: str) -> Asset: ...

    def list(
        self, limit: int = 50, offset: int = 0, kind: str | None = None, *, published: bool = False
    ) -> builtins.list[Asset]: ...

    def search(self, text: str, limit: int = 50) -> builtins.list[Asset]: ...

    def page(
        self,
        *,
        q: str | None = None,
        provider: str | None = None,
        kind: str | None = None,
        since: str | None = None,
        before: str | None = None,
        cursor: str | None = None,
        limit: int = 60,
    ) -> AssetPage: ...

    def added_since(self, seq: int, limit: int = 100) -> builtins.list[tuple[int, Asset]]: ...

    def last_seq(self) -> int: ...

    def for_job(self, job_id: str) -> builtins.list[Asset]: ...

    def by_sha256(self, sha256: str) -> builtins.list[Asset]: ...

    def count(self, kind: str | None = None) -> int: ...
