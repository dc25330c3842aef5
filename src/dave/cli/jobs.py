"""The bodies of `dave jobs list|show|wait|resume|cancel`.

Reading the journal needs only the store; waiting and resuming open a Studio.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dave.cli.generate import report, result_object, start
from dave.cli.output import (
    ESTIMATE_NOTE,
    NO_PRICE,
    console,
    emit_json,
    job_price,
    price_text,
    printable,
    stdout_console,
)
from dave.cli.store import open_store
from dave.core.errors import DaveError, InvalidRequest

if TYPE_CHECKING:
    from dave.store.jobs import Job  # imported for the type only: the CLI loads the store late


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
        price = (
            price_text(job.price, job.price_unit, estimate=job.price_estimate)
            if job.price is not None
            else NO_PRICE
        )
        # The emulator's jobs cost nothing: say so where the provider is named.
        provider = f"{job.provider} (offline)" if job.offline else job.provider
        table.add_row(
            job.id,
            job.state.value,
            provider,
            job.kind,
            printable(job.model),
            price,
            job.created_at[:19],
        )
    stdout_console().print(table)
    if not jobs:
        console().print("no jobs yet: try `dave demo`")
    elif any(job.price_estimate for job in jobs):
        console().print(ESTIMATE_NOTE)


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
    if job.offline:
        out.print("sent to: the built-in emulator (offline; nothing billed)")
    out.print(f"price: {printable(job_price(job))}")
    if job.price_basis:
        out.print(f"  list price when journaled: {printable(job.price_basis)}")
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
    if offline:
        _refuse_offline_for_provider_job(job_id)
    result = start(lambda studio: studio.wait(job_id), False, progress=not json_output)
    report(result, out=None, json_output=json_output)


def resume(job_id: str | None, *, resubmit: bool, json_output: bool, offline: bool) -> None:
    if offline and job_id:
        _refuse_offline_for_provider_job(job_id)
    # Each job goes where it was sent; --offline leaves the providers' jobs alone.
    results = start(
        lambda studio: studio.resume(job_id, resubmit=resubmit, offline=offline or None),
        False,
        progress=not json_output,
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


def _refuse_offline_for_provider_job(job_id: str) -> None:
    """`--offline` on a job that went to a provider would poll the emulator for it."""
    with open_store() as store:
        job = store.jobs.get(job_id)
    if not job.offline:
        raise InvalidRequest(
            f"job {job.id} was sent to {job.provider}, not to the emulator",
            hint="drop --offline: a job is always followed where it was sent",
        )


def cancel(job_id: str, *, json_output: bool) -> None:
    async def run(studio: Any) -> Any:
        return await studio.cancel(job_id)

    job = start(run, False, progress=not json_output)
    if json_output:
        emit_json({"job": _job_summary(job)})
    elif job.offline:
        console().print(f"job {job.id} cancelled")
    else:
        console().print(f"job {job.id} cancelled; the provider may still finish and bill it")


def _job_summary(job: Job) -> dict[str, Any]:
    summary = job.to_dict()
    summary.pop("result", None)
    return summary
