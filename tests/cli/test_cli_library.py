"""`dave jobs list|show` and `dave assets list|show|search` read the journal and the library that
earlier runs left in DAVE_HOME, and print them as one JSON object with `--json`."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import dave
from dave.emulator import EmulatorServer

RunDave = Callable[..., subprocess.CompletedProcess[str]]


def _one_json(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, f"expected one line of JSON on stdout, got {done.stdout!r}"
    value = json.loads(lines[0])
    assert isinstance(value, dict)
    return value


@pytest.fixture
def library(xai: EmulatorServer) -> dict[str, dave.Result]:
    """Two finished image jobs in DAVE_HOME: a fox (2 images) and a heron (1 image)."""
    with dave.SyncStudio() as studio:
        fox = studio.image("a red fox curled up in the snow", n=2)
        heron = studio.image("a grey heron standing in a pond")
    return {"fox": fox, "heron": heron}


def test_jobs_list_json_lists_every_job_newest_first(
    run_dave: RunDave, library: dict[str, dave.Result]
) -> None:
    payload = _one_json(run_dave("jobs", "list", "--json"))

    jobs = payload["jobs"]
    assert [job["id"] for job in jobs] == [library["heron"].job.id, library["fox"].job.id]
    for job in jobs:
        assert job["state"] == "done"
        assert job["provider"] == "xai"
        assert job["kind"] == "image"
        assert job["model"] == "grok-imagine-image"
        assert "result" not in job
    # One figure: the list price journaled (two images at $0.02), with x.ai's own report of
    # what it charged beside it.
    assert (jobs[1]["price"], jobs[1]["price_unit"]) == (pytest.approx(0.04), "usd")
    assert jobs[1]["charged_usd"] == pytest.approx(0.04)
    assert jobs[1]["offline"] is False
    assert "cost_usd" not in jobs[1]


def test_jobs_list_filters_by_state(run_dave: RunDave, library: dict[str, dave.Result]) -> None:
    assert _one_json(run_dave("jobs", "list", "--state", "failed", "--json")) == {"jobs": []}
    done = _one_json(run_dave("jobs", "list", "--state", "done", "--limit", "1", "--json"))
    assert [job["id"] for job in done["jobs"]] == [library["heron"].job.id]


def test_jobs_show_json_has_the_job_its_events_and_its_assets(
    run_dave: RunDave, library: dict[str, dave.Result]
) -> None:
    fox = library["fox"]

    payload = _one_json(run_dave("jobs", "show", fox.job.id, "--json"))

    assert payload["job"]["id"] == fox.job.id
    assert payload["job"]["state"] == "done"
    assert payload["job"]["request"]["prompt"] == "a red fox curled up in the snow"
    assert [event["state"] for event in payload["events"]] == [
        "created",
        "submitting",
        "downloading",
        "done",
    ]
    assert all(event["at"] for event in payload["events"])
    assert [asset["id"] for asset in payload["assets"]] == [a.id for a in fox.assets]
    for asset in payload["assets"]:
        assert Path(asset["path"]).is_file()


def test_jobs_show_human_mode_prints_the_prompt_and_states(
    run_dave: RunDave, library: dict[str, dave.Result]
) -> None:
    done = run_dave("jobs", "show", library["heron"].job.id)

    assert done.returncode == 0, done.stderr
    assert library["heron"].job.id in done.stdout
    assert "a grey heron standing in a pond" in done.stdout
    assert "downloading" in done.stdout


def test_assets_list_json_lists_every_file(
    run_dave: RunDave, library: dict[str, dave.Result], dave_home: Path
) -> None:
    payload = _one_json(run_dave("assets", "list", "--json"))

    expected = {a.id for result in library.values() for a in result.assets}
    assert {asset["id"] for asset in payload["assets"]} == expected
    for asset in payload["assets"]:
        path = Path(asset["path"])
        assert path.is_file()
        assert path.is_relative_to(dave_home / "media")
        assert asset["mime"] == "image/jpeg"
        assert asset["bytes"] == path.stat().st_size


def test_assets_show_json_has_the_prompt_params_and_path(
    run_dave: RunDave, library: dict[str, dave.Result]
) -> None:
    heron = library["heron"].assets[0]

    payload = _one_json(run_dave("assets", "show", heron.id, "--json"))

    asset = payload["asset"]
    assert asset["id"] == heron.id
    assert asset["job_id"] == library["heron"].job.id
    assert asset["prompt"] == "a grey heron standing in a pond"
    assert asset["params"]["model"] == "grok-imagine-image"
    assert asset["sha256"] == heron.sha256
    assert Path(asset["path"]) == library["heron"].paths()[0]


def test_assets_show_names_what_an_asset_was_made_from_and_into(
    run_dave: RunDave, library: dict[str, dave.Result]
) -> None:
    heron = library["heron"]
    with dave.SyncStudio() as studio:
        edit = studio.edit("the heron takes flight", [str(heron.paths()[0])])

    made = _one_json(run_dave("assets", "show", edit.assets[0].id, "--json"))["asset"]
    assert made["sources"] == [{"field": "images[0]", "asset_id": heron.assets[0].id}]
    assert made["derived"] == []
    source = _one_json(run_dave("assets", "show", heron.assets[0].id, "--json"))["asset"]
    assert source["derived"] == [edit.assets[0].id] and source["sources"] == []
    shown = run_dave("assets", "show", heron.assets[0].id)
    assert f"made into: {edit.assets[0].id}" in shown.stdout


def test_assets_search_finds_by_a_prompt_word_and_not_the_others(
    run_dave: RunDave, library: dict[str, dave.Result]
) -> None:
    fox_ids = {a.id for a in library["fox"].assets}

    found = _one_json(run_dave("assets", "search", "fox", "--json"))
    assert {asset["id"] for asset in found["assets"]} == fox_ids
    assert all("fox" in asset["prompt"] for asset in found["assets"])

    heron = _one_json(run_dave("assets", "search", "HERON", "--json"))
    assert [asset["id"] for asset in heron["assets"]] == [library["heron"].assets[0].id]

    none = _one_json(run_dave("assets", "search", "lighthouse", "--json"))
    assert none == {"assets": []}


def test_assets_list_on_an_empty_library(run_dave: RunDave) -> None:
    assert _one_json(run_dave("assets", "list", "--json")) == {"assets": []}
    assert _one_json(run_dave("jobs", "list", "--json")) == {"jobs": []}
