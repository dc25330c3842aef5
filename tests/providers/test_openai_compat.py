"""Where dave's LLM lives: provider, base URL, key and model from the environment and config.toml,
and the in-process emulator offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dave.core.errors import ConfigError
from dave.core.settings import load_settings
from dave.emulator import EmulatorServer
from dave.media.offline import chat_emulator
from dave.providers.openai_compat import (
    EMULATOR_BASE_URL,
    LLM_PROVIDERS,
    llm_endpoint,
    open_llm,
)


def test_x_ai_is_the_default_provider_with_a_grok_model() -> None:
    env = {"XAI_API_KEY": "xai-secret-123456"}

    endpoint = llm_endpoint(load_settings(env), env=env)

    assert (endpoint.provider, endpoint.base_url) == ("xai", "https://api.x.ai/v1")
    assert endpoint.model == LLM_PROVIDERS["xai"].default_model
    assert endpoint.model.startswith("grok-")
    assert endpoint.key.reveal() == "xai-secret-123456"


@pytest.mark.parametrize(
    ("provider", "env", "base_url", "model"),
    [
        (
            "minimax",
            {"MINIMAX_API_KEY": "mm-key-123456"},
            "https://api.minimax.io/v1",
            "MiniMax-M2",
        ),
        (
            "openai",
            {"OPENAI_API_KEY": "sk-key-123456"},
            "https://api.openai.com/v1",
            "gpt-4.1-mini",
        ),
        (
            "minimax",
            {
                "MINIMAX_API_KEY": "mm-key-123456",
                "MINIMAX_BASE_URL": "https://api.minimaxi.com/v1/",
            },
            "https://api.minimaxi.com/v1",
            "MiniMax-M2",
        ),
        (
            # The media host form of the same variable: the chat routes are under /v1.
            "minimax",
            {"MINIMAX_API_KEY": "mm-key-123456", "MINIMAX_BASE_URL": "https://api.minimaxi.com"},
            "https://api.minimaxi.com/v1",
            "MiniMax-M2",
        ),
        (
            "local",
            {"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1"},
            "http://127.0.0.1:11434/v1",
            "local",
        ),
        (
            "local",
            {"OPENAI_BASE_URL": "http://127.0.0.1:8000/v1", "DAVE_LLM_MODEL": "qwen3:8b"},
            "http://127.0.0.1:8000/v1",
            "qwen3:8b",
        ),
    ],
)
def test_each_provider_has_its_base_url_and_default_model(
    provider: str, env: dict[str, str], base_url: str, model: str
) -> None:
    endpoint = llm_endpoint(load_settings(env), provider, env=env)

    assert (endpoint.provider, endpoint.base_url, endpoint.model) == (provider, base_url, model)


def test_the_x_ai_base_url_is_shared_with_media() -> None:
    env = {"XAI_API_KEY": "xai-secret-123456", "XAI_BASE_URL": "http://127.0.0.1:9/v1"}

    assert llm_endpoint(load_settings(env), "xai", env=env).base_url == "http://127.0.0.1:9/v1"


def test_dave_llm_provider_and_model_pick_the_default_but_an_explicit_choice_wins() -> None:
    env = {
        "DAVE_LLM_PROVIDER": "openai",
        "DAVE_LLM_MODEL": "gpt-4.1",
        "OPENAI_API_KEY": "sk-key-123456",
        "XAI_API_KEY": "xai-secret-123456",
    }
    settings = load_settings(env)

    assert llm_endpoint(settings, env=env).model == "gpt-4.1"
    assert llm_endpoint(settings, "xai", env=env).model == LLM_PROVIDERS["xai"].default_model
    assert llm_endpoint(settings, "xai", "grok-4", env=env).model == "grok-4"


@pytest.mark.parametrize(
    ("provider", "variable"),
    [("xai", "XAI_API_KEY"), ("minimax", "MINIMAX_API_KEY"), ("openai", "OPENAI_API_KEY")],
)
def test_a_missing_key_names_its_variable_and_offline(provider: str, variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        llm_endpoint(load_settings({}), provider, env={})

    assert caught.value.user_line() == (
        f"no API key for {provider} (set {variable}, "
        "or use --offline to run against the built-in emulator)"
    )


def test_a_local_server_needs_its_base_url_but_no_key() -> None:
    with pytest.raises(ConfigError, match="no base URL for the local LLM provider") as caught:
        llm_endpoint(load_settings({}), "local", env={})
    assert "OPENAI_BASE_URL" in caught.value.user_line()

    env = {"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1"}
    assert llm_endpoint(load_settings(env), "local", env=env).key


def test_an_unknown_provider_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        llm_endpoint(load_settings({}), "anthropic", env={})

    assert caught.value.user_line() == (
        "unknown LLM provider 'anthropic' (use one of xai, minimax, openai, local)"
    )


def test_keys_and_base_urls_can_come_from_config_toml(dave_home: Path) -> None:
    dave_home.mkdir(parents=True)
    (dave_home / "config.toml").write_text(
        '[keys]\nminimax = "mm-from-config-123"\n\n[minimax]\nbase_url = "https://mm.example/v1"\n'
    )
    env = {"DAVE_HOME": str(dave_home)}

    endpoint = llm_endpoint(load_settings(env), "minimax", env=env)

    assert endpoint.key.reveal() == "mm-from-config-123"
    assert endpoint.base_url == "https://mm.example/v1"


def test_the_key_never_shows_in_the_endpoints_repr_or_str() -> None:
    env = {"OPENAI_API_KEY": "sk-very-secret-key-42"}

    endpoint = llm_endpoint(load_settings(env), "openai", env=env)

    assert "sk-very-secret" not in repr(endpoint)
    assert "sk-very-secret" not in str(endpoint)


def test_offline_every_provider_is_the_emulator_with_no_key_needed() -> None:
    settings = load_settings({}, offline=True)

    for provider in LLM_PROVIDERS:
        endpoint = llm_endpoint(settings, provider, env={})
        assert (endpoint.provider, endpoint.base_url, endpoint.model) == (
            "emulator",
            EMULATOR_BASE_URL,
            "dave-emulator",
        )
        assert endpoint.offline


async def test_offline_the_client_talks_to_the_emulator_in_process() -> None:
    # No server runs here, and pytest-socket would refuse any real connection.
    client = open_llm(llm_endpoint(load_settings({}, offline=True)), transport=chat_emulator())
    tool = {
        "type": "function",
        "function": {"name": "generate_image", "parameters": {"type": "object"}},
    }
    async with client:
        stream = await client.chat.completions.create(
            model="dave-emulator",
            messages=[{"role": "user", "content": "a photo of a fox"}],
            tools=[tool],
            stream=True,
        )
        arguments = "".join(
            [
                delta.function.arguments or ""
                async for chunk in stream
                for delta in chunk.choices[0].delta.tool_calls or []
                if delta.function
            ]
        )

    assert json.loads(arguments) == {"prompt": "a photo of a fox"}


def test_an_offline_client_without_the_emulator_transport_says_what_to_pass() -> None:
    endpoint = llm_endpoint(load_settings({}, offline=True))

    with pytest.raises(ConfigError, match="no emulator") as raised:
        open_llm(endpoint)

    assert "chat_emulator()" in (raised.value.hint or "")


def test_the_client_retries_a_failed_chat_request_twice_at_most() -> None:
    env = {"XAI_API_KEY": "xai-secret-123456"}

    client = open_llm(llm_endpoint(load_settings(env), env=env), timeout=5)

    assert client.max_retries == 2
    assert client.timeout == 5
    assert str(client.base_url) == "https://api.x.ai/v1/"


async def test_minimax_chat_is_under_v1_of_the_media_host(minimax: EmulatorServer) -> None:
    from dave.core.settings import load_settings
    from dave.providers.openai_compat import open_llm

    endpoint = llm_endpoint(load_settings(), "minimax")
    assert endpoint.base_url == f"{minimax.minimax_base_url}/v1"
    async with open_llm(endpoint) as client:
        reply = await client.chat.completions.create(
            model=endpoint.model, messages=[{"role": "user", "content": "say hello"}]
        )
    assert reply.choices[0].message.content
    assert [post.path for post in minimax.log.posts()] == ["/minimax/v1/chat/completions"]


def test_offline_a_local_server_that_is_set_answers_instead_of_the_emulator() -> None:
    settings = load_settings({}, offline=True)
    env = {"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1/", "DAVE_LLM_MODEL": "qwen-coder"}

    endpoint = llm_endpoint(settings, env=env)

    assert (endpoint.provider, endpoint.base_url, endpoint.model) == (
        "local",
        "http://127.0.0.1:11434/v1",
        "qwen-coder",
    )
    assert not endpoint.offline
