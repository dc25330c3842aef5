"""The Studio making and editing images against the x.ai emulator on loopback: what goes on the
wire, what lands in DAVE_HOME/media, and what the journal and the library record."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import pytest

from dave import InvalidRequest, Studio
from dave.emulator import EmulatorServer

TEST_KEY = "xai-test-key-0123456789"  # what the `xai` fixture exports as XAI_API_KEY


def _states(studio: Studio, job_id: str) -> list[str]:
    return [event.state.value for event in studio.jobs.events(job_id)]


async def test_three_url_images_land_in_the_library_at_their_sha256_paths(
    studio: Studio,
    xai: EmulatorServer,
    check_asset: Callable[..., Path],
    load_image: Callable[[Path], object],
) -> None:
    result = await studio.image("a red fox in the snow", n=3, aspect_ratio="16:9", resolution="2k")

    assert len(result.assets) == 3
    assert [asset.index for asset in result.assets] == [0, 1, 2]
    for asset, path in zip(result.assets, result.paths(), strict=True):
        stored = check_asset(asset, "jpg")
        assert stored == path
        image = load_image(stored)
        # 2k is a 2048² pixel budget: at 16:9 that is 2730.7 x 1536, rounded to multiples of 16.
        assert image.format == "JPEG"
        assert image.size == (2736, 1536)
        assert (asset.width, asset.height) == (2736, 1536)
        assert asset.mime == "image/jpeg"
        assert asset.kind == "image"
    # The three outputs differ (the emulator captions them #1, #2, #3).
    assert len({asset.sha256 for asset in result.assets}) == 3


async def test_image_request_goes_on_the_wire_with_exactly_the_documented_fields(
    studio: Studio, xai: EmulatorServer
) -> None:
    await studio.image("a red fox in the snow", n=3, aspect_ratio="16:9", resolution="2k")

    posts = xai.log.posts()
    assert [post.path for post in posts] == ["/v1/images/generations"]
    assert posts[0].json == {
        "model": "grok-imagine-image",
        "prompt": "a red fox in the snow",
        "n": 3,
        "aspect_ratio": "16:9",
        "resolution": "2k",
        "response_format": "url",
    }
    assert posts[0].headers["authorization"] == f"Bearer {TEST_KEY}"
    assert posts[0].headers["content-type"].startswith("application/json")
    downloads = xai.log.gets("/files/*")
    assert len(downloads) == 3
    # Result URLs are on the provider's CDN: the API key must not travel there.
    assert all("authorization" not in entry.headers for entry in downloads)


async def test_unset_image_options_are_left_off_the_wire(
    studio: Studio, xai: EmulatorServer
) -> None:
    result = await studio.image("a plain grey pebble")

    (post,) = xai.log.posts()
    assert post.json == {
        "model": "grok-imagine-image",
        "prompt": "a plain grey pebble",
        "n": 1,
        "response_format": "url",
    }
    # x.ai's defaults: aspect auto (square) at 1k.
    assert (result.assets[0].width, result.assets[0].height) == (1024, 1024)


async def test_b64_json_images_come_inline_and_nothing_is_downloaded(
    studio: Studio,
    xai: EmulatorServer,
    check_asset: Callable[..., Path],
    load_image: Callable[[Path], object],
) -> None:
    result = await studio.image(
        "a lighthouse at dusk", n=2, aspect_ratio="1:1", response_format="b64_json"
    )

    assert len(result.assets) == 2
    for asset in result.assets:
        image = load_image(check_asset(asset, "jpg"))
        assert image.size == (1024, 1024)
        assert asset.mime == "image/jpeg"
    (post,) = xai.log.posts()
    assert post.json["response_format"] == "b64_json"
    assert xai.log.gets("/files/*") == []
    assert result.job.state.value == "done"


async def test_image_job_row_is_done_with_the_emulators_cost_and_its_history(
    studio: Studio, xai: EmulatorServer
) -> None:
    result = await studio.image("a red fox in the snow", n=3)

    job = studio.jobs.get(result.job.id)
    assert job.state.value == "done"
    assert job.kind == "image"
    assert job.provider == "xai"
    assert job.model == "grok-imagine-image"
    # 3 images x 200,000,000 ticks; 1 USD = 1e10 ticks.
    assert job.cost_usd == pytest.approx(0.06)
    assert job.attempts == 1
    assert job.error is None
    assert _states(studio, job.id) == ["created", "submitting", "downloading", "done"]
    assert job.request["prompt"] == "a red fox in the snow"
    assert job.request["n"] == 3


async def test_asset_rows_carry_the_prompt_and_the_request_params(
    studio: Studio, xai: EmulatorServer
) -> None:
    result = await studio.image("a red fox in the snow", n=2, aspect_ratio="3:2", resolution="1k")

    rows = studio.assets.for_job(result.job.id)
    assert [row.id for row in rows] == [asset.id for asset in result.assets]
    for row in rows:
        assert row.prompt == "a red fox in the snow"
        assert row.job_id == result.job.id
        assert row.provider == "xai"
        assert row.params is not None
        assert row.params["model"] == "grok-imagine-image"
        assert row.params["n"] == 2
        assert row.params["aspect_ratio"] == "3:2"
        assert row.params["resolution"] == "1k"
        assert row.params["response_format"] == "url"
        assert "prompt" not in row.params
    assert [a.id for a in studio.assets.search("fox")] == [a.id for a in reversed(rows)]


async def test_the_api_key_is_never_written_into_dave_home(
    studio: Studio, xai: EmulatorServer, dave_home: Path
) -> None:
    await studio.image("a red fox in the snow")
    await studio.aclose()

    for path in dave_home.rglob("*"):
        if path.is_file():
            assert TEST_KEY.encode() not in path.read_bytes(), path


# -- edits ------------------------------------------------------------------------------------


async def test_edit_sends_a_local_png_as_a_data_uri_in_image_url(
    studio: Studio,
    xai: EmulatorServer,
    png: Path,
    decode_data_uri: Callable[[str, str], bytes],
    check_asset: Callable[..., Path],
) -> None:
    result = await studio.edit("make it look like a watercolour", str(png))

    (post,) = xai.log.posts()
    assert post.path == "/v1/images/edits"
    assert set(post.json) == {"model", "prompt", "n", "response_format", "image"}
    assert "images" not in post.json
    assert post.json["image"]["type"] == "image_url"
    assert decode_data_uri(post.json["image"]["url"], "image/png") == png.read_bytes()
    assert post.json["prompt"] == "make it look like a watercolour"
    (asset,) = result.assets
    check_asset(asset, "jpg")
    # A single-image edit keeps its source's ratio (64x48 is 4:3) at about one megapixel.
    assert asset.width is not None and asset.height is not None
    assert asset.width / asset.height == pytest.approx(4 / 3, rel=0.02)
    assert asset.width * asset.height == pytest.approx(1024 * 1024, rel=0.05)
    assert result.job.kind == "edit"
    assert result.job.state.value == "done"


async def test_edit_passes_an_http_url_through_unchanged(
    studio: Studio, xai: EmulatorServer
) -> None:
    url = "https://example.com/photos/cat.jpeg?size=large&v=2"
    result = await studio.edit("give the cat a hat", [url])

    (post,) = xai.log.posts()
    assert post.json["image"] == {"url": url, "type": "image_url"}
    assert len(result.assets) == 1
    # dave did not fetch the URL itself: only the emulator's result file was downloaded.
    assert [entry.path.split("/")[1] for entry in xai.log.gets()] == ["files"]


async def test_edit_with_three_sources_sends_them_in_images_in_order(
    studio: Studio,
    xai: EmulatorServer,
    make_image: Callable[..., Path],
    decode_data_uri: Callable[[str, str], bytes],
) -> None:
    first = make_image("first.png", size=(40, 40))
    third = make_image("third.jpg", size=(30, 20), fmt="JPEG")
    url = "https://example.com/second.webp"

    result = await studio.edit(
        "put <IMAGE_1> next to <IMAGE_2> under <IMAGE_3>", [str(first), url, str(third)]
    )

    (post,) = xai.log.posts()
    assert "image" not in post.json
    images = post.json["images"]
    assert len(images) == 3
    assert all(item["type"] == "image_url" for item in images)
    assert decode_data_uri(images[0]["url"], "image/png") == first.read_bytes()
    assert images[1]["url"] == url
    assert decode_data_uri(images[2]["url"], "image/jpeg") == third.read_bytes()
    # Several sources follow the first one's ratio (square) unless aspect_ratio says otherwise.
    (asset,) = result.assets
    assert (asset.width, asset.height) == (1024, 1024)


async def test_edit_with_two_sources_and_an_aspect_ratio(
    studio: Studio, xai: EmulatorServer, png: Path
) -> None:
    result = await studio.edit(
        "blend them", [str(png), "https://example.com/b.png"], aspect_ratio="2:1", n=2
    )

    (post,) = xai.log.posts()
    assert len(post.json["images"]) == 2
    assert post.json["aspect_ratio"] == "2:1"
    assert post.json["n"] == 2
    assert len(result.assets) == 2
    for asset in result.assets:
        assert asset.width is not None and asset.height is not None
        assert asset.width / asset.height == pytest.approx(2.0, rel=0.02)


async def test_edit_with_four_sources_is_refused_before_anything_is_sent(
    studio: Studio, xai: EmulatorServer, png: Path, media_files: Callable[[], list[Path]]
) -> None:
    with pytest.raises(InvalidRequest, match="at most 3"):
        await studio.edit("too many", [str(png)] * 4)

    assert len(xai.log) == 0
    assert studio.jobs.count() == 0
    assert media_files() == []


async def test_edit_journal_keeps_the_local_path_not_the_file_bytes(
    studio: Studio, xai: EmulatorServer, png: Path
) -> None:
    result = await studio.edit("make it blue", str(png))

    job = studio.jobs.get(result.job.id)
    assert job.request["images"] == [str(png.resolve())]
    encoded = base64.b64encode(png.read_bytes()).decode()
    assert encoded not in str(job.request)


async def test_edit_passes_a_data_uri_through_unchanged(
    studio: Studio, xai: EmulatorServer, png: Path
) -> None:
    uri = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode()

    result = await studio.edit("make it green", [uri])

    (post,) = xai.log.posts()
    assert post.json["image"]["url"] == uri
    assert result.job.state.value == "done"


async def test_prompt_and_options_are_tidied_before_they_go_on_the_wire(
    studio: Studio, xai: EmulatorServer
) -> None:
    await studio.image("   a red fox  \n", aspect_ratio=" 16:9 ", resolution="2K")

    (post,) = xai.log.posts()
    assert post.json["prompt"] == "a red fox"
    assert post.json["aspect_ratio"] == "16:9"
    assert post.json["resolution"] == "2k"
