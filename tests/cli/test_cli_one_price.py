"""One price per job, the same everywhere (the closing line, `jobs list`, `jobs show`,
`--json`, `dave cost`): the list price when journaled, marked as an estimate where it rests on
an assumption, and beside it, labelled, what the provider reported it charged."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.cli.conftest import RunDave
from tests.cli.helpers import one_json, picture

from dave.emulator import EmulatorServer


def test_an_edit_is_priced_for_its_input_and_its_output_everywhere(
    run_dave: RunDave, xai: EmulatorServer, tmp_path: Path
) -> None:
    source = picture(tmp_path / "boat.png")

    human = run_dave("edit", "add a red sail", "-i", str(source))
    assert human.returncode == 0, human.stderr
    as_json = run_dave("edit", "add a red sail", "-i", str(source), "--json")
    job = one_json(as_json.stdout)["job"]

    # x.ai bills the input image and the output: 2 × $0.02, the input's price assumed.
    assert (job["price"], job["price_unit"], job["price_estimate"]) == (0.04, "usd", True)
    assert job["charged_usd"] == pytest.approx(0.04)  # the emulator bills by the same rule
    assert "cost_usd" not in job
    assert "~$0.0400 (estimate); xai reports $0.0400 charged" in human.stderr

    listed = run_dave("jobs", "list")
    row = next(line for line in listed.stdout.splitlines() if job["id"] in line)
    assert "~$0.0400" in row
    assert "~ marks an estimate" in listed.stderr
    shown = run_dave("jobs", "show", job["id"]).stdout
    assert "price: ~$0.0400 (estimate); xai reports $0.0400 charged" in shown
    assert "1 input image(s)" in shown
    total = one_json(run_dave("cost", "--json").stdout)["totals"]
    assert total == [{"unit": "usd", "jobs": 2, "amount": 0.08}]


def test_a_documented_price_is_not_called_an_estimate(
    run_dave: RunDave, xai: EmulatorServer
) -> None:
    done = run_dave("image", "a lighthouse", "-n", "2", "--json")

    job = one_json(done.stdout)["job"]
    assert (job["price"], job["price_estimate"]) == (0.04, False)
    listed = run_dave("jobs", "list")
    row = next(line for line in listed.stdout.splitlines() if job["id"] in line)
    assert "$0.0400" in row and "~" not in row
    assert "estimate" not in listed.stderr


def test_music_without_a_documented_price_says_so(
    run_dave: RunDave, minimax: EmulatorServer
) -> None:
    done = run_dave("music", "ambient drones", "--instrumental")

    assert done.returncode == 0, done.stderr
    assert "no documented price" in done.stderr
    listed = run_dave("jobs", "list").stdout
    assert "no documented price" in listed
