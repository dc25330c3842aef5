"""The bodies of the media commands (`dave image`, `edit`, `video`, `upscale`, `control`, ...):
build a request, run it in a Studio, report it.

Not for validation (dave.media does that) nor for argument parsing (dave.cli.app).
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from dave.cli.output import console, emit_json, emit_line, job_price, progress_display
from dave.core.errors import DaveError, InvalidRequest

if TYPE_CHECKING:
    from dave.media.events import StudioEvent
    from dave.media.studio import Result, Studio
    from dave.publish.target import Target

T = TypeVar("T")

#: What `--format` meant on the image commands before it named the file format.
_DELIVERY_WORDS = frozenset({"url", "b64", "b64_json", "base64"})


def run(
    kind: str,
    fields: dict[str, Any],
    *,
    command: Any = None,
    publish: bool = False,
    publish_to: str | None = None,
    opts: list[str] | None = None,
    wait: bool = True,
    out: Path | None,
    json_output: bool,
    offline: bool,
    queue: bool = False,
    text_files: tuple[str, ...] = (),
    reporter: Callable[..., None] | None = None,
) -> None:
    """Runs one request of `kind` from the command's fields (unset ones left out) and its
    `--opt name=value` pairs, and reports it. Each field in `text_files` may be text or the
    name of a file holding it. A refused request names the flags of `command` (the running
    click command) the user typed. With `publish` (the default target) or `publish_to`
    (a named one), the outputs are published once they are kept. With `queue` the job is
    checked and journaled for a worker, and nothing is sent."""
    from dave.cli.flags import command_flags, name_flags, parse_opts

    flags = command_flags(command) if command is not None else {}

    request = {key: value for key, value in fields.items() if value is not None}
    if str(request.get("output_format", "")).lower() in _DELIVERY_WORDS:
        raise InvalidRequest(
            f"--format is the file format (such as png or mp3), got {request['output_format']!r}",
            hint="for how the provider returns images use --opt response_format=b64_json",
        )
    extra = parse_opts(opts or (), kind, request, flags)
    request |= extra
    for name in text_files:
        if name in request:
            request[name] = text_or_file(request[name], name)
    if out is not None:
        check_out_dir(out)  # before the job is journaled: a bad -o must not cost a job
    target = None
    if publish or publish_to:
        from dave.cli.publish import open_publish_target

        target = open_publish_target(publish_to)  # one that cannot be opened costs no job
    try:
        result = start(
            lambda studio: studio.run({"kind": kind, **request}, wait=wait, queue=queue),
            offline,
            progress=not json_output,
        )
    except InvalidRequest as error:
        given = {name: flag for name, flag in flags.items() if name in fields}
        renamed = InvalidRequest(name_flags(error, given, extra), hint=error.hint)
        renamed.job_id = error.job_id
        raise renamed from None
    if queue:
        if target is not None:
            console().print("--publish does nothing with --queue: publish the files once done")
        if json_output:
            emit_json(result_object(result))
        else:
            emit_line(result.job.id)
            report(result, out=None, json_output=False)
        return
    if target is not None and result.assets:
        published = _publish_outputs(result, target)
        report(result, out=out, json_output=json_output, published=published)
        return
    (reporter or report)(result, out=out, json_output=json_output)


def _publish_outputs(result: Result, target: Target) -> list[dict[str, Any]]:
    """Publishes a done job's assets; a failure says the job is done and its files kept."""
    from dave.cli.publish import publish_assets

    try:
        return publish_assets([asset.id for asset in result.assets], target)
    except DaveError as error:
        ids = " ".join(asset.id for asset in result.assets)
        failure = DaveError(
            f"{error.message}; job {result.job.id} is done and its files are kept",
            hint=f"`dave publish {ids} --to {target.name}` tries again",
        )
        failure.job_id = result.job.id
        raise failure from None


def one_image(option: str | None, positional: str | None) -> str:
    """The input image, given with `-i` (or, as before, as the first word)."""
    if option is not None and positional is not None:
        raise InvalidRequest(
            f"two input images: -i {option} and {positional}", hint="give the image once, with -i"
        )
    image = option if option is not None else positional
    if image is None:
        raise InvalidRequest("no input image", hint="give one with -i IMAGE (a path or URL)")
    return image


#: Endings of files that hold words; a value ending so is a file name, not the words.
_TEXT_FILE_SUFFIXES = (".txt", ".md", ".lrc")


def text_or_file(value: str, field: str) -> str:
    """`value` itself, or the text of the file it names (a value that names an existing file
    is read from it: a song's lyrics are easier to keep in a file than to quote). A value
    that looks like a file name and names no file is refused: sending the name as the words
    would pay for a song about `song.txt`."""
    path = Path(value).expanduser()
    try:
        is_file = path.is_file()
    except (OSError, ValueError):  # too long or not a path at all: it is text
        return value
    if not is_file:
        if _looks_like_file_name(value):
            raise InvalidRequest(
                f"{field} file {value} does not exist",
                hint=f"give the {field} themselves, or the name of a file that exists",
            )
        return value
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest(f"{field} file {value} is not UTF-8 text") from None
    except OSError as error:
        raise InvalidRequest(f"cannot read {field} file {value}: {error.strerror}") from None


def _looks_like_file_name(value: str) -> bool:
    """One line that ends like a text file, or that holds a path separator and no spaces
    (`~/songs/snow`); words such as `rock / pop` stay words."""
    text = value.strip()
    if not text or "\n" in text or len(text) > 4096:
        return False
    if text.lower().endswith(_TEXT_FILE_SUFFIXES):
        return True
    return any(sep in text for sep in ("/", "\\")) and not any(c.isspace() for c in text)


