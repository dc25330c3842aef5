"""Where MiniMax's API is: read by the media registry, the chat endpoints and `dave providers`,
so it loads nothing (the wire client is minimax.py beside it)."""

#: The real API, unless MINIMAX_BASE_URL or config.toml say otherwise:
#: a host, as its paths carry their own version (/v1/...).
DEFAULT_BASE_URL = "https://api.minimax.io"

#: Where its OpenAI-compatible chat routes sit, below the host.
CHAT_PATH = "/v1"
#: The chat model dave asks for when an agent names none.
CHAT_MODEL = "MiniMax-M2"
