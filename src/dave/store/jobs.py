"""The journal of paid requests: one row per job, one event per change of state.

Not for calling providers or deciding what to do next (that is media.Studio); it records.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum, StrEnum
from pathlib import PurePath
from typing import Any

from dave.core.errors import NotFound, StoreError

from .db import Connection, Row, SqlDatabase
from .ids import (
    TIMESTAMP_FORMAT,
    new_id,
    normalize_prefix,
    parse_timestamp,
    prefix_upper_bound,
    utc_now,
)


class JobState(StrEnum):
    QUEUED = "queued"  # validated and journaled for a worker; nothing sent
    CREATED = "created"  # validated and journaled; nothing sent
    SUBMITTING = "submitting"  # the billable request may be on the wire
    SUBMITTED = "submitted"  # the provider accepted it; its id or answer is journaled
    DOWNLOADING = "downloading"  # output URLs or bytes journaled; files being fetched
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"  # sent, answer lost: may have been done and charged


#: Where PostgreSQL tells idle workers that a job was queued.
QUEUE_CHANNEL = "dave_jobs_queued"

TERMINAL: frozenset[JobState] = frozenset(
    {JobState.DONE, JobState.FAILED, JobState.EXPIRED, JobState.CANCELLED, JobState.UNKNOWN}
)
UNFINISHED: frozenset[JobState] = frozenset(JobState) - TERMINAL


class StateConflict(StoreError):
    """A compare-and-set transition found the job in another state; nothing was changed."""

    def __init__(self, job_id: str, state: JobState, expected: Iterable[JobState], to: JobState):
        wanted = " or ".join(sorted(s.value for s in expected))
        super().__init__(
            f"job {job_id} is {state.value!r}, not {wanted}; not moving it to {to.value!r}"
        )
        self.job_id = job_id
        self.state = state
        self.expected = frozenset(expected)
        self.to = to


@dataclass(frozen=True)
class Job:
    id: str
    provider: str
    kind: str
    model: str
    state: JobState
    request: dict[str, Any]
    provider_job_id: str | None
    result: dict[str, Any] | None
    error: str | None
    error_code: str | None
    cost_usd: float | None
    attempts: int
    created_at: str
    updated_at: str
    owner: str | None = None
    #: The documented list price when journaled, in `price_unit` (usd or credits).
    price: float | None = None
    price_unit: str | None = None
    #: How the price was reached, and whether it rests on an assumption (an estimate).
    price_basis: str | None = None
    price_estimate: bool = False
    #: Sent to the built-in emulator rather than the provider.
    offline: bool = False
    #: The worker holding the job, and until when (a lapsed lease lets another take it).
    lease_owner: str | None = None
    lease_until: str | None = None

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL

    @property
    def charged_usd(self) -> float | None:
        """What the provider reported it charged (x.ai's usage), when it reports it."""
        return self.cost_usd

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields (for `--json` output)."""
        return {
            "id": self.id,
            "provider": self.provider,
            "kind": self.kind,
            "model": self.model,
            "state": self.state.value,
            "request": self.request,
            "provider_job_id": self.provider_job_id,
            "result": self.result,
            "error": self.error,
            "error_code": self.error_code,
            "price": self.price,
            "price_unit": self.price_unit,
            "price_estimate": self.price_estimate,
            "price_basis": self.price_basis,
            "charged_usd": self.cost_usd,
            "offline": self.offline,
            "attempts": self.attempts,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True)
class CostLine:
    """One line of the cost ledger: a provider's model on one UTC day, in one unit."""

    provider: str
    model: str
    day: str
    #: usd or credits; None for jobs journaled without a known price.
    unit: str | None
    jobs: int
    #: The sum of the jobs' list prices in `unit`; None when `unit` is None.
    amount: float | None


@dataclass(frozen=True)
class JobEvent:
    id: int
    job_id: str
    at: str
    state: JobState
    detail: str | None


def _json_default(value: object) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, PurePath):
        return value.as_posix()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dump_json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_default)
    except (TypeError, ValueError) as error:
        raise StoreError(f"cannot journal this value as JSON: {error}") from error


