"""What the emulator's ids and file names stand for, and how they are minted in the shapes the
providers document: x.ai `request_id` a UUID (xai.md §5), MiniMax `task_id` a digit string
(minimax.md §3.2), file names short hex. The records behind them are kept server-side in
`state.EmulatorState`; an id itself carries nothing."""

from __future__ import annotations

import secrets
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict

# Only the start of a prompt is drawn on the media, so only that much is kept with a record.
PROMPT_KEPT = 120
# Kinds of rows in the state table.
XAI_VIDEO = "xai.video"
MINIMAX_TASK = "minimax.task"
FILE = "file"


def new_request_id() -> str:
    """An x.ai video `request_id`: a UUID, as x.ai hands out."""
    return str(uuid.uuid4())


def new_task_id() -> str:
    """A MiniMax `task_id`: 18 random digits, no leading zero (the document shows 15)."""
    return str(10**17 + secrets.randbelow(9 * 10**17))


def new_file_key() -> str:
    """The name of a `/files/<key>.<ext>` URL: 32 hex characters."""
    return uuid.uuid4().hex


def nonce() -> str:
    """A few random characters that keep two otherwise equal answers apart."""
    return secrets.token_hex(4)


class FileSpec(BaseModel):
    """What a `/files/<key>.<ext>` URL serves: enough to make the bytes again."""

    model_config = ConfigDict(extra="ignore")

    kind: Literal["image", "video", "audio"]
    w: int = 0
    h: int = 0
    fmt: Literal["jpeg", "png", "webp", "mp4", "mp3", "wav"]
    prompt: str
    exp: float
    """Unix time after which the URL answers 404, as provider URLs are temporary."""
    s: float | None = None
    """Video or audio length in seconds."""
    fps: int | None = None
    i: int = 0
    """Which of several images made from one request (they differ in a caption)."""
    size: int | None = None
    """For a video: the file's size in bytes, reached with a trailing `free` box (padding)."""
    src: str | None = None
    """For an edit: the key its source image is kept under (sources.py), to draw over."""


class StorageOptions(BaseModel):
    """A video submission's checked `storage_options` (xai.md §5.2): keep the result as a file."""

    filename: str
    expires_after: int | None = None
    """Seconds the stored file lives; None: no expiry."""
    public: bool = False
    public_expires_after: int | None = None


class VideoJob(BaseModel):
    """Everything a poll of an x.ai video job needs, kept under its `request_id`."""

    model_config = ConfigDict(extra="ignore")

    model: str
    mode: Literal["t2v", "i2v", "r2v", "edit", "extend"]
    created: float
    ready: float
    """Unix time at which the job turns done (or fails, per `outcome`)."""
    duration: float
    res: str
    w: int
    h: int
    prompt: str
    cost: int
    """usage.cost_in_usd_ticks reported once done."""
    outcome: Literal["job_failed", "job_expired", "moderated"] | None = None
    """A fault decided when the job was submitted, shown once the job is ready."""
    note: str | None = None
    """The error message for a `job_failed` outcome."""
    storage: StorageOptions | None = None
    """The submission's `storage_options`, answered with `video.file_output` once done."""


def trim_prompt(prompt: str) -> str:
    return prompt[:PROMPT_KEPT]
