"""Opening the store for commands that only read it: no asyncio, no providers, no rich."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dave.store import Store


def open_store() -> Store:
    from dave.core.settings import load_settings
    from dave.store import Store

    return Store.for_settings(load_settings())


def copy_to(url: str) -> None:
    """`dave store copy --to URL`: the local journal into the team store, resumable."""
    from dave.cli.output import console
    from dave.core.errors import ConfigError
    from dave.core.redact import Secret
    from dave.core.settings import load_settings
    from dave.store import Database, open_media
    from dave.store.copy import copy_journal
    from dave.store.pg import PgDatabase, shown_url
    from dave.store.s3media import S3MediaFolder

    if not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError("--to must be a postgresql:// URL")
    Secret(url)  # its password is redacted from anything dave prints from here on
    settings = load_settings()
    local = settings.db_path
    if not local.is_file():
        raise ConfigError(f"no local journal at {local} to copy")
    media = open_media(settings.home, settings.media_s3)
    # Into a team library (DAVE_MEDIA_URL) each file goes up before its row is copied.
    upload = media.upload if isinstance(media, S3MediaFolder) else None
    with Database(local) as source, PgDatabase(url) as target:
        report = copy_journal(source, target, settings.media_root, upload=upload)
    console().print(f"{shown_url(url)}: {report.line()}", soft_wrap=True)
    if report.bad_files:
        console().print("left out: " + " ".join(report.bad_files), soft_wrap=True)
