"""fetch_url against a real web site on loopback: text out, HTML reduced, caps, and only
http(s) ever followed."""

from __future__ import annotations

import pytest

from dave.tools import ToolContext, ToolResult, web_tools
from dave.tools.web import FETCH_CAP_BYTES, TEXT_CAP_CHARS, html_to_text

WEB = web_tools()


async def fetch(ctx: ToolContext, url: str) -> ToolResult:
    return await WEB.call("fetch_url", {"url": url}, ctx)


async def test_a_plain_text_page_comes_back_as_it_is(ctx: ToolContext, web_site: str) -> None:
    result = await fetch(ctx, f"{web_site}/text")
    assert result == ToolResult(f"200 {web_site}/text (text/plain)\n\njust text\nsecond line\n")


async def test_html_is_reduced_to_its_readable_text(ctx: ToolContext, web_site: str) -> None:
    result = await fetch(ctx, f"{web_site}/page")
    assert result.content == (
        f"200 {web_site}/page (text/html)\n\n"
        "# Lighthouse notes\n"
        "Lighthouses\n"
        "A lighthouse is a tower with a bright light.\n"
        "Pharos\n"
        "Eddystone & Bell Rock\n"
        'def keep():\n    return "indent"'
    )
    assert "do not show" not in result.content and "color" not in result.content


async def test_json_is_text_too(ctx: ToolContext, web_site: str) -> None:
    result = await fetch(ctx, f"{web_site}/json")
    assert result.content == f'200 {web_site}/json (application/json)\n\n{{"ok": true}}'


async def test_the_charset_the_server_names_is_used(ctx: ToolContext, web_site: str) -> None:
    result = await fetch(ctx, f"{web_site}/latin1")
    assert result.content.endswith("\n\ncafé")


async def test_a_binary_body_is_refused(ctx: ToolContext, web_site: str) -> None:
    result = await fetch(ctx, f"{web_site}/image.png")
    assert result == ToolResult(
        f"{web_site}/image.png is image/png, not text; fetch_url reads text and HTML only",
        is_error=True,
    )


async def test_a_large_body_is_cut_and_says_so(ctx: ToolContext, web_site: str) -> None:
    result = await fetch(ctx, f"{web_site}/big")
    head, body = result.content.split("\n\n", 1)
    assert head == f"200 {web_site}/big (text/plain) [cut: the page is longer than shown]"
    assert body == "x" * TEXT_CAP_CHARS
    assert TEXT_CAP_CHARS < FETCH_CAP_BYTES


async def test_an_error_status_is_an_error_result_with_the_body(
    ctx: ToolContext, web_site: str
) -> None:
    result = await fetch(ctx, f"{web_site}/missing")
    assert result == ToolResult(
        f"404 {web_site}/missing (text/plain)\n\nno such page", is_error=True
    )


async def test_redirects_are_followed_and_the_final_url_shown(
    ctx: ToolContext, web_site: str
) -> None:
    result = await fetch(ctx, f"{web_site}/hop/3")
    assert result.content.startswith(f"200 {web_site}/text (text/plain)\n\njust text")


async def test_too_many_redirects_stop(ctx: ToolContext, web_site: str) -> None:
    result = await fetch(ctx, f"{web_site}/hop/9")
    assert result == ToolResult(f"'{web_site}/hop/9' redirects more than 5 times", is_error=True)


async def test_a_redirect_to_another_scheme_is_not_followed(
    ctx: ToolContext, web_site: str
) -> None:
    result = await fetch(ctx, f"{web_site}/to-file")
    assert result == ToolResult(
        f"{web_site}/to-file redirects to 'file:///etc/passwd'; only http(s) is followed",
        is_error=True,
    )


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/x", "javascript:alert(1)", "/relative"]
)
async def test_only_http_and_https_urls_are_fetched(ctx: ToolContext, url: str) -> None:
    result = await fetch(ctx, url)
    assert result == ToolResult(
        f"only http and https URLs can be fetched, not {url!r}", is_error=True
    )


async def test_a_connection_failure_is_an_error_result(ctx: ToolContext) -> None:
    result = await fetch(ctx, "http://127.0.0.1:9/nothing-listens-here")
    assert result.is_error
    assert result.content.startswith("could not fetch http://127.0.0.1:9/nothing-listens-here: ")


def test_html_to_text_survives_a_page_without_closing_tags() -> None:
    html = "<html><head><title>T</title><body><p>one<p>two<br>three<script>x()"
    assert html_to_text(html) == "# T\none\ntwo\nthree"
