"""``roleplay tag``: one utterance with context, and the JSON Lines contract."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from roleplay.cli import app

runner = CliRunner()


def test_tag_one_utterance_with_context() -> None:
    result = runner.invoke(
        app,
        ["tag", "跟您确认一下，您是周一买的烤箱，对吗？", "--context", "顾客: 我周一买的烤箱今天就坏了"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "restate_fact" in result.output and "question_closed" in result.output
    assert "restate_fact.zh.confirm_frame" in result.output


def test_tag_rejects_context_without_a_role() -> None:
    result = runner.invoke(app, ["tag", "好的", "--context", "我周一买的"])
    assert result.exit_code == 2


def test_jsonl_keeps_fields_adds_predicted_and_reports_bad_lines(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    good = {
        "id": "a1",
        "note": "任意字段保留",
        "text": "您希望退款还是换货？",
        "context": [{"role": "customer", "text": "东西坏了"}],
    }
    lines = [
        json.dumps(good, ensure_ascii=False),
        "{not json",
        json.dumps({"text": "您好"}, ensure_ascii=False),
        json.dumps({"text": 3}),
        json.dumps({"text": "好的", "context": [{"role": "manager", "text": "x"}]}),
        "",
    ]
    source.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["tag", "--jsonl", str(source), "--out", str(out)])
    assert result.exit_code == 1
    assert "2" in result.output and "4" in result.output and "5" in result.output  # bad line numbers
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 2
    first = rows[0]
    assert {k: first[k] for k in good} == good
    assert first["predicted"]["question_types"] == ["choice"]
    assert first["predicted"]["restate_fact"] is False and first["predicted"]["restate_feeling"] is False
    assert all(set(a) == {"act", "span", "rule"} for a in first["predicted"]["acts"])
    assert rows[1]["predicted"]["acts"][0]["act"] == "greeting"


def test_jsonl_to_stdout_exits_zero_when_all_lines_are_good(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": "Did it arrive on Monday?"}) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["tag", "--jsonl", str(source)])
    assert result.exit_code == 0
    assert json.loads(result.stdout.strip())["predicted"]["question_types"] == ["closed"]


def test_jsonl_missing_file() -> None:
    result = runner.invoke(app, ["tag", "--jsonl", "no-such-file.jsonl"])
    assert result.exit_code == 2
