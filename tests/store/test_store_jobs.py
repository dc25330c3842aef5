"""The job journal: states, events, compare-and-set, lookups."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from itertools import takewhile
from pathlib import Path

import pytest

from dave.core.errors import NotFound, StoreError
from dave.store import TERMINAL, Database, JobState, JobStore, StateConflict
from dave.store.ids import TIMESTAMP_FORMAT, parse_timestamp


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "dave.db")
    yield database
    database.close()


@pytest.fixture
def jobs(db: Database) -> JobStore:
    return JobStore(db)


def test_create_journals_the_request_as_given_with_a_created_event(
    jobs: JobStore, db: Database
) -> None:
    request = {"prompt": "a red fox", "n": 2, "api_key": "[redacted]", "path": Path("/x/y.png")}
    job = jobs.create("xai", "image", "grok-imagine-image", request)

    assert job.id.startswith("j_") and len(job.id) == 28
    assert job.state is JobState.CREATED
    assert job.request == {
        "prompt": "a red fox",
        "n": 2,
        "api_key": "[redacted]",
        "path": "/x/y.png",
    }
    assert job.attempts == 0 and job.result is None and job.created_at == job.updated_at
    row = db.query_one("SELECT provider, kind, model, state, request_json FROM jobs")
    assert tuple(row)[:4] == ("xai", "image", "grok-imagine-image", "created")
    assert '"prompt":"a red fox"' in row["request_json"]
    assert [(e.state, e.detail) for e in jobs.events(job.id)] == [(JobState.CREATED, None)]


def test_transitions_write_one_event_each_and_keep_fields_not_given(jobs: JobStore) -> None:
    job = jobs.create("xai", "video", "grok-imagine-video", {"prompt": "waves"})
    jobs.transition(job.id, JobState.SUBMITTING, count_attempt=True, detail="POST /videos")
    jobs.transition(job.id, "submitted", provider_job_id="req-123", cost_usd=0.5)
    jobs.transition(job.id, JobState.DOWNLOADING, result={"urls": ["https://x/1.mp4"]})
    done = jobs.transition(job.id, JobState.DONE)

    assert done.state is JobState.DONE and done.terminal
    assert done.provider_job_id == "req-123"
    assert done.cost_usd == 0.5
    assert done.result == {"urls": ["https://x/1.mp4"]}
    assert done.attempts == 1
    assert done.updated_at >= done.created_at
    events = jobs.events(job.id)
    assert [e.state.value for e in events] == [
        "created",
        "submitting",
        "submitted",
        "downloading",
        "done",
    ]
    assert events[1].detail == "POST /videos"
    assert [e.at for e in events] == sorted(e.at for e in events)


def test_failure_records_the_error_and_its_code(jobs: JobStore) -> None:
    job = jobs.create("xai", "image", "m", {})
    failed = jobs.transition(job.id, "failed", error="content refused", error_code="moderated")
    assert (failed.error, failed.error_code) == ("content refused", "moderated")
    assert jobs.get(job.id).error == "content refused"


def test_expect_refuses_a_transition_from_another_state_and_changes_nothing(
    jobs: JobStore,
) -> None:
    job = jobs.create("xai", "image", "m", {})
    jobs.transition(job.id, "submitting", expect={JobState.CREATED}, count_attempt=True)

    with pytest.raises(StateConflict) as caught:
        jobs.transition(job.id, "submitting", expect={"created"}, count_attempt=True)
    assert isinstance(caught.value, StoreError)
    assert caught.value.state is JobState.SUBMITTING
    assert "is 'submitting', not created" in str(caught.value)

    after = jobs.get(job.id)
    assert after.state is JobState.SUBMITTING and after.attempts == 1
    assert len(jobs.events(job.id)) == 2  # created, submitting: the refusal wrote nothing


def test_expect_accepts_any_of_several_states(jobs: JobStore) -> None:
    job = jobs.create("xai", "image", "m", {})
    jobs.transition(job.id, "submitted")
    moved = jobs.transition(job.id, "cancelled", expect={"created", "submitted"})
    assert moved.state is JobState.CANCELLED


def test_update_result_replaces_the_answer_without_an_event_or_state_change(
    jobs: JobStore,
) -> None:
    job = jobs.create("xai", "image", "m", {})
    jobs.transition(job.id, "downloading", result={"urls": ["u1", "u2"], "fetched": []})
    updated = jobs.update_result(job.id, {"urls": ["u1", "u2"], "fetched": [0]})
    assert updated.result == {"urls": ["u1", "u2"], "fetched": [0]}
    assert updated.state is JobState.DOWNLOADING
    assert len(jobs.events(job.id)) == 2


def test_get_accepts_a_unique_prefix_in_any_case_with_or_without_j_(jobs: JobStore) -> None:
    job = jobs.create("xai", "image", "m", {})
    short = job.id[2:14]
    assert jobs.get(job.id).id == job.id
    assert jobs.get(f"j_{short}").id == job.id
    assert jobs.get(short.lower()).id == job.id


def test_get_says_which_id_was_not_found(jobs: JobStore) -> None:
    with pytest.raises(NotFound) as caught:
        jobs.get("j_NOPE")
    assert str(caught.value) == "no job 'j_NOPE'"
    assert "dave jobs list" in caught.value.user_line()
    with pytest.raises(NotFound):
        jobs.transition("j_NOPE", "done")
    with pytest.raises(NotFound):
        jobs.events("j_NOPE")


def test_an_ambiguous_prefix_is_refused_not_guessed(jobs: JobStore) -> None:
    first = jobs.create("xai", "image", "m", {})
    second = jobs.create("xai", "image", "m", {})
    same = takewhile(lambda pair: pair[0] == pair[1], zip(first.id, second.id, strict=True))
    shared = len(list(same))
    assert shared >= 2  # at least "j_"
    with pytest.raises(NotFound, match="ambiguous"):
        jobs.get(first.id[:shared])
    assert jobs.get(first.id[: shared + 1]).id == first.id


def test_list_is_newest_first_and_filters(jobs: JobStore) -> None:
    made = [jobs.create("xai" if i % 2 else "minimax", "image", "m", {"i": i}) for i in range(6)]
    jobs.transition(made[0].id, "done")
    jobs.transition(made[3].id, "failed")

    assert [j.id for j in jobs.list()] == [j.id for j in reversed(made)]
    assert [j.request["i"] for j in jobs.list(limit=2)] == [5, 4]
    assert [j.request["i"] for j in jobs.list(limit=2, offset=2)] == [3, 2]
    assert [j.request["i"] for j in jobs.list(provider="xai")] == [5, 3, 1]
    assert [j.request["i"] for j in jobs.list(states={"done", "failed"})] == [3, 0]
    assert [j.request["i"] for j in jobs.list(states=[JobState.CREATED], provider="xai")] == [5, 1]
    assert jobs.list(states=[]) == []
    assert jobs.count() == 6 and jobs.count(["created"]) == 4


def test_unfinished_is_every_job_resume_must_handle_oldest_first(jobs: JobStore) -> None:
    by_state = {}
    for state in JobState:
        job = jobs.create("xai", "image", "m", {})
        if state is not JobState.CREATED:
            jobs.transition(job.id, state)
        by_state[state] = job.id
    unfinished = jobs.unfinished()
    assert [j.state for j in unfinished] == [
        JobState.QUEUED,
        JobState.CREATED,
        JobState.SUBMITTING,
        JobState.SUBMITTED,
        JobState.DOWNLOADING,
    ]
    assert {j.id for j in unfinished}.isdisjoint(by_state[s] for s in TERMINAL)


def test_an_unknown_state_is_a_store_error(jobs: JobStore) -> None:
    job = jobs.create("xai", "image", "m", {})
    with pytest.raises(StoreError, match="state"):
        jobs.list(states=["finished"])
    with pytest.raises(StoreError, match="finished"):
        jobs.transition(job.id, "finished")
    assert jobs.get(job.id).state is JobState.CREATED


def test_a_request_that_is_not_json_is_refused_before_anything_is_written(
    jobs: JobStore,
) -> None:
    with pytest.raises(StoreError, match="JSON"):
        jobs.create("xai", "image", "m", {"blob": object()})
    assert jobs.count() == 0


def test_recent_durations_measure_provider_time_of_finished_jobs_newest_first(
    jobs: JobStore, db: Database
) -> None:
    def finished(seconds: float, *, model: str = "video-1", end: str = "downloading") -> str:
        job = jobs.create("xai", "video", model, {})
        jobs.transition(job.id, "submitted")
        jobs.transition(job.id, end)
        if end != "done":
            jobs.transition(job.id, "done")
        # Put the provider's answer `seconds` after the submission.
        start = db.query_one(
            "SELECT at FROM job_events WHERE job_id = ? AND state = 'submitted'", (job.id,)
        )[0]
        later = (parse_timestamp(start) + timedelta(seconds=seconds)).strftime(TIMESTAMP_FORMAT)
        with db.transaction() as conn:
            conn.execute(
                "UPDATE job_events SET at = ?"
                " WHERE job_id = ? AND state IN ('downloading', 'done')",
                (later, job.id),
            )
        return job.id

    finished(30.0)
    finished(42.5, end="done")
    finished(99.0, model="other")
    unfinished = jobs.create("xai", "video", "video-1", {})
    jobs.transition(unfinished.id, "submitted")

    assert jobs.recent_durations("xai", "video", "video-1") == pytest.approx([42.5, 30.0])
    assert jobs.recent_durations("xai", "video", "video-1", limit=1) == pytest.approx([42.5])
    assert jobs.recent_durations("xai", "image", "video-1") == []
