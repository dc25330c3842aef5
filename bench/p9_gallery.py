"""P9 gallery: `dave serve` over a library of 100,000 assets: the gallery's first page and a
search, and how long an agent run's event takes from the agent loop to a WebSocket client.

The library is seeded by bench/seed_library.py (the store's schema and FTS triggers; no media
files: the page reads only the database). The server runs in this process, on a thread of its
own (uvicorn on loopback); the emulator, in its own process, plays x.ai's chat model, so the
agent's model streams over real HTTP as a provider's would. Figures:

- first page and search: the server's own time (its `Server-Timing` header) for
  `GET /api/assets?limit=60`, and for `?q=<word>`, median of many; goals <= 150 ms and
  <= 50 ms. Baseline: the same page read straight from the store in this process, so the ratio
  is what HTTP, JSON and the job lookup add.
- WebSocket latency: an agent run on the emulator's scripted model streams a long reply;
  each event is stamped as the run's record takes it from the agent loop and again when a
  client in another process (as a browser is) reads it from `/ws/runs/{id}`; p50 goal
  <= 5 ms. Baseline: half a loopback WebSocket echo's round trip, measured in the same run.

    .venv/bin/python bench/p9_gallery.py [--quick]
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _common import (
    EmulatorProcess,
    goal,
    line,
    median,
    parse_args,
    percentile,
    ratio,
    use_dave_env,
)
from seed_library import seed_library

FIRST_PAGE_GOAL_MS = 150.0
SEARCH_GOAL_MS = 50.0
WS_GOAL_MS = 5.0


def start_server(home: Path) -> tuple[str, asyncio.AbstractEventLoop, Any]:
    from dave.core.settings import load_settings
    from dave.server.serve import serve

    ready = threading.Event()
    box: dict[str, Any] = {}

    async def run() -> None:
        box["loop"] = asyncio.get_running_loop()
        box["task"] = asyncio.current_task()

        def on_ready(url: str) -> None:
            box["url"] = url
            ready.set()

        await serve(load_settings(), port=0, workspace=home, on_ready=on_ready)

    def main() -> None:
        with contextlib.suppress(asyncio.CancelledError):
            asyncio.run(run())

    threading.Thread(target=main, daemon=True).start()
    if not ready.wait(60):
        raise SystemExit("dave serve did not start")
    return box["url"], box["loop"], box["task"]


def server_ms(response: Any) -> float:
    timing = response.headers["server-timing"]  # app;dur=12.34
    return float(timing.split("dur=")[1])


# The client is another process, as a browser is: no share of this process's GIL. Linux's
# CLOCK_MONOTONIC (perf_counter) is one clock for every process, so its stamps compare. It is
# started once and reads one socket URL per line, so it is listening before a run's model
# answers (the emulator holds each chat answer back a little: see HOLD_S).
_CLIENT = """
import json, sys, time
from websockets.sync.client import connect
for url in sys.stdin:
    seen = []
    with connect(url.strip()) as ws:
        for text in ws:
            arrived = time.perf_counter()
            seen.append((len(seen), json.loads(text)["kind"], arrived))
    print(json.dumps(seen), flush=True)
