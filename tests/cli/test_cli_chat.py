"""`dave chat`, `dave code`, `dave agents` and `dave sessions`, run as a user runs them: the
installed command in a subprocess, offline (the in-process emulator) or against the loopback
emulator's scripted chat model, with real files and a real library."""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from PIL import Image

from dave.emulator import EmulatorServer

from .conftest import RunDave

LIGHTHOUSE = "make a picture of a lighthouse"


def call(tool_name: str, call_id: str, /, **arguments: Any) -> dict[str, Any]:
    return {"name": tool_name, "id": call_id, "arguments": arguments}


def one_json(stdout: str) -> dict[str, Any]:
    lines = stdout.splitlines()
    assert len(lines) == 1, stdout
    return json.loads(lines[0])


def test_chat_offline_makes_a_real_image_of_a_lighthouse_in_the_library(
    run_dave: RunDave,
) -> None:
    done = run_dave("chat", "--offline", LIGHTHOUSE)
    assert done.returncode == 0, done.stderr
    listed = one_json(run_dave("assets", "list", "--json").stdout)["assets"]
    assert len(listed) == 1
    asset = listed[0]
    assert (asset["kind"], asset["prompt"]) == ("image", LIGHTHOUSE)
    with Image.open(asset["path"]) as image:
        assert image.width > 0
    # The answer (stdout) names what was made; the tool call and the session go to stderr.
    assert asset["id"] in done.stdout and asset["path"] in done.stdout
    assert "→ generate_image prompt=make a picture of a lighthouse" in done.stderr
    assert f"asset {asset['id']}" in done.stderr
    assert "session s_" in done.stderr


def test_chat_json_prints_one_object_with_text_session_calls_assets_and_usage(
    run_dave: RunDave,
) -> None:
    done = run_dave("chat", "--offline", "--json", LIGHTHOUSE)
    assert done.returncode == 0, done.stderr
    answer = one_json(done.stdout)
    assert answer["session_id"].startswith("s_") and answer["stop_reason"] == "stop"
    [made] = answer["assets"]
    assert Path(made["path"]).is_file() and made["id"] in answer["text"]
    [tool_call] = answer["tool_calls"]
    assert tool_call["name"] == "generate_image" and not tool_call["is_error"]
    assert tool_call["arguments"] == {"prompt": LIGHTHOUSE}
    assert answer["usage"]["total_tokens"] > 0
    shown = one_json(run_dave("sessions", "show", answer["session_id"], "--json").stdout)
    roles = [m["role"] for m in shown["messages"]]
    assert roles == ["system", "user", "assistant", "tool", "assistant"]


def test_a_prompt_can_come_on_stdin(run_dave: RunDave) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dave", "chat", "--offline"],
        input="hello there\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "offline emulator" in done.stdout


def test_piped_stdin_is_one_turn_per_line_until_exit(run_dave: RunDave) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dave", "chat", "--offline"],
        input="hello\nmore\n\n   \n/exit\nnot sent\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("offline emulator") == 2
    sessions = one_json(run_dave("sessions", "list", "--json").stdout)["sessions"]
    assert len(sessions) == 1
    shown = one_json(run_dave("sessions", "show", sessions[0]["id"], "--json").stdout)
    said = [m["content"] for m in shown["messages"] if m["role"] == "user"]
    assert said == ["hello", "more"]
    assert f"`dave chat --session {sessions[0]['id']} ...` continues it" in done.stderr


def test_piped_stdin_without_a_line_to_send_is_one_error(run_dave: RunDave) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dave", "chat", "--offline"],
        input="\n\n/exit\nhello\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr == "dave: error: no prompt: give one, or pipe it on stdin\n"


def test_chat_continues_a_session_in_a_new_process(run_dave: RunDave, xai: EmulatorServer) -> None:
    xai.config.set_chat_script(
        [
            {"content": "Noted.", "expect": {"message_count": 2}},
            {
                "content": "The word was walrus.",
                "expect": {"message_count": 4, "any_contains": "remember walrus"},
            },
        ]
    )
    first = one_json(run_dave("chat", "--json", "remember walrus").stdout)
    done = run_dave("chat", "--session", first["session_id"], "which word?")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "The word was walrus.\n"
    listed = one_json(run_dave("sessions", "list", "--json").stdout)["sessions"]
    assert [(s["id"], s["message_count"]) for s in listed] == [(first["session_id"], 5)]


def _project(folder: Path) -> Path:
    folder.mkdir()
    (folder / "calc.py").write_text("def add(a, b):\n    return a - b\n")
    (folder / "test_calc.py").write_text(
        "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
    )
    return folder


