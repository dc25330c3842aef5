"""Ctrl-C during a media command: one line on stderr that names the jobs left unfinished and
`dave jobs resume`, exit code 130; the jobs stay in the journal and a later run finishes them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.cli.conftest import RunDave
from tests.cli.helpers import one_json


def _slow_emulator(tmp_path: Path, ready_s: float) -> dict[str, str]:
    config = tmp_path / "emulator.json"
    config.write_text(json.dumps({"video_ready_s": ready_s}), encoding="utf-8")
    return {**os.environ, "DAVE_EMULATOR_CONFIG": str(config)}


def _interrupt(
    args: list[str], env: dict[str, str], home: Path
) -> subprocess.CompletedProcess[str]:
    """Starts `dave ARGS`, sends SIGINT once its job is journaled as submitted, and waits."""
    process = subprocess.Popen(
        [sys.executable, "-m", "dave", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not _submitted(home):
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _submitted(home: Path) -> bool:
    import sqlite3

    db = home / "dave.db"
    if not db.exists():
        return False
    try:
        with sqlite3.connect(db) as conn:
            row = conn.execute("SELECT count(*) FROM jobs WHERE state = 'submitted'").fetchone()
    except sqlite3.OperationalError:  # the first run is still creating its tables
        return False
    return bool(row and row[0])


def test_ctrl_c_names_the_unfinished_job_and_resume_finishes_it(
    run_dave: RunDave, dave_home: Path, tmp_path: Path
) -> None:
    # Long enough that the interrupt falls while polling, short enough for resume to wait out.
    env = _slow_emulator(tmp_path, ready_s=4)

    done = _interrupt(["video", "waves roll in", "--offline", "--duration", "2"], env, dave_home)

    assert done.returncode == 130
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    [job] = one_json(run_dave("jobs", "list", "--json").stdout)["jobs"]
    assert job["state"] == "submitted"
    assert job["id"] in lines[0]
    assert "(submitted)" in lines[0]
    assert "`dave jobs resume`" in lines[0]
    assert "Traceback" not in done.stderr
    assert done.stdout == ""

    # The emulator kept the job; a run with no --offline follows it there and fetches it.
    resumed = run_dave("jobs", "resume", "--json", env={"DAVE_EMULATOR_CONFIG": ""})
    assert resumed.returncode == 0, resumed.stderr
    [result] = one_json(resumed.stdout)["jobs"]
    assert result["job"]["id"] == job["id"]
    assert result["job"]["state"] == "done"
    assert Path(result["assets"][0]["path"]).is_file()


def test_ctrl_c_with_json_still_prints_one_error_object(dave_home: Path, tmp_path: Path) -> None:
    env = _slow_emulator(tmp_path, ready_s=60)

    done = _interrupt(
        ["video", "waves roll in", "--offline", "--duration", "2", "--json"], env, dave_home
    )

    assert done.returncode == 130
    error = one_json(done.stdout)["error"]
    assert error["type"] == "Interrupted"
    assert "dave jobs resume" in (error["hint"] or "")


def test_the_interrupt_line_says_an_unknown_job_needs_resubmit_and_only_then() -> None:
    from dave.cli.generate import Interrupted

    plain = Interrupted(["j_01AAA (submitted)"])
    unknown = Interrupted(["j_01AAA (submitted)", "j_01BBB (unknown)"])

    assert plain.user_line() == (
        "interrupted; unfinished job(s) j_01AAA (submitted) stay in the journal "
        "(`dave jobs resume` finishes them)"
    )
    assert "--resubmit" not in plain.user_line()
    assert unknown.hint == (
        "`dave jobs resume` finishes them; an unknown one is sent again only with "
        "`dave jobs resume j_01BBB --resubmit`, if you decide to"
    )
