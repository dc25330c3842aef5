"""The `dave` command: argument parsing and nothing else.

Every command body imports its real work lazily, so `dave --help` never loads the providers,
the emulator or the store. Not for logic: that lives in the sibling modules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="dave",
    help=(
        "Agents that chat, code and make media: images and videos with x.ai Grok Imagine, "
        "journaled and kept in a local library."
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
app.add_typer(jobs_app, name="jobs")
app.add_typer(assets_app, name="assets")
app.add_typer(agents_app, name="agents")
app.add_typer(sessions_app, name="sessions")
app.add_typer(emulator_app, name="emulator")

Provider = Annotated[str, typer.Option("--provider", "-p", help="Media provider.")]
Model = Annotated[str | None, typer.Option("--model", "-m", help="Model id (default: cheapest).")]
AspectRatio = Annotated[str | None, typer.Option("--aspect-ratio", "-a", help="e.g. 16:9")]
OutDir = Annotated[
    Path | None, typer.Option("--out", "-o", help="Also copy the outputs into this folder.")
]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
Offline = Annotated[
    bool, typer.Option("--offline", help="Use the built-in emulator: no key, no network.")
]
ImageResolution = Annotated[str | None, typer.Option("--resolution", "-r", help="1k or 2k.")]
Count = Annotated[int, typer.Option("-n", "--count", help="Number of images (1-10).")]
Format = Annotated[str, typer.Option("--format", "-f", help="How x.ai returns images: url or b64.")]


@app.command()
def image(
    prompt: Annotated[str, typer.Argument(help="What to draw.")],
    provider: Provider = "xai",
    model: Model = None,
    n: Count = 1,
    aspect_ratio: AspectRatio = None,
    resolution: ImageResolution = None,
    format: Format = "url",
    out: OutDir = None,
    json: Json = False,
    offline: Offline = False,
) -> None:
    """Generate images from a prompt."""
    from dave.cli import generate

    generate.image(
        dict(
            provider=provider,
            model=model,
            prompt=prompt,
            n=n,
            aspect_ratio=aspect_ratio,
            resolution=resolution,
            response_format=generate.wire_format(format),
        ),
        out=out,
        json_output=json,
        offline=offline,
    )


@app.command()
def edit(
    prompt: Annotated[str, typer.Argument(help="How to change the image(s).")],
    image: Annotated[
        list[str], typer.Option("--image", "-i", help="Source image: a path or URL (1-3).")
    ],
    provider: Provider = "xai",
    model: Model = None,
    n: Count = 1,
    aspect_ratio: AspectRatio = None,
    resolution: ImageResolution = None,
    format: Format = "url",
    out: OutDir = None,
    json: Json = False,
    offline: Offline = False,
) -> None:
    """Edit one to three images with a prompt."""
    from dave.cli import generate

    generate.edit(
        dict(
            provider=provider,
            model=model,
            prompt=prompt,
            images=image,
            n=n,
            aspect_ratio=aspect_ratio,
            resolution=resolution,
            response_format=generate.wire_format(format),
        ),
        out=out,
        json_output=json,
        offline=offline,
    )


@app.command()
def video(
    prompt: Annotated[str, typer.Argument(help="What happens in the video.")],
    image: Annotated[
        str | None, typer.Option("--image", "-i", help="First frame (path or URL).")
    ] = None,
    reference: Annotated[
        list[str] | None,
        typer.Option("--reference", help="Reference image (path or URL), up to 7."),
    ] = None,
    last_frame: Annotated[
        str | None, typer.Option("--last-frame", help="Final frame (grok-imagine-video-1.5).")
    ] = None,
    edit_video: Annotated[
        str | None, typer.Option("--edit", help="Edit this video (path or URL).")
    ] = None,
    extend_video: Annotated[
        str | None, typer.Option("--extend", help="Extend this video (path or URL).")
    ] = None,
    duration: Annotated[int | None, typer.Option("--duration", "-d", help="Seconds.")] = None,
    aspect_ratio: AspectRatio = None,
    resolution: Annotated[
        str | None, typer.Option("--resolution", "-r", help="480p, 720p or 1080p.")
    ] = None,
    provider: Provider = "xai",
    model: Model = None,
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="Submit and return; `dave jobs wait ID` later.")
    ] = False,
    out: OutDir = None,
    json: Json = False,
    offline: Offline = False,
) -> None:
    """Make a video: from text, a first frame, reference images, or by editing or extending one."""
    from dave.cli import generate

    generate.video(
        dict(
            provider=provider,
            model=model,
            prompt=prompt,
            image=image,
            references=reference or [],
            last_frame=last_frame,
            edit_video=edit_video,
            extend_video=extend_video,
            duration=duration,
            aspect_ratio=aspect_ratio,
            resolution=resolution,
        ),
        wait=not no_wait,
        out=out,
        json_output=json,
        offline=offline,
    )


@app.command()
def demo(
    out: OutDir = None,
    json: Json = False,
) -> None:
    """Make an image, an edit and a short video through the built-in emulator (no key needed)."""
    from dave.cli import demo as run_demo

    run_demo.run(out=out, json_output=json)


SessionOption = Annotated[
    str | None, typer.Option("--session", "-s", help="Continue this session (id or prefix).")
]
Yes = Annotated[
    bool, typer.Option("--yes", "-y", help="Approve every shell command and file write.")
]
ChatPrompt = Annotated[
    str | None,
    typer.Argument(help="What to ask; none on a terminal starts an interactive session."),
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
    )


Limit = Annotated[int, typer.Option("--limit", min=1, max=100_000, help="At most this many.")]
JobId = Annotated[str, typer.Argument(help="Job id (a unique prefix is enough).")]


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
def jobs_wait(job_id: JobId, json: Json = False, offline: Offline = False) -> None:
    """Wait for a job to finish and download its outputs."""
    from dave.cli import jobs

    jobs.wait(job_id, json_output=json, offline=offline)


@jobs_app.command("resume")
def jobs_resume(
    job_id: Annotated[
        str | None, typer.Argument(help="One job; all unfinished if omitted.")
    ] = None,
    resubmit: Annotated[
        bool,
        typer.Option("--resubmit", help="Send an `unknown` job again (it may be charged twice)."),
    ] = False,
    json: Json = False,
    offline: Offline = False,
) -> None:
    """Finish jobs a crash or Ctrl-C left behind; never resends a paid request by itself."""
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
    json: Json = False,
) -> None:
    """List assets, newest first."""
    from dave.cli import assets

    assets.list_assets(limit=limit, json_output=json)


@assets_app.command("show")
def assets_show(
    asset_id: Annotated[str, typer.Argument(help="Asset id (a unique prefix is enough).")],
    json: Json = False,
) -> None:
    """Show one asset: file, checks, prompt and parameters."""
    from dave.cli import assets

    assets.show(asset_id, json_output=json)


@assets_app.command("search")
def assets_search(
    text: Annotated[str, typer.Argument(help="Words to find in prompts.")],
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
) -> None:
    """Serve the provider emulator over HTTP for other programs."""
    from dave.cli import emulator

    emulator.serve(host=host, port=port, faults=faults)


@agents_app.command("list")
def agents_list(json: Json = False) -> None:
    """List the agents: built-in ones and those in $DAVE_HOME/agents/."""
    from dave.cli import agents

    agents.list_agents(json_output=json)


@agents_app.command("show")
def agents_show(
    name: Annotated[str, typer.Argument(help="Agent name.")],
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
    session_id: Annotated[str, typer.Argument(help="Session id (a unique prefix is enough).")],
    json: Json = False,
) -> None:
    """Show one session: its messages, tool calls and results, tokens and cost."""
    from dave.cli import agents

    agents.show_session(session_id, json_output=json)
