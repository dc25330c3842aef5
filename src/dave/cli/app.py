"""The `dave` command: argument parsing and nothing else.

Every command body imports its real work lazily, so `dave --help` never loads the providers,
the emulator or the store. Not for logic: that lives in the sibling modules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperArgument

from dave.cli import av_commands, image_commands
from dave.cli.options import Json, Limit, Offline, OutDir


def _metavar(self: TyperArgument, ctx: typer.Context, *, usage: bool = False) -> str:
    """An argument as usage and help name it: `PROMPT`, `[JOB_ID]` when optional. typer's own
    gives `{prompt}` (and `prompt:str`); click's convention, and dave's README, is upper case."""
    name = self.metavar or (self.name or "").upper()
    if self.nargs != 1:
        name += "..."
    return f"[{name}]" if usage and not self.required else name


# Replacing a method on typer's class is the point here (typer has no hook for the metavar).
TyperArgument.make_metavar = _metavar  # type: ignore[method-assign,assignment]

app = typer.Typer(
    name="dave",
    help=(
        "Agents that chat, code and make media: images, videos, music and lyrics with x.ai, "
        "MiniMax and Stability AI, journaled and kept in a local library."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
jobs_app = typer.Typer(help="The job journal: list, inspect, wait for, resume or cancel jobs.")
assets_app = typer.Typer(help="The media library: every output, with its prompt and parameters.")
emulator_app = typer.Typer(help="The built-in emulator of the providers' APIs.")
agents_app = typer.Typer(help="Named agents: list them, or show one's model, tools and prompt.")
sessions_app = typer.Typer(help="Agent sessions: list them, or show one's messages.")
store_app = typer.Typer(help="The journal itself: copy a local one into a team store.")


def _show_version(value: bool) -> None:
    if value:
        from dave.cli.version import version_text

        typer.echo(version_text())
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print dave's version and exit.",
            is_eager=True,
            callback=_show_version,
        ),
    ] = False,
) -> None:
    pass


app.add_typer(jobs_app, name="jobs")
app.add_typer(assets_app, name="assets")
app.add_typer(agents_app, name="agents")
app.add_typer(sessions_app, name="sessions")
app.add_typer(emulator_app, name="emulator")
app.add_typer(store_app, name="store")

# The media commands' arguments live in their own modules; registered here, in help order.
app.command()(image_commands.image)
app.command()(image_commands.edit)
app.command()(av_commands.video)
app.command()(image_commands.upscale)
app.command()(image_commands.control)
app.command()(av_commands.music)
app.command()(av_commands.lyrics)


@app.command()
def demo(
    out: OutDir = None,
    json: Json = False,
) -> None:
    """Make x.ai, MiniMax and Stability media through the built-in emulator (no key needed)."""
    from dave.cli import demo as run_demo

    run_demo.run(out=out, json_output=json)


@app.command()
def providers(
    ctx: typer.Context,
    options: Annotated[
        bool,
        typer.Option("--options", help="List every field each provider takes, and its flag."),
    ] = False,
    json: Json = False,
) -> None:
    """List the media providers: key set or not, base URL, models by kind (no network)."""
    from dave.cli import providers as body

    if options:
        commands = ctx.find_root().command.commands  # type: ignore[attr-defined]  # a group
        body.show_options(commands, json_output=json)
    else:
        body.show(json_output=json)


@app.command()
def publish(
    asset_ids: Annotated[
        list[str], typer.Argument(metavar="ASSET_ID...", help="Assets to publish (a_...).")
    ],
    to: Annotated[
        str | None,
        typer.Option("--to", help="local (a folder) or s3 (default: DAVE_PUBLISH_TARGET, local)."),
    ] = None,
    json: Json = False,
) -> None:
    """Publish assets at a lasting link: a local folder or an S3-compatible store."""
    from dave.cli import publish as body

    body.run(asset_ids, target=to, json_output=json)


@app.command()
def cost(
    since: Annotated[
        str | None,
        typer.Option("--since", help="From this day (2026-11-01) or this long ago (7d, 12h)."),
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Group by provider, model or day.")] = "model",
    offline: Annotated[
        bool,
        typer.Option("--offline", help="The emulator's jobs instead (they cost nothing)."),
    ] = False,
    json: Json = False,
) -> None:
    """Sum the list prices of the jobs sent to providers, per unit, by provider, model or day."""
    from dave.cli import cost as body

    body.show(since=since, by=by, offline=offline, json_output=json)


@app.command()
def mcp(
    http: Annotated[
        bool, typer.Option("--http", help="Serve streamable HTTP at /mcp instead of stdio.")
    ] = False,
    host: Annotated[
        str,
        typer.Option("--host", help="Address for --http (off loopback needs DAVE_SERVER_TOKEN)."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port for --http (0: any free one).")] = 8766,
    wait_s: Annotated[
        float,
        typer.Option(
            "--wait-s", help="Seconds a media call waits before answering with its job id."
        ),
    ] = 45.0,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace", help="Source files may come from here (default: this directory)."
        ),
    ] = None,
    offline: Offline = False,
) -> None:
    """Serve dave's media tools, jobs and library to MCP clients (stdio, or --http)."""
    from dave.cli import mcp as body

    body.run(http=http, host=host, port=port, offline=offline, wait_s=wait_s, workspace=workspace)


