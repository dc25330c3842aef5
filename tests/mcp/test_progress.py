"""The progress a call reports: always rising, never past 100, a readable line each time."""

from __future__ import annotations

import asyncio
import itertools

from hypothesis import given
from hypothesis import strategies as st

from dave.mcp.progress import Reporter
from dave.media.events import StudioEvent

JOB = "j_01PROGRESSTEST00000000000"
STATES = ["created", "submitting", "submitted", "downloading", "done", "failed", "unknown"]

events = st.one_of(
    st.builds(lambda s: StudioEvent(JOB, "state", state=s), st.sampled_from(STATES)),
    st.builds(lambda p: StudioEvent(JOB, "poll", progress=p), st.none() | st.integers(0, 150)),
    st.builds(lambda p: StudioEvent(JOB, "progress", progress=p), st.integers(0, 100)),
    st.builds(lambda b: StudioEvent(JOB, "download", done_bytes=b), st.integers(0, 10**10)),
    st.just(StudioEvent("-", "state", message="warning: a note")),
)


def reported(sequence: list[StudioEvent]) -> list[tuple[float, float | None, str | None]]:
    sent: list[tuple[float, float | None, str | None]] = []

    async def send(value: float, total: float | None, message: str | None) -> None:
        sent.append((value, total, message))

    async def run() -> None:
        reporter = Reporter(send, lambda job: "x.ai")
        for event in sequence:
            reporter.on_event(event)
        await reporter.close()
        reporter.on_event(StudioEvent(JOB, "state", state="done"))  # after close: dropped

    asyncio.run(run())
    return sent


@given(st.lists(events, max_size=40))
def test_the_figure_only_rises_and_every_notification_says_something(
    sequence: list[StudioEvent],
) -> None:
    sent = reported(sequence)
    figures = [value for value, _, _ in sent]

    # Strictly rising; pinned at 100 once there (nothing follows `done` in a real job).
    assert all(a < b or a == b == 100 for a, b in itertools.pairwise(figures))
    assert all(0 < value <= 100 and total == 100 for value, total, _ in sent)
    assert all(message for _, _, message in sent)
    # The `progress` kind is a duplicate of a poll's figure: not reported twice.
    told = [event for event in sequence if event.kind != "progress"]
    assert len(sent) == len(told)


def test_a_video_s_life_reads_as_a_story() -> None:
    sent = reported(
        [
            StudioEvent(JOB, "state", state="created"),
            StudioEvent(JOB, "state", state="submitting"),
            StudioEvent(JOB, "state", state="submitted"),
            StudioEvent(JOB, "poll", progress=None),
            StudioEvent(JOB, "poll", progress=40),
            StudioEvent(JOB, "state", state="downloading"),
            StudioEvent(JOB, "download", done_bytes=2_500_000),
            StudioEvent(JOB, "state", state="done"),
        ]
    )

    assert [message for _, _, message in sent] == [
        f"{JOB}: journaled, sending to x.ai",
        f"{JOB}: sending to x.ai",
        f"{JOB}: accepted by x.ai, waiting for the result",
        f"{JOB}: x.ai is still working (poll 1)",
        f"{JOB}: x.ai reports 40% done",
        f"{JOB}: ready, downloading and checking the files",
        f"{JOB}: downloaded 2.5 MB",
        f"{JOB}: done, kept in the library",
    ]
    assert [value for value, _, _ in sent][-1] == 100
