"""The web tool: fetch one http(s) URL and hand the model its text.

Redirects are followed by hand so every hop is checked to be http(s); bodies are capped, HTML
is reduced to its text with the standard library's parser. Not a browser (no JavaScript, no
cookies) and not a crawler.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx2

from dave.core.errors import InvalidRequest
from dave.tools.base import ToolResult, ToolSet, tool

FETCH_CAP_BYTES = 2 * 1024 * 1024
TEXT_CAP_CHARS = 100_000
MAX_REDIRECTS = 5
TIMEOUT_S = 20.0
USER_AGENT = "dave/0.1 (fetch_url tool)"
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/xhtml+xml")
_TEXT_SUFFIXES = ("+json", "+xml")
_HIDDEN_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "iframe"})
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
        "tr", "td", "th", "ul", "title",
    }
)  # fmt: skip


class _TextExtractor(HTMLParser):
    """Visible text in reading order, one block per line, <pre> kept as it is; title first."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.blocks: list[str] = []
        self._block: list[str] = []
        self._hidden = 0
        self._in_title = False
        self._pre = 0

    def _break(self) -> None:
        text = "".join(self._block)
        self._block = []
        if self._pre:
            lines = [line.rstrip() for line in text.strip("\n").splitlines()]
            text = "\n".join(lines)
        else:
            text = " ".join(text.split())
        if text.strip():
            self.blocks.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS or tag == "pre":
            self._break()
        if tag == "title":
            self._in_title = True
        elif tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag == "pre":
            self._pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS or tag == "pre":
            self._break()
        if tag == "title":
            self._in_title = False
        elif tag in _HIDDEN_TAGS and self._hidden:
            self._hidden -= 1
        elif tag == "pre" and self._pre:
            self._pre -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._hidden:
            self._block.append(data)

    def text(self) -> str:
        self._break()
        title = " ".join("".join(self.title).split())
        return "\n".join([f"# {title}", *self.blocks] if title else self.blocks)


def html_to_text(html: str) -> str:
    """The readable text of an HTML page, cheaply (no layout, no scripts)."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.text()


def _check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidRequest(f"only http and https URLs can be fetched, not {url[:80]!r}")
    if not parts.hostname:
        raise InvalidRequest(f"{url[:80]!r} has no host")
    return url.strip()


def _is_text(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return not kind or kind.startswith(_TEXT_TYPES) or kind.endswith(_TEXT_SUFFIXES)


async def fetch_text(
    url: str, *, transport: httpx2.AsyncBaseTransport | None = None
) -> tuple[int, str, str, str, bool]:
    """GETs `url`: (status, final URL, content type, text, truncated). Raises InvalidRequest
    for a non-http(s) URL or redirect, or a body that is not text."""
    current = _check_url(url)
    timeout = httpx2.Timeout(TIMEOUT_S)
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html, text/plain, */*;q=0.5"}
    async with httpx2.AsyncClient(
        timeout=timeout, follow_redirects=False, headers=headers, transport=transport
    ) as client:
        for _ in range(MAX_REDIRECTS + 1):
            async with client.stream("GET", current) as response:
                if response.is_redirect and "location" in response.headers:
                    target = urljoin(current, response.headers["location"])
                    try:
                        current = _check_url(target)
                    except InvalidRequest:
                        raise InvalidRequest(
                            f"{current} redirects to {target[:80]!r}; only http(s) is followed"
                        ) from None
                    continue
                content_type = response.headers.get("content-type", "")
                if not _is_text(content_type):
                    raise InvalidRequest(
                        f"{current} is {content_type.split(';')[0]}, not text; fetch_url "
                        "reads text and HTML only"
                    )
                body = bytearray()
                truncated = False
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > FETCH_CAP_BYTES:
                        del body[FETCH_CAP_BYTES:]
                        truncated = True
                        break
                charset = response.charset_encoding or "utf-8"
                try:
                    text = bytes(body).decode(charset, errors="replace")
                except LookupError:  # a charset Python does not know
                    text = bytes(body).decode("utf-8", errors="replace")
                return response.status_code, current, content_type, text, truncated
    raise InvalidRequest(f"{url[:80]!r} redirects more than {MAX_REDIRECTS} times")


@tool
async def fetch_url(url: str) -> ToolResult:
    """Fetch a web page or text file over http(s) and return its text (HTML reduced to the
    readable text, at most 100,000 characters).

    Args:
        url: The http:// or https:// address.
    """
    try:
        status, final, content_type, text, truncated = await fetch_text(url)
    except httpx2.HTTPError as error:
        detail = str(error) or type(error).__name__
        return ToolResult.error(f"could not fetch {url[:200]}: {detail}")
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml") or (
        not kind and text.lstrip()[:15].lower().startswith(("<!doctype html", "<html"))
    ):
        text = html_to_text(text)
    if len(text) > TEXT_CAP_CHARS:
        text, truncated = text[:TEXT_CAP_CHARS], True
    head = f"{status} {final}" + (f" ({kind})" if kind else "")
    if truncated:
        head += " [cut: the page is longer than shown]"
    return ToolResult(f"{head}\n\n{text}", is_error=status >= 400)


def web_tools() -> ToolSet:
    """fetch_url."""
    return ToolSet("web", [fetch_url])
