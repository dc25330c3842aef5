"""Provider-neutral media requests: the models, parsing them, and their errors as one line.

Not for checking a request against the capability table (validation.py), wire formats (providers/)
nor running a request (the Studio): nothing here spends money.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from dave.core.errors import InvalidRequest
from dave.media.capabilities import VideoMode
from dave.media.sources import SourceMedium

# --- turning pydantic's errors into one line -----------------------------------------------


def _loc(parts: tuple[int | str, ...]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "request"


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


_PLAIN = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
}


def _one_error(error: Mapping[str, Any], known: tuple[str, ...]) -> str:
    kind, where = error["type"], _loc(tuple(error["loc"]))
    if kind == "missing":
        return f"{where} is required"
    if kind == "extra_forbidden":
        hint = f"; known fields: {', '.join(known)}" if known and "." not in where else ""
        return f"unknown field {where!r}{hint}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tag = error.get("ctx", {}).get("tag", "nothing")
        return f"kind must be one of 'image', 'edit', 'video', got {_shown(tag)}"
    if kind == "literal_error":
        return f"{where} must be {error['ctx']['expected']}, got {_shown(error['input'])}"
    message = _PLAIN.get(kind) or str(error["msg"])[:1].lower() + str(error["msg"])[1:]
    return f"{where} {message}, got {_shown(error['input'])}"


def validation_error_line(
    err: ValidationError, known: tuple[str, ...] = (), *, drop_first: bool = False
) -> str:
    """Pydantic's many-line report as one line a person (or an agent) can act on.

    `known` lists the model's fields for an unknown-field hint; `drop_first` strips the tag a
    discriminated union puts first in each location.
    """
    lines = []
    for error in err.errors(include_url=False):
        loc = tuple(error["loc"])[1:] if drop_first else tuple(error["loc"])
        lines.append(_one_error({**error, "loc": loc}, known))
    extra = f" (and {len(lines) - 3} more)" if len(lines) > 3 else ""
    return "; ".join(lines[:3]) + extra


def invalid_request(err: ValidationError, known: tuple[str, ...] = ()) -> InvalidRequest:
    """The InvalidRequest that stands for a pydantic ValidationError."""
    return InvalidRequest(validation_error_line(err, known))


def _whole_number(value: object) -> object:
    if isinstance(value, bool):  # pydantic would take True as 1
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]


class _Model(BaseModel):
    """Raises InvalidRequest, never ValidationError, from every way of building a model."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as err:
            raise invalid_request(err, tuple(type(self).model_fields)) from None

    # Marks this __init__ as pydantic's own (RootModel does the same), so nested models and
    # TypeAdapters validate straight through the core and keep each error's full location.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as err:
            raise invalid_request(err, tuple(cls.model_fields)) from None

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except ValidationError as err:
            raise invalid_request(err, tuple(cls.model_fields)) from None


# --- the requests --------------------------------------------------------------------------


class _ImageFields(_Model):
    provider: str = "xai"
    """Who makes it: `xai` (Grok Imagine). The offline emulator stands in for it when asked."""
    model: str | None = None
    """Model id; unset uses the provider's default (x.ai: `grok-imagine-image`, $0.02/image;
    `grok-imagine-image-quality` is sharper at $0.05)."""
    prompt: str
    """What the image should show (for an edit: what to change). Plain text, not empty."""
    n: WholeNumber = 1
    """How many images to make, 1–10; each is billed."""
    aspect_ratio: str | None = None
    """Width:height such as `16:9`. x.ai: 1:1, 16:9, 9:16, 4:3, 3:4, 3:2, 2:3, 2:1, 1:2,
    19.5:9, 9:19.5, 20:9, 9:20 or auto. Unset: the provider chooses (`auto`); a single-image
    edit keeps its source's ratio."""
    resolution: str | None = None
    """Output size class: `1k` (about 1 megapixel) or `2k` (about 4). Unset: 1k."""
    response_format: Literal["url", "b64_json"] = "url"
    """How the provider returns the image: a temporary `url` (dave downloads it at once) or
    inline `b64_json`. Either way the result is a local file."""
    quality: str | None = None
    """Price/quality tier, only on models that have tiers (x.ai `grok-imagine-image-2.0`: low,
    medium, high). Leave unset for every other model."""


class ImageRequest(_ImageFields):
    """Make images from a text prompt."""

    kind: Literal["image"] = "image"
    """Which request this is; always `image`."""

    def source_fields(self) -> list[tuple[str, str, SourceMedium]]:
        """(field, value, medium) for each source this request names: none."""
        return []


class EditRequest(_ImageFields):
    """Change one to three existing images as the prompt says."""

    kind: Literal["edit"] = "edit"
    """Which request this is; always `edit`."""
    images: list[str]
    """The source images, 1–3, in the order the prompt refers to them: local file paths,
    http(s) URLs or `data:image/...;base64,` URIs (JPEG, PNG or WEBP)."""

    def source_fields(self) -> list[tuple[str, str, SourceMedium]]:
        """(field, value, medium) for each source this request names."""
        return [(f"images[{i}]", image, "image") for i, image in enumerate(self.images)]


class Keyframe(_Model):
    """An image the video must pass through at a given moment."""

    image: str
    """The frame: a local path, an http(s) URL or a data:image URI."""
    at_s: float
    """When, in seconds from the start; after 0 and before the video's end."""


