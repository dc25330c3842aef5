"""The media requests: the fields every provider shares, each kind's model built from them and
every slice's options (`media/<provider>/options.py`), and parsing a request.

Not for checking a request against a provider's limits (each slice's rules.py), wire formats
(providers/) nor running a request (the Studio): nothing here spends money.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import Field, TypeAdapter, ValidationError

from dave.core.errors import InvalidRequest
from dave.media import catalog
from dave.media.error_lines import validation_error_line
from dave.media.model_rows import VideoMode
from dave.media.options import StrictModel, WholeNumber, with_options
from dave.media.sources import SourceMedium

# --- the fields every provider shares, by kind ----------------------------------------------


class ImageFields(StrictModel):
    """Make images from a text prompt."""

    kind: Literal["image"] = "image"
    """Which request this is; always `image`."""
    provider: str = "xai"
    """Who makes it (see `dave providers`); the offline emulator stands in for each when
    asked."""
    model: str | None = None
    """Model id; unset uses the provider's default for this kind (see `dave providers`)."""
    prompt: str
    """What the image should show. Plain text, not empty."""
    n: WholeNumber = 1
    """How many images to make; each is billed."""
    aspect_ratio: str | None = None
    """Width:height such as `16:9`. Unset: the provider chooses."""
    response_format: Literal["url", "b64_json"] = "url"
    """How the provider returns the image: a temporary `url` (dave downloads it at once) or
    inline `b64_json`. Either way the result is a local file."""


class EditFields(StrictModel):
    """Change existing images, as the prompt says or with one of a provider's operations."""

    SOURCES: ClassVar[Mapping[str, SourceMedium]] = {"images": "image"}

    kind: Literal["edit"] = "edit"
    """Which request this is; always `edit`."""
    provider: str = "xai"
    """Who makes it (see `dave providers`); the offline emulator stands in for each when
    asked."""
    model: str | None = None
    """Model id; unset uses the provider's default for this kind (see `dave providers`)."""
    prompt: str = ""
    """What to change, in plain text (some operations need none)."""
    images: list[str]
    """The source images, in the order the prompt refers to them: local file paths, http(s)
    URLs or `data:image/...;base64,` URIs (JPEG, PNG or WEBP)."""
    n: WholeNumber = 1
    """How many images to make; each is billed."""
    aspect_ratio: str | None = None
    """Width:height such as `16:9`. Unset: a single-image edit keeps its source's ratio."""
    response_format: Literal["url", "b64_json"] = "url"
    """How the provider returns the image: a temporary `url` (dave downloads it at once) or
    inline `b64_json`. Either way the result is a local file."""


#: The inputs that choose a video's mode: (field, mode, what the mode is called).
_MODE_FIELDS: tuple[tuple[str, VideoMode, str], ...] = (
    ("image", "image", "image-to-video"),
    ("references", "reference", "reference-to-video"),
    ("edit_video", "edit", "video edit"),
    ("extend_video", "extend", "video extension"),
    ("subject", "subject", "subject-reference video"),
)


class VideoFields(StrictModel):
    """Make one video: from text, from a first frame, from reference images, or by editing or
    extending an existing video. The inputs given choose the mode; use at most one of image,
    references, edit_video and extend_video."""

    SOURCES: ClassVar[Mapping[str, SourceMedium]] = {"image": "image", "last_frame": "image"}

    kind: Literal["video"] = "video"
    """Which request this is; always `video`."""
    provider: str = "xai"
    """Who makes it (see `dave providers`); the offline emulator stands in for each when
    asked."""
    model: str | None = None
    """Model id; unset uses the provider's default for this kind (see `dave providers`)."""
    prompt: str
    """What happens in the video (for an edit or extension: what to change or what comes
    next)."""
    image: str | None = None
    """Image-to-video: the first frame (local path, http(s) URL or data:image URI)."""
    last_frame: str | None = None
    """The exact final frame, on the models that take one."""
    duration: WholeNumber | None = None
    """Length in whole seconds, as the model allows. Billed per second or per clip."""
    aspect_ratio: str | None = None
    """Width:height such as `16:9`. Unset: the provider's default, or the first frame's."""
    resolution: str | None = None
    """Output size, as the model allows (480p, 720p, 768P, 1080P, ...)."""

    @property
    def mode(self) -> VideoMode:
        """text, image, reference, edit, extend or subject; InvalidRequest if the inputs
        conflict."""
        given = [
            (field, mode, label)
            for field, mode, label in _MODE_FIELDS
            if getattr(self, field, None) not in (None, [])
        ]
        if len(given) > 1:
            names = [field for field, _, _ in given]
            both = ", ".join(names[:-1]) + f" and {names[-1]}"
            choices = ", ".join(f"{field} ({label})" for field, _, label in _MODE_FIELDS)
            raise InvalidRequest(f"{both} cannot be combined; use at most one of {choices}")
        return given[0][1] if given else "text"


