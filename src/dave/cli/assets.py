"""The bodies of `dave assets list|show|search`: reading the media library, nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dave.cli.output import console, emit_json, printable, stdout_console
from dave.cli.store import open_store


def list_assets(*, limit: int, published: bool = False, json_output: bool) -> None:
    with open_store() as store:
        found = store.assets.list(limit=limit, published=published)
        _print(found, store.media.root, json_output)


def search(text: str, *, limit: int, json_output: bool) -> None:
    with open_store() as store:
        _print(store.assets.search(text, limit=limit), store.media.root, json_output)


def show(asset_id: str, *, json_output: bool) -> None:
    with open_store() as store:
        asset = store.assets.get(asset_id)
        root = store.media.root
        publications = store.publications.for_asset(asset.id)
        sources = store.lineage.sources_of(asset)
        derived = store.lineage.derived_from(asset.id)
    data = {**asset.to_dict(), "path": str(root / asset.path)}
    data["published"] = [p.to_dict() for p in publications]
    data["sources"] = [{"field": field, "asset_id": a.id} for field, a in sources]
    data["derived"] = [a.id for a in derived]
    if json_output:
        emit_json({"asset": data})
        return
    out = stdout_console()
    for key, value in data.items():
        if key == "published":
            for entry in value:
                out.print(f"published ({entry['target']}): {printable(entry['url'])}")
        elif key == "sources":
            for entry in value:
                out.print(f"made from ({printable(entry['field'])}): {entry['asset_id']}")
        elif key == "derived":
            for made in value:
                out.print(f"made into: {made}")
        else:
            out.print(f"{key}: {printable(value)}")


def _print(assets: Sequence[Any], root: Any, json_output: bool) -> None:
    if json_output:
        emit_json({"assets": [{**a.to_dict(), "path": str(root / a.path)} for a in assets]})
        return
    from rich.table import Table

    table = Table("id", "kind", "size", "prompt", "path", box=None)
    for asset in assets:
        size = f"{asset.width}x{asset.height}" if asset.width else "-"
        if asset.duration_s:
            size += f" {asset.duration_s:.1f}s"
        prompt = (asset.prompt or "")[:40]
        table.add_row(
            asset.id, asset.kind, size, printable(prompt), printable(str(root / asset.path))
        )
    stdout_console().print(table)
    if not assets:
        console().print("no assets found")
