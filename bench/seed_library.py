"""Fills a DAVE_HOME with many assets fast, for benchmarks of the library commands.

Rows go in through the store's own schema (Store.open runs the migrations) with executemany
into a temp table and one INSERT … SELECT, as tests/store does, so the FTS triggers index every
prompt exactly as `AssetStore.add` would. Each asset gets a `done` job, as the Studio leaves
them. No media files are written: listing and search read only the database.

    .venv/bin/python bench/seed_library.py DAVE_HOME [COUNT]
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dave.store import Store
from dave.store.ids import TIMESTAMP_FORMAT, ulid_at

WORDS = (
    "red", "green", "blue", "fox", "cat", "dog", "tree", "river", "mountain", "city", "night",
    "sunrise", "portrait", "neon", "robot", "castle", "ocean", "forest", "desert", "storm",
    "cinematic", "watercolor", "glass", "paper", "violet", "amber",
)  # fmt: skip
RARE_WORD = "zebra"


def seed_library(home: Path, count: int, *, rare_every: int = 997, seed: int = 7) -> int:
    """Add `count` image assets (and their jobs) to the store under `home`; every
    `rare_every`-th prompt also holds RARE_WORD. Returns how many prompts hold it."""
    rng = random.Random(seed)
    # One asset a minute up to now, ids made at the same moments: a library built over time.
    start = datetime.now(UTC) - timedelta(minutes=count)
    jobs, assets = [], []
    rare = 0
    for i in range(count):
        prompt = " ".join(rng.choice(WORDS) for _ in range(10))
        if i % rare_every == 0:
            prompt += f" {RARE_WORD}"
            rare += 1
        made = start + timedelta(minutes=i)
        now, ms = made.strftime(TIMESTAMP_FORMAT), int(made.timestamp() * 1000)
        job_id, asset_id = f"j_{ulid_at(ms, rng.getrandbits(80))}", f"a_{ulid_at(ms, i)}"
        sha = f"{i:064x}"
        request = json.dumps({"kind": "image", "prompt": prompt, "n": 1})
        result = json.dumps({"outputs": [{"url": f"https://example.invalid/{i}.jpg"}]})
        jobs.append((job_id, "xai", "image", "grok-imagine-image", "done", request, result, now))
        params = json.dumps({"model": "grok-imagine-image", "n": 1, "response_format": "url"})
        path = f"{sha[:2]}/{sha[2:4]}/{sha}.jpg"
        assets.append(
            (asset_id, job_id, "xai", "image", path, sha, 30_000 + i, prompt, params, now)
        )
    with Store.open(home) as store, store.db.transaction() as conn:
        conn.executemany(
            "INSERT INTO jobs (id, provider, kind, model, state, request_json, result_json,"
            " cost_usd, attempts, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 0.02, 1, ?8, ?8)",
            jobs,
        )
        conn.execute(
            "CREATE TEMP TABLE seed (id, job_id, provider, kind, path, sha256, bytes, prompt,"
            " params_json, created_at)"
        )
        conn.executemany("INSERT INTO seed VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", assets)
        conn.execute(
            "INSERT INTO assets (id, job_id, provider, kind, path, sha256, mime, bytes, width,"
            " height, prompt, params_json, created_at)"
            " SELECT id, job_id, provider, kind, path, sha256, 'image/jpeg', bytes, 1024, 1024,"
            " prompt, params_json, created_at FROM seed"
        )
        conn.execute("DROP TABLE seed")
    return rare


if __name__ == "__main__":
    target = Path(sys.argv[1])
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    print(f"{seed_library(target, size)} of {size} prompts hold {RARE_WORD!r}")
