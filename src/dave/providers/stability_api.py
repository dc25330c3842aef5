"""Where Stability AI's API is: read by the media registry, the chat endpoints and `dave providers`,
so it loads nothing (the wire client is stability.py beside it)."""

#: The real API, unless STABILITY_BASE_URL or config.toml say otherwise:
#: a host, as its paths carry their own version (/v2beta/...).
DEFAULT_BASE_URL = "https://api.stability.ai"
