"""`dave jobs resume|wait|cancel` on jobs a crash (or a failure) left in the journal."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from dave.emulator import EmulatorServer
from dave.media.requests import ImageRequest
from dave.media.validation import validate
from dave.store import Store
from dave.store.jobs import Job, JobState

RunDave = Callable[..., subprocess.CompletedProcess[str]]


def _journal(home: Path, *states: JobState, prompt: str = "a crane on one leg") -> Job:
    """An image job journaled as Studio.run writes it, then moved through `states`."""
    resolved = validate(ImageRequest(prompt=prompt))
    request = resolved.request.model_dump(mode="json", exclude_defaults=False)
    with Store.open(home) as store:
        job = store.jobs.create("xai", "image", resolved.model, request)
        for state in states:
            job = store.jobs.transition(job.id, state)
    return job


def _state(home: Path, job_id: str) -> str:
    with Store.open(home) as store:
        return store.jobs.get(job_id).state.value


def test_resume_never_resends_a_job_found_mid_submit_and_exits_1(
    run_dave: RunDave, xai: EmulatorServer, dave_home: Path
) -> None:
    job = _journal(dave_home, JobState.SUBMITTING)

    done = run_dave("jobs", "resume", "--json")

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    # Per-job notes may come first on stderr; the error line is the last one.
    line = done.stderr.splitlines()[-1]
    assert line.startswith("dave: error: ")
    assert "--resubmit" in line
    assert job.id in done.stderr
    (payload,) = [json.loads(text) for text in done.stdout.splitlines()]
    assert [result["job"]["id"] for result in payload["jobs"]] == [job.id]
    assert payload["jobs"][0]["job"]["state"] == "unknown"
    assert len(xai.log) == 0
    assert _state(dave_home, job.id) == "unknown"


def test_resume_resubmit_sends_an_unknown_job_once_and_exits_0(
    run_dave: RunDave, xai: EmulatorServer, dave_home: Path
) -> None:
    job = _journal(dave_home, JobState.SUBMITTING, JobState.UNKNOWN)

    done = run_dave("jobs", "resume", job.id, "--resubmit", "--json")

    assert done.returncode == 0, done.stderr
    (payload,) = [json.loads(text) for text in done.stdout.splitlines()]
    (result,) = payload["jobs"]
    assert result["job"]["state"] == "done"
    (asset,) = result["assets"]
    assert Path(asset["path"]).is_file()
    assert len(xai.log.posts()) == 1


def test_resume_submits_a_created_job(
    run_dave: RunDave, xai: EmulatorServer, dave_home: Path
) -> None:
    job = _journal(dave_home)

    done = run_dave("jobs", "resume")

    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    assert Path(line).is_file()
    assert _state(dave_home, job.id) == "done"
    assert len(xai.log.posts()) == 1


def test_cancel_stops_tracking_a_submitted_job(
    run_dave: RunDave, xai: EmulatorServer, dave_home: Path
) -> None:
    job = _journal(dave_home, JobState.SUBMITTING, JobState.SUBMITTED)

    done = run_dave("jobs", "cancel", job.id, "--json")

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["job"]["state"] == "cancelled"
    assert _state(dave_home, job.id) == "cancelled"
    assert len(xai.log) == 0
    again = run_dave("jobs", "cancel", job.id)
    assert again.returncode == 1
    assert again.stderr.startswith("dave: error: ")
    assert "already cancelled" in again.stderr


def test_waiting_for_an_unknown_job_exits_1_and_says_how_to_look_it_up(
    run_dave: RunDave, xai: EmulatorServer, dave_home: Path
) -> None:
    job = _journal(dave_home, JobState.SUBMITTING, JobState.UNKNOWN)

    done = run_dave("jobs", "wait", job.id)

    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith("dave: error: ")
    assert "dave jobs show" in line
    assert len(xai.log) == 0


def test_waiting_for_a_failed_job_exits_1(
    run_dave: RunDave, xai: EmulatorServer, dave_home: Path
) -> None:
    job = _journal(dave_home, JobState.SUBMITTING, JobState.SUBMITTED, JobState.FAILED)

    done = run_dave("jobs", "wait", job.id)

    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith("dave: error: ")
    assert job.id in line
