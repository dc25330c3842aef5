"""The emulator's configuration: latency, job timing, keys, fault rules and the scripted chat
model, loadable from a file. Not where faults are carried out (`middleware.py`) nor where chat
answers are shaped (`chat/`); it only decides which request gets which."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import threading
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

FaultKind = Literal[
    "status",
    "reset",
    "hang",
    "truncate",
    "corrupt",
    "slow",
    "job_failed",
    "job_expired",
    "moderated",
]

#: Names an emulator config file that offline runs (the Studio's drivers, the agents' model)
#: load into their in-process emulator.
CONFIG_VARIABLE = "DAVE_EMULATOR_CONFIG"

# Faults that change what a job or image *is* (decided by the route handler), as opposed to
# faults that change how the HTTP exchange goes (carried out by the middleware).
OutcomeKind = Literal["job_failed", "job_expired", "moderated"]
OUTCOME_KINDS: frozenset[str] = frozenset(get_args(OutcomeKind))


class FaultRule(BaseModel):
    """One fault: which requests it hits, what happens to them, and how many times.

    Kinds of fault:
    - `status`: answer `status` at once (with `retry_after` and `body` if given).
    - `reset`: read the whole request, then drop the connection with no response at all.
    - `hang`: wait `seconds` before handling the request (a client read timeout fires first).
    - `truncate`: promise the full Content-Length, send `fraction` of the body, then drop.
    - `corrupt`: a 200 of the right length whose bytes are not the media.
    - `slow`: the body in `chunk_size` pieces, `seconds` apart.
    - `job_failed`, `job_expired`: on a video submit, the job ends so once ready; on a poll,
      that poll answers so at once.
    - `moderated`: images come back with `respect_moderation: false` and no image; a video
      ends done with `respect_moderation: false` and no URL (on submit or poll, as above).
    Outcome kinds matched to endpoints they mean nothing to (e.g. `job_failed` on images)
    are counted but change nothing.
    """

    model_config = ConfigDict(extra="forbid")

    match: str
    """`"METHOD /path"` with fnmatch wildcards, e.g. `"GET /jobs/*"`, `"* /files/*"`."""
    kind: FaultKind
    """What happens; see the class docstring."""
    status: int = 500
    """For `status`: the HTTP status to answer with."""
    retry_after: str | None = None
    """For `status`: a `Retry-After` header value, seconds (`"2"`) or an HTTP-date."""
    body: dict[str, Any] | list[Any] | str | None = None
    """For `status`: the body (JSON for dict/list, text for str); default a flat x.ai error."""
    seconds: float | None = Field(default=None, ge=0)
    """For `hang`: how long to wait (default 30 s); for `slow`: the pause between chunks
    (default 0.1 s)."""
    fraction: float = Field(default=0.5, ge=0, lt=1)
    """For `truncate`: the share of the body sent before the connection drops."""
    chunk_size: int = Field(default=16 * 1024, gt=0)
    """For `slow`: bytes per chunk."""
    message: str | None = None
    """For `job_failed`: the error message of the failed job."""
    times: int = Field(default=1, ge=0)
    """How many matching requests get the fault; 0 means every one, forever."""
    skip: int = Field(default=0, ge=0)
    """Let this many matching requests through untouched first."""

    _seen: int = PrivateAttr(default=0)
    _applied: int = PrivateAttr(default=0)

    @field_validator("match")
    @classmethod
    def _method_and_path(cls, value: str) -> str:
        method, _, path = value.strip().partition(" ")
        if not method or not path.startswith("/"):
            raise ValueError('match must look like "METHOD /path", e.g. "GET /jobs/*"')
        return f"{method.upper()} {path.strip()}"

    def delay(self) -> float:
        """`seconds`, or the default for this kind."""
        if self.seconds is not None:
            return self.seconds
        return 30.0 if self.kind == "hang" else 0.1

    @property
    def seen(self) -> int:
        """Matching requests so far (skipped, faulted or spent)."""
        return self._seen

    @property
    def applied(self) -> int:
        """Requests this rule actually faulted."""
        return self._applied

    def matches(self, method: str, path: str) -> bool:
        return fnmatch.fnmatchcase(f"{method.upper()} {path}", self.match)


class ScriptedCall(BaseModel):
    """One tool call the scripted chat model makes."""

    model_config = ConfigDict(extra="forbid")

    name: str
    """The function to call, as offered in the request's `tools`."""
    arguments: dict[str, Any] = Field(default_factory=dict)
    """Its arguments; sent as a JSON string, streamed in several pieces."""
    id: str | None = None
    """The call id; default a fresh `call_<hex>`."""


