"""``roleplay chat``: scripted and interactive, offline and against a mock model, and a killed process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from roleplay.cli import app
from roleplay.library import Library
from roleplay.mockserver import MockBehaviour, MockOpenAIServer
from roleplay.store import SessionStore, open_database
from tests.conftest import PROJECT_ROOT

runner = CliRunner()
LIBRARY = Library.load(PROJECT_ROOT)
SCRIPT = "# a comment line\n您好，很高兴为您服务。\n\n我理解您的心情，换谁都会着急的。能说说具体情况吗？\n跟您确认一下，情况我都记下了。\n"
# Every scenario once and every persona once, each pair from the scenario's own suggestions.
PAIRS = sorted(
    {(s.suggested_personas[0], sid) for sid, s in LIBRARY.scenarios.items()}
    | {(pid, (p.suggested_scenarios or sorted(LIBRARY.scenarios))[0]) for pid, p in LIBRARY.personas.items()}
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "ROLEPLAY_DATA_DIR": str(tmp_path / "data"),
        "ROLEPLAY_BASE_URL": "",
        "OPENAI_BASE_URL": "",
        "ROLEPLAY_API_KEY": "",
        "OPENAI_API_KEY": "",
        "COLUMNS": "200",
    }


@pytest.mark.parametrize(("persona", "scenario"), PAIRS, ids=[f"{p}-{s}" for p, s in PAIRS])
def test_scripted_offline_chat_writes_the_transcript(
    tmp_path: Path, env: dict[str, str], persona: str, scenario: str
) -> None:
    script, out = tmp_path / "script.txt", tmp_path / "out.json"
    script.write_text(SCRIPT, encoding="utf-8")
    result = runner.invoke(
        app,
        ["chat", "--persona", persona, "--scenario", scenario, "--script", str(script), "--out", str(out), "--offline"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    agent = [t for t in data["turns"] if t["role"] == "agent"]
    customer = [t for t in data["turns"] if t["role"] == "customer"]
    assert [t["text"] for t in agent] == [line for line in SCRIPT.splitlines() if line and not line.startswith("#")][
        : len(agent)
    ]
    assert all(isinstance(t["acts"], list) for t in agent)
    assert all(set(t["state"]) >= {"emotion", "trust", "patience", "openness", "revealed", "outcome"} for t in customer)
    assert data["outcome"] in {"ended_by_student", "resolved", "walked_out", "escalated"}
    assert data["persona"] == persona and data["scenario"] == scenario


def test_interactive_chat_until_end(env: dict[str, str]) -> None:
    result = runner.invoke(
        app,
        ["chat", "--persona", "angry+results", "--scenario", "phone_repair", "--offline"],
        input="您好，请问有什么可以帮您？\n/end\n",
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "客服（你）" in result.output and "顾客" in result.output


def test_chat_against_a_mock_model(tmp_path: Path, env: dict[str, str]) -> None:
    reply = "你们到底什么时候给我修好？"
    with MockOpenAIServer(MockBehaviour(respond=lambda messages: reply)) as server:
        env = {
            **env,
            "ROLEPLAY_BASE_URL": server.base_url,
            "ROLEPLAY_API_KEY": "test",
            "ROLEPLAY_CUSTOMER_MODEL": "mock-model",
        }
        out = tmp_path / "out.json"
        script = tmp_path / "s.txt"
        script.write_text("您好，能说说具体情况吗？\n", encoding="utf-8")
        result = runner.invoke(
            app,
            [
                "chat",
                "--persona",
                "wang_jianguo",
                "--scenario",
                "phone_repair",
                "--script",
                str(script),
                "--out",
                str(out),
            ],
            env=env,
        )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["model"] == "mock-model"
    assert data["turns"][-1]["text"] == reply


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param(["--persona", "grumpy", "--scenario", "phone_repair"], "grumpy", id="unknown-persona"),
        pytest.param(["--persona", "wang_jianguo", "--scenario", "nowhere"], "nowhere", id="unknown-scenario"),
        pytest.param(["--persona", "wang_jianguo"], "--scenario", id="missing-scenario"),
        pytest.param(["--resume", "no-such-session"], "no-such-session", id="unknown-session"),
    ],
)
def test_bad_arguments_say_what_is_wrong(env: dict[str, str], args: list[str], fragment: str) -> None:
    result = runner.invoke(app, ["chat", *args, "--offline"], env=env)
    assert result.exit_code == 2
    assert fragment in result.output


def test_killed_mid_turn_loses_nothing_and_resumes(tmp_path: Path, env: dict[str, str]) -> None:
    data_dir = Path(env["ROLEPLAY_DATA_DIR"])
    script = tmp_path / "s.txt"
    words = "我叫小林，这件事我负责到底，您慢慢说。"
    script.write_text(words + "\n", encoding="utf-8")
    with MockOpenAIServer(MockBehaviour(respond=lambda messages: "嗯。", latency=120)) as server:
        child_env = {
            **os.environ,
            **env,
            "ROLEPLAY_BASE_URL": server.base_url,
            "ROLEPLAY_API_KEY": "test",
            "ROLEPLAY_CUSTOMER_MODEL": "mock-model",
            "ROLEPLAY_TIMEOUT_SECONDS": "300",
        }
        child = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from roleplay.cli import main; main()",
                "chat",
                "--persona",
                "wang_jianguo",
                "--scenario",
                "aircon_after_sales",
                "--script",
                str(script),
            ],
            env=child_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=tmp_path,
        )
        store = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if (data_dir / "roleplay.db").exists():
                try:  # the child may still be creating the tables
                    store = store or SessionStore(open_database(f"sqlite:///{(data_dir / 'roleplay.db').as_posix()}"))
                    ids = store.session_ids()
                    if ids and any(t.text == words for t in store.transcript(ids[0]).turns):
                        break
                except OperationalError:
                    store = None
            time.sleep(0.2)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert store is not None
    session_id = store.session_ids()[0]
    turns = store.transcript(session_id).turns
    assert turns[-1].text == words and turns[-1].role == "agent"  # saved before the model answered

    out = tmp_path / "resumed.json"
    script.write_text("换谁都会着急的，我完全理解。\n", encoding="utf-8")
    result = runner.invoke(
        app, ["chat", "--resume", session_id, "--offline", "--script", str(script), "--out", str(out)], env=env
    )
    assert result.exit_code == 0 and out.exists(), result.output
    texts = [(t["role"], t["text"]) for t in json.loads(out.read_text(encoding="utf-8"))["turns"]]
    position = texts.index(("agent", words))
    assert texts[position + 1][0] == "customer"  # the unanswered message got its answer
    assert ("agent", "换谁都会着急的，我完全理解。") in texts