_MODE_FIELDS: tuple[tuple[str, VideoMode, str], ...] = (
    ("image", "image", "image-to-video"),
    ("references", "reference", "reference-to-video"),
    ("edit_video", "edit", "video edit"),
    ("extend_video", "extend", "video extension"),
)


class VideoRequest(_Model):
    """Make one video: from text, from a first frame, from reference images, or by editing or
    extending an existing video. The inputs given choose the mode; use at most one of image,
    references, edit_video and extend_video."""

    kind: Literal["video"] = "video"
    """Which request this is; always `video`."""
    provider: str = "xai"
    """Who makes it: `xai` (Grok Imagine)."""
    model: str | None = None
    """Model id; unset uses `grok-imagine-video` (480p/720p). `grok-imagine-video-1.5` adds
    1080p, last_frame, keyframes and reference_audios, at a higher price."""
    prompt: str
    """What happens in the video (for an edit or extension: what to change or what comes
    next). Up to 4,096 characters. May be empty on grok-imagine-video-1.5 when a frame is
    pinned with image, last_frame or keyframes."""
    image: str | None = None
    """Image-to-video: the first frame (local path, http(s) URL or data:image URI)."""
    references: list[str] = Field(default_factory=list)
    """Reference-to-video: 1–7 images of people, objects or styles to include; the prompt
    names them <IMAGE_1>, <IMAGE_2>, ... At most 10 s and 720p."""
    last_frame: str | None = None
    """The exact final frame (grok-imagine-video-1.5; text- or image-to-video only)."""
    keyframes: list[Keyframe] = Field(default_factory=list)
    """Up to 4 frames at set moments, at least 1/3 s apart (grok-imagine-video-1.5; text- or
    image-to-video only)."""
    reference_audios: list[str] = Field(default_factory=list)
    """Up to 3 preset voice ids (such as `ara`, `leo`, `eve`) the prompt names <AUDIO_0>..
    (grok-imagine-video-1.5)."""
    edit_video: str | None = None
    """Video edit: the MP4 to change (at most 8.7 s); the output keeps its length and ratio."""
    extend_video: str | None = None
    """Video extension: the MP4 (2–15 s long) to continue from its last frame."""
    duration: WholeNumber | None = None
    """Length in whole seconds: 1–15 (reference-to-video 1–10; default 8). For an extension,
    the added length, 2–10 (default 6). Not accepted for an edit. Billed per second."""
    aspect_ratio: str | None = None
    """1:1, 16:9, 9:16, 4:3, 3:4, 3:2 or 2:3. Unset: 16:9, or the first frame's ratio (a set
    ratio stretches that image). Not accepted for edits and extensions."""
    resolution: str | None = None
    """480p (default) or 720p; 1080p on grok-imagine-video-1.5 for text- and image-to-video.
    Not accepted for edits and extensions (they follow the input, at most 720p)."""
    generate_audio: bool | None = None
    """False for a silent video; unset makes sound. Not accepted for edits and extensions."""

    @property
    def mode(self) -> VideoMode:
        """text, image, reference, edit or extend; InvalidRequest if the inputs conflict."""
        given = [
            (field, mode, label)
            for field, mode, label in _MODE_FIELDS
            if getattr(self, field) not in (None, [])
        ]
        if len(given) > 1:
            names = [field for field, _, _ in given]
            both = ", ".join(names[:-1]) + f" and {names[-1]}"
            choices = ", ".join(f"{field} ({label})" for field, _, label in _MODE_FIELDS)
            raise InvalidRequest(f"{both} cannot be combined; use at most one of {choices}")
        return given[0][1] if given else "text"

    def input_image_count(self) -> int:
        """How many still images go in (first/last frame, references, keyframes)."""
        frames = (self.image is not None) + (self.last_frame is not None)
        return frames + len(self.references) + len(self.keyframes)

    def source_fields(self) -> list[tuple[str, str, SourceMedium]]:
        """(field, value, medium) for each source this request names."""
        fields: list[tuple[str, str, SourceMedium]] = []
        for name, medium in (("image", "image"), ("last_frame", "image")):
            if getattr(self, name) is not None:
                fields.append((name, getattr(self, name), medium))
        fields += [(f"references[{i}]", ref, "image") for i, ref in enumerate(self.references)]
        fields += [
            (f"keyframes[{i}].image", k.image, "image") for i, k in enumerate(self.keyframes)
        ]
        for name in ("edit_video", "extend_video"):
            if getattr(self, name) is not None:
                fields.append((name, getattr(self, name), "video"))
        return fields


Request = ImageRequest | EditRequest | VideoRequest
#: Any request, told apart by `kind`: for journaled requests and tool arguments.
MediaRequest = Annotated[Request, Field(discriminator="kind")]
_REQUEST_ADAPTER: TypeAdapter[Request] = TypeAdapter(MediaRequest)
_KINDS = {"image": ImageRequest, "edit": EditRequest, "video": VideoRequest}


def parse_request(data: Mapping[str, Any] | str | bytes) -> Request:
    """A request from a dict or JSON text, chosen by its `kind` (default `image`)."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except ValueError as err:
            raise InvalidRequest(f"request is not valid JSON ({err})") from None
    if not isinstance(data, Mapping):
        raise InvalidRequest(f"a request must be an object, got {type(data).__name__}")
    try:
        return _REQUEST_ADAPTER.validate_python({"kind": "image", **data})
    except ValidationError as err:
        kind = _KINDS.get(str(data.get("kind", "image")))
        known = tuple(kind.model_fields) if kind else ()
        raise InvalidRequest(validation_error_line(err, known, drop_first=True)) from None
