"""Stability's side of the wire in the emulator: the key check, the multipart body read for real,
typed form fields checked against a route's table, `accept` negotiation and the error body
`{id, name, errors}`. Not the routes themselves (image.py, audio.py)."""

from __future__ import annotations

import base64
import functools
import io
import json
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NoReturn

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..appstate import app_config
from ..faults import EmulatorConfig, FaultRule
from ..middleware import FAULT_SCOPE_KEY
from ..wire import bearer_key, multipart_parts

MiB = 1024 * 1024
MAX_SEED = 4_294_967_294
ASPECT_RATIOS = ("21:9", "16:9", "3:2", "5:4", "1:1", "4:5", "2:3", "9:16", "9:21")
STYLE_PRESETS = (
    "enhance", "anime", "photographic", "digital-art", "comic-book", "fantasy-art", "line-art",
    "analog-film", "neon-punk", "isometric", "low-poly", "origami", "modeling-compound",
    "cinematic", "3d-model", "pixel-art", "tile-texture",
)  # fmt: skip
IMAGE_FORMATS = ("png", "jpeg", "webp")
Medium = Literal["image", "audio"]
Handler = Callable[[Request], Awaitable[Response]]


class StabilityError(Exception):
    """An answer Stability gives as `{id, name, errors}` with `status`."""

    def __init__(self, status: int, name: str, *errors: str) -> None:
        super().__init__(f"{status} {name}: {'; '.join(errors)}")
        self.status = status
        self.name = name
        self.errors = list(errors) or [name.replace("_", " ")]


def bad(*errors: str) -> NoReturn:
    raise StabilityError(400, "bad_request", *errors)


def error_response(error: StabilityError) -> JSONResponse:
    body = {"id": secrets.token_hex(16), "name": error.name, "errors": error.errors}
    return JSONResponse(body, status_code=error.status)


def endpoint(handler: Handler) -> Handler:
    """Check the key first (401 missing or wrong), and render StabilityError as its body."""

    @functools.wraps(handler)
    async def wrapped(request: Request) -> Response:
        try:
            key = bearer_key(request)
            keys = config(request).api_keys
            if key is None or (keys is not None and key not in keys):
                raise StabilityError(401, "unauthorized", "authorization: missing or invalid key")
            return await handler(request)
        except StabilityError as error:
            return error_response(error)

    return wrapped


def config(request: Request) -> EmulatorConfig:
    return app_config(request.app)


def outcome(request: Request) -> FaultRule | None:
    """The outcome fault (failed, expired, moderated) the middleware chose for this request."""
    return request.scope.get(FAULT_SCOPE_KEY)


# -- accept ----------------------------------------------------------------------------------


def wants_json(request: Request, medium: Medium, *, results: bool = False) -> bool:
    """True for `application/json`, False for raw bytes; 406 for anything else.

    Sync routes take `image/*` (or `audio/*`) and `application/json`; the image results route
    also takes `*/*` (its documented default). No header means the default: bytes.
    """
    accept = request.headers.get("accept", "").split(";")[0].strip().lower()
    allowed = {f"{medium}/*", "application/json"} | (
        {"*/*"} if results and medium == "image" else set()
    )
    if not accept:
        return False
    if accept not in allowed:
        raise StabilityError(
            406, "not_acceptable", f"accept: must be one of {', '.join(sorted(allowed))}"
        )
    return accept == "application/json"


def media_answer(
    data: bytes, mime: str, seed: int, *, as_json: bool, medium: Medium, reason: str = "SUCCESS"
) -> Response:
    """A finished generation: bytes with `finish-reason`/`seed` headers, or the JSON shape."""
    if as_json:
        body = {
            medium: base64.b64encode(data).decode("ascii"),
            "finish_reason": reason,
            "seed": seed,
        }
        return Response(
            json.dumps(body),
            media_type=f"application/json; type={mime}",
            headers={"x-request-id": secrets.token_hex(16)},
        )
    headers = {"finish-reason": reason, "seed": str(seed), "x-request-id": secrets.token_hex(16)}
    return Response(data, media_type=mime, headers=headers)


# -- the multipart body ----------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Form:
    """A parsed multipart body: text fields and uploaded files, by part name."""

    texts: dict[str, str] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)


