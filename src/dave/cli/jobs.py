"""The bodies of `dave jobs list|show|wait|resume|cancel`.

Reading the journal needs only the store; waiting and resuming open a Studio.
"""

from __future__ import annotations

import asyncio
from typing import Any

from dave.cli.generate import report, result_object
from dave.cli.output import console, emit_json, price_text, printable, stdout_console
from dave.cli.store import open_store
from dave.core.errors import DaveError, InvalidRequest


def list_jobs(*, state: str | None, limit: int, json_output: bool) -> None:
    from dave.store.jobs import JobState

    if state is not None and state not in {s.value for s in JobState}:
        choices = ", ".join(s.value for s in JobState)
        raise InvalidRequest(f"unknown state {state!r}; use one of {choices}")
    with open_store() as store:
        jobs = store.jobs.list(states=[state] if state else None, limit=limit)
    if json_output:
        emit_json({"jobs": [_job_summary(job) for job in jobs]})
        return
    from rich.table import Table

    table = Table("id", "state", "provider", "kind", "model", "price", "created", box=None)
    for job in jobs:
        price = price_text(job.price, job.price_unit)
        table.add_row(
            job.id,
            job.state.value,
            job.provider,
            job.kind,
            printable(job.model),
            price,
            job.created_at[:19],
        )
    stdout_console().print(table)
    if not jobs:
        console().print("no jobs yet: try `dave demo`")


def show(job_id: str, *, json_output: bool) -> None:
    with open_store() as store:
        job = store.jobs.get(job_id)
        events = store.jobs.events(job.id)
        assets = store.assets.for_job(job.id)
        root = store.media.root
    if json_output:
        emit_json(
            {
                "job": job.to_dict(),
                "events": [
                    {"at": e.at, "state": e.state.value, "detail": e.detail} for e in events
                ],
                "assets": [{**a.to_dict(), "path": str(root / a.path)} for a in assets],
            }
        )
        return
    out = stdout_console()
    model = printable(f"{job.provider}/{job.model}")
    out.print(f"[bold]{job.id}[/bold]  {job.state.value}  {model}  {job.kind}")
    if job.provider_job_id:
        out.print(f"provider job: {printable(job.provider_job_id)}")
    out.print(f"price: {price_text(job.price, job.price_unit)}")
    if job.cost_usd is not None:
        out.print(f"cost: ${job.cost_usd:.4f}")
    if job.error:
        out.print(f"error: {printable(job.error)}")
    out.print(f"prompt: {printable(job.request.get('prompt', ''))}")
    for event in events:
        detail = f"  {printable(event.detail)}" if event.detail else ""
        out.print(f"  {event.at}  {event.state.value}{detail}")
    for asset in assets:
        where = printable(str(root / asset.path))
        out.print(f"  asset {asset.id}  {asset.mime}  {asset.bytes} B  {where}")


def wait(job_id: str, *, json_output: bool, offline: bool) -> None:
    result = asyncio.run(_with_studio(lambda studio: studio.wait(job_id), offline, json_output))
    report(result, out=None, json_output=json_output)


def resume(job_id: str | None, *, resubmit: bool, json_output: bool, offline: bool) -> None:
    results = asyncio.run(
        _with_studio(lambda studio: studio.resume(job_id, resubmit=resubmit), offline, json_output)
    )
    if json_output:
        emit_json({"jobs": [result_object(result) for result in results]})
    else:
        if not results:
            console().print("nothing to resume")
        for result in results:
            report(result, out=None, json_output=False)
    if any(result.job.state.value not in ("done", "cancelled") for result in results):
        raise DaveError(
            "some jobs did not finish",
            hint="`dave jobs list` shows them; `unknown` ones need `--resubmit` to be sent again",
        )


def cancel(job_id: str, *, json_output: bool) -> None:
    async def run(studio: Any) -> Any:
        return await studio.cancel(job_id)

    job = asyncio.run(_with_studio(run, False, json_output))
    if json_output:
        emit_json({"job": _job_summary(job)})
    else:
        console().print(f"job {job.id} cancelled; the provider may still finish and bill it")


async def _with_studio(action: Any, offline: bool, json_output: bool) -> Any:
    from dave.cli.output import progress_display
    from dave.media.studio import Studio

    with progress_display(not json_output) as on_event:
        async with Studio(offline=offline or None, on_event=on_event) as studio:
            return await action(studio)


def _job_summary(job: Any) -> dict[str, Any]:
    summary = job.to_dict()
    summary.pop("result", None)
    return summary
