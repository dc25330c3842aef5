"""Where dave keeps its data, which keys it holds and how it talks HTTP, read once per process.

The environment wins, then `$DAVE_HOME/config.toml`, then the defaults here. Not for per-call
options: those are arguments.

config.toml:

    [keys]
    xai = "xai-..."
    minimax = "sk-api-..."
    stability = "sk-..."

    [xai]
    base_url = "https://api.x.ai/v1"

    [http]
    read_timeout = 60
    max_attempts = 4

    [store]
    url = "postgresql://dave@db/dave"        # the team journal (DAVE_DATABASE_URL)
    media_url = "s3://studio-media/dave"     # the team media library (DAVE_MEDIA_URL)
    s3_endpoint_url = "http://minio:9000"    # DAVE_S3_ENDPOINT_URL
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dave.core.errors import ConfigError
from dave.core.redact import Secret


def key_variable(provider: str) -> str:
    """The environment variable holding a provider's key: `XAI_API_KEY` for `xai`."""
    return f"{provider.upper()}_API_KEY"


def base_url_variable(provider: str) -> str:
    """The environment variable that moves a provider's base URL: `XAI_BASE_URL` for `xai`."""
    return f"{provider.upper()}_BASE_URL"


_KEY_SUFFIX, _URL_SUFFIX = key_variable(""), base_url_variable("")


# The key offline runs send to the emulator, which only checks that one is present.
OFFLINE_KEY = "offline-emulator-key"


@dataclass(frozen=True)
class HttpSettings:
    """Timeouts and retry limits for every provider call (see dave.core.http)."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    write_timeout: float = 60.0
    download_timeout: float = 300.0
    max_attempts: int = 4
    retry_after_cap: float = 60.0
    backoff_base: float = 0.5
    backoff_cap: float = 8.0


@dataclass(frozen=True)
class S3Media:
    """The team media library in S3: `s3://bucket/prefix` (DAVE_MEDIA_URL or `[store]
    media_url`), at an S3-compatible endpoint or AWS itself."""

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


@dataclass(frozen=True)
class Settings:
    home: Path
    keys: Mapping[str, Secret] = field(default_factory=dict)
    base_urls: Mapping[str, str] = field(default_factory=dict)
    http: HttpSettings = field(default_factory=HttpSettings)
    offline: bool = False
    #: The team journal on PostgreSQL (DAVE_DATABASE_URL or `[store] url`); None: dave.db.
    database_url: Secret | None = None
    #: The team media library in S3; None: only the folder under home.
    media_s3: S3Media | None = None

    @property
    def database(self) -> str | None:
        """The PostgreSQL URL to open, or None for the SQLite file under home."""
        return self.database_url.reveal() if self.database_url is not None else None

    @property
    def db_path(self) -> Path:
        return self.home / "dave.db"

    @property
    def media_root(self) -> Path:
        return self.home / "media"

    def base_url(self, provider: str, default: str) -> str:
        """The provider's base URL: from the environment or config.toml, else `default`."""
        return self.base_urls.get(provider) or default

    def key(self, provider: str) -> Secret:
        """The provider's key, or a ConfigError that says which variable to set."""
        if self.offline:
            return Secret(OFFLINE_KEY)
        key = self.keys.get(provider)
        if not key:
            variable = key_variable(provider)
            raise ConfigError(
                f"no API key for {provider}",
                hint=f"set {variable}, or use --offline to run against the built-in emulator",
            )
        return key

    def has_key(self, provider: str) -> bool:
        return bool(self.keys.get(provider))


def default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("dave", appauthor=False))


