"""The rule-based chat model, answering when no script is set: it calls an offered image (or
delegate) tool when asked for a picture, a music tool when asked for a song, sums up tool
results, and otherwise says it is the offline emulator. Not a language model."""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

from ..faults import ScriptedCall, ScriptedTurn
from .wire import text_of, tool_names

_PICTURE = re.compile(r"\b(picture|image|photo|drawing|draw|paint|illustrat)", re.IGNORECASE)

_SONG = re.compile(r"\b(song|music|tune|melody|jingle)", re.IGNORECASE)


def reply(body: dict[str, Any]) -> ScriptedTurn:
    """The rule-based model's answer to a checked request."""
    messages: list[dict[str, Any]] = body["messages"]
    last = messages[-1]
    if last["role"] == "tool":
        return ScriptedTurn(content=_summarise_results(messages))
    text = text_of(last).strip()
    may_call = body.get("tool_choice") != "none"
    if last["role"] == "user" and _SONG.search(text) and may_call:
        call = _song_call(body, text)
        if call is not None:
            return ScriptedTurn(tool_calls=[call])
    if last["role"] == "user" and _PICTURE.search(text) and may_call:
        call = _picture_call(body, text)
        if call is not None:
            return ScriptedTurn(tool_calls=[call])
    return ScriptedTurn(
        content="Hello from dave's offline emulator: a rule-based stand-in for a real model. "
        "Ask me for a picture and I will call the image tool."
    )


def _picture_call(body: dict[str, Any], text: str) -> ScriptedCall | None:
    names = tool_names(body)
    images = [n for n in names if "image" in n.lower()]
    # Prefer a generating tool over an editing one when both are offered.
    images.sort(key=lambda n: ("generat" not in n.lower(), "edit" in n.lower()))
    if images:
        return ScriptedCall(name=images[0], arguments={"prompt": text})
    delegates = [t for t in body.get("tools") or [] if "delegate" in t["function"]["name"]]
    if delegates:
        function = delegates[0]["function"]
        return ScriptedCall(
            name=function["name"], arguments={"agent": _media_agent(function), "task": text}
        )
    return None


def _song_call(body: dict[str, Any], text: str) -> ScriptedCall | None:
    for entry in body.get("tools") or []:
        function = entry["function"]
        if "music" in function["name"].lower():
            arguments: dict[str, Any] = {"prompt": text}
            # A song needs words: where the tool can have the service write them, ask it to.
            if "lyrics_optimizer" in (function.get("parameters") or {}).get("properties", {}):
                arguments["lyrics_optimizer"] = True
            return ScriptedCall(name=function["name"], arguments=arguments)
    return None


def _media_agent(function: dict[str, Any]) -> str:
    agent = ((function.get("parameters") or {}).get("properties") or {}).get("agent") or {}
    choices = agent.get("enum") if isinstance(agent, dict) else None
    if isinstance(choices, list) and choices and "xai" not in choices:
        return str(choices[0])
    return "xai"


def _summarise_results(messages: list[dict[str, Any]]) -> str:
    results: list[str] = []
    for message in reversed(messages):
        if message["role"] != "tool":
            break
        results.insert(0, text_of(message))
    found: dict[str, list[str]] = {"ids": [], "paths": []}
    for result in results:
        with contextlib.suppress(ValueError):  # a plain-text result has nothing to collect
            _collect(json.loads(result), found)
    if found["ids"] or found["paths"]:
        parts = []
        if found["ids"]:
            parts.append("asset " + ", ".join(dict.fromkeys(found["ids"])))
        if found["paths"]:
            parts.append("saved at " + ", ".join(dict.fromkeys(found["paths"])))
        return "Done: " + "; ".join(parts) + "."
    first = " ".join(" ".join(results).split())[:200]
    return f"The tool answered: {first}" if first else "The tool answered with nothing."


def _collect(value: Any, found: dict[str, list[str]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and key in ("asset_id", "id") and item:
                found["ids"].append(item)
            elif isinstance(item, str) and key == "path" and item:
                found["paths"].append(item)
            else:
                _collect(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, found)
