"""The body of `dave publish` and of `--publish` on the media commands: put kept assets at a
target (a local folder, an S3-compatible store) and print their links.

Not for how a target stores bytes (dave.publish) nor for making the assets (generate.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dave.cli.output import emit_json, emit_line

if TYPE_CHECKING:
    from dave.publish.target import Target

#: What `--publish` with no `--publish-to` uses, unless DAVE_PUBLISH_TARGET says otherwise.
DEFAULT_TARGET = "local"


def default_target() -> str:
    return os.environ.get("DAVE_PUBLISH_TARGET") or DEFAULT_TARGET


def open_publish_target(name: str | None) -> Target:
    """The target called `name` (default: `default_target()`), opened from the settings; a
    name or setting that cannot be used is refused here, before anything is sent."""
    from dave.core.settings import load_settings
    from dave.publish.settings import open_target

    return open_target(name or default_target(), load_settings())


#: The fields of a publication that `--json` prints.
_SHOWN = ("asset_id", "target", "key", "url", "expires_at")


def publish_assets(asset_ids: Iterable[str], target: Target) -> list[dict[str, Any]]:
    """Publishes each asset, in order, and gives what `--json` prints for each."""
    from dave.cli.store import open_store
    from dave.publish.publisher import Publisher

    with open_store() as store:
        publisher = Publisher(store, target)
        rows = [publisher.publish(asset_id).to_dict() for asset_id in asset_ids]
    return [{name: row[name] for name in _SHOWN} for row in rows]


def run(asset_ids: list[str], *, target: str | None, json_output: bool) -> None:
    published = publish_assets(asset_ids, open_publish_target(target))
    if json_output:
        emit_json({"published": published})
        return
    for entry in published:
        emit_line(entry["url"])
