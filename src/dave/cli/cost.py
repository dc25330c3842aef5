"""The body of `dave cost`: the ledger of list prices summed by provider, model or day, one
sum per unit (dollars and credits are never added together).

Reads the store only (JobStore.cost_summary); not for prices themselves (dave.media.prices).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dave.cli.output import NO_PRICE, console, emit_json, price_text, stdout_console
from dave.cli.store import open_store
from dave.core.errors import InvalidRequest

#: What each grouping keeps of a ledger line, in the order its columns print.
GROUPINGS: dict[str, tuple[str, ...]] = {
    "provider": ("provider",),
    "model": ("provider", "model"),
    "day": ("day",),
}
_AGE = re.compile(r"(\d{1,5})([hdw])")
_AGE_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def since_timestamp(text: str | None, now: datetime | None = None) -> str | None:
    """`--since` as the start of the ledger's time range, comparable with created_at (UTC):
    a day (`2026-11-01`), `today`, or an age (`12h`, `7d`, `2w`)."""
    if text is None:
        return None
    from dave.store.ids import TIMESTAMP_FORMAT

    now = now or datetime.now(UTC)
    value = text.strip().lower()
    if value == "today":
        return now.date().isoformat()
    age = _AGE.fullmatch(value)
    if age:
        delta = timedelta(**{_AGE_UNITS[age.group(2)]: int(age.group(1))})
        return (now - delta).strftime(TIMESTAMP_FORMAT)
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InvalidRequest(
            f"--since must be a day (2026-11-01), today, or an age such as 7d or 12h; got {text!r}"
        ) from None


def summarize(lines: list[Any], by: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ledger's lines grouped as `by` says, one row per group and unit, and the totals
    per unit (unpriced jobs under unit None)."""
    keys = GROUPINGS[by]
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    totals: dict[str | None, dict[str, Any]] = defaultdict(lambda: {"jobs": 0, "amount": None})
    for line in lines:
        group = (*(getattr(line, key) for key in keys), line.unit)
        row = rows.setdefault(
            group, {**dict(zip(keys, group, strict=False)), "unit": line.unit, "jobs": 0}
        )
        row["jobs"] += line.jobs
        total = totals[line.unit]
        total["jobs"] += line.jobs
        if line.amount is not None:
            row["amount"] = row.get("amount", 0.0) + line.amount
            total["amount"] = (total["amount"] or 0.0) + line.amount
    grouped = [{**row, "amount": _rounded(row.get("amount"))} for row in rows.values()]
    # Priced units first, usd before credits, and the unpriced jobs last.
    order = {"usd": 0, "credits": 1, None: 2}
    summed = [
        {"unit": unit, "jobs": total["jobs"], "amount": _rounded(total["amount"])}
        for unit, total in sorted(totals.items(), key=lambda item: order.get(item[0], 1))
    ]
    return grouped, summed


def _rounded(amount: float | None) -> float | None:
    # Sums of list prices such as 0.02 + 0.02 + 0.02 pick up float noise; no price has more
    # than six decimals.
    return round(amount, 6) if amount is not None else None


def show(*, since: str | None, by: str, offline: bool = False, json_output: bool) -> None:
    if by not in GROUPINGS:
        raise InvalidRequest(f"--by must be one of {', '.join(GROUPINGS)}, got {by!r}")
    start = since_timestamp(since)
    with open_store() as store:
        lines = store.jobs.cost_summary(since=start, offline=offline)
        others = (
            0
            if offline
            else sum(line.jobs for line in store.jobs.cost_summary(since=start, offline=True))
        )
    rows, totals = summarize(lines, by)
    if json_output:
        emit_json({"since": start, "by": by, "offline": offline, "rows": rows, "totals": totals})
        return
    from rich.table import Table

    keys = GROUPINGS[by]
    table = Table(*keys, "jobs", "cost", box=None)
    for row in rows:
        price = price_text(row["amount"], row["unit"])
        table.add_row(*(str(row[key]) for key in keys), str(row["jobs"]), price)
    if rows:
        table.rows[-1].end_section = True
    for total in totals:
        label = f"total ({total['unit'] or NO_PRICE})"
        table.add_row(
            label,
            *([""] * (len(keys) - 1)),
            str(total["jobs"]),
            price_text(total["amount"], total["unit"]),
        )
    stdout_console().print(table)
    where = "to the emulator" if offline else "to a provider"
    if not rows:
        console().print(f"no jobs sent {where}" + (f" since {start}" if start else "") + " yet")
    elif offline:
        console().print("the emulator's jobs: list prices of what they stand for; none was billed")
    if others:
        console().print(f"{others} offline job(s) left out: `dave cost --offline` sums them")
