"""What every provider module hands back: submissions, job status and outputs, provider-neutral.

Not for requests: each provider module takes its own keyword arguments, named as in its docs.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


def json_object(value: object) -> dict[str, Any]:
    """`value` when it is a JSON object (a dict), else an empty one: for answer fields that
    a provider may leave out or send as null."""
    return value if isinstance(value, dict) else {}


class RemoteState(StrEnum):
    """A provider job's state as dave reads it; unknown provider words count as pending."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Output:
    """One result: a temporary URL to fetch, or bytes that came inline."""

    url: str | None = None
    data: bytes | None = None
    mime: str | None = None
    duration_s: float | None = None
    #: Inline bytes already written to a staging file of the media folder: its journaled name.
    staged: str | None = None

    def journal(self) -> dict[str, Any]:
        """The form kept in the job journal: the URL, the staged file, or (failing both) the
        inline bytes as base64, so nothing is lost."""
        entry: dict[str, Any] = {"mime": self.mime}
        if self.url:
            entry["url"] = self.url
        if self.staged:
            entry["staged"] = self.staged
        elif self.data is not None:
            entry["b64"] = base64.b64encode(self.data).decode("ascii")
        if self.duration_s is not None:
            entry["duration_s"] = self.duration_s
        return entry

    @classmethod
    def from_journal(cls, entry: dict[str, Any]) -> Output:
        data = base64.b64decode(entry["b64"]) if entry.get("b64") else None
        return cls(
            url=entry.get("url"),
            data=data,
            mime=entry.get("mime"),
            duration_s=entry.get("duration_s"),
            staged=entry.get("staged"),
        )


@dataclass(frozen=True)
class Status:
    """A provider's answer about a job: finished with outputs, still running, or ended badly."""

    state: RemoteState
    outputs: list[Output] = field(default_factory=list)
    progress: int | None = None
    cost_usd: float | None = None
    error_code: str | None = None
    error_message: str | None = None
    moderated: int = 0
    model: str | None = None
    #: What a result says beside its files (a song's title, a cover_feature_id, seeds),
    #: kept in the job's journaled result.
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Submission:
    """The answer to a billable request: a job id to poll, or (synchronous APIs) the result."""

    provider_job_id: str | None = None
    result: Status | None = None
