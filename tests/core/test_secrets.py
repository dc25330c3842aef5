"""A key never shows: not on stdout or stderr, in logs, the database, or any file dave writes."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from dave import ProviderError, Studio
from dave.core.redact import RedactingFilter, Secret, redact, redact_data
from dave.core.settings import load_settings
from dave.emulator import EmulatorServer
from tests.conftest import run_dave

CANARY = "xai-CANARY-5f0d1c2b9e8a7d6c"


def _files_containing(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_the_canary_key_appears_nowhere_after_success_and_failure(
    xai: EmulatorServer, dave_home: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("XAI_API_KEY", CANARY)
    ok = run_dave("image", "a lighthouse", "--json")
    assert ok.returncode == 0, ok.stderr
    # The key did reach the provider, so the canary is a real one.
    assert xai.log.posts()[0].headers["authorization"] == f"Bearer {CANARY}"

    xai.set_faults(
        [
            {
                "match": "POST /v1/images/generations",
                "kind": "status",
                "status": 401,
                "body": {"code": "401", "error": f"bad key {CANARY}"},
            }
        ]
    )
    refused = run_dave("image", "a lighthouse", "--json", env={"DAVE_DEBUG": ""})
    assert refused.returncode == 1
    listed = run_dave("jobs", "list", "--json")
    shown = run_dave("jobs", "show", json.loads(listed.stdout)["jobs"][0]["id"], "--json")

    for output in (ok, refused, listed, shown):
        assert CANARY not in output.stdout
        assert CANARY not in output.stderr
    assert "***" in refused.stderr  # the provider echoed the key; dave masked it
    assert _files_containing(dave_home, CANARY.encode()) == []
    assert (dave_home / "dave.db").exists()


async def test_the_canary_key_is_not_in_the_journal_of_a_failed_job(
    xai: EmulatorServer, dave_home: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("XAI_API_KEY", CANARY)
    xai.set_faults(
        [
            {
                "match": "POST /v1/images/generations",
                "kind": "status",
                "status": 400,
                "body": {"code": "400", "error": f"Argument not supported: {CANARY}"},
            }
        ]
    )
    async with Studio() as studio:
        # The provider's own 400 (not a key problem, not a refused parameter): a ProviderError
        # carrying the provider's message with the key masked.
        with pytest.raises(ProviderError) as caught:
            await studio.image("a lighthouse")
        job = studio.jobs.list()[0]
    error = caught.value
    assert type(error) is ProviderError  # not Unauthorized: the key was not what it refused
    assert (error.provider, error.status, error.code) == ("xai", 400, "400")
    assert error.message == "Argument not supported: ***"
    assert error.user_line().startswith("xai HTTP 400: Argument not supported: *** (")
    assert CANARY not in str(error) and CANARY not in error.user_line()
    assert job.error == error.user_line()
    assert CANARY not in (job.error or "")
    assert _files_containing(dave_home, CANARY.encode()) == []


def test_a_secret_hides_in_repr_str_and_format():
    secret = Secret(CANARY)
    assert CANARY not in repr(secret) + str(secret) + f"{secret}"
    settings = load_settings({"XAI_API_KEY": CANARY, "DAVE_HOME": "/nonexistent"})
    assert CANARY not in repr(settings)
    assert settings.key("xai").reveal() == CANARY


def test_redaction_masks_known_secrets_and_secret_named_fields():
    Secret(CANARY)
    assert redact(f"Bearer {CANARY}!") == "Bearer ***!"
    data = {"headers": {"Authorization": "Bearer zzz"}, "note": [f"k={CANARY}"], "n": 2}
    assert redact_data(data) == {"headers": {"Authorization": "***"}, "note": ["k=***"], "n": 2}


def test_log_records_are_scrubbed(caplog: pytest.LogCaptureFixture):
    Secret(CANARY)
    logger = logging.getLogger("dave.test")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="dave.test"):
        logger.info("sending with %s", CANARY)
    assert CANARY not in caplog.text and "***" in caplog.text


# The same canary check for the two other providers' keys: a success, then a refusal whose
# body echoes the key (MiniMax answers it inside HTTP 200, Stability with a 401).
PROVIDER_CANARIES = {
    "minimax": (
        "MINIMAX_API_KEY",
        "sk-api-CANARY-7c1e9b3a2f",
        "POST /minimax/v1/image_generation",
        lambda key: {"base_resp": {"status_code": 2049, "status_msg": f"invalid api key {key}"}},
        200,
    ),
    "stability": (
        "STABILITY_API_KEY",
        "sk-CANARY-stab-4d8e2a9c1b",
        "POST /stability/v2beta/stable-image/generate/core",
        lambda key: {"id": "e1", "name": "unauthorized", "errors": [f"bad key {key}"]},
        401,
    ),
}


@pytest.mark.parametrize("provider", sorted(PROVIDER_CANARIES))
def test_the_other_providers_keys_appear_nowhere_either(
    provider: str,
    xai: EmulatorServer,
    dave_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    variable, canary, match, body, status = PROVIDER_CANARIES[provider]
    base_url = xai.minimax_base_url if provider == "minimax" else xai.stability_base_url
    monkeypatch.setenv(f"{provider.upper()}_BASE_URL", base_url)
    monkeypatch.setenv(variable, canary)
    ok = run_dave("image", "a lighthouse", "--provider", provider, "--json")
    assert ok.returncode == 0, ok.stderr
    assert xai.log.posts()[0].headers["authorization"] == f"Bearer {canary}"

    xai.set_faults([{"match": match, "kind": "status", "status": status, "body": body(canary)}])
    refused = run_dave("image", "a lighthouse", "--provider", provider, "--json")
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["error"]["type"] == "Unauthorized"
    listed = run_dave("jobs", "list", "--json")
    shown = run_dave("jobs", "show", json.loads(listed.stdout)["jobs"][0]["id"], "--json")
    providers = run_dave("providers", "--json")

    for output in (ok, refused, listed, shown, providers):
        assert canary not in output.stdout
        assert canary not in output.stderr
    assert "***" in refused.stdout + refused.stderr  # the provider echoed the key; dave masked it
    assert _files_containing(dave_home, canary.encode()) == []