def check_out_dir(out: Path) -> None:
    """Makes sure `-o DIR` can take the outputs, before anything is sent: it is a folder (or
    can be made one) that this process can write in."""
    import tempfile

    if out.exists() and not out.is_dir():
        raise InvalidRequest(f"-o {out} is a file, not a folder", hint="give a folder for -o")
    try:
        out.mkdir(parents=True, exist_ok=True)
        # The one sure test of writing is to write: a probe file, removed at once.
        with tempfile.NamedTemporaryFile(dir=out, prefix=".dave-probe-"):
            pass
    except OSError as error:
        raise InvalidRequest(
            f"-o {out}: cannot write there ({error.strerror or error})",
            hint="give a folder you can write in; nothing was sent",
        ) from None


def start(action: Callable[[Studio], Awaitable[T]], offline: bool, *, progress: bool = True) -> T:
    """Runs one Studio action to its end on a fresh event loop. Ctrl-C ends it with a line
    that names the jobs it leaves unfinished."""
    unfinished: list[str] = []
    try:
        return asyncio.run(_in_studio(action, offline=offline, progress=progress, left=unfinished))
    except KeyboardInterrupt:
        raise Interrupted(unfinished) from None


async def _in_studio(
    action: Callable[[Studio], Awaitable[T]],
    *,
    offline: bool,
    progress: bool,
    left: list[str] | None = None,
) -> T:
    """Opens a Studio with a progress display on stderr and runs `action` in it. If it is
    cancelled (Ctrl-C), the jobs it touched that are not finished go into `left`, read from
    the journal before the Studio closes."""
    from dave.media.studio import Studio

    seen: dict[str, None] = {}  # the job ids the events named, in order
    with progress_display(progress) as on_event:

        def handle(event: StudioEvent) -> None:
            if event.job_id != "-":
                seen.setdefault(event.job_id)
            on_event(event)

        async with Studio(offline=offline or None, on_event=handle) as studio:
            try:
                return await action(studio)
            except (asyncio.CancelledError, KeyboardInterrupt):
                if left is not None:
                    left.extend(_unfinished(studio, seen))
                raise


def _unfinished(studio: Studio, job_ids: Iterable[str]) -> list[str]:
    """`j_… (submitted)` for each job that is not done, cancelled or failed."""
    found = []
    for job_id in job_ids:
        try:
            job = studio.jobs.get(job_id)
        except DaveError:
            continue
        if not job.terminal or job.state.value == "unknown":
            found.append(f"{job.id} ({job.state.value})")
    return found


class Interrupted(DaveError):
    """Ctrl-C during a media command: the jobs it leaves are in the journal, named here."""

    exit_code = 130

    def __init__(self, unfinished: list[str]) -> None:
        if unfinished:
            named = ", ".join(unfinished)
            unknown = [entry.split()[0] for entry in unfinished if entry.endswith("(unknown)")]
            hint = "`dave jobs resume` finishes them"
            if unknown:
                # An unknown job may have been done and charged: resume never resends it.
                hint += f"; an unknown one is sent again only with `dave jobs resume {unknown[0]}"
                hint += " --resubmit`, if you decide to"
            super().__init__(
                f"interrupted; unfinished job(s) {named} stay in the journal", hint=hint
            )
        else:
            super().__init__(
                "interrupted; nothing unfinished was left", hint="`dave jobs list` shows the jobs"
            )


def report(
    result: Result,
    *,
    out: Path | None,
    json_output: bool,
    published: list[dict[str, Any]] | None = None,
) -> None:
    copies = copy_out(result, out) if out else []
    if json_output:
        payload = result_object(result, copies)
        if published is not None:
            payload["published"] = published
        emit_json(payload)
        return
    job = result.job
    console().print(
        f"job [bold]{job.id}[/bold] {job.state.value}: {len(result.assets)} file(s), "
        f"{job_price(job)}",
        soft_wrap=True,  # one line a script can grep, whatever the terminal's width
    )
    if job.state.value == "queued":
        console().print(f"queued; `dave worker` runs it (`dave jobs show {job.id}`)")
    elif not result.assets and not job.terminal:
        console().print(f"still running; `dave jobs wait {job.id}` fetches it when done")
    for path in copies or [asset_path for asset_path in result.paths()]:
        emit_line(str(path))
    for entry in published or ():
        console().print(f"published ({entry['target']}): {entry['url']}", soft_wrap=True)


def result_object(result: Result, copies: list[Path] | None = None) -> dict[str, Any]:
    """What `--json` prints for a finished (or submitted) job: the Studio's result and any
    copies made with `-o`."""
    payload = result.to_dict()
    if copies:
        payload["copies"] = [str(path) for path in copies]
    return payload


def copy_out(result: Result, out: Path) -> list[Path]:
    """Copies each asset into `out` under a name a person can read: prompt words, job, index.
    A copy that fails names the job and where the file is kept: it is paid for and safe.
    `out` was made by check_out_dir before the job was sent."""
    job = result.job
    slug = _slug(str(job.request.get("prompt", ""))) or job.kind
    copies = []
    for asset, source in zip(result.assets, result.paths(), strict=True):
        target = out / f"{slug}-{job.id[-6:].lower()}-{asset.index + 1}{source.suffix}"
        try:
            shutil.copyfile(source, target)
        except OSError as error:
            failure = DaveError(
                f"cannot copy the output to {target}: {error.strerror or error}",
                hint=f"job {job.id} is done; its file is kept at {source}",
            )
            failure.job_id = job.id
            raise failure from None
        copies.append(target)
    return copies


def _slug(text: str, limit: int = 40) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return words[:limit].rstrip("-")
