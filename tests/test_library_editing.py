"""Editing library files: checks of unsaved text, atomic saves with kept versions, restore, duplicate, safety."""

from __future__ import annotations

from pathlib import Path

import pytest

from roleplay.library import Library
from roleplay.library.editing import HISTORY_DIR, EditRefusedError, LibraryEditor
from roleplay.library.holder import LibraryHolder

PERSONA = "personas/wang_jianguo.yaml"


@pytest.fixture
def editor(library_copy: Path) -> LibraryEditor:
    return LibraryEditor(library_copy, LibraryHolder(Library.load(library_copy)))


def _history(root: Path, relative: str) -> list[Path]:
    folder = root / HISTORY_DIR / relative
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def test_a_valid_save_writes_the_file_keeps_the_previous_text_and_reloads_the_app_library(
    editor: LibraryEditor, library_copy: Path
) -> None:
    assert editor.holder is not None
    before = editor.read(PERSONA)
    result = editor.save(PERSONA, before.replace("age: 48", "age: 49"), "李老师")
    assert result.saved and result.version is not None
    assert (library_copy / PERSONA).read_text(encoding="utf-8") == before.replace("age: 48", "age: 49")
    versions = editor.versions(PERSONA)
    assert [(v.record.action, v.record.author, v.current) for v in versions] == [
        ("save", "李老师", True),
        ("before_editing", "", False),
    ]
    assert versions[1].record.text == before
    assert editor.holder.current.personas["wang_jianguo"].age == 49
    assert not list((library_copy / "personas").glob("*.tmp")), "no temporary file is left behind"


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "says"),
    [
        pytest.param("age: 48", "age: 480", 5, "age", "less than or equal to 95", id="out-of-range"),
        pytest.param("age: 48", "age: 48\nmood: 3", 6, "mood", "unknown key 'mood'; allowed keys", id="unknown-key"),
        pytest.param("age: 48", "age: [48", 6, "", "not valid YAML", id="not-yaml"),
        pytest.param(
            "behaviour: angry", "behaviour: angy", 29, "traits.behaviour", "no behaviour trait 'angy'", id="no-trait"
        ),
        pytest.param(
            "persona_id: wang_jianguo",
            "persona_id: li_meiling",
            2,
            "persona_id",
            "already defined in",
            id="id-used-elsewhere",
        ),
        pytest.param(
            "[aircon_after_sales,",
            "[aircon_after_sale,",
            80,
            "suggested_scenarios[0]",
            "no scenario 'aircon_after_sale'",
            id="no-scenario",
        ),
    ],
)
def test_invalid_text_is_refused_with_the_located_error_and_the_file_unchanged(
    editor: LibraryEditor, library_copy: Path, old: str, new: str, line: int, field: str, says: str
) -> None:
    before = editor.read(PERSONA)
    assert old in before
    result = editor.save(PERSONA, before.replace(old, new), "李老师")
    assert not result.saved
    located = [e for e in result.check.errors if says in e.message]
    assert located, [str(e) for e in result.check.errors]
    assert located[0].file == library_copy / PERSONA
    assert (located[0].line, located[0].field) == (line, field)
    assert (library_copy / PERSONA).read_text(encoding="utf-8") == before
    assert _history(library_copy, PERSONA) == []


def test_the_check_gives_the_same_errors_as_roleplay_validate(editor: LibraryEditor, library_copy: Path) -> None:
    from roleplay.library.check import validate_paths

    broken = editor.read(PERSONA).replace("behaviour: angry", "behaviour: angy").replace("age: 48", "age: 480")
    checked = editor.check(PERSONA, broken)
    (library_copy / PERSONA).write_text(broken, encoding="utf-8")
    assert [str(e) for e in checked.errors] == [str(e) for e in validate_paths([library_copy / PERSONA], library_copy)]


def test_a_change_that_breaks_other_files_is_refused(editor: LibraryEditor, library_copy: Path) -> None:
    relative = "personas/traits/buying/male.yaml"
    result = editor.save(relative, editor.read(relative).replace("axis: buying", "axis: style"), "李老师")
    assert not result.saved
    assert any("does not match the folder" in e.message for e in result.check.errors)
    broken = [e for e in result.check.others if e.file == library_copy / PERSONA]
    assert broken and broken[0].field == "traits.buying" and broken[0].line == 31
    assert "'male' is a style trait, not a buying trait" in broken[0].message


def test_problems_already_in_other_files_do_not_block_a_save(editor: LibraryEditor, library_copy: Path) -> None:
    (library_copy / "rubrics" / "exam.yaml").write_text("rubric_id: exam\nname: 3\n", encoding="utf-8")
    text = editor.read(PERSONA).replace("age: 48", "age: 50")
    check = editor.check(PERSONA, text)
    assert check.ok, [str(e) for e in [*check.errors, *check.others]]
    assert editor.save(PERSONA, text, "").saved


def test_saving_the_same_text_changes_nothing(editor: LibraryEditor, library_copy: Path) -> None:
    result = editor.save(PERSONA, editor.read(PERSONA), "李老师")
    assert result.unchanged and not result.saved
    assert _history(library_copy, PERSONA) == []


