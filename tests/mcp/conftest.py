"""Starting the installed `dave mcp` as an MCP client does, and talking to it with the SDK's own
client: over stdio (the client spawns dave) or over streamable HTTP (dave listens on port 0).

Every server here is pointed at the loopback emulator (the `xai`, `minimax` and `stability`
fixtures), so a test can count the paid requests that reached a provider.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp.client.stdio import stdio_client

from dave.emulator import EmulatorServer
from mcp import ClientSession, StdioServerParameters


def dave_command() -> str:
    """The console script pip installed beside this Python (what an MCP client runs)."""
    beside = Path(sys.executable).with_name("dave")
    found = str(beside) if beside.exists() else shutil.which("dave")
    assert found, "the `dave` console script is not installed"
    return found


@pytest.fixture
def providers(
    xai: EmulatorServer, minimax: EmulatorServer, stability: EmulatorServer
) -> EmulatorServer:
    """All three providers on the one loopback emulator, its log empty."""
    return xai


@asynccontextmanager
async def stdio_session(
    *args: str, env: dict[str, str] | None = None
) -> AsyncIterator[ClientSession]:
    """An initialized ClientSession to `dave mcp ARGS`, spawned over stdio with the test's
    environment (its DAVE_HOME, and the emulator's URLs and keys)."""
    params = StdioServerParameters(
        command=dave_command(), args=["mcp", *args], env={**os.environ, **(env or {})}
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


@contextmanager
def http_server(
    *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`dave mcp --http --port 0 ARGS` running; yields its /mcp URL and the process."""
    process = subprocess.Popen(
        [dave_command(), "mcp", "--http", "--port", "0", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        found = re.search(r"(http://\S+/mcp)", line)
        assert found, f"dave mcp --http did not say where it listens: {line!r}"
        yield found.group(1), process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def text_of(result: Any) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")
