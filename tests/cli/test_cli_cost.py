"""`dave cost` and the price in `dave jobs list|show`: the ledger of list prices summed by
provider, model and day, one sum per unit, over jobs made through the CLI (x.ai images:
$0.02 each) and jobs journaled with a price in credits."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.cli.helpers import one_json

from dave.emulator import EmulatorServer
from dave.store import Store
from dave.store.jobs import Job, JobState

RunDave = Callable[..., subprocess.CompletedProcess[str]]


def _images(run_dave: RunDave, *counts: int) -> list[dict[str, Any]]:
    """One `dave image` per count, each making that many x.ai images."""
    jobs = []
    for n in counts:
        done = run_dave("image", f"{n} red foxes", "-n", str(n), "--json")
        assert done.returncode == 0, done.stderr
        jobs.append(one_json(done.stdout)["job"])
    return jobs


def _journal(
    home: Path,
    provider: str,
    model: str,
    *states: JobState,
    price: float | None,
    unit: str | None,
    kind: str = "image",
) -> Job:
    """A job journaled with a price and moved through `states` (a submit counts an attempt)."""
    with Store.open(home) as store:
        job = store.jobs.create(
            provider, kind, model, {"kind": kind, "prompt": "x"}, price=price, price_unit=unit
        )
        for state in states:
            job = store.jobs.transition(job.id, state, count_attempt=state is JobState.SUBMITTING)
    return job


SENT = (JobState.SUBMITTING, JobState.SUBMITTED, JobState.DONE)


def _backdate(home: Path, job_id: str, created_at: str) -> None:
    with sqlite3.connect(home / "dave.db") as db:
        db.execute("UPDATE jobs SET created_at = ? WHERE id = ?", (created_at, job_id))


def _cost(run_dave: RunDave, *args: str) -> dict[str, Any]:
    done = run_dave("cost", "--json", *args)
    assert done.returncode == 0, done.stderr
    return one_json(done.stdout)


def test_each_image_carries_its_list_price_in_its_json(
    run_dave: RunDave, xai: EmulatorServer
) -> None:
    (job,) = _images(run_dave, 3)

    assert (job["price"], job["price_unit"]) == (pytest.approx(0.06), "usd")


def test_cost_sums_x_ai_images_at_two_cents_each_by_model(
    run_dave: RunDave, xai: EmulatorServer
) -> None:
    _images(run_dave, 2, 1)

    ledger = _cost(run_dave)

    assert ledger["by"] == "model"
    (row,) = ledger["rows"]
    assert (row["provider"], row["model"], row["unit"], row["jobs"]) == (
        "xai", "grok-imagine-image", "usd", 2
    )  # fmt: skip
    assert row["amount"] == 0.06  # rounded: 0.04 + 0.02 is not exactly 0.06 in floats
    assert ledger["totals"] == [{"unit": "usd", "jobs": 2, "amount": 0.06}]


def test_dollars_and_credits_are_summed_side_by_side_never_together(
    run_dave: RunDave, xai: EmulatorServer, dave_home: Path
) -> None:
    _images(run_dave, 1)
    _journal(dave_home, "stability", "stable-image-core", *SENT, price=3, unit="credits")
    _journal(dave_home, "stability", "upscale-fast", *SENT, price=2, unit="credits")

    by_provider = _cost(run_dave, "--by", "provider")
    by_model = _cost(run_dave, "--by", "model")

    rows = sorted((r["provider"], r["unit"], r["jobs"], r["amount"]) for r in by_provider["rows"])
    assert rows == [("stability", "credits", 2, 5), ("xai", "usd", 1, 0.02)]
    assert by_provider["totals"] == [
        {"unit": "usd", "jobs": 1, "amount": 0.02},
        {"unit": "credits", "jobs": 2, "amount": 5},
    ]
    assert {(r["model"], r["amount"]) for r in by_model["rows"]} == {
        ("grok-imagine-image", 0.02), ("stable-image-core", 3), ("upscale-fast", 2)
    }  # fmt: skip
    assert by_model["totals"] == by_provider["totals"]


def test_cost_by_day_groups_on_the_utc_day_and_since_drops_older_days(
    run_dave: RunDave, dave_home: Path
) -> None:
    old = _journal(dave_home, "xai", "grok-imagine-image", *SENT, price=0.02, unit="usd")
    _backdate(dave_home, old.id, "2026-01-05T23:59:59.000000Z")
    older = _journal(dave_home, "xai", "grok-imagine-image", *SENT, price=0.05, unit="usd")
    _backdate(dave_home, older.id, "2026-01-04T10:00:00.000000Z")
    _journal(dave_home, "xai", "grok-imagine-image", *SENT, price=0.04, unit="usd")

    every_day = _cost(run_dave, "--by", "day")
    from_the_fifth = _cost(run_dave, "--by", "day", "--since", "2026-01-05")
    last_week = _cost(run_dave, "--since", "7d")

    days = [(r["day"], r["amount"]) for r in every_day["rows"]]
    assert days[:2] == [("2026-01-04", 0.05), ("2026-01-05", 0.02)]
    assert len(days) == 3 and days[2][1] == 0.04
    assert from_the_fifth["rows"][0]["day"] == "2026-01-05"
    assert from_the_fifth["totals"] == [{"unit": "usd", "jobs": 2, "amount": 0.06}]
    assert last_week["totals"] == [{"unit": "usd", "jobs": 1, "amount": 0.04}]


def test_cost_leaves_out_jobs_never_sent_or_that_failed_and_counts_unpriced_ones(
    run_dave: RunDave, dave_home: Path
) -> None:
    _journal(dave_home, "xai", "grok-imagine-image", price=0.02, unit="usd")  # only created
    _journal(
        dave_home, "xai", "grok-imagine-image", JobState.SUBMITTING, JobState.FAILED,
        price=0.02, unit="usd",
    )  # fmt: skip
    _journal(dave_home, "xai", "grok-imagine-image", *SENT, price=0.02, unit="usd")
    _journal(dave_home, "minimax", "music-2.6", *SENT, price=None, unit=None, kind="music")

    ledger = _cost(run_dave, "--by", "provider")

    assert ledger["totals"] == [
        {"unit": "usd", "jobs": 1, "amount": 0.02},
        {"unit": None, "jobs": 1, "amount": None},
    ]


def test_cost_for_people_prints_each_unit_and_a_total_per_unit(
    run_dave: RunDave, xai: EmulatorServer, dave_home: Path
) -> None:
    _images(run_dave, 1, 1)
    _journal(dave_home, "stability", "stable-image-core", *SENT, price=8, unit="credits")

    done = run_dave("cost", "--by", "provider")

    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()]
    assert ["xai", "2", "$0.0400"] in rows
    assert ["stability", "1", "8", "credits"] in rows
    assert ["total", "(usd)", "2", "$0.0400"] in rows
    assert ["total", "(credits)", "1", "8", "credits"] in rows


@pytest.mark.parametrize(
    ("args", "words"),
    [(["--by", "week"], "--by must be one of provider, model, day"),
     (["--since", "last tuesday"], "--since must be a day")],
)  # fmt: skip
def test_a_bad_grouping_or_date_is_one_line_and_one_json_error(
    run_dave: RunDave, args: list[str], words: str
) -> None:
    done = run_dave("cost", *args, "--json")

    assert done.returncode == 1
    assert done.stderr.startswith("dave: error: ") and words in done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert one_json(done.stdout)["error"]["type"] == "InvalidRequest"


def test_jobs_list_and_show_print_the_price_in_its_unit(
    run_dave: RunDave, xai: EmulatorServer, dave_home: Path
) -> None:
    (image,) = _images(run_dave, 1)
    credits = _journal(dave_home, "stability", "stable-image-core", *SENT, price=8, unit="credits")
    unpriced = _journal(
        dave_home, "minimax", "music-2.6", *SENT, price=None, unit=None, kind="music"
    )

    listed = run_dave("jobs", "list")
    as_json = run_dave("jobs", "list", "--json")
    shown = run_dave("jobs", "show", credits.id)
    shown_json = run_dave("jobs", "show", image["id"], "--json")

    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[0]: line for line in listed.stdout.splitlines()[1:]}
    assert "$0.0200" in rows[image["id"]]
    assert "8 credits" in rows[credits.id]
    # MiniMax documents no price for music: the listing says so in words, not with a dash.
    assert "no documented price" in rows[unpriced.id]
    prices = {j["id"]: (j["price"], j["price_unit"]) for j in one_json(as_json.stdout)["jobs"]}
    assert prices == {
        image["id"]: (0.02, "usd"), credits.id: (8, "credits"), unpriced.id: (None, None)
    }  # fmt: skip
    assert "price: 8 credits" in shown.stdout
    job = one_json(shown_json.stdout)["job"]
    assert (job["price"], job["price_unit"]) == (0.02, "usd")