class ScriptedExpect(BaseModel):
    """What a scripted turn checks about the request it answers; a miss is a 400 naming it."""

    model_config = ConfigDict(extra="forbid")

    last_role: str | None = None
    """The role of the conversation's last message (`user`, `tool`, ...)."""
    contains: str | None = None
    """Text the last message's content must contain."""
    any_contains: str | None = None
    """Text some message's content (any role) must contain."""
    system_contains: str | None = None
    """Text the system (or developer) message must contain."""
    message_count: int | None = None
    """The exact number of messages sent."""
    tools: list[str] | None = None
    """Tool names the request must offer (others may be offered too)."""
    no_tools: bool | None = None
    """True: the request must offer no tools at all."""
    tool_call_ids: list[str] | None = None
    """The `tool_call_id`s of the trailing tool messages, in this order."""
    model: str | None = None
    """The requested model id."""
    stream: bool | None = None
    """Whether the request must (True) or must not (False) stream."""


class ScriptedTurn(BaseModel):
    """One reply of the scripted chat model: text, tool calls, or both."""

    model_config = ConfigDict(extra="forbid")

    content: str | None = None
    """The assistant's text (streamed in word-sized pieces)."""
    tool_calls: list[ScriptedCall] = Field(default_factory=list)
    """Tool calls, in order; with any, the finish reason is `tool_calls`."""
    expect: ScriptedExpect | None = None
    """Checks on the request this turn answers (a dict is accepted)."""


class ChatScriptExhausted(Exception):
    """A chat request arrived after the scripted model's last turn was used."""


