"""The body of `dave emulator serve`: the provider emulator over HTTP for other programs."""

from __future__ import annotations

from pathlib import Path

from dave.cli.output import console
from dave.core.errors import ConfigError


def serve(*, host: str, port: int, faults: Path | None, log: bool = False) -> None:
    from dave.core.settings import load_settings
    from dave.emulator import EmulatorConfig
    from dave.emulator.server import serve as run

    try:
        config = EmulatorConfig.from_file(faults) if faults else EmulatorConfig()
        # Jobs live in a file, so a restarted server (or an offline run) still answers polls.
        config.state_file = config.state_file or load_settings().home / "emulator.db"
    except (OSError, ValueError) as error:
        raise ConfigError(f"cannot read faults file {faults}: {error}") from None
    origin = f"http://{host}:{port}"
    console().print(f"emulator on {origin}: x.ai /v1, MiniMax /minimax, Stability /stability")
    console().print(f"  export XAI_BASE_URL={origin}/v1 XAI_API_KEY=any-key")
    console().print(f"  export MINIMAX_BASE_URL={origin}/minimax MINIMAX_API_KEY=any-key")
    console().print(f"  export STABILITY_BASE_URL={origin}/stability STABILITY_API_KEY=any-key")
    run(host=host, port=port, config=config, access_log=log)