def _coding_script(test_command: str) -> list[dict[str, Any]]:
    return [
        {
            "tool_calls": [call("read_file", "r1", path="calc.py")],
            "expect": {
                "tools": ["read_file", "edit_file", "run_command"],
                "system_contains": "coding agent",
            },
        },
        {
            "tool_calls": [
                call("edit_file", "e1", path="calc.py", old="return a - b", new="return a + b")
            ],
            "expect": {"contains": "return a - b"},
        },
        {
            "tool_calls": [call("run_command", "t1", command=test_command)],
            "expect": {"contains": "calc.py"},
        },
        {"content": "Fixed add(); the test passes.", "expect": {"contains": "1 passed"}},
    ]


def test_code_reads_edits_and_tests_a_small_project(
    run_dave: RunDave, xai: EmulatorServer, tmp_path: Path
) -> None:
    project = _project(tmp_path / "project")
    xai.config.set_chat_script(_coding_script(f"{sys.executable} -m pytest -q -p no:cacheprovider"))
    done = subprocess.run(
        [sys.executable, "-m", "dave", "code", "--yes", "fix the failing test"],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert (project / "calc.py").read_text() == "def add(a, b):\n    return a + b\n"
    assert done.stdout == "Fixed add(); the test passes.\n"
    # The diff of the change, on stderr.
    assert "--- a/calc.py" in done.stderr and "+++ b/calc.py" in done.stderr
    assert "-    return a - b" in done.stderr and "+    return a + b" in done.stderr
    assert "→ run_command" in done.stderr


def test_code_offline_follows_a_scripted_model_with_no_server_at_all(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    config = tmp_path / "emulator.json"
    command = f"{sys.executable} -m pytest -q -p no:cacheprovider"
    config.write_text(json.dumps({"chat_script": _coding_script(command)}))
    done = subprocess.run(
        [sys.executable, "-m", "dave", "code", "--offline", "--yes", "fix the failing test"],
        capture_output=True,
        text=True,
        cwd=project,
        env={**os.environ, "DAVE_EMULATOR_CONFIG": str(config)},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert (project / "calc.py").read_text() == "def add(a, b):\n    return a + b\n"
    assert done.stdout == "Fixed add(); the test passes.\n"
    assert "+    return a + b" in done.stderr
    assert "`dave code --session s_" in done.stderr
    assert "dave chat --session" not in done.stderr


def test_code_offline_without_a_model_that_can_code_says_so_in_one_line(
    run_dave: RunDave, tmp_path: Path
) -> None:
    done = run_dave("code", "--offline", "fix the failing test")

    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("dave: error: offline, `dave code` needs a local model server")
    assert "OPENAI_BASE_URL" in lines[0]


def test_code_offline_uses_a_local_model_server_when_one_is_set(
    xai: EmulatorServer, tmp_path: Path
) -> None:
    # The loopback emulator stands in for Ollama: an OpenAI-style chat endpoint on localhost.
    xai.config.set_chat_script(
        [{"content": "Nothing to change.", "expect": {"tools": ["read_file"]}}]
    )
    env = {k: v for k, v in os.environ.items() if k not in ("XAI_API_KEY", "XAI_BASE_URL")}
    done = subprocess.run(
        [sys.executable, "-m", "dave", "code", "--offline", "is the code fine?"],
        capture_output=True,
        text=True,
        cwd=_project(tmp_path / "project"),
        env={**env, "OPENAI_BASE_URL": xai.xai_base_url, "DAVE_LLM_MODEL": "qwen-coder"},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Nothing to change.\n"
    sent = xai.log.posts("/v1/chat/completions")
    assert len(sent) == 1
    assert sent[0].json["model"] == "qwen-coder"
    assert "`dave code --session s_" in done.stderr


def test_code_without_yes_and_without_a_terminal_denies_writes_and_says_so(
    run_dave: RunDave, xai: EmulatorServer, tmp_path: Path
) -> None:
    project = _project(tmp_path / "project")
    xai.config.set_chat_script(
        [
            {"tool_calls": [call("edit_file", "e1", path="calc.py", old="-", new="+")]},
            {"content": "I was not allowed to edit.", "expect": {"contains": "denied by the user"}},
        ]
    )
    done = subprocess.run(
        [sys.executable, "-m", "dave", "code", "fix it"],
        capture_output=True,
        text=True,
        cwd=project,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "return a - b" in (project / "calc.py").read_text()
    assert "denied edit" in done.stderr and "pass --yes to allow" in done.stderr
    assert done.stdout == "I was not allowed to edit.\n"


def _with_terminal(argv: list[str], typed: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """Runs dave with a pseudo-terminal as stdin (stdout and stderr stay pipes)."""
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "dave", *argv],
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env=dict(os.environ),
        )
        time.sleep(0.2)
        os.write(controller, typed.encode())
        out, err = process.communicate(timeout=60)
        return process.returncode, out, err
    finally:
        os.close(controller)
        os.close(terminal)


def test_chat_on_a_terminal_is_an_interactive_session_until_exit(run_dave: RunDave) -> None:
    code, out, err = _with_terminal(
        ["chat", "--offline"], "hello\nmake a drawing of a cat\n/exit\n"
    )
    assert code == 0, err
    assert "offline emulator" in out  # the answer to "hello"
    assert "Done: asset a_" in out  # the answer to the drawing, in the same session
    assert "/exit or Ctrl-D" in err
    [session] = one_json(run_dave("sessions", "list", "--json").stdout)["sessions"]
    assert session["message_count"] == 1 + 2 + 4


def test_code_asks_on_the_terminal_before_a_write(xai: EmulatorServer, tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    xai.config.set_chat_script(
        [
            {"tool_calls": [call("write_file", "w1", path="NOTES.md", content="# notes\n")]},
            {"content": "Wrote NOTES.md.", "expect": {"contains": "NOTES.md"}},
        ]
    )
    code, out, err = _with_terminal(["code", "write notes"], "y\n", cwd=project)
    assert code == 0, err
    assert "dave: allow write" in err and "[y/N]" in err
    assert (project / "NOTES.md").read_text() == "# notes\n"
    assert out == "Wrote NOTES.md.\n"


def test_ctrl_c_stops_the_run_and_the_session_keeps_the_call_answered(
    run_dave: RunDave, xai: EmulatorServer, dave_home: Path, tmp_path: Path
) -> None:
    (dave_home / "agents").mkdir(parents=True)
    (dave_home / "agents" / "sleeper.toml").write_text(
        'system_prompt = "You run commands."\ntoolsets = ["shell"]\n'
    )
    xai.config.set_chat_script([{"tool_calls": [call("run_command", "c1", command="sleep 30")]}])
    process = subprocess.Popen(
        [sys.executable, "-m", "dave", "chat", "--agent", "sleeper", "--yes", "nap"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    assert process.stderr is not None
    seen = ""
    while "→ run_command" not in seen:
        piece = process.stderr.readline()
        assert piece, seen
        seen += piece
    time.sleep(0.3)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=30)
    assert time.monotonic() - started < 10  # not the 30 s of the command
    assert process.returncode == 130, seen + err
    assert "dave: error: interrupted" in err
    [session] = one_json(run_dave("sessions", "list", "--json").stdout)["sessions"]
    shown = one_json(run_dave("sessions", "show", session["id"], "--json").stdout)
    last = shown["messages"][-1]
    assert (last["role"], last["tool_call_id"]) == ("tool", "c1")
    assert last["content"].startswith("cancelled")


def test_agents_list_and_show(run_dave: RunDave) -> None:
    listed = one_json(run_dave("agents", "list", "--json").stdout)["agents"]
    assert [a["name"] for a in listed] == ["code", "daisy", "minimax", "stability", "xai"]
    shown = one_json(run_dave("agents", "show", "code", "--json").stdout)["agent"]
    assert "run_command" in shown["tools"] and shown["max_turns"] == 40
    done = run_dave("agents", "show", "daisy")
    assert done.returncode == 0 and "delegates to: code, xai" in done.stdout


def test_failures_are_one_line_and_exit_1(run_dave: RunDave, xai: EmulatorServer) -> None:
    done = run_dave("chat", "--offline", "--agent", "nobody", "hi")
    assert done.returncode == 1
    assert done.stderr.startswith("dave: error: no agent 'nobody'") and done.stderr.count("\n") == 1

    xai.config.set_chat_script([])  # the endpoint refuses every request
    done = run_dave("chat", "--json", "hi")
    assert done.returncode == 1
    assert done.stderr.startswith("dave: error: the model's endpoint answered HTTP 400")
    failure = one_json(done.stdout)["error"]
    assert failure["type"] == "RunFailed" and failure["session_id"].startswith("s_")

    done = run_dave("sessions", "show", "s_nothing")
    assert done.returncode == 1 and done.stderr.startswith("dave: error: no session")


def test_chat_without_a_key_says_which_variable_to_set(run_dave: RunDave) -> None:
    done = run_dave("chat", "hi")
    assert done.returncode == 1
    assert "no API key for xai" in done.stderr and "XAI_API_KEY" in done.stderr
    assert "--offline" in done.stderr


def test_every_new_command_has_help_that_exits_zero(run_dave: RunDave) -> None:
    for command in (
        ["chat"],
        ["code"],
        ["agents", "list"],
        ["agents", "show"],
        ["sessions", "list"],
        ["sessions", "show"],
    ):
        done = run_dave(*command, "--help")
        assert done.returncode == 0, (command, done.stderr)
        assert "Usage" in done.stdout
