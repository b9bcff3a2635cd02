"""``roleplay list`` and ``roleplay show`` on the shipped library and on an empty one."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from roleplay.cli import app

from .conftest import PROJECT_ROOT

runner = CliRunner()


@pytest.mark.parametrize(
    ("what", "expected"),
    [
        pytest.param("personas", ["wang_jianguo", "王建国", "angry"], id="personas"),
        pytest.param("traits", ["behaviour", "silent", "沉默型", "difficulty"], id="traits"),
        pytest.param("scenarios", ["aircon_after_sales", "phone", "after_sale"], id="scenarios"),
        pytest.param("rubrics", ["default", "exam"], id="rubrics"),
    ],
)
def test_list(what: str, expected: list[str]) -> None:
    result = runner.invoke(app, ["list", what], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    for fragment in expected:
        assert fragment in result.output


def test_list_rejects_unknown_kind() -> None:
    result = runner.invoke(app, ["list", "teachers"])
    assert result.exit_code == 2


def test_list_empty_library_says_what_to_do(tmp_path: Path) -> None:
    result = runner.invoke(app, ["list", "personas", "--library", str(tmp_path)])
    assert result.exit_code == 0
    assert "还没有personas" in result.output.replace("\n", "")


@pytest.mark.parametrize(
    ("spec", "lang", "expected"),
    [
        pytest.param("wang_jianguo", "zh", ["王建国", "气愤型", "初始隐藏状态", "耐心耗尽时"], id="named-zh"),
        pytest.param("angry+analytical+female+hard", "zh", ["气愤型", "分析型", "女性", "困难"], id="combo-zh"),
        pytest.param("silent+amiable", "en", ["Silent", "Starting hidden state", "Reactions"], id="combo-en"),
    ],
)
def test_show_persona(spec: str, lang: str, expected: list[str]) -> None:
    result = runner.invoke(app, ["show", "persona", spec, "--lang", lang], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for fragment in expected:
        assert fragment in result.output


def test_show_unknown_persona_lists_what_exists() -> None:
    result = runner.invoke(app, ["show", "persona", "grumpy+results"], env={"COLUMNS": "300"})
    assert result.exit_code == 1
    assert "grumpy" in result.output and "wang_jianguo" in result.output


def test_schemas_command_rewrites_stale_schema(tmp_path: Path) -> None:
    schema = tmp_path / "rubrics" / "rubric.schema.json"
    schema.parent.mkdir()
    schema.write_text("{}", encoding="utf-8")
    result = runner.invoke(app, ["schemas", "--library", str(tmp_path)])
    assert result.exit_code == 0
    assert schema.read_text(encoding="utf-8") == (PROJECT_ROOT / "rubrics" / "rubric.schema.json").read_text("utf-8")