@app.command()
def worker(
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", help="Jobs run at once (1-64).")
    ] = 4,
    until_idle: Annotated[
        bool, typer.Option("--until-idle", help="Exit once nothing is queued or claimable.")
    ] = False,
    provider: Annotated[
        str | None, typer.Option("--provider", help="Only this provider's jobs.")
    ] = None,
    offline: Offline = False,
) -> None:
    """Run queued jobs (`--queue`) from the journal, with leases other workers respect."""
    from dave.cli import worker as body

    body.run(concurrency=concurrency, until_idle=until_idle, provider=provider, offline=offline)


@app.command()
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address (off loopback needs DAVE_SERVER_TOKEN).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port (0: any free one).")] = 8765,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the gallery in the browser once it listens.")
    ] = False,
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", help="Where agents' file and shell tools work."),
    ] = None,
    offline: Offline = False,
) -> None:
    """Serve the library as a gallery, a JSON API and agent runs over WebSocket."""
    from dave.cli import serve as body

    body.run(host=host, port=port, offline=offline, open_browser=open_browser, workspace=workspace)


SessionOption = Annotated[
    str | None, typer.Option("--session", "-s", help="Continue this session (id or prefix).")
]
Yes = Annotated[
    bool, typer.Option("--yes", "-y", help="Approve every shell command and file write.")
]
ChatPrompt = Annotated[
    str | None,
    typer.Argument(
        metavar="PROMPT", help="What to ask; none on a terminal starts an interactive session."
    ),
]


@app.command()
def chat(
    prompt: ChatPrompt = None,
    agent: Annotated[
        str | None, typer.Option("--agent", "-A", help="The agent to talk to (default: daisy).")
    ] = None,
    session: SessionOption = None,
    offline: Offline = False,
    yes: Yes = False,
    json: Json = False,
) -> None:
    """Talk to an agent: one answer, or an interactive session with streaming output."""
    from dave.cli import chat as chat_body

    chat_body.chat(prompt, agent=agent, session=session, offline=offline, yes=yes, json_output=json)


@app.command()
def code(
    prompt: ChatPrompt = None,
    session: SessionOption = None,
    offline: Offline = False,
    yes: Yes = False,
    json: Json = False,
) -> None:
    """The coding agent, working in the current directory; shows the diff of each change."""
    from dave.cli import chat as chat_body

    chat_body.chat(
        prompt,
        agent="code",
        session=session,
        offline=offline,
        yes=yes,
        json_output=json,
        workspace=Path.cwd(),
        command="code",
    )


JobId = Annotated[str, typer.Argument(metavar="JOB_ID", help="Job id (a unique prefix is enough).")]


@store_app.command("copy")
def store_copy(
    to: Annotated[
        str, typer.Option("--to", help="The team store: a postgresql:// URL.", show_default=False)
    ],
) -> None:
    """Copy this library's journal into a team store (resumable; files checked by sha256)."""
    from dave.cli import store as body

    body.copy_to(to)


@jobs_app.command("list")
def jobs_list(
    state: Annotated[str | None, typer.Option("--state", help="Only jobs in this state.")] = None,
    limit: Limit = 50,
    json: Json = False,
) -> None:
    """List jobs, newest first."""
    from dave.cli import jobs

    jobs.list_jobs(state=state, limit=limit, json_output=json)