def load_settings(env: Mapping[str, str] | None = None, *, offline: bool | None = None) -> Settings:
    """Reads the environment and config.toml into one Settings."""
    env = os.environ if env is None else env
    home = Path(env["DAVE_HOME"]).expanduser() if env.get("DAVE_HOME") else default_home()
    config = read_config(home)

    # Every provider's variables follow one pattern, so settings need no list of providers.
    table = config.get("keys")
    keys: dict[str, Secret] = {
        str(name): Secret(str(key))
        for name, key in (table.items() if isinstance(table, Mapping) else ())
        if key
    }
    base_urls: dict[str, str] = {
        str(name): str(table["base_url"]).rstrip("/")
        for name, table in config.items()
        if isinstance(table, Mapping) and table.get("base_url")
    }
    for variable, value in env.items():
        if variable.endswith(_KEY_SUFFIX) and value:
            keys[variable.removesuffix(_KEY_SUFFIX).lower()] = Secret(value)
        elif variable.endswith(_URL_SUFFIX) and value:
            base_urls[variable.removesuffix(_URL_SUFFIX).lower()] = value.rstrip("/")

    http = HttpSettings(**_http_overrides(env, config.get("http", {})))
    if offline is None:
        offline = env.get("DAVE_OFFLINE", "").lower() in ("1", "true", "yes")
    database_url = _database_url(env, config)
    return Settings(
        home=home, keys=keys, base_urls=base_urls, http=http, offline=offline,
        database_url=database_url, media_s3=_media_s3(env, config),
    )  # fmt: skip


DATABASE_VARIABLE = "DAVE_DATABASE_URL"


def _database_url(env: Mapping[str, str], config: Mapping[str, Any]) -> Secret | None:
    table = config.get("store")
    value = env.get(DATABASE_VARIABLE) or (table.get("url") if isinstance(table, Mapping) else None)
    if not value:
        return None
    text = str(value).strip()
    if not text.startswith(("postgresql://", "postgres://")):
        raise ConfigError(
            f"{DATABASE_VARIABLE} must be a postgresql:// URL",
            hint="leave it unset to keep the journal in $DAVE_HOME/dave.db",
        )
    return Secret(text)


MEDIA_VARIABLE = "DAVE_MEDIA_URL"


def _media_s3(env: Mapping[str, str], config: Mapping[str, Any]) -> S3Media | None:
    value = env.get(MEDIA_VARIABLE) or _lookup(config, "store", "media_url")
    if not value:
        return None
    text = str(value).strip()
    bucket, _, prefix = text.removeprefix("s3://").partition("/")
    if not text.startswith("s3://") or not bucket or prefix.startswith("/") or ".." in prefix:
        raise ConfigError(
            f"{MEDIA_VARIABLE} must be s3://bucket or s3://bucket/prefix, not {text!r}",
            hint="leave it unset to keep media only in $DAVE_HOME/media",
        )
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    endpoint = env.get("DAVE_S3_ENDPOINT_URL") or _lookup(config, "store", "s3_endpoint_url")
    region = env.get("DAVE_S3_REGION") or _lookup(config, "store", "s3_region")
    if endpoint and not str(endpoint).startswith(("http://", "https://")):
        raise ConfigError(f"DAVE_S3_ENDPOINT_URL must be an http(s) URL, not {endpoint!r}")
    return S3Media(bucket, prefix, endpoint and str(endpoint), region and str(region))


def read_config(home: Path) -> dict[str, Any]:
    """`home/config.toml` as a dict ({} when there is none); ConfigError if it is unreadable."""
    path = home / "config.toml"
    if not path.exists():
        return {}
    import tomllib  # only when there is a file to read: most runs have none

    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from None


def _lookup(config: Mapping[str, Any], section: str, name: str) -> Any:
    table = config.get(section)
    return table.get(name) if isinstance(table, dict) else None


def _http_overrides(env: Mapping[str, str], table: Mapping[str, Any]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for name, default in HttpSettings.__dataclass_fields__.items():
        raw = env.get(f"DAVE_HTTP_{name.upper()}", table.get(name))
        if raw is None:
            continue
        kind = int if isinstance(default.default, int) else float
        try:
            overrides[name] = kind(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"http setting {name} must be a number, got {raw!r}") from None
    return overrides
