"""Where to publish: the local folder and the S3 store's settings, the environment over
`config.toml`'s `[publish]` and `[publish.s3]`, and opening the target a name asks for.

Credentials for S3 are the standard AWS chain's (environment, profile): dave never reads,
keeps or prints them. Not for sending anything (local.py, s3.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dave.core.errors import ConfigError, InvalidRequest
from dave.core.settings import Settings, read_config
from dave.publish.target import Target

TARGETS = ("local", "s3")
DEFAULT_PRESIGN_S = 86_400  # a day
MAX_PRESIGN_S = 604_800  # seven days: the longest a SigV4 presigned URL can live

_S3_FIELDS = ("bucket", "prefix", "endpoint_url", "region", "public_base_url", "presign_expires")


def publish_dir(settings: Settings, env: Mapping[str, str], config: Mapping[str, Any]) -> Path:
    """`DAVE_PUBLISH_DIR`, else `[publish] dir`, else `$DAVE_HOME/public`."""
    table = config.get("publish")
    chosen = env.get("DAVE_PUBLISH_DIR") or (
        table.get("dir") if isinstance(table, Mapping) else None
    )
    return Path(str(chosen)).expanduser() if chosen else settings.home / "public"


def s3_options(env: Mapping[str, str], config: Mapping[str, Any]) -> dict[str, Any]:
    """The S3 target's options: `DAVE_S3_<FIELD>` over `[publish.s3] <field>`."""
    publish = config.get("publish")
    table = publish.get("s3") if isinstance(publish, Mapping) else None
    table = table if isinstance(table, Mapping) else {}
    values = {
        name: env.get(f"DAVE_S3_{name.upper()}") or table.get(name) or None for name in _S3_FIELDS
    }
    if not values["bucket"]:
        raise ConfigError(
            "no S3 bucket to publish to",
            hint="set DAVE_S3_BUCKET (and DAVE_S3_ENDPOINT_URL for a store other than AWS)",
        )
    expires = values.pop("presign_expires") or DEFAULT_PRESIGN_S
    try:
        seconds = int(expires)
    except (TypeError, ValueError):
        raise ConfigError(
            f"DAVE_S3_PRESIGN_EXPIRES must be whole seconds, got {expires!r}"
        ) from None
    if not 1 <= seconds <= MAX_PRESIGN_S:
        raise ConfigError(
            f"DAVE_S3_PRESIGN_EXPIRES must be 1 to {MAX_PRESIGN_S} seconds (7 days), got {seconds}"
        )
    return {
        "bucket": str(values["bucket"]),
        "prefix": str(values["prefix"] or ""),
        "endpoint_url": values["endpoint_url"] and str(values["endpoint_url"]),
        "region": values["region"] and str(values["region"]),
        "public_base_url": values["public_base_url"] and str(values["public_base_url"]),
        "presign_expires_s": seconds,
    }


def open_target(name: str, settings: Settings, env: Mapping[str, str] | None = None) -> Target:
    """The target called `name` (`local` or `s3`), configured from the settings."""
    env = os.environ if env is None else env
    config = read_config(settings.home)
    if name == "local":
        from dave.publish.local import LocalTarget

        return LocalTarget(publish_dir(settings, env, config))
    if name == "s3":
        options = s3_options(env, config)  # a missing bucket is refused before boto3 loads
        from dave.publish.s3 import S3Target

        return S3Target(**options)
    raise InvalidRequest(f"unknown publish target {name!r}; use one of {', '.join(TARGETS)}")