"""
HOLD_S = 0.3


class Client:
    """The run reader in its own process."""

    def __init__(self) -> None:
        self._process = subprocess.Popen([sys.executable, "-c", _CLIENT], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True)  # fmt: skip

    def read_run(self, socket_url: str) -> list[tuple[int, str, float]]:
        """(index, kind, arrival) of each event of the run."""
        assert self._process.stdin and self._process.stdout
        self._process.stdin.write(socket_url + "\n")
        self._process.stdin.flush()
        return [tuple(item) for item in json.loads(self._process.stdout.readline())]  # type: ignore[misc]

    def close(self) -> None:
        assert self._process.stdin
        self._process.stdin.close()
        self._process.wait(10)


def echo_baseline(samples: int) -> list[float]:
    """Half a loopback WebSocket echo's round trip, in ms."""
    from websockets.sync.client import connect
    from websockets.sync.server import serve

    def echo(socket: Any) -> None:
        for message in socket:
            socket.send(message)

    with serve(echo, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.socket.getsockname()[1]
        times = []
        with connect(f"ws://127.0.0.1:{port}") as ws:
            for i in range(samples):
                started = time.perf_counter()
                ws.send(json.dumps({"kind": "text_delta", "text": f"word{i} "}))
                ws.recv()
                times.append((time.perf_counter() - started) * 1000 / 2)
        server.shutdown()
    return times


def measure_pages(http: Any, store: Any, reps: int) -> dict[str, list[float]]:
    """Server time of the first page and of searches, and the same reads from the store."""
    times: dict[str, list[float]] = {"page": [], "search": [], "store_page": [], "store_search": []}
    for word in ("fox", "zebra", "neon"):  # warm caches on both sides
        http.get("/api/assets", params={"q": word, "limit": 60})
        store.assets.page(q=word, limit=60)
    for i in range(reps):
        words = "zebra" if i % 2 else "fox castle"
        started = time.perf_counter()
        assert store.assets.page(limit=60).assets
        times["store_page"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        store.assets.page(q=words, limit=60)
        times["store_search"].append((time.perf_counter() - started) * 1000)
        answer = http.get("/api/assets", params={"limit": 60})
        assert len(answer.json()["assets"]) == 60, answer.text
        times["page"].append(server_ms(answer))
        found = http.get("/api/assets", params={"q": words, "limit": 60})
        assert found.json()["assets"], found.text
        times["search"].append(server_ms(found))
    return times


def measure_runs(
    http: Any, url: str, emitted: dict[tuple[str, int], float], runs: int, debug: bool
) -> list[float]:
    """Latency in ms of each text event, from the run's record to the client in its process."""
    latencies: list[float] = []
    client = Client()
    for _ in range(runs):
        run_id = http.post("/api/runs", json={"agent": "daisy", "prompt": "talk"}).json()["id"]
        got = client.read_run(url.replace("http", "ws", 1) + f"ws/runs/{run_id}")
        if debug:
            base = emitted[(run_id, 0)]
            for index, kind, arrived in got[:5] + got[-3:]:
                emit_ms = (emitted[(run_id, index)] - base) * 1000
                line(
                    f"  {index} {kind} made +{emit_ms:.3f} ms, read +{(arrived - base) * 1000:.3f}"
                )
        latencies += [
            (arrived - emitted[(run_id, index)]) * 1000
            for index, kind, arrived in got
            if kind == "text_delta"
        ]
    client.close()
    return latencies


def main() -> int:
    args = parse_args(
        __doc__, ("--debug", {"action": "store_true", "help": "print a run's event times"})
    )
    count, reps, words, runs = (5_000, 5, 60, 1) if args.quick else (100_000, 40, 400, 5)
    import httpx2

    from dave.server import runs as server_runs
    from dave.store import Store

    with tempfile.TemporaryDirectory(prefix="dave-bench-p9-") as folder:
        home = Path(folder, "home")
        started = time.perf_counter()
        rare = seed_library(home, count)
        spent = time.perf_counter() - started
        line(f"seeded {count:,} assets ({rare} hold the rare word) in {spent:.1f} s")
        reply = " ".join(f"word{i}" for i in range(words))
        hold = {"match": "POST /v1/chat/completions", "kind": "hang", "seconds": HOLD_S}
        config = {"chat_script": [{"content": reply}] * runs, "faults": [{**hold, "times": runs}]}

        # Stamp each event as the run's record takes it from the agent loop.
        emitted: dict[tuple[str, int], float] = {}
        original = server_runs.RunRecord.append

        def stamped(record: server_runs.RunRecord, event: dict[str, Any]) -> None:
            emitted[(record.id, len(record.events))] = time.perf_counter()
            original(record, event)

        server_runs.RunRecord.append = stamped  # type: ignore[method-assign]
        with EmulatorProcess(config) as emulator:
            use_dave_env(home, emulator.xai_base_url)
            url, loop, task = start_server(home)
            with Store.open(home) as store, httpx2.Client(base_url=url, timeout=60) as http:
                times = measure_pages(http, store, reps)
                latencies = measure_runs(http, url, emitted, runs, args.debug)
            loop.call_soon_threadsafe(task.cancel)
            time.sleep(0.5)
    baseline = echo_baseline(len(latencies))

    page, search = median(times["page"]), median(times["search"])
    store_page, store_search = median(times["store_page"]), median(times["store_search"])
    line(f"first page: server {page:.2f} ms, store {store_page:.2f} ms; "
         f"search: server {search:.2f} ms, store {store_search:.2f} ms")  # fmt: skip
    p50, p95, echo = percentile(latencies, 0.5), percentile(latencies, 0.95), median(baseline)
    line(f"websocket: {len(latencies)} events, p50 {p50:.3f} ms, p95 {p95:.3f} ms; "
         f"echo p50 {echo:.3f} ms")  # fmt: skip
    checks = [
        ratio("p9.first_page_over_store", page / store_page, None,
              "server time of GET /api/assets?limit=60 over the store's own page"),
        goal("p9.first_page", page, "ms", FIRST_PAGE_GOAL_MS,
             f"the gallery's first page over {count:,} assets, server time"),
        ratio("p9.search_over_store", search / store_search, None,
              "server time of a search over the store's own search"),
        goal("p9.search", search, "ms", SEARCH_GOAL_MS,
             f"a full-text search over {count:,} prompts, server time"),
        ratio("p9.ws_latency_over_echo", p50 / echo, None,
              "run event latency, agent loop to client, over half a loopback WebSocket echo"),
        goal("p9.ws_latency_p50", p50, "ms", WS_GOAL_MS,
             "run event latency from the agent loop to a client in another process, p50"),
    ]  # fmt: skip
    return 0 if all(checks) or args.quick else 1


if __name__ == "__main__":
    raise SystemExit(main())
