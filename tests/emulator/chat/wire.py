"""Request pieces the chat endpoint's tests share: tool schemas in OpenAI's form."""

from __future__ import annotations

from typing import Any


def function_tool(name: str, **properties: str) -> dict[str, Any]:
    """A function tool whose parameters are the given string properties, all required."""
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": f"The {name} tool.",
            "parameters": {
                "type": "object",
                "properties": {key: {"type": kind} for key, kind in properties.items()},
                "required": list(properties),
            },
        },
    }


IMAGE_TOOL = function_tool("generate_image", prompt="string")
READ_TOOL = function_tool("read_file", path="string")
