"""The library browser's handlers, without a browser."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import pytest

from roleplay.library import Library
from roleplay.settings import Settings
from roleplay.ui.library_app import (
    build_library_app,
    combination_spec,
    errors_markdown,
    mode_banner,
    persona_markdown,
    rubric_markdown,
    scenario_markdown,
)

from .conftest import PROJECT_ROOT

LIBRARY = Library.load(PROJECT_ROOT)


def test_persona_view_in_both_languages() -> None:
    assert "王建国" in persona_markdown(LIBRARY, "wang_jianguo", "zh")
    assert "Wang Jianguo" in persona_markdown(LIBRARY, "wang_jianguo", "en")


def test_combination_without_buying() -> None:
    spec = combination_spec("angry", "results", "", "hard")
    assert spec == "angry+results+hard"
    assert "气愤型" in persona_markdown(LIBRARY, spec, "zh")


def test_bad_combination_shows_the_reason_instead_of_crashing() -> None:
    assert persona_markdown(LIBRARY, combination_spec("angry", None, None, "hard"), "zh").startswith("⚠️")


def test_scenario_hides_teacher_details_from_students() -> None:
    scenario = LIBRARY.scenarios["aircon_after_sales"]
    key_fact = next(f for f in scenario.hidden_facts if f.key)
    student_view = scenario_markdown(LIBRARY, "aircon_after_sales", "zh", teacher=False)
    teacher_view = scenario_markdown(LIBRARY, "aircon_after_sales", "zh", teacher=True)
    assert scenario.card[0].title.zh in student_view
    assert key_fact.text.zh not in student_view
    assert key_fact.text.zh in teacher_view and scenario.customer_goal.zh in teacher_view


def test_rubric_view_lists_every_dimension() -> None:
    view = rubric_markdown(LIBRARY, "default", "zh")
    for dimension in LIBRARY.rubrics["default"].dimensions:
        assert dimension.name.zh in view


def test_empty_library(tmp_path: Path) -> None:
    empty = Library.load(tmp_path)
    assert "内容库是空的" in persona_markdown(empty, None, "zh")
    assert errors_markdown(empty, "zh") == ""


def test_errors_are_shown(library_copy: Path) -> None:
    (library_copy / "personas" / "broken.yaml").write_text("persona_id: [", encoding="utf-8")
    assert "broken.yaml" in errors_markdown(Library.load(library_copy), "zh")


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        pytest.param({}, "离线模式", id="offline"),
        pytest.param(
            {"base_url": "http://127.0.0.1:11434/v1", "customer_model": "qwen2.5:7b"}, "qwen2.5:7b", id="model"
        ),
    ],
)
def test_mode_banner(env: dict[str, str], fragment: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ROLEPLAY_API_KEY", "ROLEPLAY_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert fragment in mode_banner(Settings(**env))  # type: ignore[arg-type]


def test_app_builds() -> None:
    demo = build_library_app(Settings(library_dir=PROJECT_ROOT))
    assert isinstance(demo, gr.Blocks)