def test_restore_is_a_save_that_keeps_the_current_text(editor: LibraryEditor, library_copy: Path) -> None:
    original = editor.read(PERSONA)
    editor.save(PERSONA, original.replace("age: 48", "age: 49"), "李老师")
    editor.save(PERSONA, original.replace("age: 48", "age: 50"), "王老师")
    oldest = editor.versions(PERSONA)[-1]
    assert oldest.record.action == "before_editing"
    result = editor.restore(PERSONA, oldest.version_id, "张老师")
    assert result.saved
    assert (library_copy / PERSONA).read_text(encoding="utf-8") == original
    versions = editor.versions(PERSONA)
    assert [v.record.action for v in versions] == ["restore", "save", "save", "before_editing"]
    assert versions[0].record.source == oldest.version_id and versions[0].current
    assert versions[1].record.text == original.replace("age: 48", "age: 50"), "the text before the restore is kept"
    assert editor.restore(PERSONA, versions[0].version_id, "张老师").unchanged


@pytest.mark.parametrize("version_id", ["", "../../personas/x", "20990101T000000000000"], ids=["empty", "path", "none"])
def test_restoring_an_unknown_version_is_refused(editor: LibraryEditor, version_id: str) -> None:
    with pytest.raises(EditRefusedError) as refused:
        editor.restore(PERSONA, version_id, "")
    assert refused.value.reason == "no_version"


def test_duplicate_makes_a_checked_copy_under_the_new_id(editor: LibraryEditor, library_copy: Path) -> None:
    assert editor.holder is not None
    result = editor.duplicate(PERSONA, "wang_jianguo_hard", "李老师")
    assert result.saved and result.relative == "personas/wang_jianguo_hard.yaml"
    text = (library_copy / result.relative).read_text(encoding="utf-8")
    assert "persona_id: wang_jianguo_hard\n" in text and "persona_id: wang_jianguo\n" not in text
    assert text.startswith("# yaml-language-server: $schema=persona.schema.json\n"), "comments are kept"
    assert "wang_jianguo_hard" in editor.holder.current.personas
    versions = editor.versions(result.relative)
    assert [(v.record.action, v.record.source) for v in versions] == [("duplicate", PERSONA)]


@pytest.mark.parametrize(
    ("new_id", "reason"),
    [
        pytest.param("li_meiling", "exists", id="taken"),
        pytest.param("Wang", "bad_id", id="capital"),
        pytest.param("../evil", "bad_id", id="path"),
        pytest.param("x", "bad_id", id="too-short"),
        pytest.param("", "bad_id", id="empty"),
    ],
)
def test_duplicate_refuses_a_bad_or_taken_id(
    editor: LibraryEditor, library_copy: Path, new_id: str, reason: str
) -> None:
    files = sorted(library_copy.rglob("*"))
    with pytest.raises(EditRefusedError) as refused:
        editor.duplicate(PERSONA, new_id, "")
    assert refused.value.reason == reason
    assert sorted(library_copy.rglob("*")) == files


@pytest.mark.parametrize(
    ("relative", "reason"),
    [
        pytest.param("../outside.yaml", "outside", id="parent"),
        pytest.param("personas/../../outside.yaml", "outside", id="parent-inside"),
        pytest.param("/etc/passwd.yaml", "outside", id="absolute"),
        pytest.param("data/roleplay.yaml", "outside", id="other-folder"),
        pytest.param("personas/wang jianguo.yaml", "bad_name", id="space"),
        pytest.param("personas/.hidden.yaml", "bad_name", id="dot-file"),
        pytest.param("personas/README.md", "not_yaml", id="not-yaml"),
        pytest.param("", "empty_path", id="empty"),
    ],
)
def test_unsafe_paths_are_refused(editor: LibraryEditor, relative: str, reason: str) -> None:
    with pytest.raises(EditRefusedError) as refused:
        editor.save(relative, "persona_id: x\n", "")
    assert refused.value.reason == reason


def test_a_link_pointing_out_of_the_library_is_refused(editor: LibraryEditor, library_copy: Path) -> None:
    outside = library_copy.parent / "elsewhere.yaml"
    outside.write_text("x: 1\n", encoding="utf-8")
    (library_copy / "personas" / "linked.yaml").symlink_to(outside)
    with pytest.raises(EditRefusedError) as refused:
        editor.read("personas/linked.yaml")
    assert refused.value.reason == "outside"


def test_entries_list_every_file_by_kind_and_mark_problems(editor: LibraryEditor, library_copy: Path) -> None:
    (library_copy / "rubrics" / "exam.yaml").write_text("rubric_id: exam\nname: 3\n", encoding="utf-8")
    entries = editor.entries()
    library = Library.load(library_copy)
    kinds = [entry.kind for entry in entries]
    assert kinds == sorted(kinds, key=["persona", "trait", "scenario", "rubric"].index)
    for kind in ("persona", "trait", "scenario"):
        assert {e.item_id for e in entries if e.kind == kind} == set(getattr(library, f"{kind}s"))
    wang = next(e for e in entries if e.relative == PERSONA)
    assert wang.name is not None and wang.name.zh == "王建国" and wang.problems == 0
    exam = next(e for e in entries if e.relative == "rubrics/exam.yaml")
    assert exam.kind == "rubric" and exam.problems > 0 and exam.name is None


def test_a_damaged_history_file_is_skipped(editor: LibraryEditor, library_copy: Path) -> None:
    editor.save(PERSONA, editor.read(PERSONA).replace("age: 48", "age: 49"), "")
    (library_copy / HISTORY_DIR / PERSONA / "20000101T000000000000.json").write_text("{", encoding="utf-8")
    assert [v.record.action for v in editor.versions(PERSONA)] == ["save", "before_editing"]
