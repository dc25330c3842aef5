"""The publishing tests: every one sees only the fake AWS keys (tests/s3server.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.s3server import (
    ACCESS_KEY_ID,
    REGION,
    SECRET_ACCESS_KEY,
    S3Server,
    anonymous_get,
    use_fake_aws,
)

__all__ = ["ACCESS_KEY_ID", "REGION", "SECRET_ACCESS_KEY", "S3Server", "anonymous_get"]


@pytest.fixture(autouse=True)
def aws_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_fake_aws(tmp_path, monkeypatch)
