"""Every shipped file loads; every trait combination composes by the documented rule."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from roleplay.library import Library, UnknownPersonaError
from roleplay.library.common import STATE_FIELDS
from roleplay.library.describe import describe_persona
from roleplay.library.schema import SCHEMA_PATHS, stale_schemas

from .conftest import PROJECT_ROOT

LIBRARY = Library.load(PROJECT_ROOT)


def test_shipped_library_has_no_errors() -> None:
    assert LIBRARY.errors == []


def test_shipped_library_has_the_promised_content() -> None:
    assert set(LIBRARY.trait_ids("behaviour")) == {"arrogant", "doubtful", "angry", "silent", "showoff"}
    assert set(LIBRARY.trait_ids("style")) == {"results", "expressive", "analytical", "amiable"}
    assert set(LIBRARY.trait_ids("buying")) == {"male", "female"}
    assert set(LIBRARY.trait_ids("difficulty")) == {"easy", "normal", "hard"}
    assert len(LIBRARY.personas) >= 8
    covered = {axis: {getattr(p.traits, axis) for p in LIBRARY.personas.values()} for axis in ("behaviour", "style")}
    assert covered["behaviour"] == set(LIBRARY.trait_ids("behaviour"))
    assert covered["style"] == set(LIBRARY.trait_ids("style"))
    assert {"male", "female"} <= {p.traits.buying for p in LIBRARY.personas.values()}
    assert len(LIBRARY.scenarios) >= 6
    assert {"default", "exam"} <= set(LIBRARY.rubrics)


@pytest.mark.parametrize("persona_id", sorted(LIBRARY.personas))
def test_named_persona_composes_and_describes(persona_id: str) -> None:
    persona = LIBRARY.persona(persona_id)
    assert persona.named and persona.persona_id == persona_id
    for language in ("zh", "en"):
        text = describe_persona(persona, language)
        assert persona.name.get(language) in text
        assert persona.on_patience_out.description.get(language) in text


def test_every_trait_combination_composes() -> None:
    behaviours, styles = LIBRARY.trait_ids("behaviour"), LIBRARY.trait_ids("style")
    buyings = [*LIBRARY.trait_ids("buying"), None]
    difficulties = LIBRARY.trait_ids("difficulty")
    count = 0
    for combo in itertools.product(behaviours, styles, buyings, difficulties):
        spec = "+".join(token for token in combo if token)
        persona = LIBRARY.persona(spec)
        assert persona.persona_id == spec
        assert not persona.named
        assert all(0 <= getattr(persona.initial_state, f) <= 10 for f in STATE_FIELDS)
        count += 1
    assert count == len(behaviours) * len(styles) * len(buyings) * len(difficulties)


def test_combination_follows_the_rule() -> None:
    behaviour, style, buying = LIBRARY.traits["angry"], LIBRARY.traits["analytical"], LIBRARY.traits["female"]
    hard = LIBRARY.traits["hard"].scaling
    assert hard is not None and behaviour.initial_state is not None
    persona = LIBRARY.persona("female+analytical+angry+hard")  # order of tokens does not matter
    assert persona.persona_id == "angry+analytical+female+hard"
    assert persona.gender == "female"
    for field in STATE_FIELDS:
        expected = getattr(behaviour.initial_state, field)
        for trait in (style, buying):
            expected += getattr(trait.initial_shift, field) if trait.initial_shift else 0
        if field == "patience":
            expected += hard.patience_shift
        assert getattr(persona.initial_state, field) == pytest.approx(max(0, min(10, expected)))
    for act in set(behaviour.reactions) | set(style.reactions) | set(buying.reactions):
        for field in STATE_FIELDS:
            raw = sum(getattr(t.reactions[act], field) for t in (behaviour, style, buying) if act in t.reactions)
            helpful = raw < 0 if field == "emotion" else raw > 0
            expected = raw * (hard.good_gain if helpful else hard.bad_gain)
            assert getattr(persona.reactions[act].shift, field) == pytest.approx(max(-10, min(10, expected)), abs=0.01)
    assert persona.speech.length == (behaviour.speech.length or style.speech.length or "medium")


def test_difficulty_changes_how_much_technique_it_takes() -> None:
    easy, hard = LIBRARY.persona("angry+results+easy"), LIBRARY.persona("angry+results+hard")
    calm_easy = easy.reactions["restate_feeling"].shift.emotion
    calm_hard = hard.reactions["restate_feeling"].shift.emotion
    assert calm_easy < calm_hard < 0  # restating feelings calms both, the easy one more
    assert easy.reactions["blame"].shift.emotion < hard.reactions["blame"].shift.emotion
    assert easy.scaling.accept_trust_at_least < hard.scaling.accept_trust_at_least


def test_named_persona_with_a_trait_replaced() -> None:
    base = LIBRARY.persona("wang_jianguo")
    harder = LIBRARY.persona("wang_jianguo+hard")
    assert harder.name == base.name
    assert harder.trait_id("difficulty") == "hard"
    assert harder.trait_id("behaviour") == base.trait_id("behaviour")


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        pytest.param("", "empty persona", id="empty"),
        pytest.param("grumpy+results", "unknown persona or trait 'grumpy'", id="unknown-token"),
        pytest.param("angry+silent+results", "names two behaviour traits", id="two-on-one-axis"),
        pytest.param("results+female", "lacks a trait on behaviour", id="missing-behaviour"),
        pytest.param("style:angry+results", "unknown persona or trait 'style:angry'", id="wrong-axis-prefix"),
    ],
)
def test_bad_persona_spec(spec: str, fragment: str) -> None:
    with pytest.raises(UnknownPersonaError, match=fragment.replace("(", r"\(")):
        LIBRARY.persona(spec)


def test_schemas_are_published_and_current() -> None:
    assert stale_schemas(PROJECT_ROOT) == []


@pytest.mark.parametrize(
    "path",
    sorted((PROJECT_ROOT / "personas").rglob("*.yaml")) + sorted((PROJECT_ROOT / "rubrics").rglob("*.yaml")),
    ids=lambda p: str(p.relative_to(PROJECT_ROOT)),
)
def test_shipped_yaml_points_editors_at_its_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix)
    schema = (path.parent / first.removeprefix(prefix)).resolve()
    assert schema in {(PROJECT_ROOT / relative).resolve() for relative in SCHEMA_PATHS.values()}


def test_a_persona_is_composed_once_per_library_and_a_reloaded_library_sees_a_changed_file(tmp_path: Path) -> None:
    shutil.copytree(PROJECT_ROOT / "personas", tmp_path / "personas")
    library = Library.load(tmp_path)
    first = library.persona("wang_jianguo")
    assert library.persona("wang_jianguo") is first  # a batch of chats with one persona composes it once
    path = tmp_path / "personas" / "wang_jianguo.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("王建国", "王建军"), encoding="utf-8")
    assert Library.load(tmp_path).persona("wang_jianguo").name.zh == "王建军"
    assert library.persona("wang_jianguo").name.zh == "王建国"  # the library already loaded is left as it was
