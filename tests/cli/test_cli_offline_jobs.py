"""Jobs sent to the built-in emulator are journaled as offline: listings say so, `dave cost`
leaves them out unless asked, and follow-ups (`jobs wait`, `jobs resume`) go to the emulator
without `--offline`, beside jobs of a real provider (here the emulator on loopback, reached
through XAI_BASE_URL as a provider would be)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import RunDave
from tests.cli.helpers import one_json

from dave.emulator import EmulatorServer


def _job(run_dave: RunDave, *args: str) -> dict[str, object]:
    done = run_dave(*args, "--json")
    assert done.returncode == 0, done.stderr
    job = one_json(done.stdout)["job"]
    assert isinstance(job, dict)
    return job


def _slow(tmp_path: Path, ready_s: float) -> dict[str, str]:
    config = tmp_path / "emulator.json"
    config.write_text(json.dumps({"video_ready_s": ready_s}), encoding="utf-8")
    return {"DAVE_EMULATOR_CONFIG": str(config)}


def test_offline_jobs_are_marked_in_the_journal_and_listings(
    run_dave: RunDave, xai: EmulatorServer
) -> None:
    offline = _job(run_dave, "image", "a fox", "--offline")
    online = _job(run_dave, "image", "a heron")

    assert offline["offline"] is True and online["offline"] is False
    listed = {j["id"]: j for j in one_json(run_dave("jobs", "list", "--json").stdout)["jobs"]}
    assert listed[offline["id"]]["offline"] is True
    assert listed[online["id"]]["offline"] is False
    shown = one_json(run_dave("jobs", "show", str(offline["id"]), "--json").stdout)
    assert shown["job"]["offline"] is True

    table = run_dave("jobs", "list").stdout
    rows = {line.split()[0]: line for line in table.splitlines()[1:]}
    assert "xai (offline)" in rows[str(offline["id"])]
    assert "(offline)" not in rows[str(online["id"])]
    assert "built-in emulator" in run_dave("jobs", "show", str(offline["id"])).stdout


def test_cost_counts_the_providers_jobs_unless_asked_for_the_emulators(
    run_dave: RunDave, xai: EmulatorServer
) -> None:
    _job(run_dave, "image", "a fox", "-n", "3", "--offline")
    _job(run_dave, "image", "a heron")

    real = one_json(run_dave("cost", "--json").stdout)
    emulated = one_json(run_dave("cost", "--offline", "--json").stdout)
    human = run_dave("cost")

    assert real["totals"] == [{"unit": "usd", "jobs": 1, "amount": 0.02}]
    assert emulated["totals"] == [{"unit": "usd", "jobs": 1, "amount": 0.06}]
    assert "1 offline job(s) left out" in human.stderr


def test_waiting_for_an_offline_job_needs_no_flag_and_no_key(
    run_dave: RunDave, tmp_path: Path
) -> None:
    job = _job(run_dave, "video", "waves", "--offline", "--no-wait", "--duration", "2")
    assert job["state"] == "submitted"

    # A later process, with no key anywhere and no --offline: the job went to the emulator.
    waited = run_dave("jobs", "wait", str(job["id"]), "--json")

    assert waited.returncode == 0, waited.stderr
    payload = one_json(waited.stdout)
    assert payload["job"]["state"] == "done"
    assert Path(payload["assets"][0]["path"]).is_file()
    assert "key" not in waited.stderr.lower()


def test_resume_finishes_offline_and_provider_jobs_each_where_it_was_sent(
    run_dave: RunDave, xai: EmulatorServer, tmp_path: Path
) -> None:
    offline = _job(run_dave, "video", "waves", "--offline", "--no-wait", "--duration", "2")
    online = _job(run_dave, "video", "a heron", "--no-wait", "--duration", "2")
    xai.log.clear()

    resumed = run_dave("jobs", "resume", "--json")

    assert resumed.returncode == 0, resumed.stderr
    states = {r["job"]["id"]: r["job"]["state"] for r in one_json(resumed.stdout)["jobs"]}
    assert states == {offline["id"]: "done", online["id"]: "done"}
    # Only the provider's job was polled on the wire; the emulator's went in-process.
    polled = {entry.path for entry in xai.log.entries() if entry.method == "GET"}
    assert any(str(online["provider_job_id"]) in path for path in polled)
    assert not any(str(offline["provider_job_id"]) in path for path in polled)


def test_resume_offline_takes_only_the_emulators_jobs(
    run_dave: RunDave, xai: EmulatorServer
) -> None:
    offline = _job(run_dave, "video", "waves", "--offline", "--no-wait", "--duration", "2")
    online = _job(run_dave, "video", "a heron", "--no-wait", "--duration", "2")

    resumed = run_dave("jobs", "resume", "--offline", "--json")

    assert resumed.returncode == 0, resumed.stderr
    [result] = one_json(resumed.stdout)["jobs"]
    assert result["job"]["id"] == offline["id"]
    shown = one_json(run_dave("jobs", "show", str(online["id"]), "--json").stdout)
    assert shown["job"]["state"] == "submitted"


def test_wait_offline_on_a_provider_job_is_refused_in_one_line(
    run_dave: RunDave, xai: EmulatorServer
) -> None:
    online = _job(run_dave, "video", "a heron", "--no-wait", "--duration", "2")

    done = run_dave("jobs", "wait", str(online["id"]), "--offline")

    assert done.returncode == 1
    assert f"job {online['id']} was sent to xai, not to the emulator" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
