"""Where x.ai's API is: read by the media registry, the chat endpoints and `dave providers`,
so it loads nothing (the wire client is xai.py beside it)."""

#: The real API, unless XAI_BASE_URL or config.toml say otherwise (its paths below start after /v1).
DEFAULT_BASE_URL = "https://api.x.ai/v1"

#: The chat model dave asks for when an agent names none.
CHAT_MODEL = "grok-4-1-fast-reasoning"
