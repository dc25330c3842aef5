"""What a tool is: a typed function the model may call, its JSON schema, approval and errors;
tool sets; and `@tool`, which makes a Tool of a function.

Not for reading a function's hints and docstring (schema.py), any particular tool (files.py,
shell.py, ... hold those) nor for the agent loop that calls them (dave.agents): a tool never
talks to the LLM.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from pydantic import BaseModel, ValidationError

from dave.core.errors import DaveError
from dave.core.redact import redact
from dave.tools.schema import clean_schema, describe

if TYPE_CHECKING:
    from dave.media.studio import Studio

# OpenAI's rule for function names.
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

DENIED = "denied by the user"


@dataclass(frozen=True)
class ApprovalRequest:
    """A tool call waiting for a person's yes or no."""

    tool: str
    arguments: dict[str, Any]
    #: One line saying what will happen, such as `run: pytest -q` or `write src/app.py`.
    summary: str


Approver = Callable[[ApprovalRequest], Awaitable[bool]]


async def deny_all(request: ApprovalRequest) -> bool:
    """The approver to use when nobody can be asked: every call that needs approval is denied."""
    return False


async def approve_all(request: ApprovalRequest) -> bool:
    """The approver behind `--yes`."""
    return True


@dataclass
class ToolContext:
    """What a tool call may reach: the workspace, the Studio, the person, other agents."""

    workspace: Path
    #: The media Studio, already open; media tools fall back to `open_studio` when it is None.
    studio: Studio | None = None
    #: Asked before every call of a tool that needs approval; True means go ahead.
    approve: Approver = deny_all
    #: Runs another named agent on a task and returns its final answer (agent name, task).
    delegate: Callable[[str, str], Awaitable[str]] | None = None
    #: How many delegations deep this run is (0 for the agent a person talks to).
    depth: int = 0
    max_depth: int = 3
    #: Told of every media asset a tool created (a JSON-ready dict, see media.py).
    on_asset: Callable[[dict[str, Any]], None] | None = None
    #: Opens a Studio on first use, so runs that never make media never open one.
    open_studio: Callable[[], Awaitable[Studio]] | None = None

    async def media_studio(self) -> Studio:
        """The Studio for this run, opened now if it was left to be opened lazily."""
        if self.studio is None:
            if self.open_studio is None:
                raise DaveError("media tools need a Studio, and this run was given none")
            self.studio = await self.open_studio()
        return self.studio


@dataclass
class ToolResult:
    """What goes back to the model (`content`), and what the caller may show or keep."""

    content: str
    is_error: bool = False
    #: Media assets the call created, as JSON-ready dicts (id, path, mime, ...).
    assets: list[dict[str, Any]] = field(default_factory=list)
    #: For file changes: the unified diff, so a door can show it (it is in `content` too).
    diff: str | None = None
    #: The answer as JSON-ready data, for doors that pass structure on (MCP's
    #: structuredContent); `content` is the same answer as text.
    data: Any = None

    @classmethod
    def error(cls, message: str) -> ToolResult:
        return cls(message, is_error=True)

    @classmethod
    def json(cls, data: Any, **fields: Any) -> ToolResult:
        """Compact JSON text for the model."""
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
        return cls(text, data=data, **fields)


