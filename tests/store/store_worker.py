"""A second dave process for the concurrency tests: run as a script, never imported by pytest.

python store_worker.py write HOME TAG COUNT GO_FILE
python store_worker.py claim HOME IDS_FILE GO_FILE
python store_worker.py open DB_PATH GO_FILE
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from dave.store import Database, JobState, Migration, StateConflict, Store


def wait_for(go: Path) -> None:
    """Say this process is ready, then wait for the test to release every worker at once."""
    Path(f"{go}.ready-{os.getpid()}").touch()
    deadline = time.monotonic() + 60
    while not go.exists():
        if time.monotonic() > deadline:
            raise SystemExit("no go signal")
        time.sleep(0.001)


def write(home: Path, tag: str, count: int, go: Path) -> None:
    with Store.open(home) as store:
        wait_for(go)
        for i in range(count):
            job = store.jobs.create("emulator", "image", "m", {"tag": tag, "i": i})
            store.jobs.transition(job.id, "submitting", expect={"created"}, count_attempt=True)
            store.jobs.transition(job.id, "submitted", provider_job_id=f"{tag}-{i}")
            # Half the files are the same bytes in both processes: one file, two commits.
            data = f"shared {i}".encode() if i % 2 else f"{tag} {i}".encode()
            path = store.media.put_bytes(data, "bin")
            store.assets.add(
                job_id=job.id,
                kind="image",
                path=store.media.relative(path),
                sha256=path.stem,
                bytes=len(data),
                provider="emulator",
                prompt=f"{tag} number {i}",
            )
            store.jobs.transition(job.id, JobState.DONE, expect={"submitted"})


def claim(home: Path, ids_file: Path, go: Path) -> None:
    won = []
    with Store.open(home) as store:
        ids = json.loads(ids_file.read_text())
        wait_for(go)
        for job_id in ids:
            try:
                store.jobs.transition(job_id, "submitting", expect={"created"}, count_attempt=True)
            except StateConflict:
                continue
            won.append(job_id)
    print(json.dumps(won))


def open_new(path: Path, go: Path) -> None:
    wait_for(go)
    steps = [
        Migration("001_once", "CREATE TABLE once (x INTEGER); INSERT INTO once VALUES (1);"),
        Migration("002_twice", "INSERT INTO once VALUES (2)"),
    ]
    Database(path, migrations=steps).close()


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "write":
        write(Path(args[0]), args[1], int(args[2]), Path(args[3]))
    elif command == "claim":
        claim(Path(args[0]), Path(args[1]), Path(args[2]))
    elif command == "open":
        open_new(Path(args[0]), Path(args[1]))
    else:
        raise SystemExit(f"unknown command {command}")
