"""The body of `dave publish` and of `--publish` on the media commands: put kept assets at a
target (a local folder, an S3-compatible store) and print their links.

Not for how a target stores bytes (dave.publish) nor for making the assets (generate.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from dave.cli.output import emit_json, emit_line

#: What `--publish` with no `--publish-to` uses, unless DAVE_PUBLISH_TARGET says otherwise.
DEFAULT_TARGET = "local"


def default_target() -> str:
    return os.environ.get("DAVE_PUBLISH_TARGET") or DEFAULT_TARGET


def publish_assets(asset_ids: Iterable[str], target: str) -> list[dict[str, Any]]:
    """Publishes each asset, in order, and gives what `--json` prints for each."""
    from dave.cli.store import open_store
    from dave.core.settings import load_settings
    from dave.publish.publisher import Publisher
    from dave.publish.settings import open_target

    settings = load_settings()
    chosen = open_target(target, settings)
    published = []
    with open_store() as store:
        publisher = Publisher(store, chosen)
        for asset_id in asset_ids:
            row = publisher.publish(asset_id)
            published.append(
                {
                    "asset_id": row.asset_id,
                    "target": row.target,
                    "key": row.key,
                    "url": row.url,
                    "expires_at": row.expires_at,
                }
            )
    return published


def run(asset_ids: list[str], *, target: str | None, json_output: bool) -> None:
    published = publish_assets(asset_ids, target or default_target())
    if json_output:
        emit_json({"published": published})
        return
    for entry in published:
        emit_line(entry["url"])
