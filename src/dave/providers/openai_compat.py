"""Which OpenAI-compatible chat endpoint an agent talks to, and the `openai` SDK client for it.

Not the agent loop (dave.agents) and not media: only where an LLM lives, its key and model.

Providers: key variable; base URL variable, default; default model.

- `xai` (the default): `XAI_API_KEY`; `XAI_BASE_URL`, https://api.x.ai/v1; `grok-4-1-fast-reasoning`
- `minimax`: `MINIMAX_API_KEY`; `MINIMAX_BASE_URL`, https://api.minimax.io/v1; `MiniMax-M2`
- `openai`: `OPENAI_API_KEY`; (none), https://api.openai.com/v1; `gpt-4.1-mini`
- `local`: `OPENAI_API_KEY`, optional; `OPENAI_BASE_URL`, required; `DAVE_LLM_MODEL` or `local`

x.ai's chat and media live under the same `/v1`, so `XAI_BASE_URL` moves both (which is how the
tests point dave at one emulator). `grok-4-1-fast-reasoning` is x.ai's model for agentic tool
calling (2M context, low price); `MiniMax-M2` is the first MiniMax model its OpenAI-compatible
route documents (`MiniMax-M1` is native-route only). Keys may also sit in config.toml's `[keys]`
table and base URLs in `[<provider>] base_url`, as for media. With no provider named,
`DAVE_LLM_PROVIDER` picks one (default `xai`); `DAVE_LLM_MODEL` sets the model of that default
provider and of `local`. Offline, every provider is the built-in emulator, in-process, reached
through the transport the caller passes to `open_llm`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dave.core.errors import ConfigError
from dave.core.redact import Secret
from dave.core.settings import OFFLINE_KEY, Settings, read_config
from dave.providers import minimax_api, xai_api

if TYPE_CHECKING:
    import httpx2
    import openai

# Offline, chat goes to this made-up host, which an ASGI transport answers in-process.
EMULATOR_BASE_URL = "http://emulator.invalid/v1"
EMULATOR_MODEL = "dave-emulator"
DEFAULT_PROVIDER = "xai"
# The SDK's own retry of failed chat requests (connection errors, 408/409/429/5xx). A chat
# turn is cheap and sends nothing the world can see, unlike a billable media request.
MAX_RETRIES = 2


@dataclass(frozen=True)
class LlmProviderInfo:
    """What dave needs to reach one OpenAI-compatible chat service."""

    name: str
    key_variable: str
    base_url_variable: str | None
    default_base_url: str | None
    default_model: str
    key_required: bool = True


LLM_PROVIDERS: dict[str, LlmProviderInfo] = {
    # x.ai and MiniMax share their key and address with media (providers/<name>_api.py).
    "xai": LlmProviderInfo(
        "xai", "XAI_API_KEY", "XAI_BASE_URL", xai_api.DEFAULT_BASE_URL, xai_api.CHAT_MODEL
    ),
    "minimax": LlmProviderInfo(
        "minimax",
        "MINIMAX_API_KEY",
        "MINIMAX_BASE_URL",
        minimax_api.DEFAULT_BASE_URL + minimax_api.CHAT_PATH,
        minimax_api.CHAT_MODEL,
    ),
    "openai": LlmProviderInfo(
        "openai", "OPENAI_API_KEY", None, "https://api.openai.com/v1", "gpt-4.1-mini"
    ),
    "local": LlmProviderInfo(
        "local", "OPENAI_API_KEY", "OPENAI_BASE_URL", None, "local", key_required=False
    ),
}


@dataclass(frozen=True)
class LlmEndpoint:
    """One chat endpoint: where it is, the key for it and the model to ask for."""

    provider: str
    base_url: str
    key: Secret = field(repr=False)
    model: str

    @property
    def offline(self) -> bool:
        """True for the built-in emulator answered in-process."""
        return self.base_url == EMULATOR_BASE_URL


def llm_endpoint(
    settings: Settings,
    provider: str | None = None,
    model: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
) -> LlmEndpoint:
    """The endpoint for `provider` (default `DAVE_LLM_PROVIDER`, else `xai`) and `model` (default
    the provider's); offline, a local server if one is set, else the emulator. A ConfigError
    names the variable to set."""
    env = os.environ if env is None else env
    chosen = provider or env.get("DAVE_LLM_PROVIDER") or DEFAULT_PROVIDER
    info = LLM_PROVIDERS.get(chosen)
    if info is None:
        raise ConfigError(
            f"unknown LLM provider {chosen!r}", hint=f"use one of {', '.join(LLM_PROVIDERS)}"
        )
    if settings.offline:
        return _offline_endpoint(settings, chosen, env)
    config = read_config(settings.home)
    base_url = _base_url(settings, info, env, config)
    key = _key(settings, info, env, config)
    if model is None and (provider is None or chosen == "local"):
        model = env.get("DAVE_LLM_MODEL") or None
    return LlmEndpoint(chosen, base_url, key, model or info.default_model)


def _offline_endpoint(settings: Settings, chosen: str, env: Mapping[str, str]) -> LlmEndpoint:
    """Offline: a local model server when one is set (OPENAI_BASE_URL, or the local provider's
    base URL in the config), as it needs no network either and can code; else the emulator."""
    local = LLM_PROVIDERS["local"]
    url = env.get("OPENAI_BASE_URL")
    config: dict[str, Any] = {}
    if url or chosen == "local":
        config = read_config(settings.home)
        url = url or _lookup(config, local.name, "base_url")
    if not url:
        return LlmEndpoint("emulator", EMULATOR_BASE_URL, Secret(OFFLINE_KEY), EMULATOR_MODEL)
    model = env.get("DAVE_LLM_MODEL") or local.default_model
    return LlmEndpoint("local", str(url).rstrip("/"), _key(settings, local, env, config), model)


def _base_url(
    settings: Settings, info: LlmProviderInfo, env: Mapping[str, str], config: dict[str, Any]
) -> str:
    if info.name == "xai":
        return settings.base_url("xai", xai_api.DEFAULT_BASE_URL)  # env, config, default
    if info.name == "minimax":
        # Shared with media, where MINIMAX_BASE_URL is the host; the chat routes sit below it.
        host = settings.base_url("minimax", minimax_api.DEFAULT_BASE_URL).rstrip("/")
        path = minimax_api.CHAT_PATH
        return host if host.endswith(path) else f"{host}{path}"
    url = (info.base_url_variable and env.get(info.base_url_variable)) or _lookup(
        config, info.name, "base_url"
    )
    if url:
        return str(url).rstrip("/")
    if info.default_base_url is None:
        raise ConfigError(
            f"no base URL for the {info.name} LLM provider",
            hint=f"set {info.base_url_variable} (e.g. http://localhost:11434/v1 for Ollama), "
            "or use --offline to run against the built-in emulator",
        )
    return info.default_base_url


def _key(
    settings: Settings, info: LlmProviderInfo, env: Mapping[str, str], config: dict[str, Any]
) -> Secret:
    if info.name == "xai" and settings.has_key("xai"):
        return settings.key("xai")
    raw = env.get(info.key_variable) or _lookup(config, "keys", info.name)
    if raw:
        return Secret(str(raw))
    if not info.key_required:
        # Local servers mostly ignore the key, but the SDK insists on one.
        return Secret("none")  # short, so redaction does not mask the word
    raise ConfigError(
        f"no API key for {info.name}",
        hint=f"set {info.key_variable}, or use --offline to run against the built-in emulator",
    )


def _lookup(config: Mapping[str, Any], section: str, name: str) -> Any:
    table = config.get(section)
    return table.get(name) if isinstance(table, dict) else None


def open_llm(
    endpoint: LlmEndpoint,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    timeout: float | None = None,
) -> openai.AsyncOpenAI:
    """An `AsyncOpenAI` client for the endpoint, on httpx2 (through `transport` when given);
    close it with `await client.close()`. An offline endpoint needs the in-process emulator's
    transport: a wire client never builds the fake itself (dave.media.offline does)."""
    if transport is None and endpoint.offline:
        raise ConfigError(
            "the offline model client has no emulator to talk to",
            hint="pass transport=dave.media.offline.chat_emulator()",
        )
    import httpx2
    import openai

    http_client = httpx2.AsyncClient(transport=transport) if transport is not None else None
    options: dict[str, Any] = {}
    if timeout is not None:
        options["timeout"] = timeout
    return openai.AsyncOpenAI(
        base_url=endpoint.base_url,
        api_key=endpoint.key.reveal(),
        http_client=http_client,
        max_retries=MAX_RETRIES,
        **options,
    )
