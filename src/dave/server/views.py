"""What the server's JSON says about an asset and a job: the library's fields, the links the
gallery follows, and nothing the journal keeps for itself (provider answers, temporary URLs).

Not for reading the store (state.py) nor for routing (api.py).
"""

from __future__ import annotations

from typing import Any

from dave.store import Asset, Job, JobEvent

#: Thumbnail widths the server makes (a request's `w` is rounded up to one of them), so the
#: cache holds a few files per asset however the page asks.
THUMB_WIDTHS = (128, 256, 384, 512, 768)
GRID_THUMB = 384


#: Longer strings in a saved request (a source sent inline as a data: URI) are shown cut.
MAX_SHOWN_CHARS = 2048


def shortened(value: Any) -> Any:
    """`value` with each overlong string cut to its head and its length: a page never carries
    a 20 MB data: URI back."""
    if isinstance(value, str) and len(value) > MAX_SHOWN_CHARS:
        return f"{value[:80]}…({len(value):,} characters)"
    if isinstance(value, dict):
        return {key: shortened(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shortened(item) for item in value]
    return value


def asset_view(asset: Asset, job: Job | None = None) -> dict[str, Any]:
    data = asset.to_dict()
    data["params"] = shortened(data["params"])
    data["url"] = f"/media/{asset.id}"
    data["thumb"] = (
        f"/thumbs/{asset.id}?w={GRID_THUMB}" if asset.kind in ("image", "video") else None
    )
    data["model"] = job.model if job else (asset.params or {}).get("model")
    data["price"] = job.price if job else None
    data["price_unit"] = job.price_unit if job else None
    data["offline"] = job.offline if job else None
    return data


def job_view(job: Job) -> dict[str, Any]:
    data = job.to_dict()
    # The provider's raw answer may hold temporary signed URLs: the journal's, not the page's.
    data.pop("result", None)
    data["request"] = shortened(data["request"])
    return data


def event_view(event: JobEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "job_id": event.job_id,
        "at": event.at,
        "state": event.state.value,
        "detail": event.detail,
    }
