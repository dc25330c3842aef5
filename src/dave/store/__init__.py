"""The journal and the library: jobs and assets in one SQLite file, media files beside it.

Not for calling providers or checking media (media/), nor for deciding where DAVE_HOME is (core).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .assets import Asset, AssetPage, AssetStore
from .base import AssetCatalog, JobJournal
from .db import Database, SqlDatabase
from .files import MediaFolder, Staging
from .ids import new_id, parse_timestamp, utc_now
from .jobs import TERMINAL, UNFINISHED, Job, JobEvent, JobState, JobStore, StateConflict
from .lineage import LineageStore
from .migration import Migration
from .publications import Publication, PublicationStore

__all__ = [
    "TERMINAL",
    "UNFINISHED",
    "Asset",
    "AssetCatalog",
    "AssetPage",
    "AssetStore",
    "Database",
    "Job",
    "JobEvent",
    "JobJournal",
    "JobState",
    "JobStore",
    "LineageStore",
    "MediaFolder",
    "Migration",
    "Publication",
    "PublicationStore",
    "Staging",
    "StateConflict",
    "Store",
    "new_id",
    "open_database",
    "parse_timestamp",
    "utc_now",
]

DB_NAME = "dave.db"
MEDIA_DIR = "media"


def open_database(home: Path, database_url: str | None = None) -> SqlDatabase:
    """The journal's database: on PostgreSQL at `database_url`, else `home/dave.db`."""
    if database_url:
        from .pg import PgDatabase

        return PgDatabase(database_url)
    return Database(Path(home) / DB_NAME)


class Store:
    """Everything under one DAVE_HOME: `home/dave.db` (jobs, assets, lineage, publications) and
    `home/media/`."""

    def __init__(
        self,
        home: Path,
        db: SqlDatabase,
        jobs: JobJournal,
        assets: AssetCatalog,
        media: MediaFolder,
        publications: PublicationStore | None = None,
        lineage: LineageStore | None = None,
    ) -> None:
        self.home = home
        self.db = db
        self.jobs = jobs
        self.assets = assets
        self.media = media
        self.publications = publications or PublicationStore(db)
        self.lineage = lineage or LineageStore(db)

    @classmethod
    def open(cls, home: Path, database_url: str | None = None) -> Store:
        """Open (creating and migrating as needed) the store under `home`: the journal in
        `home/dave.db`, or on PostgreSQL at `database_url`."""
        home = Path(home)
        db = open_database(home, database_url)
        return cls(home, db, JobStore(db), AssetStore(db), MediaFolder(home / MEDIA_DIR))

    @contextmanager
    def together(self) -> Iterator[None]:
        """The writes made inside happen as one, or not at all (a job's last file and its end):
        a crash leaves both or neither."""
        with self.db.transaction():
            yield

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.home)!r})"
