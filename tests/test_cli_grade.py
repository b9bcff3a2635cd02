"""``roleplay grade`` from the command line: offline and against a mock judge; ``regrade-diff``."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from roleplay.cli import app
from roleplay.mockserver import MockBehaviour, MockOpenAIServer
from roleplay.transcript import write_transcript
from tests.test_grading import LINES, RUBRIC, answer, transcript

runner = CliRunner()


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    base = {
        "ROLEPLAY_DATA_DIR": str(tmp_path / "data"),
        "ROLEPLAY_BASE_URL": "",
        "OPENAI_BASE_URL": "",
        "ROLEPLAY_API_KEY": "",
        "OPENAI_API_KEY": "",
        "COLUMNS": "200",
    }
    return {**base, **extra}


def _inputs(folder: Path) -> Path:
    write_transcript(transcript(), folder / "class" / "zhang.json")
    write_transcript(transcript(LINES[:4]), folder / "class" / "li.txt")
    write_transcript(transcript(LINES[:6]), folder / "class" / "wang.csv")
    (folder / "class" / "notes.txt").write_text("这不是对话记录，只是一段说明。", encoding="utf-8")
    return folder / "class"


def test_grade_a_folder_offline(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["grade", str(_inputs(tmp_path)), "--out", str(out), "--offline"], env=_env(tmp_path))
    assert result.exit_code == 1, result.output  # the notes file is not a transcript
    assert "notes.txt" in result.output
    for name in ("zhang", "li", "wang"):
        report = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        assert report["graders"] == ["tagger"] and report["total"] is not None
        assert (out / f"{name}.html").read_text(encoding="utf-8").startswith("<!")
    book = load_workbook(out / "summary.xlsx")
    assert book["成绩"].max_row == 4 and "未能评分" in book.sheetnames
    assert (out / "summary.csv").exists() and (out / "dimension_stats.csv").exists()

    again = runner.invoke(
        app, ["grade", str(tmp_path / "class"), "--out", str(out), "--offline", "--resume"], env=_env(tmp_path)
    )
    assert "3" in again.output and again.exit_code == 1  # 3 skipped, the bad file still listed


def test_grade_with_a_mock_judge_and_diff(tmp_path: Path) -> None:
    behaviour = MockBehaviour(respond=lambda messages: answer(level=2))
    offline_out, judged_out = tmp_path / "offline", tmp_path / "judged"
    source = _inputs(tmp_path)
    (source / "notes.txt").unlink()
    runner.invoke(
        app, ["grade", str(source), "--out", str(offline_out), "--offline", "--format", "json"], env=_env(tmp_path)
    )
    with MockOpenAIServer(behaviour) as server:
        env = _env(
            tmp_path, ROLEPLAY_BASE_URL=server.base_url, ROLEPLAY_API_KEY="test", ROLEPLAY_CUSTOMER_MODEL="mock-judge"
        )
        result = runner.invoke(
            app, ["grade", str(source / "zhang.json"), "--out", str(judged_out), "--format", "json,md"], env=env
        )
    assert result.exit_code == 0, result.output
    report = json.loads((judged_out / "zhang.json").read_text(encoding="utf-8"))
    assert report["graders"] == ["tagger", "judge"] and report["provenance"]["judge_model"] == "mock-judge"
    assert all(d["judge"]["level"] == 2 for d in report["dimensions"])
    response_format = behaviour.requests[0]["response_format"]
    assert response_format["type"] == "json_schema"  # the default method, with the schema made for this transcript
    listing = response_format["json_schema"]["schema"]["properties"]["dimensions"]
    assert listing["minItems"] == listing["maxItems"] == len(RUBRIC.dimensions)
    assert (judged_out / "zhang.md").exists()
    diff = runner.invoke(app, ["regrade-diff", str(offline_out), str(judged_out)], env=_env(tmp_path))
    assert diff.exit_code == 0 and "zhang" in diff.output and RUBRIC.dimensions[0].name.zh in diff.output


def test_bad_arguments(tmp_path: Path) -> None:
    missing = runner.invoke(
        app, ["grade", str(tmp_path / "nothing"), "--out", str(tmp_path / "o"), "--offline"], env=_env(tmp_path)
    )
    assert missing.exit_code == 1 and "nothing" in missing.output
    rubric = runner.invoke(
        app, ["grade", str(tmp_path), "--out", str(tmp_path / "o"), "--rubric", "nope"], env=_env(tmp_path)
    )
    assert rubric.exit_code == 2 and "nope" in rubric.output
    formats = runner.invoke(
        app, ["grade", str(tmp_path), "--out", str(tmp_path / "o"), "--format", "pdf"], env=_env(tmp_path)
    )
    assert formats.exit_code == 2 and "pdf" in formats.output