async def read_form(request: Request, limit: int) -> Form:
    """The multipart body, parsed; 400 when it is not multipart, 413 above `limit` bytes."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        bad(
            "content-type: required"
            if not content_type
            else "content-type: must be multipart/form-data"
        )
    body = await request.body()
    if len(body) > limit:
        raise StabilityError(
            413, "payload_too_large", f"payloads cannot be larger than {limit // MiB}MiB in size"
        )
    parts = multipart_parts(content_type, body)
    if parts is None:
        bad("body: not a readable multipart/form-data body")
    form = Form()
    for part in parts:
        if not part.name:
            bad("body: a part has no name")
        if part.name in form.texts or part.name in form.files:
            bad(f"{part.name}: given more than once")
        if part.filename is not None:
            form.files[part.name] = Upload(part.filename, part.content_type, part.data)
        else:
            form.texts[part.name] = part.data.decode("utf-8", "replace")
    # The empty part clients add to force multipart when they send no file (§1).
    if form.files.pop("none", Upload("", "", b"")).data or form.texts.pop("none", ""):
        bad("none: the placeholder part must be empty")
    return form


# -- image limits ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pixels:
    """What one uploaded image must measure (stability.md §4–§6, §8.1). The emulator keeps its
    own copy of these limits, apart from the client's table, so a slip in one shows in tests."""

    min_side: int = 64
    max_side: int | None = None
    min_px: int = 4_096
    max_px: int | None = 9_437_184
    aspect: bool = False

    def problem(self, width: int, height: int) -> str | None:
        """Why a `width`×`height` image is refused, as Stability words it; None if it fits."""
        pixels = width * height
        if min(width, height) < self.min_side:
            return f"each side must be at least {self.min_side} pixels"
        if self.max_side is not None and max(width, height) > self.max_side:
            return f"each side must be at most {self.max_side} pixels"
        if pixels < self.min_px:
            return f"must have at least {self.min_px} pixels in total"
        if self.max_px is not None and pixels > self.max_px:
            return f"must have at most {self.max_px} pixels in total"
        if self.aspect and not 0.4 <= width / height <= 2.5:
            return "aspect ratio must be between 1:2.5 and 2.5:1"
        return None


# -- typed fields ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One form field: its type, bounds and whether it is required."""

    kind: Literal["text", "int", "number", "enum", "image", "audio"]
    required: bool = False
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    pixels: Pixels | None = None


def text(*, required: bool = False, max_len: int = 10_000) -> Param:
    return Param("text", required, lo=1 if required else 0, hi=max_len)


def number(lo: float, hi: float, *, integer: bool = False) -> Param:
    return Param("int" if integer else "number", lo=lo, hi=hi)


def enum(*choices: str, required: bool = False) -> Param:
    return Param("enum", required, choices=choices)


def image(pixels: Pixels, *, required: bool = False) -> Param:
    return Param("image", required, pixels=pixels)


SEED = number(0, MAX_SEED, integer=True)
OUTPUT_FORMAT = enum(*IMAGE_FORMATS)
STYLE_PRESET = enum(*STYLE_PRESETS)
_INT = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def check_form(form: Form, params: Mapping[str, Param]) -> dict[str, Any]:
    """Every field checked against `params`: unknown, missing, mistyped, out of range.

    Returns text as str, numbers as int/float, images as (Upload, width, height) and audio as
    (Upload, seconds).
    """
    for name in (*form.texts, *form.files):
        if name not in params:
            bad(f"{name}: unknown parameter")
    values: dict[str, Any] = {}
    for name, param in params.items():
        if param.kind in ("image", "audio"):
            if name in form.texts:
                bad(f"{name}: must be a file")
            if name in form.files:
                upload = form.files[name]
                values[name] = (
                    _image(name, upload, param) if param.kind == "image" else _audio(name, upload)
                )
        elif name in form.files:
            bad(f"{name}: must be a text field, not a file")
        elif name in form.texts:
            values[name] = _scalar(name, form.texts[name], param)
        if param.required and name not in values:
            bad(f"{name}: is required")
    return values


def _scalar(name: str, raw: str, param: Param) -> Any:
    if param.kind == "text":
        if not (param.lo or 0) <= len(raw) <= (param.hi or 10_000):
            bad(f"{name}: must be {param.lo:g} to {param.hi:g} characters, got {len(raw)}")
        return raw
    if param.kind == "enum":
        if raw not in param.choices:
            bad(f"{name}: must be one of {', '.join(param.choices)}, got {raw!r}")
        return raw
    pattern = _INT if param.kind == "int" else _NUMBER
    if not pattern.fullmatch(raw.strip()):
        bad(f"{name}: must be {'an integer' if param.kind == 'int' else 'a number'}, got {raw!r}")
    value: float = int(raw) if param.kind == "int" else float(raw)
    assert param.lo is not None and param.hi is not None
    if not param.lo <= value <= param.hi:
        bad(f"{name}: must be between {param.lo:g} and {param.hi:g}, got {raw}")
    return value


def _image(name: str, upload: Upload, param: Param) -> tuple[Upload, int, int]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(upload.data)) as picture:
            kind = (picture.format or "").lower()
            picture.load()
            width, height = picture.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        bad(f"{name}: is not a readable image")
    if kind not in ("png", "jpeg", "webp"):
        bad(f"{name}: must be jpeg, png or webp, got {kind or 'unknown'}")
    assert param.pixels is not None
    problem = param.pixels.problem(width, height)
    if problem:
        bad(f"{name}: {width}x{height}: {problem}")
    return upload, width, height


def _audio(name: str, upload: Upload) -> tuple[Upload, float]:
    import av

    try:
        with av.open(io.BytesIO(upload.data), mode="r") as container:
            kind = container.format.name
            seconds = (container.duration or 0) / av.time_base
    except (av.FFmpegError, ValueError):
        bad(f"{name}: is not a readable audio file")
    if kind not in ("mp3", "wav"):
        bad(f"{name}: must be mp3 or wav, got {kind}")
    return upload, seconds


def pick_seed(values: Mapping[str, Any]) -> int:
    """The seed asked for, or (0 or none: random) a fresh one, which the answer reports."""
    return int(values.get("seed") or 0) or 1 + secrets.randbelow(MAX_SEED)