class EmulatorConfig(BaseModel):
    """How the emulator behaves. Pass one to `create_app` or `EmulatorServer`."""

    model_config = ConfigDict(extra="forbid")

    latency_s: float = Field(default=0.0, ge=0)
    """Added to every provider request before it is answered."""
    video_ready_s: float = Field(default=2.0, ge=0)
    """Real seconds a video job stays pending after it is submitted."""
    video_ready_spread_s: tuple[float, float] | None = None
    """When set, each video job stays pending for a time drawn from this `(low, high)` range of
    seconds instead of `video_ready_s`, by a hash of its prompt: the same prompt always takes
    the same time, so two clients sending the same prompts see the same spread of jobs."""
    video_bytes: int | None = Field(default=None, ge=0)
    """When set, every video file is padded to this many bytes with a trailing MP4 `free` box:
    a very large file that still plays and verifies, streamed without being held in memory
    (over loopback; an ASGI transport in the client collects it whole)."""
    api_keys: list[str] | None = None
    """Accepted bearer keys; None accepts any non-empty key."""
    fps: int = Field(default=8, ge=1, le=60)
    """Frame rate of made videos; low keeps encoding cheap."""
    url_ttl_s: float = Field(default=3600.0, ge=0)
    """How long result URLs stay downloadable (images from the answer, videos from ready)."""
    faults: list[FaultRule] = Field(default_factory=list)
    """Rules tried in order; the first that applies to a request wins."""
    chat_script: list[ScriptedTurn] | None = None
    """The scripted chat model: each `/v1/chat/completions` request takes the next turn, and
    once all are used further requests get a 400. None: the rule-based model answers."""
    state_file: Path | None = None
    """The SQLite file that keeps jobs and file names, shared by every emulator on it (so one
    process polls what another submitted). None: kept in memory, for this app alone."""

    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _chat_turns_used: int = PrivateAttr(default=0)

    @model_validator(mode="before")
    @classmethod
    def _faults_alone(cls, data: Any) -> Any:
        # A bare list in a faults file means "these are the faults".
        if isinstance(data, list):
            return {"faults": data}
        return data

    @field_validator("video_ready_spread_s")
    @classmethod
    def _ordered_range(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and not 0 <= value[0] <= value[1]:
            raise ValueError("video_ready_spread_s must be (low, high) with 0 <= low <= high")
        return value

    def video_ready_in(self, prompt: str) -> float:
        """Seconds a video job for `prompt` stays pending (see `video_ready_spread_s`)."""
        if self.video_ready_spread_s is None:
            return self.video_ready_s
        low, high = self.video_ready_spread_s
        digest = hashlib.sha256(prompt.encode("utf-8", "surrogatepass")).digest()
        share = int.from_bytes(digest[:8], "big") / 2**64
        return low + share * (high - low)

    @classmethod
    def from_file(cls, path: str | Path) -> EmulatorConfig:
        """Load a `.toml` or `.json` file: config fields at the top, or a JSON list of faults."""
        path = Path(path)
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
        return cls.model_validate(data)

    @classmethod
    def from_environment(cls) -> EmulatorConfig | None:
        """The config file `DAVE_EMULATOR_CONFIG` names, for the in-process emulator of
        offline runs (the same format as `dave emulator serve --faults`); None if unset."""
        import os

        from dave.core.errors import ConfigError

        path = os.environ.get(CONFIG_VARIABLE)
        if not path:
            return None
        try:
            return cls.from_file(path)
        except (OSError, ValueError) as error:
            raise ConfigError(f"cannot read {CONFIG_VARIABLE}={path}: {error}") from None

    def set_faults(self, rules: Iterable[FaultRule | dict[str, Any]]) -> None:
        """Replace the fault rules (fresh counters), safe while the emulator is serving."""
        fresh = [
            FaultRule.model_validate(r if isinstance(r, dict) else r.model_dump()) for r in rules
        ]
        with self._lock:
            self.faults = fresh

    def set_chat_script(self, turns: Iterable[ScriptedTurn | dict[str, Any]] | None) -> None:
        """Replace the scripted chat model's turns (None: back to the rule-based model)."""
        fresh = None if turns is None else [ScriptedTurn.model_validate(t) for t in turns]
        with self._lock:
            self.chat_script = fresh
            self._chat_turns_used = 0

    def next_chat_turn(self) -> tuple[int, ScriptedTurn] | None:
        """The next scripted turn and its number (1-based), taken off the script; None in
        rule-based mode; `ChatScriptExhausted` once every turn is used."""
        with self._lock:
            if self.chat_script is None:
                return None
            if not self.chat_script:
                used = self._chat_turns_used
                raise ChatScriptExhausted(
                    f"the chat script is exhausted: all {used} scripted turns were used"
                )
            # Popping (not an index) keeps `chat_script` showing what is left, and lets a
            # test reset the field with a plain assignment.
            turn = ScriptedTurn.model_validate(self.chat_script.pop(0))
            self._chat_turns_used += 1
            return self._chat_turns_used, turn

    def pick_fault(self, method: str, path: str) -> FaultRule | None:
        """The fault for this request, counting it against every rule it matches on the way."""
        with self._lock:
            for rule in self.faults:
                if not rule.matches(method, path):
                    continue
                rule._seen += 1
                past_skip = rule._seen - rule.skip
                if past_skip <= 0:
                    continue
                if rule.times and rule._applied >= rule.times:
                    continue
                rule._applied += 1
                return rule
        return None


def job_outcome(rule: FaultRule | None) -> OutcomeKind | None:
    """What the outcome fault `rule` makes of the job it hits (None: no fault, a normal job).

    Route handlers are handed only outcome faults (the middleware carries out the rest), so
    another kind here is a bug: ValueError."""
    if rule is None:
        return None
    kind = rule.kind
    if kind == "job_failed" or kind == "job_expired" or kind == "moderated":
        return kind
    raise ValueError(f"a {kind} fault is not a job outcome")