class Tool:
    """One function the model can call. Build it with `@tool`; call it with `await t.call(...)`."""

    def __init__(
        self,
        function: Callable[..., Any],
        *,
        name: str,
        description: str,
        arguments_model: type[BaseModel],
        needs_approval: bool = False,
        context_parameter: str | None = None,
        summarize: Callable[[dict[str, Any]], str] | None = None,
    ) -> None:
        if not _NAME.match(name):
            raise ValueError(f"tool name {name!r} must be 1-64 letters, digits, _ or -")
        self.function = function
        self.name = name
        self.description = description
        self.arguments_model = arguments_model
        self.needs_approval = needs_approval
        self._context_parameter = context_parameter
        self._summarize = summarize
        self._is_async = inspect.iscoroutinefunction(function)
        self.parameters: dict[str, Any] = clean_schema(arguments_model.model_json_schema())

    def __repr__(self) -> str:
        approval = ", needs_approval=True" if self.needs_approval else ""
        return f"Tool({self.name!r}{approval})"

    def schema(self) -> dict[str, Any]:
        """The OpenAI chat-completions `tools` entry."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }

    def summary(self, arguments: Mapping[str, Any]) -> str:
        """One line for an approval prompt."""
        if self._summarize is not None:
            return self._summarize(dict(arguments))
        shown = json.dumps(dict(arguments), ensure_ascii=False, default=str)
        return f"{self.name} {shown if len(shown) <= 200 else shown[:197] + '...'}"

    async def call(self, arguments: Mapping[str, Any] | str | None, ctx: ToolContext) -> ToolResult:
        """Validates, asks for approval when needed, runs; every failure is an error result.

        Only cancellation gets through: the agent loop goes on after anything else.
        """
        try:
            model = self._validate(arguments)
        except _BadArguments as bad:
            return ToolResult.error(f"invalid arguments for {self.name}: {bad}")
        # The validated values themselves (pydantic has converted them), not a re-dump.
        values = {name: getattr(model, name) for name in type(model).model_fields}
        if self.needs_approval:
            shown = model.model_dump(mode="json")
            try:
                approved = await ctx.approve(ApprovalRequest(self.name, shown, self.summary(shown)))
            except Exception as error:
                return ToolResult.error(f"could not ask for approval: {_describe(error)}")
            if not approved:
                return ToolResult.error(DENIED)
        if self._context_parameter is not None:
            values = {**values, self._context_parameter: ctx}
        try:
            if self._is_async:
                returned = await self.function(**values)
            else:
                returned = await asyncio.to_thread(self.function, **values)
            return _as_result(returned)
        except Exception as error:
            return ToolResult.error(_describe(error))

    def _validate(self, arguments: Mapping[str, Any] | str | None) -> BaseModel:
        if arguments is None or arguments == "":
            arguments = {}
        if isinstance(arguments, str):
            try:
                arguments = json.loads(arguments)
            except ValueError as error:
                raise _BadArguments(f"not valid JSON ({error})") from None
        if not isinstance(arguments, Mapping):
            raise _BadArguments(f"expected a JSON object, got {type(arguments).__name__}")
        try:
            return self.arguments_model.model_validate(dict(arguments))
        except ValidationError as error:
            from dave.media.error_lines import validation_error_line

            known = tuple(self.arguments_model.model_fields)
            raise _BadArguments(validation_error_line(error, known)) from None


class _BadArguments(Exception):
    pass


def _describe(error: BaseException) -> str:
    if isinstance(error, DaveError):
        return redact(error.user_line())
    text = str(error)
    return redact(f"{type(error).__name__}: {text}" if text else type(error).__name__)


def _as_result(returned: Any) -> ToolResult:
    if isinstance(returned, ToolResult):
        return returned
    if returned is None:
        return ToolResult("done")
    if isinstance(returned, str):
        return ToolResult(returned)
    if isinstance(returned, BaseModel):
        return ToolResult(returned.model_dump_json())
    return ToolResult.json(returned)


@overload
def tool(function: Callable[..., Any], /) -> Tool: ...


@overload
def tool(
    *,
    name: str | None = None,
    description: str | None = None,
    needs_approval: bool = False,
    summarize: Callable[[dict[str, Any]], str] | None = None,
) -> Callable[[Callable[..., Any]], Tool]: ...


def tool(
    function: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    needs_approval: bool = False,
    summarize: Callable[[dict[str, Any]], str] | None = None,
) -> Tool | Callable[[Callable[..., Any]], Tool]:
    """Turns a function (sync or async) into a Tool: `@tool` or `@tool(needs_approval=True)`.

    The schema comes from the type hints (pydantic) and the docstring, in Google, NumPy, Sphinx
    or Epydoc style: its text before the sections is the description, its parameters section
    describes the parameters. A parameter named `ctx` (or typed ToolContext) receives the call's
    context and is left out of the schema. `summarize` turns the arguments into the one line an
    approval prompt shows.
    """

    def wrap(fn: Callable[..., Any]) -> Tool:
        tool_name = name or fn.__name__
        described = describe(fn, name=tool_name, context=ToolContext)
        return Tool(
            fn,
            name=tool_name,
            description=description if description is not None else described.description,
            arguments_model=described.arguments_model,
            needs_approval=needs_approval,
            context_parameter=described.context_parameter,
            summarize=summarize,
        )

    return wrap(function) if function is not None else wrap


class ToolSet:
    """Named tools the model is offered together; names are unique within a set."""

    def __init__(self, name: str, tools: Iterable[Tool] = ()) -> None:
        self.name = name
        self._tools: dict[str, Tool] = {}
        for item in tools:
            if item.name in self._tools:
                raise ValueError(f"tool set {name!r} has two tools named {item.name!r}")
            self._tools[item.name] = item

    def __repr__(self) -> str:
        return f"ToolSet({self.name!r}, {self.names()})"

    def __iter__(self) -> Iterator[Tool]:
        return iter(self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    @property
    def tools(self) -> list[Tool]:
        return list(self._tools.values())

    def names(self) -> list[str]:
        return list(self._tools)

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    def schemas(self) -> list[dict[str, Any]]:
        """The `tools` list for a chat-completions request."""
        return [item.schema() for item in self._tools.values()]

    def merge(self, *others: ToolSet, name: str | None = None) -> ToolSet:
        """One set holding this set's tools and the others' (`a.merge(b)` or
        `ToolSet.merge(a, b, c)`); two tools of one name are an error."""
        sets = (self, *others)
        return ToolSet(name or "+".join(s.name for s in sets), [t for s in sets for t in s])

    def only(self, names: Iterable[str]) -> ToolSet:
        """The tools named, in this set's order; an unknown name is an error."""
        wanted = set(names)
        unknown = sorted(wanted - set(self._tools))
        if unknown:
            raise ValueError(
                f"tool set {self.name!r} has no {', '.join(unknown)}; "
                f"it has {', '.join(self.names())}"
            )
        return ToolSet(self.name, [t for t in self._tools.values() if t.name in wanted])

    async def call(
        self, name: str, arguments: Mapping[str, Any] | str | None, ctx: ToolContext
    ) -> ToolResult:
        """Calls the tool by name; a name the set does not have is an error result."""
        found = self._tools.get(name)
        if found is None:
            known = ", ".join(self.names()) or "none"
            return ToolResult.error(f"no tool named {name!r}; the tools are: {known}")
        return await found.call(arguments, ctx)
