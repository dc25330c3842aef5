"""The body of `dave worker`: runs queued jobs from the journal until stopped, or until idle."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys

from dave.core.errors import InvalidRequest


def run(*, concurrency: int, until_idle: bool, provider: str | None, offline: bool) -> None:
    from dave.core.settings import load_settings, read_config
    from dave.media.capabilities import providers
    from dave.media.studio import Studio
    from dave.media.worker import Worker, lease_from_env, limits_from_config

    if not 1 <= concurrency <= 64:
        raise InvalidRequest(f"--concurrency must be 1 to 64, not {concurrency}")
    if provider is not None and provider not in providers():
        raise InvalidRequest(f"unknown provider {provider!r}; use one of {', '.join(providers())}")
    lease_s = lease_from_env()
    settings = load_settings(offline=offline or None)
    caps = limits_from_config(read_config(settings.home))

    async def main() -> str:
        async with Studio(settings) as studio:
            worker = Worker(
                studio, concurrency=concurrency, lease_s=lease_s, provider=provider, caps=caps
            )
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(sig, worker.stop)
            print(f"dave worker {worker.owner}: {concurrency} at a time", file=sys.stderr)
            tally = await worker.run(until_idle=until_idle)
            return tally.line()

    print(asyncio.run(main()), file=sys.stderr)
