"""The gallery in a real browser (the system's Chromium, driven by Playwright) over a real
`dave serve`: seeded assets shown and decoded, search narrowing as one types, the detail view
with lineage, the keyboard, a video playing, and a new asset appearing without a reload."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from dave.emulator import EmulatorServer

from .conftest import Served, generate

CHROMIUM = os.environ.get("DAVE_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
#: Where the run's screenshot is kept (a test's own temp folder unless set).
SHOTS = os.environ.get("DAVE_SCREENSHOTS")

if not Path(CHROMIUM).exists():  # .ci/run installs it; without it these tests cannot run
    pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium", pytrace=False)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert errors == [], errors


@pytest.fixture
def seeded(
    quick_videos: None, client: httpx2.Client, xai: EmulatorServer, dave_home: Path
) -> dict[str, Any]:
    """Two fox images, a heron, an edit of the heron, and a video, made through the API."""
    fox = generate(client, kind="image", prompt="a red fox in the snow", n=2)["assets"]
    heron = generate(client, kind="image", prompt="a grey heron by a pond")["assets"][0]
    source = str(dave_home / "media" / heron["path"])
    edit = generate(client, kind="edit", prompt="the heron in watercolour", images=[source])
    video = generate(client, kind="video", prompt="waves rolling onto a beach", duration=2)
    return {"fox": fox, "heron": heron, "edit": edit["assets"][0], "video": video["assets"][0]}


def tile_ids(page: Page) -> list[str]:
    ids: list[str] = page.eval_on_selector_all(
        ".grid [data-asset-id]", "tiles => tiles.map(t => t.dataset.assetId)"
    )
    return ids


def test_the_grid_shows_every_asset_newest_first_with_decoded_pictures(
    server: Served, client: httpx2.Client, seeded: dict[str, Any], page: Page, tmp_path: Path
) -> None:
    page.goto(server.url)
    expect(page.locator(".grid [data-asset-id]")).to_have_count(5)
    api = [a["id"] for a in client.get("/api/assets").json()["assets"]]
    assert tile_ids(page) == api
    images = page.locator(".grid img")
    expect(images).to_have_count(4)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.grid img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    widths = page.eval_on_selector_all(".grid img", "imgs => imgs.map(i => i.naturalWidth)")
    assert all(width >= 256 for width in widths)
    fox = page.locator(f"[data-asset-id='{seeded['fox'][0]['id']}']")
    expect(fox).to_contain_text("a red fox in the snow")
    expect(fox).to_contain_text("xai")
    expect(fox).to_contain_text("grok-imagine-image")
    expect(fox).to_contain_text("$")
    shot = Path(SHOTS) if SHOTS else tmp_path
    shot.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot / "gallery.png"), full_page=True)
    assert (shot / "gallery.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_search_narrows_as_one_types_and_filters_by_kind(
    server: Served, seeded: dict[str, Any], page: Page
) -> None:
    page.goto(server.url)
    expect(page.locator(".grid [data-asset-id]")).to_have_count(5)
    page.locator("input[type=search]").press_sequentially("fo", delay=30)
    expect(page.locator(".grid [data-asset-id]")).to_have_count(2)
    assert set(tile_ids(page)) == {a["id"] for a in seeded["fox"]}
    page.locator("input[type=search]").fill("heron")
    expect(page.locator(".grid [data-asset-id]")).to_have_count(2)
    page.locator("input[type=search]").fill("")
    page.select_option("select[name=kind]", "video")
    expect(page.locator(".grid [data-asset-id]")).to_have_count(1)
    assert tile_ids(page) == [seeded["video"]["id"]]


def test_the_detail_view_shows_lineage_and_the_keyboard_moves_through_it(
    server: Served, seeded: dict[str, Any], page: Page
) -> None:
    edit, heron = seeded["edit"], seeded["heron"]
    page.goto(server.url)
    expect(page.locator(".grid [data-asset-id]")).to_have_count(5)
    page.locator(f"[data-asset-id='{edit['id']}']").click()
    detail = page.locator("[data-detail]")
    expect(detail).to_have_attribute("data-detail", edit["id"])
    expect(detail).to_contain_text("the heron in watercolour")
    expect(detail).to_contain_text(edit["sha256"])
    source = detail.locator(f"[data-source-id='{heron['id']}']")
    expect(source).to_be_visible()
    source.click()
    expect(detail).to_have_attribute("data-detail", heron["id"])
    expect(detail.locator(f"[data-derived-id='{edit['id']}']")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("[data-detail]")).to_have_count(0)

    first = page.locator(".grid [data-asset-id]").first
    first.focus()
    page.keyboard.press("ArrowRight")
    second_id = tile_ids(page)[1]
    focused = page.evaluate("document.activeElement.dataset.assetId")
    assert focused == second_id
    page.keyboard.press("Enter")
    expect(page.locator("[data-detail]")).to_have_attribute("data-detail", second_id)
    page.keyboard.press("Escape")
    expect(page.locator("[data-detail]")).to_have_count(0)


def test_a_video_plays_on_hover_and_in_the_detail_view(
    server: Served, seeded: dict[str, Any], page: Page
) -> None:
    video = seeded["video"]
    page.goto(server.url)
    tile = page.locator(f"[data-asset-id='{video['id']}']")
    expect(tile.locator("video")).to_have_attribute("poster", video["thumb"])
    tile.locator("video").hover()
    page.wait_for_function(
        f"() => document.querySelector(\"[data-asset-id='{video['id']}'] video\").currentTime > 0.2"
    )
    tile.click()
    player = page.locator("[data-detail] video")
    expect(player).to_be_visible()
    player.evaluate("v => v.play()")
    page.wait_for_function("() => document.querySelector('[data-detail] video').currentTime > 0.2")
    assert player.evaluate("v => v.videoWidth") > 0


def test_a_new_asset_appears_without_a_reload(
    server: Served, client: httpx2.Client, seeded: dict[str, Any], page: Page
) -> None:
    page.goto(server.url)
    expect(page.locator(".grid [data-asset-id]")).to_have_count(5)
    expect(page.locator(".live")).to_have_attribute("data-live", "open")
    page.evaluate("window.__sameDocument = true")
    made = generate(client, kind="image", prompt="a lantern on the water")["assets"][0]
    expect(page.locator(".grid [data-asset-id]").first).to_have_attribute(
        "data-asset-id", made["id"]
    )
    expect(page.locator(".grid [data-asset-id]")).to_have_count(6)
    assert page.evaluate("window.__sameDocument") is True  # no reload happened


def test_chromium_is_the_systems_own() -> None:
    # The browser tests run the machine's Chromium, never a downloaded one.
    assert Path(CHROMIUM).resolve() == Path(shutil.which("chromium") or CHROMIUM).resolve()