@jobs_app.command("show")
def jobs_show(job_id: JobId, json: Json = False) -> None:
    """Show one job, its events and its assets."""
    from dave.cli import jobs

    jobs.show(job_id, json_output=json)


@jobs_app.command("wait")
def jobs_wait(
    job_id: JobId,
    json: Json = False,
    offline: Annotated[
        bool, typer.Option("--offline", help="Not needed: a job is followed where it was sent.")
    ] = False,
) -> None:
    """Wait for a job to finish and download its outputs (from the emulator for an offline
    job)."""
    from dave.cli import jobs

    jobs.wait(job_id, json_output=json, offline=offline)


@jobs_app.command("resume")
def jobs_resume(
    job_id: Annotated[
        str | None, typer.Argument(metavar="JOB_ID", help="One job; all unfinished if omitted.")
    ] = None,
    resubmit: Annotated[
        bool,
        typer.Option("--resubmit", help="Send an `unknown` job again (it may be charged twice)."),
    ] = False,
    json: Json = False,
    offline: Annotated[
        bool, typer.Option("--offline", help="Only the jobs that were sent to the emulator.")
    ] = False,
) -> None:
    """Finish jobs a crash or Ctrl-C left behind, each where it was sent; never resends a
    paid request by itself."""
    from dave.cli import jobs

    jobs.resume(job_id, resubmit=resubmit, json_output=json, offline=offline)


@jobs_app.command("cancel")
def jobs_cancel(job_id: JobId, json: Json = False) -> None:
    """Stop tracking an unfinished job (the provider may still finish and bill it)."""
    from dave.cli import jobs

    jobs.cancel(job_id, json_output=json)


@assets_app.command("list")
def assets_list(
    limit: Limit = 50,
    published: Annotated[
        bool, typer.Option("--published", help="Only assets published somewhere.")
    ] = False,
    json: Json = False,
) -> None:
    """List assets, newest first."""
    from dave.cli import assets

    assets.list_assets(limit=limit, published=published, json_output=json)


@assets_app.command("show")
def assets_show(
    asset_id: Annotated[
        str, typer.Argument(metavar="ASSET_ID", help="Asset id (a unique prefix is enough).")
    ],
    json: Json = False,
) -> None:
    """Show one asset: file, checks, prompt and parameters."""
    from dave.cli import assets

    assets.show(asset_id, json_output=json)


@assets_app.command("search")
def assets_search(
    text: Annotated[str, typer.Argument(metavar="TEXT", help="Words to find in prompts.")],
    limit: Limit = 50,
    json: Json = False,
) -> None:
    """Find assets whose prompt contains the words."""
    from dave.cli import assets

    assets.search(text, limit=limit, json_output=json)


@emulator_app.command("serve")
def emulator_serve(
    port: Annotated[int, typer.Option("--port", help="TCP port on 127.0.0.1.")] = 8787,
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    faults: Annotated[
        Path | None, typer.Option("--faults", help="JSON or TOML file of faults and latency.")
    ] = None,
    log: Annotated[
        bool,
        typer.Option("--log", help="Print each request on stderr: method, path, status, ms."),
    ] = False,
) -> None:
    """Serve the provider emulator over HTTP for other programs (Ctrl-C stops it)."""
    from dave.cli import emulator

    emulator.serve(host=host, port=port, faults=faults, log=log)


@agents_app.command("list")
def agents_list(json: Json = False) -> None:
    """List the agents: built-in ones and those in $DAVE_HOME/agents/."""
    from dave.cli import agents

    agents.list_agents(json_output=json)


@agents_app.command("show")
def agents_show(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Agent name.")],
    json: Json = False,
) -> None:
    """Show one agent: model, tool sets, limits and system prompt."""
    from dave.cli import agents

    agents.show_agent(name, json_output=json)


@sessions_app.command("list")
def sessions_list(limit: Limit = 50, json: Json = False) -> None:
    """List agent sessions, most recently used first."""
    from dave.cli import agents

    agents.list_sessions(limit=limit, json_output=json)


@sessions_app.command("show")
def sessions_show(
    session_id: Annotated[
        str, typer.Argument(metavar="SESSION_ID", help="Session id (a unique prefix is enough).")
    ],
    json: Json = False,
) -> None:
    """Show one session: its messages, tool calls and results, tokens and cost."""
    from dave.cli import agents

    agents.show_session(session_id, json_output=json)
