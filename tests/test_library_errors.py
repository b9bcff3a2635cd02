"""Broken copies of the shipped library give clear, located errors: one test per kind of mistake."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from roleplay.cli import app
from roleplay.library import Library, LibraryError
from roleplay.library.check import validate_paths

TRAIT = "personas/traits/behaviour/angry.yaml"
DIFFICULTY = "personas/traits/difficulty/normal.yaml"
STYLE = "personas/traits/style/results.yaml"
PERSONA = "personas/wang_jianguo.yaml"
SCENARIO = "personas/scenarios/aircon_after_sales.yaml"
RUBRIC = "rubrics/default.yaml"

Edit = Callable[[dict[str, Any]], None]


def rewrite(root: Path, relative: str, edit: Edit) -> Path:
    """Apply ``edit`` to the file's data and write it back in block style."""
    path = root / relative
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def only_error(root: Path, path: Path | None = None) -> LibraryError:
    """The one error of the library (or, with ``path``, of that file: other files may cascade)."""
    errors = [e for e in Library.load(root).errors if path is None or e.file == path]
    assert len(errors) == 1, "\n".join(map(str, errors))
    return errors[0]


def _set(*keys: str | int, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        target: Any = data
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return edit


def _delete(key: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        del data[key]

    return edit


CASES = [
    pytest.param(
        TRAIT,
        _set("speech", "volume", value="loud"),
        "speech.volume",
        "  volume:",
        ["unknown key 'volume'", "allowed keys here: length, tone, habits"],
        id="unknown-key",
    ),
    pytest.param(
        TRAIT,
        _set("initial_state", "emotion", value="very"),
        "initial_state.emotion",
        "  emotion: very",
        ["valid number", "'very'"],
        id="wrong-type",
    ),
    pytest.param(
        TRAIT,
        _set("initial_state", "trust", value=14),
        "initial_state.trust",
        "  trust: 14",
        ["less than or equal to 10"],
        id="out-of-range",
    ),
    pytest.param(
        TRAIT,
        _set("speech", "length", value="huge"),
        "speech.length",
        "  length: huge",
        ["'terse', 'short', 'medium' or 'long'", "'huge'"],
        id="bad-enum",
    ),
    pytest.param(TRAIT, _delete("name"), "name", "axis:", ["required field is missing"], id="missing-field"),
    pytest.param(
        TRAIT,
        _set("reactions", "shout", value={"emotion": 1}),
        "reactions.shout",
        "  shout:",
        ["'restate_feeling'", "'shout'"],
        id="unknown-act",
    ),
    pytest.param(
        TRAIT,
        _set(
            "scaling",
            value={
                "good_gain": 1,
                "bad_gain": 1,
                "patience_shift": 0,
                "accept_trust_at_least": 6,
                "accept_emotion_at_most": 4,
                "reveal_shift": 0,
            },
        ),
        "",
        "axis:",
        ["only difficulty traits have scaling"],
        id="field-wrong-axis",
    ),
    pytest.param(
        STYLE,
        _set("axis", value="buying"),
        "axis",
        "axis: buying",
        ["does not match the folder traits/style/"],
        id="axis-folder-mismatch",
    ),
    pytest.param(
        TRAIT,
        _set("trait_id", value="furious"),
        "trait_id",
        "trait_id: furious",
        ["must match the file name 'angry.yaml'"],
        id="id-file-mismatch",
    ),
    pytest.param(
        PERSONA,
        _set("traits", "behaviour", value="angri"),
        "traits.behaviour",
        "  behaviour: angri",
        ["no behaviour trait 'angri'", "allowed: angry, arrogant"],
        id="unknown-trait",
    ),
    pytest.param(
        PERSONA,
        _set("traits", "style", value="angry"),
        "traits.style",
        "  style: angry",
        ["'angry' is a behaviour trait, not a style trait"],
        id="trait-wrong-axis",
    ),
    pytest.param(
        PERSONA,
        _set("suggested_scenarios", value=["moon_base"]),
        "suggested_scenarios[0]",
        "- moon_base",
        ["no scenario 'moon_base'", "aircon_after_sales"],
        id="unknown-scenario",
    ),
    pytest.param(PERSONA, _set("age", value=7), "age", "age: 7", ["greater than or equal to 12"], id="bad-age"),
    pytest.param(
        SCENARIO,
        _set("success", "requires_facts", value=["ghost_fact"]),
        "",
        "scenario_id:",
        ["success.requires_facts names ghost_fact", "allowed:"],
        id="unknown-fact",
    ),
    pytest.param(
        SCENARIO,
        _set("channel", value="fax"),
        "channel",
        "channel: fax",
        ["'online_chat' or 'phone'"],
        id="bad-channel",
    ),
    pytest.param(
        SCENARIO,
        _set("hidden_facts", 0, "reveal", value=[{}]),
        "hidden_facts[0].reveal[0]",
        "- {}",
        ["needs at least one field"],
        id="empty-reveal-condition",
    ),
    pytest.param(
        RUBRIC,
        _set("dimensions", 0, "checks", 0, "bands", -1, "min", value=0.5),
        "dimensions[0].checks[0]",
        "- check_id:",
        ["the last band must have neither min nor max"],
        id="bands-not-covering",
    ),
    pytest.param(
        RUBRIC,
        _set("dimensions", 0, "weight", value=-3),
        "dimensions[0].weight",
        "weight: -3",
        ["greater than 0"],
        id="negative-weight",
    ),
]


@pytest.mark.parametrize(("relative", "edit", "field", "line_needle", "fragments"), CASES)
def test_located_error(
    library_copy: Path, relative: str, edit: Edit, field: str, line_needle: str, fragments: list[str]
) -> None:
    path = rewrite(library_copy, relative, edit)
    error = only_error(library_copy, path)
    assert error.field == field
    for fragment in fragments:
        assert fragment in error.message
    assert error.line is not None
    expected_line = line_of(path, line_needle)
    # The error points at the field itself, or at the start of the object that holds it.
    assert error.line <= expected_line
    assert error.line >= expected_line - 25


def test_yaml_syntax_error_names_the_line(library_copy: Path) -> None:
    path = library_copy / TRAIT
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(5, "name: [unclosed")
    path.write_text("\n".join(lines), encoding="utf-8")
    error = only_error(library_copy)
    assert error.file == path
    assert "not valid YAML" in error.message
    assert error.line is not None and 6 <= error.line <= 8


def test_duplicate_key_is_an_error(library_copy: Path) -> None:
    path = library_copy / TRAIT
    text = path.read_text(encoding="utf-8") + "\naxis: behaviour\n"
    path.write_text(text, encoding="utf-8")
    error = only_error(library_copy)
    assert (error.field, error.message, error.line) == ("axis", "key appears twice", len(text.splitlines()))


def test_file_without_id_key(library_copy: Path) -> None:
    path = library_copy / "personas" / "stray.yaml"
    path.write_text("name: 某人\n", encoding="utf-8")
    error = only_error(library_copy)
    assert error.file == path
    assert "persona_id" in error.message and "trait_id" in error.message


def test_same_trait_id_on_two_axes(library_copy: Path) -> None:
    source = library_copy / STYLE
    target = library_copy / "personas/traits/buying/results.yaml"
    target.write_text(source.read_text(encoding="utf-8").replace("axis: style", "axis: buying"), "utf-8")
    errors = Library.load(library_copy).errors
    assert any("trait ids must be unique" in e.message for e in errors), errors


def test_every_error_is_reported_not_just_the_first(library_copy: Path) -> None:
    rewrite(library_copy, TRAIT, _set("speech", "length", value="huge"))
    rewrite(library_copy, PERSONA, _set("traits", "style", value="nope"))
    rewrite(library_copy, RUBRIC, _delete("name"))
    files = {e.file.name for e in Library.load(library_copy).errors}
    assert {"angry.yaml", "wang_jianguo.yaml", "default.yaml"} <= files


def test_loose_file_is_checked_against_the_library(library_copy: Path, tmp_path: Path) -> None:
    loose = tmp_path / "draft.yaml"
    data = yaml.safe_load((library_copy / PERSONA).read_text(encoding="utf-8"))
    data["persona_id"] = "draft"
    data["traits"]["buying"] = "teenager"
    loose.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    errors = validate_paths([loose], library_copy)
    assert [e.field for e in errors] == ["traits.buying"]
    assert "allowed: female, male" in errors[0].message


runner = CliRunner()


def test_cli_validate_passes_on_shipped_library() -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    assert "全部有效" in result.output


def test_cli_validate_lists_every_error_and_exits_1(library_copy: Path) -> None:
    trait = rewrite(library_copy, TRAIT, _set("speech", "length", value="huge"))
    persona = rewrite(library_copy, PERSONA, _set("traits", "behaviour", value="angri"))
    result = runner.invoke(app, ["validate", "--library", str(library_copy), "--lang", "en"])
    assert result.exit_code == 1
    output = result.output.replace("\n", "")
    assert f"{trait}:{line_of(trait, 'length: huge')}: speech.length:" in output
    assert f"{persona}:{line_of(persona, 'behaviour: angri')}: traits.behaviour:" in output
    assert "2 problems found" in output


def test_cli_validate_one_file_only_reports_that_file(library_copy: Path) -> None:
    rewrite(library_copy, TRAIT, _set("speech", "length", value="huge"))
    persona = library_copy / PERSONA
    result = runner.invoke(app, ["validate", str(persona), "--library", str(library_copy)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["validate", str(library_copy / TRAIT), "--library", str(library_copy)])
    assert result.exit_code == 1