class UpscaleFields(StrictModel):
    """Make an image larger."""

    SOURCES: ClassVar[Mapping[str, SourceMedium]] = {"image": "image"}

    kind: Literal["upscale"] = "upscale"
    """Which request this is; always `upscale`."""
    provider: str = "stability"
    """Who makes it (see `dave providers`); the offline emulator stands in for each when
    asked."""
    model: str | None = None
    """Leave unset: the provider's `mode` chooses the route."""
    image: str
    """The image to upscale: a path, an http(s) URL or a data URI (JPEG, PNG or WEBP)."""
    prompt: str = ""
    """What the image shows (some modes need it)."""


class ControlFields(StrictModel):
    """Make an image guided by another: from a sketch, keeping a structure, after a style
    guide, or redrawing one image in another's style."""

    SOURCES: ClassVar[Mapping[str, SourceMedium]] = {"image": "image"}

    kind: Literal["control"] = "control"
    """Which request this is; always `control`."""
    provider: str = "stability"
    """Who makes it (see `dave providers`); the offline emulator stands in for each when
    asked."""
    model: str | None = None
    """Leave unset: the provider's `mode` chooses the route."""
    image: str
    """The control image (style-transfer: the image to redraw)."""
    prompt: str = ""
    """What to make; required except for style-transfer."""


class MusicFields(StrictModel):
    """Make music or sound: songs from a prompt and lyrics, instrumentals, covers of a
    reference track, or sound from a text prompt."""

    SOURCES: ClassVar[Mapping[str, SourceMedium]] = {"reference": "audio"}

    kind: Literal["music"] = "music"
    """Which request this is; always `music`."""
    provider: str = "minimax"
    """Who makes it (see `dave providers`); the offline emulator stands in for each when
    asked."""
    model: str | None = None
    """Model id; unset uses the provider's default for this kind (see `dave providers`)."""
    prompt: str = ""
    """Style, mood and scene, or the sound to make."""
    reference: str | None = None
    """An audio track (path, URL or data URI; MP3, WAV or FLAC): the song to cover, or the
    input of audio-to-audio."""
    output_format: str | None = None
    """The audio file's format: mp3 (default) or wav."""


class LyricsFields(StrictModel):
    """Words for a song: write them from a prompt, edit given lyrics, or read a track's lyrics
    with section tags."""

    kind: Literal["lyrics"] = "lyrics"
    """Which request this is; always `lyrics`."""
    provider: str = "minimax"
    """Who makes it (see `dave providers`); the offline emulator stands in for each when
    asked."""
    model: str | None = None
    """Leave unset: the provider's default for lyrics (or for reading a track)."""
    prompt: str = ""
    """Theme and style (or, to edit, what to change); up to 2,000 characters. Empty: a
    random song."""


# --- each kind's request: the shared fields plus every provider's options --------------------

#: Each kind's shared fields, in the order kinds are listed.
SHARED: Mapping[str, type[StrictModel]] = {
    "image": ImageFields,
    "edit": EditFields,
    "video": VideoFields,
    "upscale": UpscaleFields,
    "control": ControlFields,
    "music": MusicFields,
    "lyrics": LyricsFields,
}


def _built(kind: str) -> Any:
    name = f"{kind.capitalize()}Request"
    return with_options(name, SHARED[kind], catalog.offers(kind), catalog.short_labels())


# A type checker sees each request as its shared fields: a provider's options are read
# through that slice's option model (`ImageOptions.of(request)`), typed there.
if TYPE_CHECKING:
    ImageRequest = ImageFields
    EditRequest = EditFields
    VideoRequest = VideoFields
    UpscaleRequest = UpscaleFields
    ControlRequest = ControlFields
    MusicRequest = MusicFields
    LyricsRequest = LyricsFields
else:
    ImageRequest = _built("image")
    EditRequest = _built("edit")
    VideoRequest = _built("video")
    UpscaleRequest = _built("upscale")
    ControlRequest = _built("control")
    MusicRequest = _built("music")
    LyricsRequest = _built("lyrics")

Request = (
    ImageRequest
    | EditRequest
    | VideoRequest
    | UpscaleRequest
    | ControlRequest
    | MusicRequest
    | LyricsRequest
)
#: Any request, told apart by `kind`: for journaled requests and tool arguments.
MediaRequest = Annotated[Request, Field(discriminator="kind")]
_REQUEST_ADAPTER: TypeAdapter[Request] = TypeAdapter(MediaRequest)
_KINDS: dict[str, type[StrictModel]] = {
    "image": ImageRequest,
    "edit": EditRequest,
    "video": VideoRequest,
    "upscale": UpscaleRequest,
    "control": ControlRequest,
    "music": MusicRequest,
    "lyrics": LyricsRequest,
}


def request_model(kind: str) -> type[StrictModel]:
    """The request model of `kind` (InvalidRequest naming the kinds if there is none)."""
    try:
        return _KINDS[kind]
    except KeyError:
        raise InvalidRequest(f"kind must be one of {', '.join(_KINDS)}, got {kind!r}") from None


#: Which medium each kind's outputs are: what verify checks and the asset's kind.
OUTPUT_MEDIUM: dict[str, SourceMedium | Literal["text"]] = {
    "image": "image",
    "edit": "image",
    "video": "video",
    "upscale": "image",
    "control": "image",
    "music": "audio",
    "lyrics": "text",
}


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
