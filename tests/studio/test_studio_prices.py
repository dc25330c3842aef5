"""One price per job: offline, the list price dave journals and the charge the emulator reports
(by x.ai's documented rule) agree, for each way an x.ai job is billed; the journal keeps how the
price was reached and whether it is an estimate."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from dave import Studio


def _picture(path: Path) -> Path:
    Image.new("RGB", (96, 64), (200, 90, 40)).save(path, format="PNG")
    return path


@pytest.fixture
async def offline_studio() -> Studio:
    async with Studio(offline=True, poll_floor_s=0.05) as studio:
        yield studio  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kind", "fields", "price", "estimate"),
    [
        ("image", {"n": 3}, 0.06, False),
        ("image", {"model": "grok-imagine-image-quality"}, 0.05, True),
        ("edit", {}, 0.04, True),
        ("edit", {"n": 2, "two_sources": True}, 0.08, True),
        ("video", {"duration": 2, "resolution": "480p"}, 0.10, False),
        ("video", {"duration": 2, "resolution": "720p"}, 0.14, True),
        ("video", {"duration": 2, "with_frame": True}, 0.102, True),
    ],
)
async def test_the_offline_list_price_and_the_emulators_charge_agree(
    offline_studio: Studio,
    tmp_path: Path,
    kind: str,
    fields: dict[str, object],
    price: float,
    estimate: bool,
) -> None:
    source = str(_picture(tmp_path / "source.png"))
    fields = dict(fields)
    if kind == "image":
        result = await offline_studio.image("a red fox", **fields)
    elif kind == "edit":
        images = [source, source] if fields.pop("two_sources", False) else [source]
        result = await offline_studio.edit("add a hat", images, **fields)
    else:
        if fields.pop("with_frame", False):
            fields["image"] = source
        result = await offline_studio.video("waves", **fields)

    job = offline_studio.jobs.get(result.job.id)
    assert job.offline is True
    assert job.price == pytest.approx(price)
    assert (job.price_unit, job.price_estimate) == ("usd", estimate)
    assert job.charged_usd == pytest.approx(price)
    assert job.price_basis
