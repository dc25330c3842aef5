"""Fixtures for the PostgreSQL store: one real cluster for the session, a fresh database for
each test, and DAVE_DATABASE_URL pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .cluster import Cluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
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