def _row_to_job(row: Row) -> Job:
    return Job(
        id=row["id"],
        provider=row["provider"],
        kind=row["kind"],
        model=row["model"],
        state=JobState(row["state"]),
        request=json.loads(row["request_json"]),
        provider_job_id=row["provider_job_id"],
        result=json.loads(row["result_json"]) if row["result_json"] is not None else None,
        error=row["error"],
        error_code=row["error_code"],
        cost_usd=row["cost_usd"],
        attempts=row["attempts"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        owner=row["owner"],
        lease_owner=row["lease_owner"],
        lease_until=row["lease_until"],
        price=row["price"],
        price_unit=row["price_unit"],
        price_basis=row["price_basis"],
        price_estimate=bool(row["price_estimate"]),
        offline=bool(row["offline"]),
    )


def _after(seconds: float) -> str:
    """The timestamp `seconds` from now, in the journal's sortable form."""
    return (datetime.now(UTC) + timedelta(seconds=seconds)).strftime(TIMESTAMP_FORMAT)


def _row_to_event(row: Row) -> JobEvent:
    return JobEvent(
        id=row["id"],
        job_id=row["job_id"],
        at=row["at"],
        state=JobState(row["state"]),
        detail=row["detail"],
    )


def _state(state: JobState | str) -> JobState:
    try:
        return JobState(state)
    except ValueError:
        raise StoreError(f"{state!r} is not a job state") from None


def _states(states: Iterable[JobState | str]) -> list[str]:
    return [_state(s).value for s in states]


class JobStore:
    """Jobs in a SQLite `Database` or on PostgreSQL. Every method is one short transaction or
    one read."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

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
    ) -> Job:
        """Journal a new job in state `created` (the request is stored exactly as given), or
        `queued` for a worker to claim; `offline` says it goes to the built-in emulator."""
        job_id = new_id("j")
        now = utc_now()
        request_json = dump_json(request)
        state = (JobState.QUEUED if queued else JobState.CREATED).value
        priced = (price, price_unit, price_basis, int(price_estimate), int(offline))
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO jobs (id, provider, kind, model, state, request_json,"
                " created_at, updated_at, price, price_unit, price_basis, price_estimate,"
                " offline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (job_id, provider, kind, model, state, request_json, now, now, *priced),
            )
            conn.execute(
                "INSERT INTO job_events (job_id, at, state, detail) VALUES (?, ?, ?, ?)",
                (job_id, now, state, None),
            )
            if queued and self.db.dialect == "postgres":
                conn.execute(f"NOTIFY {QUEUE_CHANNEL}")  # idle workers wake on commit
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _row_to_job(row)

    def claim(
        self,
        owner: str,
        limit: int,
        lease_s: float,
        *,
        provider: str | None = None,
        offline: bool | None = None,
        caps: Mapping[str, int] | None = None,
    ) -> builtins.list[Job]:
        """Takes up to `limit` jobs for `owner` and leases them for `lease_s` seconds: queued
        jobs first, oldest first, then unfinished jobs whose worker's lease ran out (it died).
        `caps` bounds how many jobs of a provider all workers together may hold at once.
        One transaction: two workers never hold the same job, nor go past a cap together."""
        now = utc_now()
        until = _after(lease_s)
        only = ""
        params: builtins.list[Any] = [now]
        if provider is not None:
            only += " AND provider = ?"
            params.append(provider)
        if offline is not None:
            only += f" AND offline = {int(offline)}"
        lapsed = _states(UNFINISHED - {JobState.QUEUED})
        caps = dict(caps or {})
        with self.db.transaction() as conn:
            room = self._room(conn, caps, now)
            rows = conn.execute(
                "SELECT id, provider FROM jobs WHERE (state = 'queued' OR (lease_owner IS NOT NULL"
                f" AND state IN ({', '.join('?' * len(lapsed))})))"
                f" AND (lease_until IS NULL OR lease_until < ?){only}"
                " ORDER BY state != 'queued', created_at, id LIMIT ?"
                # PostgreSQL: rows another worker is claiming are passed over, not waited on.
                # SQLite's write transaction already holds the whole file.
                + (" FOR UPDATE SKIP LOCKED" if self.db.dialect == "postgres" else ""),
                # Capped providers may have to be skipped over: look a little further.
                [*lapsed, *params, int(limit) * (4 if caps else 1)],
            ).fetchall()
            ids = []
            for row in rows:
                left = room.get(row["provider"])
                if left is not None:
                    if left <= 0:
                        continue
                    room[row["provider"]] = left - 1
                ids.append(row["id"])
            ids = ids[: int(limit)]
            if not ids:
                return []
            claimed = conn.execute(
                f"UPDATE jobs SET lease_owner = ?, lease_until = ? WHERE id IN"
                f" ({', '.join('?' * len(ids))}) RETURNING *",
                [owner, until, *ids],
            ).fetchall()
        jobs = {row["id"]: _row_to_job(row) for row in claimed}
        return [jobs[job_id] for job_id in ids]

    @staticmethod
    def _room(conn: Connection, caps: dict[str, int], now: str) -> dict[str, int]:
        """How many more jobs of each capped provider may be held now."""
        if not caps:
            return {}
        ended = _states(TERMINAL)
        rows = conn.execute(
            "SELECT provider, count(*) AS held FROM jobs WHERE lease_owner IS NOT NULL"
            f" AND lease_until >= ? AND state NOT IN ({', '.join('?' * len(ended))})"
            " GROUP BY provider",
            [now, *ended],
        ).fetchall()
        held = {row["provider"]: int(row["held"]) for row in rows}
        return {name: cap - held.get(name, 0) for name, cap in caps.items()}

    def renew(self, owner: str, job_ids: Iterable[str], lease_s: float) -> set[str]:
        """Extends `owner`'s leases on these jobs; the ids it still holds."""
        wanted = list(job_ids)
        if not wanted:
            return set()
        with self.db.transaction() as conn:
            rows = conn.execute(
                f"UPDATE jobs SET lease_until = ? WHERE lease_owner = ? AND id IN"
                f" ({', '.join('?' * len(wanted))}) RETURNING id",
                [_after(lease_s), owner, *wanted],
            ).fetchall()
        return {row["id"] for row in rows}

    def release(self, owner: str, job_id: str) -> None:
        """Gives the job back: another worker may claim it at once (if it is unfinished)."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE jobs SET lease_owner = NULL, lease_until = NULL"
                " WHERE id = ? AND lease_owner = ?",
                (job_id, owner),
            )

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
        owner: str | None = None,
        clear_error: bool = False,
    ) -> Job:
        """Move a job to `state` and write an event, in one transaction.

        With `expect`, this is a compare-and-set: if the job's state is not one of `expect`,
        nothing changes and StoreError is raised. Two processes resuming the same job both
        ask for `created → submitting`; exactly one of them wins. Fields left None keep their
        value; `count_attempt` adds one to `attempts` (the billable request is being sent).
        """
        new_state = _state(state)
        expected = set(_states(expect)) if expect is not None else None
        now = utc_now()
        sets = ["state = ?", "updated_at = ?"]
        values: list[Any] = [new_state.value, now]
        for column, value in (
            ("provider_job_id", provider_job_id),
            ("result_json", dump_json(result) if result is not None else None),
            ("error", error),
            ("error_code", error_code),
            ("cost_usd", cost_usd),
            ("owner", owner),
        ):
            if value is not None:
                sets.append(f"{column} = ?")
                values.append(value)
        if count_attempt:
            sets.append("attempts = attempts + 1")
        if clear_error:  # a resubmitted job that succeeds no longer carries the old failure
            sets.append("error = NULL, error_code = NULL")
        with self.db.transaction() as conn:
            # The Studio passes full ids: one lookup, and a prefix search only when that misses.
            full_id = job_id
            current = conn.execute("SELECT state FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if current is None:
                full_id = self._resolve(conn, job_id)
                current = conn.execute("SELECT state FROM jobs WHERE id = ?", (full_id,)).fetchone()
            if expected is not None and current["state"] not in expected:
                raise StateConflict(
                    full_id, JobState(current["state"]), {JobState(s) for s in expected}, new_state
                )
            row = conn.execute(
                f"UPDATE jobs SET {', '.join(sets)} WHERE id = ? RETURNING *", [*values, full_id]
            ).fetchone()
            conn.execute(
                "INSERT INTO job_events (job_id, at, state, detail) VALUES (?, ?, ?, ?)",
                (full_id, now, new_state.value, detail),
            )
        return _row_to_job(row)

    def update_result(self, job_id: str, result: dict[str, Any]) -> Job:
        """Replace the journaled provider answer without changing the state."""
        result_json = dump_json(result)
        with self.db.transaction() as conn:
            full_id = self._resolve(conn, job_id)
            conn.execute(
                "UPDATE jobs SET result_json = ?, updated_at = ? WHERE id = ?",
                (result_json, utc_now(), full_id),
            )
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (full_id,)).fetchone()
        return _row_to_job(row)

    def get(self, job_id: str) -> Job:
        """The job with this id or unique id prefix (`j_01J0Z7`, `01j0z7`); NotFound otherwise."""
        with self.db.read() as conn:
            full_id = self._resolve(conn, job_id)
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (full_id,)).fetchone()
        return _row_to_job(row)

    def many(self, job_ids: Iterable[str]) -> dict[str, Job]:
        """The jobs with these full ids, by id (ids not in the journal are left out)."""
        wanted = list(dict.fromkeys(job_ids))
        found: dict[str, Job] = {}
        for start in range(0, len(wanted), 500):  # under SQLite's bound on parameters
            chunk = wanted[start : start + 500]
            rows = self.db.query(
                f"SELECT * FROM jobs WHERE id IN ({', '.join('?' * len(chunk))})", chunk
            )
            found.update((row["id"], _row_to_job(row)) for row in rows)
        return found

    def list(
        self,
        states: Iterable[JobState | str] | None = None,
        provider: str | None = None,
        limit: int = 50,
        offset: int = 0,
        *,
        kind: str | None = None,
        offline: bool | None = None,
    ) -> builtins.list[Job]:
        """Jobs newest first, optionally only those in `states`, from `provider`, of `kind`,
        sent to the emulator (`offline=True`) or not (`False`)."""
        where: builtins.list[str] = []
        params: builtins.list[Any] = []
        if states is not None:
            names = _states(states)
            if not names:
                return []
            where.append(f"state IN ({', '.join('?' * len(names))})")
            params.extend(names)
        if provider is not None:
            where.append("provider = ?")
            params.append(provider)
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        if offline is not None:
            where.append("offline = ?")
            params.append(int(offline))
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self.db.query(
            f"SELECT * FROM jobs {clause} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            [*params, int(limit), int(offset)],
        )
        return [_row_to_job(row) for row in rows]

    def unfinished(self, *, offline: bool | None = None) -> builtins.list[Job]:
        """Jobs not yet ended (queued, created, submitting, submitted, downloading), oldest
        first; only the emulator's (`offline=True`) or only the providers' (`False`)."""
        names = _states(UNFINISHED)
        only = "" if offline is None else f" AND offline = {int(offline)}"
        rows = self.db.query(
            f"SELECT * FROM jobs WHERE state IN ({', '.join('?' * len(names))}){only}"
            " ORDER BY created_at, id",
            names,
        )
        return [_row_to_job(row) for row in rows]

    def events(self, job_id: str) -> builtins.list[JobEvent]:
        """The job's history, oldest first."""
        with self.db.read() as conn:
            full_id = self._resolve(conn, job_id)
            rows = conn.execute(
                "SELECT * FROM job_events WHERE job_id = ? ORDER BY id", (full_id,)
            ).fetchall()
        return [_row_to_event(row) for row in rows]

    def events_since(self, event_id: int, limit: int = 200) -> builtins.list[JobEvent]:
        """Every job's events written after `event_id`, oldest first: a change feed any process
        on this journal can follow."""
        rows = self.db.query(
            "SELECT * FROM job_events WHERE id > ? ORDER BY id LIMIT ?", (int(event_id), int(limit))
        )
        return [_row_to_event(row) for row in rows]

    def last_event_id(self) -> int:
        """The newest event's id (0 when there is none): where a change feed starts."""
        row = self.db.query_one("SELECT max(id) FROM job_events")
        return int(row[0]) if row and row[0] is not None else 0

    def recent_durations(
        self, provider: str, kind: str, model: str, limit: int = 20
    ) -> builtins.list[float]:
        """Seconds the provider took (`submitted` → first of `downloading`/`done`) for the most
        recent finished jobs of this provider, kind and model, newest first."""
        rows = self.db.query(
            "SELECT j.id,"
            " min(CASE WHEN e.state = 'submitted' THEN e.at END) AS started,"
            " min(CASE WHEN e.state IN ('downloading', 'done') THEN e.at END) AS ended"
            " FROM (SELECT id, created_at FROM jobs"
            "  WHERE provider = ? AND kind = ? AND model = ? AND state = 'done'"
            "  ORDER BY created_at DESC, id DESC LIMIT ?) AS j"
            " JOIN job_events AS e ON e.job_id = j.id"
            " GROUP BY j.id ORDER BY j.created_at DESC, j.id DESC",
            (provider, kind, model, int(limit)),
        )
        return [
            max(
                0.0,
                (parse_timestamp(row["ended"]) - parse_timestamp(row["started"])).total_seconds(),
            )
            for row in rows
            if row["started"] is not None and row["ended"] is not None
        ]

    def cost_summary(
        self, since: str | None = None, *, offline: bool = False
    ) -> builtins.list[CostLine]:
        """The ledger summed by provider, model, UTC day and unit, oldest day first: the jobs
        whose request was sent (at least one attempt) and that did not fail or expire. Jobs
        created at or after `since` (a `utc_now` timestamp or a prefix such as `2026-11-27`)
        only; the providers' jobs, or with `offline` the emulator's (which cost nothing).
        Jobs without a known price form lines whose unit and amount are None."""
        rows = self.db.query(
            "SELECT provider, model, substr(created_at, 1, 10) AS day, price_unit,"
            " count(*) AS jobs, sum(price) AS amount"
            " FROM jobs WHERE attempts > 0 AND state NOT IN ('failed', 'expired')"
            " AND created_at >= ? AND offline = ?"
            " GROUP BY provider, model, day, price_unit"
            " ORDER BY day, provider, model, price_unit",
            (since or "", int(offline)),
        )
        return [
            CostLine(
                provider=row["provider"],
                model=row["model"],
                day=row["day"],
                unit=row["price_unit"] if row["amount"] is not None else None,
                jobs=int(row["jobs"]),
                amount=row["amount"] if row["price_unit"] is not None else None,
            )
            for row in rows
        ]

    def count(self, states: Iterable[JobState | str] | None = None) -> int:
        if states is None:
            row = self.db.query_one("SELECT count(*) FROM jobs")
        else:
            names = _states(states)
            row = self.db.query_one(
                f"SELECT count(*) FROM jobs WHERE state IN ({', '.join('?' * len(names))})",
                names,
            )
        return int(row[0]) if row else 0

    @staticmethod
    def _resolve(conn: Connection, job_id: str) -> str:
        return resolve_id(conn, "jobs", "j", "job", job_id)


def resolve_id(conn: Connection, table: str, prefix: str, noun: str, text: str) -> str:
    """The one full id in `table` that is `text` or starts with it; NotFound otherwise."""
    if not text or not text.strip():
        raise NotFound(f"no {noun} id given")
    if not text.isascii():  # ids are ASCII; anything else (even undecodable argv) is no id
        raise NotFound(
            f"no {noun} {text.strip()!r}", hint=f"`dave {noun}s list` shows the {noun}s there are"
        )
    row = conn.execute(f"SELECT id FROM {table} WHERE id = ?", (text.strip(),)).fetchone()
    if row is not None:
        return str(row[0])
    start = normalize_prefix(prefix, text)
    rows = conn.execute(
        f"SELECT id FROM {table} WHERE id >= ? AND id < ? ORDER BY id LIMIT 3",
        (start, prefix_upper_bound(start)),
    ).fetchall()
    if not rows:
        raise NotFound(
            f"no {noun} {text.strip()!r}", hint=f"`dave {noun}s list` shows the {noun}s there are"
        )
    if len(rows) > 1:
        shown = ", ".join(r[0] for r in rows[:2])
        raise NotFound(
            f"{noun} id {text.strip()!r} is ambiguous: it starts {shown}"
            f"{' and more' if len(rows) > 2 else ''}",
            hint="give more characters of the id",
        )
    return str(rows[0][0])
