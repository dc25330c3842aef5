"""The bodies of `dave agents list|show` and `dave sessions list|show`: reading specs and the
session store, nothing else (no model is called)."""

from __future__ import annotations

from typing import Any

from dave.cli.output import console, emit_json, printable, stdout_console


def _specs() -> dict[str, Any]:
    from dave.agents.spec import load_specs
    from dave.core.settings import load_settings

    return load_specs(load_settings().home)


def _summary(spec: Any) -> dict[str, Any]:
    return {
        "name": spec.name,
        "description": spec.description,
        "provider": spec.provider,
        "model": spec.model,
        "toolsets": spec.toolsets,
        "can_delegate_to": spec.can_delegate_to,
        "source": spec.source,
    }


def list_agents(*, json_output: bool) -> None:
    specs = _specs()
    if json_output:
        emit_json({"agents": [_summary(spec) for spec in specs.values()]})
        return
    from rich.table import Table

    table = Table("name", "model", "tool sets", "description", box=None)
    for spec in specs.values():
        model = f"{spec.provider or 'default'}/{spec.model or 'default'}"
        table.add_row(spec.name, model, ", ".join(spec.toolsets), spec.description)
    stdout_console().print(table)


def show_agent(name: str, *, json_output: bool) -> None:
    from dave.agents.spec import find_spec
    from dave.agents.toolsets import resolve_tools

    specs = _specs()
    spec = find_spec(specs, name)
    tools, missing = resolve_tools(spec, specs)
    data = {
        **spec.model_dump(),
        "tools": tools.names(),
        "unavailable_toolsets": missing,
    }
    if json_output:
        emit_json({"agent": data})
        return
    out = stdout_console()
    for key in ("name", "description", "provider", "model", "source"):
        out.print(f"{key}: {data[key] if data[key] is not None else 'default'}", markup=False)
    out.print(f"tool sets: {', '.join(spec.toolsets) or 'none'}", markup=False)
    out.print(f"tools: {', '.join(data['tools']) or 'none'}", markup=False)
    if missing:
        out.print(f"not available yet: {', '.join(missing)}", markup=False)
    if spec.can_delegate_to:
        out.print(f"delegates to: {', '.join(spec.can_delegate_to)}", markup=False)
    budget = f"${spec.budget_usd:g}" if spec.budget_usd is not None else "none"
    out.print(
        f"limits: {spec.max_turns} turns, {spec.max_tool_calls} tool calls, budget {budget}",
        markup=False,
    )
    out.print("system prompt:", markup=False)
    out.print(spec.system_prompt.strip(), markup=False)


def _open_sessions() -> Any:
    from dave.cli.store import open_store
    from dave.store.sessions import SessionStore

    store = open_store()
    return store, SessionStore(store.db)


def list_sessions(*, limit: int, json_output: bool) -> None:
    store, sessions = _open_sessions()
    with store:
        found = sessions.list(limit=limit)
    if json_output:
        emit_json({"sessions": [session.to_dict() for session in found]})
        return
    from rich.table import Table

    table = Table("id", "agent", "messages", "tokens", "cost", "updated", "title", box=None)
    for session in found:
        tokens = session.prompt_tokens + session.completion_tokens
        table.add_row(
            session.id,
            session.agent,
            str(session.message_count),
            str(tokens),
            f"${session.cost_usd:.4f}",
            session.updated_at[:19],
            printable((session.title or "")[:50]),
        )
    stdout_console().print(table)
    if not found:
        console().print("no sessions yet: try `dave chat --offline hello`")


def show_session(session_id: str, *, json_output: bool) -> None:
    store, sessions = _open_sessions()
    with store:
        session = sessions.get(session_id)
        messages = sessions.messages(session.id)
    if json_output:
        emit_json({"session": session.to_dict(), "messages": [m.to_dict() for m in messages]})
        return
    out = stdout_console()
    out.print(
        f"{session.id}  {session.agent}  {session.message_count} messages  "
        f"{session.prompt_tokens}+{session.completion_tokens} tokens  ${session.cost_usd:.4f}",
        markup=False,
    )
    if session.parent_id:
        out.print(f"delegated from {session.parent_id}", markup=False)
    for message in messages:
        if message.role == "system":
            continue
        if message.role == "tool":
            out.print(f"[tool {message.name or ''} {message.tool_call_id}]", markup=False)
            out.print(_indent(message.content or ""), markup=False)
            continue
        if message.content:
            out.print(f"{message.role}:", markup=False)
            out.print(_indent(message.content), markup=False)
        for call in message.tool_calls or []:
            function = call.get("function", {})
            out.print(
                f"{message.role} calls {function.get('name')} {function.get('arguments')}"
                f"  [{call.get('id')}]",
                markup=False,
            )


def _indent(text: str, limit: int = 2000) -> str:
    if len(text) > limit:
        text = text[:limit] + " …"
    return "\n".join("  " + printable(line, markup=False) for line in text.splitlines())
