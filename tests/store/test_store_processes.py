"""Several dave processes on one database file: they wait for each other and lose nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from dave.store import JobState, Store

WORKER = Path(__file__).with_name("store_worker.py")


def run_together(commands: Sequence[Sequence[str]], go: Path) -> list[subprocess.CompletedProcess]:
    """Start every worker, let them all import and open, then release them at once."""
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), *cmd],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for cmd in commands
    ]
    deadline = time.monotonic() + 60
    while len(list(go.parent.glob(f"{go.name}.ready-*"))) < len(procs):
        assert all(p.poll() is None for p in procs), "a worker died before it was ready"
        assert time.monotonic() < deadline, "workers never got ready"
        time.sleep(0.01)
    go.touch()
    results = []
    for proc, cmd in zip(procs, commands, strict=True):
        out, err = proc.communicate(timeout=100)
        results.append(subprocess.CompletedProcess(cmd, proc.returncode, out, err))
    return results


def test_two_processes_writing_at_once_wait_for_each_other_and_lose_nothing(
    tmp_path: Path,
) -> None:
    home, go, count = tmp_path / "home", tmp_path / "go", 300
    results = run_together(
        [["write", str(home), tag, str(count), str(go)] for tag in ("left", "right")], go
    )
    for result in results:
        assert "locked" not in result.stderr
        assert result.returncode == 0, result.stderr

    with Store.open(home) as store:
        assert store.jobs.count() == 2 * count
        assert store.jobs.count([JobState.DONE]) == 2 * count
        assert store.assets.count() == 2 * count
        rows = store.db.query(
            "SELECT json_extract(request_json, '$.tag') AS tag, count(*) AS n,"
            " sum(attempts) AS attempts FROM jobs GROUP BY tag ORDER BY tag"
        )
        assert [tuple(r) for r in rows] == [("left", count, count), ("right", count, count)]
        events = store.db.query("SELECT job_id, count(*) FROM job_events GROUP BY job_id")
        assert len(events) == 2 * count and {r[1] for r in events} == {4}
        # Every asset row points at a file holding its bytes; shared content is one file.
        files = {p for p in store.media.root.rglob("*.bin")}
        assert len(files) == count + count // 2
        for asset in store.assets.list(limit=2 * count):
            path = store.media.absolute(asset.path)
            assert path in files and path.stat().st_size == asset.bytes
        assert store.media.temps() == []
        assert [a.prompt for a in store.assets.search("right number 299")] == ["right number 299"]


def test_only_one_of_several_processes_claims_each_job(tmp_path: Path) -> None:
    home, go = tmp_path / "home", tmp_path / "go"
    with Store.open(home) as store:
        ids = [store.jobs.create("emulator", "image", "m", {"i": i}).id for i in range(100)]
    ids_file = tmp_path / "ids.json"
    ids_file.write_text(json.dumps(ids))

    results = run_together([["claim", str(home), str(ids_file), str(go)]] * 3, go)
    for result in results:
        assert result.returncode == 0, result.stderr
    winners = [job_id for result in results for job_id in json.loads(result.stdout)]

    assert sorted(winners) == sorted(ids)  # every job claimed exactly once
    with Store.open(home) as store:
        assert store.jobs.count(["submitting"]) == 100
        rows = store.db.query("SELECT DISTINCT attempts FROM jobs")
        assert [r[0] for r in rows] == [1]
        assert (
            store.db.query_one("SELECT count(*) FROM job_events WHERE state = 'submitting'")[0]
            == 100
        )


def test_processes_opening_a_new_file_together_apply_each_migration_once(tmp_path: Path) -> None:
    path, go = tmp_path / "fresh" / "dave.db", tmp_path / "go"
    results = run_together([["open", str(path), str(go)]] * 4, go)
    for result in results:
        assert result.returncode == 0, result.stderr

    from dave.store import Database

    with Database(path, migrations=[]) as db:
        assert [r[0] for r in db.query("SELECT x FROM once ORDER BY x")] == [1, 2]
        assert [n for n, _ in db.applied_migrations()] == ["001_once", "002_twice"]
        assert db.journal_mode == "wal"
