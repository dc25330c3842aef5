"""WebSockets over a real `dave serve`: an agent run's events in order ending with `done`, the
same run from its first event for a client that connects late, approvals answered on the
socket, and the gallery's live feed, including what another dave process makes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx2
from websockets.sync.client import ClientConnection, connect

from dave.emulator import EmulatorServer

from .conftest import Served, generate


def call(name: str, call_id: str, **arguments: Any) -> dict[str, Any]:
    return {"name": name, "id": call_id, "arguments": arguments}


def events_until_closed(ws: ClientConnection) -> list[dict[str, Any]]:
    received = []
    for text in ws:
        received.append(json.loads(text))
    return received


def start_run(client: httpx2.Client, **body: Any) -> str:
    answer = client.post("/api/runs", json=body)
    assert answer.status_code == 201, answer.text
    run_id: str = answer.json()["id"]
    return run_id


def test_a_run_streams_its_events_in_order_and_a_late_client_gets_them_all(
    server: Served, client: httpx2.Client, xai: EmulatorServer
) -> None:
    answer = "A fox is a small wild dog with a bushy tail."
    xai.config.set_chat_script([{"content": answer, "expect": {"message_count": 2}}])
    run_id = start_run(client, agent="daisy", prompt="what is a fox?")
    with connect(f"{server.ws}/ws/runs/{run_id}", open_timeout=5) as ws:
        live = events_until_closed(ws)
    kinds = [event["kind"] for event in live]
    assert kinds[-1] == "done" and set(kinds[:-1]) == {"text_delta"}
    assert next(iter(live[0])) == "kind"  # kind first, as agents/events.py writes them
    text = "".join(event["text"] for event in live if event["kind"] == "text_delta")
    assert text == answer
    assert live[-1]["stop_reason"] == "stop" and live[-1]["text"] == text
    with connect(f"{server.ws}/ws/runs/{run_id}", open_timeout=5) as again:
        assert events_until_closed(again) == live
    shown = client.get(f"/api/runs/{run_id}").json()
    assert shown["ended"] is True and shown["events"] == live
    assert shown["session_id"] == live[-1]["session_id"]


def test_an_approval_goes_to_the_client_and_its_answer_comes_back(
    server: Served, client: httpx2.Client, xai: EmulatorServer, workspace: Path
) -> None:
    xai.config.set_chat_script(
        [
            {"tool_calls": [call("write_file", "c1", path="hello.txt", content="hello\n")]},
            {"tool_calls": [call("write_file", "c2", path="denied.txt", content="no\n")]},
            {"content": "Wrote one file."},
        ]
    )
    run_id = start_run(client, agent="code", prompt="write hello.txt")
    received: list[dict[str, Any]] = []
    with connect(f"{server.ws}/ws/runs/{run_id}", open_timeout=5) as ws:
        for text in ws:
            event = json.loads(text)
            received.append(event)
            if event["kind"] == "approval_needed":
                approved = event["request"]["arguments"]["path"] == "hello.txt"
                ws.send(json.dumps({"kind": "approval", "id": event["id"], "approved": approved}))
    kinds = [e["kind"] for e in received]
    assert kinds.count("approval_needed") == 2 and kinds[-1] == "done"
    approvals = [e for e in received if e["kind"] == "approval_needed"]
    assert [a["id"] for a in approvals] == [1, 2]
    assert approvals[0]["request"]["tool"] == "write_file"
    finished = {e["call_id"]: e for e in received if e["kind"] == "tool_call_finished"}
    assert finished["c1"]["is_error"] is False and finished["c2"]["is_error"] is True
    assert (workspace / "hello.txt").read_text() == "hello\n"
    assert not (workspace / "denied.txt").exists()


def test_a_socket_refuses_bad_messages_and_unknown_runs(
    server: Served, client: httpx2.Client, xai: EmulatorServer
) -> None:
    xai.config.set_chat_script([{"tool_calls": [call("write_file", "c1", path="x", content="x")]},
                                {"content": "ok"}])  # fmt: skip
    run_id = start_run(client, agent="code", prompt="write x")
    with connect(f"{server.ws}/ws/runs/{run_id}", open_timeout=5) as ws:
        while json.loads(ws.recv(timeout=10))["kind"] != "approval_needed":
            pass
        ws.send("not json")
        assert json.loads(ws.recv(timeout=5)) == {"kind": "refused", "message": "not JSON"}
        ws.send(json.dumps({"kind": "approval", "id": 9, "approved": True}))
        assert json.loads(ws.recv(timeout=5))["message"] == "no open approval 9"
        ws.send(json.dumps({"kind": "cancel"}))
        rest = events_until_closed(ws)
    assert rest[-1]["kind"] == "done" and rest[-1]["stop_reason"] == "cancelled"
    unknown = client.post("/api/runs", json={"agent": "nobody", "prompt": "hi"})
    assert unknown.status_code == 404 and "no agent 'nobody'" in unknown.json()["error"]
    empty = client.post("/api/runs", json={"prompt": "  "})
    assert empty.status_code == 400 and "empty" in empty.json()["error"]
    assert client.get("/api/runs/r_nope").status_code == 404


def test_the_live_feed_shows_new_jobs_and_assets_from_this_and_other_processes(
    server: Served, client: httpx2.Client, xai: EmulatorServer
) -> None:
    with connect(f"{server.ws}/ws/events", open_timeout=5) as ws:
        assert json.loads(ws.recv(timeout=5)) == {"kind": "hello"}
        made_here = generate(client, kind="image", prompt="a paper boat")["assets"][0]
        done = subprocess.run(
            [sys.executable, "-m", "dave", "image", "a comet over the sea", "--json"],
            capture_output=True, text=True, env=dict(os.environ), timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        made_there = json.loads(done.stdout)["assets"][0]["id"]
        assets: list[str] = []
        states: list[tuple[str, str]] = []
        while made_there not in assets:
            message = json.loads(ws.recv(timeout=10))
            if message["kind"] == "asset":
                assets.append(message["asset"]["id"])
                assert message["asset"]["url"] == f"/media/{message['asset']['id']}"
            elif message["kind"] == "job":
                states.append((message["job_id"], message["state"]))
    assert assets == [made_here["id"], made_there]
    here = [state for job, state in states if job == made_here["job_id"]]
    assert here[0] == "created" and here[-1] == "done"
    assert len({job for job, _ in states}) == 2
