"""Shared fixtures: a private DAVE_HOME for every test, and an x.ai emulator on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings

from dave.emulator import EmulatorConfig, EmulatorServer

if TYPE_CHECKING:
    import openai

    from tests.pg.cluster import Cluster
    from tests.s3server import S3Server

# Keys a developer may have exported must never reach a test (or a real provider).
_REAL_VARIABLES = (
    "XAI_API_KEY",
    "XAI_BASE_URL",
    "MINIMAX_API_KEY",
    "MINIMAX_BASE_URL",
    "STABILITY_API_KEY",
    "STABILITY_BASE_URL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "DAVE_LLM_PROVIDER",
    "DAVE_LLM_MODEL",
    "DAVE_EMULATOR_CONFIG",
    "DAVE_OFFLINE",
    "DAVE_HOME",
    "DAVE_DEBUG",
    "DAVE_PUBLISH_DIR",
    "DAVE_PUBLISH_TARGET",
    "DAVE_DATABASE_URL",
    "DAVE_MEDIA_URL",
)

TEST_KEY = "xai-test-key-0123456789"

# Hypothesis: CI (CI set, as .ci/run does) draws the same examples on every run, from a fresh
# clone with no example database, so a red build is a bug and not a roll of the dice; a failure
# prints the blob that replays it. Elsewhere examples are random and failures are remembered.
# HYPOTHESIS_PROFILE=ci|dev chooses either by hand. A test's own @settings overrides these.
settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, max_examples=100, print_blob=True
)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(autouse=True)
def dave_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets an empty DAVE_HOME and no provider keys."""
    for name in _REAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith(("DAVE_HTTP_", "DAVE_S3_")):
            monkeypatch.delenv(name)
    home = tmp_path / "dave-home"
    monkeypatch.setenv("DAVE_HOME", str(home))
    # Retries back off quickly in tests; the policy itself is tested with its own numbers.
    monkeypatch.setenv("DAVE_HTTP_BACKOFF_BASE", "0.01")
    monkeypatch.setenv("DAVE_HTTP_BACKOFF_CAP", "0.05")
    return home


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """moto's S3 server on loopback, one for the session (tests/s3server.py)."""
    from tests.s3server import run_s3_server

    yield from run_s3_server(tmp_path_factory)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster for the session (tests/pg/cluster.py)."""
    from tests.pg.cluster import Cluster

    cluster = Cluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A new empty database; DAVE_DATABASE_URL names it for dave in this process and its
    children."""
    name = pg_cluster.new_database()
    url = pg_cluster.url(name)
    monkeypatch.setenv("DAVE_DATABASE_URL", url)
    yield url
    pg_cluster.drop_database(name)


@pytest.fixture(scope="session")
def session_emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(video_ready_s=0.3)) as server:
        yield server


@pytest.fixture
def xai(
    session_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[EmulatorServer]:
    """The x.ai emulator with no faults and an empty log; dave pointed at it with a test key."""
    server = session_emulator
    saved = server.config.model_dump(exclude={"faults"})
    server.set_faults([])
    server.log.clear()
    monkeypatch.setenv("XAI_BASE_URL", server.xai_base_url)
    monkeypatch.setenv("XAI_API_KEY", TEST_KEY)
    yield server
    server.set_faults([])
    for name, value in saved.items():
        setattr(server.config, name, value)


@pytest.fixture
def minimax(xai: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    """The same loopback emulator, with dave's MiniMax client pointed at its /minimax prefix."""
    monkeypatch.setenv("MINIMAX_BASE_URL", xai.minimax_base_url)
    monkeypatch.setenv("MINIMAX_API_KEY", TEST_KEY)
    return xai


@pytest.fixture
def stability(xai: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    """The same loopback emulator, with dave's Stability client pointed at /stability."""
    monkeypatch.setenv("STABILITY_BASE_URL", xai.stability_base_url)
    monkeypatch.setenv("STABILITY_API_KEY", TEST_KEY)
    return xai


def sent_forms(server: EmulatorServer) -> list[dict[str, Any]]:
    """The multipart bodies the emulator logged, oldest first: path, fields, files (name →
    (file name, content type, bytes)) and headers."""
    return [
        {
            "path": entry.path,
            "fields": entry.form["fields"],
            "files": {name: tuple(info) for name, info in entry.form["files"].items()},
            "headers": entry.headers,
        }
        for entry in server.log.entries()
        if entry.form is not None
    ]


def run_dave(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Runs the installed `dave` in a subprocess with the test's environment."""
    return subprocess.run(
        [sys.executable, "-m", "dave", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


@pytest.fixture
async def llm(xai: EmulatorServer) -> AsyncIterator[openai.AsyncOpenAI]:
    """An `AsyncOpenAI` client from dave's own endpoint lookup, on the loopback emulator."""
    from dave.core.settings import load_settings
    from dave.providers.openai_compat import llm_endpoint, open_llm

    client = open_llm(llm_endpoint(load_settings(), "xai"))
    async with client:
        yield client


@pytest.fixture
def script(xai: EmulatorServer) -> Callable[[list[dict[str, Any]]], None]:
    """Give the emulator's chat model these turns (the `xai` fixture clears them after)."""
    return xai.config.set_chat_script
