"""The poll schedule, simulated against jobs that report progress the way x.ai does."""

from __future__ import annotations

import pytest

from dave.media.polling import PollSchedule, expected_duration


def simulate(
    schedule: PollSchedule, finish_s: float, *, reports_progress: bool
) -> tuple[int, float]:
    """Polls a job that finishes at `finish_s`; returns (polls made, detection lag in s)."""
    now, polls = 0.0, 0
    while True:
        polls += 1
        if now >= finish_s:
            return polls, now - finish_s
        progress = int(100 * now / finish_s) if reports_progress else None
        now += schedule.delay(now, progress)


@pytest.mark.parametrize("finish_s", [10, 17, 25, 33, 41, 50, 60])
def test_with_progress_a_job_is_seen_done_within_a_second_at_a_third_of_the_polls(finish_s):
    schedule = PollSchedule(expected_s=35, jitter=0)
    polls, lag = simulate(schedule, finish_s, reports_progress=True)
    fixed_polls, _ = simulate(
        PollSchedule(expected_s=1, ceiling_s=1, jitter=0), finish_s, reports_progress=False
    )
    assert lag <= 1.0 or finish_s < 0.3 * 35  # only jobs done before the first look wait longer
    assert polls * 3 <= fixed_polls


def test_without_progress_polls_are_sparse_early_and_dense_near_the_expected_finish():
    schedule = PollSchedule(expected_s=40, jitter=0)
    assert schedule.delay(0) == pytest.approx(12.0)
    assert schedule.delay(30) == 1.0
    assert schedule.delay(100) == 15.0


def test_expected_duration_is_the_median_of_history_or_the_documented_default():
    assert expected_duration([], "video") == 45.0
    assert expected_duration([10, 30, 20, 90], "video") == 30
