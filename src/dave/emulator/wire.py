"""Request-reading helpers shared by the emulator's provider routers: body, auth, typed fields.
Not a provider's error format: handlers raise `ApiError` and each router renders it its own way."""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, NoReturn
from urllib.parse import urlsplit

from starlette.requests import Request

from .appstate import app_store
from .state import EmulatorState
from .tokens import FILE, FileSpec, new_file_key

_DATA_URI = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+);base64,(?P<data>.*)$", re.DOTALL)


class ApiError(Exception):
    """A client error the provider would answer with `status` and `message`."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def fail(status: int, message: str) -> NoReturn:
    raise ApiError(status, message)


def bearer_key(request: Request) -> str | None:
    """The key of an `Authorization: Bearer <key>` header, or None when absent or malformed."""
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    key = key.strip()
    return key if scheme.lower() == "bearer" and key else None


async def read_json_object(request: Request) -> dict[str, Any]:
    """The JSON object body; 415 without a JSON content type or with no body, as x.ai answers."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if content_type != "application/json" or not body.strip():
        fail(415, "Expected a request with a JSON body and 'Content-Type: application/json'")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        fail(400, f"Failed to parse the request body as JSON: {exc}")
    if not isinstance(data, dict):
        fail(422, "The request body must be a JSON object")
    return data


def reject_unknown(
    body: dict[str, Any], allowed: frozenset[str] | set[str], prefix: str = ""
) -> None:
    """400 `Argument not supported: <field>` for the first field the endpoint does not take."""
    for key in body:
        if key not in allowed:
            fail(400, f"Argument not supported: {prefix}{key}")


def get_str(body: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            fail(422, f"Missing required field: {key}")
        return None
    if not isinstance(value, str):
        fail(422, f"Field {key} must be a string")
    return value


def get_int(body: dict[str, Any], key: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    # bool is an int in Python but not in JSON Schema; a float with no fraction is still a float.
    if isinstance(value, bool) or not isinstance(value, int):
        fail(422, f"Field {key} must be an integer")
    return value


def get_number(body: dict[str, Any], key: str) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        fail(422, f"Field {key} must be a number")
    return float(value)


def get_bool(body: dict[str, Any], key: str) -> bool | None:
    value = body.get(key)
    if value is not None and not isinstance(value, bool):
        fail(422, f"Field {key} must be a boolean")
    return value


def get_object(body: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = body.get(key)
    if value is not None and not isinstance(value, dict):
        fail(422, f"Field {key} must be an object")
    return value


def get_list(body: dict[str, Any], key: str) -> list[Any] | None:
    value = body.get(key)
    if value is not None and not isinstance(value, list):
        fail(422, f"Field {key} must be an array")
    return value


def one_of(value: str | None, choices: tuple[str, ...] | frozenset[str], key: str) -> None:
    if value is not None and value not in choices:
        fail(400, f"Invalid {key} {value!r}; expected one of: {', '.join(choices)}")


def decode_data_uri(url: str, kind: str, where: str) -> tuple[str, bytes] | None:
    """(mime, bytes) of a `data:<kind>/...;base64,` URI; None if `url` is not a data URI at all."""
    if not url.startswith("data:"):
        return None
    found = _DATA_URI.match(url)
    if not found or not found["mime"].startswith(f"{kind}/"):
        fail(400, f"{where}: expected a data:{kind}/...;base64, URI")
    try:
        return found["mime"], base64.b64decode(found["data"], validate=True)
    except (binascii.Error, ValueError):
        fail(400, f"{where}: the data URI is not valid base64")


def image_size_of(url: str, where: str, state: EmulatorState) -> tuple[int, int] | None:
    """Pixel size of an image reference when it can be known offline: a data URI (which must be a
    readable image) or one of the emulator's own file URLs. None for other http(s) URLs."""
    decoded = decode_data_uri(url, "image", where)
    if decoded is not None:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(decoded[1])) as image:
                image.verify()
                return image.size
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            fail(400, f"{where}: the data URI does not hold a readable image")
    check_http_url(url, where)
    spec = own_file(url, state)
    return (spec.w, spec.h) if spec is not None else None


def check_http_url(url: str, where: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        fail(400, f"{where}: expected an http(s) URL or a base64 data URI")


def state_of(request: Request) -> EmulatorState:
    return app_store(request.app)


def spec_from_name(name: str, state: EmulatorState) -> FileSpec | None:
    """The spec behind a `<key>.<ext>` file name, or None for a name this state never handed out."""
    key, _, ext = name.rpartition(".")
    spec = state.load(FILE, key, FileSpec) if key else None
    return spec if spec is not None and spec.fmt == ext else None


def own_file(url: str, state: EmulatorState) -> FileSpec | None:
    """The spec behind a URL an emulator on this state handed out, whatever its host."""
    head, _, name = urlsplit(url).path.rpartition("/")
    return spec_from_name(name, state) if head.endswith("/files") else None


def file_url(request: Request, spec: FileSpec, key: str | None = None) -> str:
    """An absolute URL on the emulator that answered `request`, so the client downloads from it;
    the spec is kept under `key` (a new one unless given: a repeated answer keeps its URL).
    The extension tells people and tools what the URL holds."""
    key = key or new_file_key()
    state_of(request).save(FILE, key, spec)
    return f"{str(request.base_url).rstrip('/')}/files/{key}.{spec.fmt}"


@dataclass(frozen=True)
class Part:
    """One part of a multipart/form-data body: a text field (no filename) or a file."""

    name: str
    filename: str | None
    content_type: str
    data: bytes


def multipart_parts(content_type: str, body: bytes) -> list[Part] | None:
    """The parts of a multipart/form-data body, parsed for real (the stdlib MIME parser);
    None when the body is not multipart. A part without a name gets the name ""."""
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return None
    parts = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        # Bytes for a leaf part; None when it has no body (a nested multipart has no bytes).
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        name = name if isinstance(name, str) else ""
        parts.append(Part(name, part.get_filename(), part.get_content_type(), data))
    return parts
