"""Stateless tokens: job ids and file names that carry everything a later request needs.
Not secret and not signed: any emulator process can read them, which is the point."""

from __future__ import annotations

import base64
import json
import secrets
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

M = TypeVar("M", bound=BaseModel)

# Cut prompts carried inside ids and URLs, so both stay a reasonable length.
PROMPT_IN_TOKEN = 120


def encode(data: BaseModel) -> str:
    """URL-safe base64 (no padding) of the model's compact JSON."""
    raw = data.model_dump_json(exclude_none=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode(token: str, model: type[M]) -> M | None:
    """The model a token carries, or None for anything that is not one of ours."""
    try:
        padded = token + "=" * (-len(token) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii"))
        return model.model_validate(json.loads(raw))
    except (ValueError, UnicodeError, ValidationError, TypeError):
        return None


def nonce() -> str:
    """A few random characters that keep two otherwise equal tokens apart."""
    return secrets.token_hex(4)


class FileSpec(BaseModel):
    """What a `/files/<token>` URL will serve: enough to make the bytes again anywhere."""

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
    n: str = ""


class VideoJob(BaseModel):
    """Everything a poll of a video job needs; its encoding is the job's `request_id`."""

    model_config = ConfigDict(extra="ignore")

    v: int = 1
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
    n: str = ""

    def to_id(self) -> str:
        return encode(self)


def job_from_id(request_id: str) -> VideoJob | None:
    return decode(request_id, VideoJob)


def file_name(spec: FileSpec) -> str:
    """`<token>.<ext>`: the extension tells people and tools what the URL holds."""
    return f"{encode(spec)}.{spec.fmt}"


def spec_from_name(name: str) -> FileSpec | None:
    token, _, ext = name.rpartition(".")
    spec = decode(token, FileSpec) if token else None
    if spec is None or spec.fmt != ext:
        return None
    return spec


def trim_prompt(prompt: str) -> str:
    return prompt[:PROMPT_IN_TOKEN]
