"""The journal and the library: jobs and assets in one SQLite file (or PostgreSQL), media files
beside it (or in S3).

Not for calling providers or checking media (media/), nor for deciding where DAVE_HOME is (core).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .assets import Asset, AssetPage, AssetStore
from .base import AssetCatalog, JobJournal
from .db import Database, SqlDatabase
from .files import MediaFolder, Staging
from .ids import new_id, parse_timestamp, utc_now
from .jobs import TERMINAL, UNFINISHED, Job, JobEvent, JobState, JobStore, StateConflict
from .lineage import LineageStore
from .migration import Migration
from .publications import Publication, PublicationStore

if TYPE_CHECKING:
    from dave.core.settings import S3Media, Settings

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
    "open_media",
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


def open_media(home: Path, media_s3: S3Media | None = None) -> MediaFolder:
    """The media folder `home/media`, or the S3 library at `media_s3` cached there."""
    root = Path(home) / MEDIA_DIR
    if media_s3 is None:
        return MediaFolder(root)
    from .s3media import S3MediaFolder  # boto3: only for a team library

    return S3MediaFolder(root, media_s3)


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
    def open(
        cls, home: Path, database_url: str | None = None, media_s3: S3Media | None = None
    ) -> Store:
        """Open (creating and migrating as needed) the store under `home`: the journal in
        `home/dave.db`, or on PostgreSQL at `database_url`; the media in `home/media`, or in
        S3 at `media_s3` with `home/media` as its cache."""
        home = Path(home)
        media = open_media(home, media_s3)
        db = open_database(home, database_url)
        return cls(home, db, JobStore(db), AssetStore(db), media)

    @classmethod
    def for_settings(cls, settings: Settings) -> Store:
        """The store the settings name: DAVE_HOME, DAVE_DATABASE_URL, DAVE_MEDIA_URL."""
        return cls.open(settings.home, settings.database, settings.media_s3)

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
