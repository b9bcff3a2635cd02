"""The library: every trait, persona, scenario and rubric file under one root, checked together."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from roleplay.library.compose import ComposedPersona, compose
from roleplay.library.loader import LibraryError, LibraryFileError, YamlDocument, read_yaml, validate_document
from roleplay.library.persona import PersonaFile
from roleplay.library.rubric import RubricFile
from roleplay.library.scenario import ScenarioFile
from roleplay.library.trait import AXES, Axis, Trait

Kind = Literal["trait", "persona", "scenario", "rubric"]
KIND_MODELS: dict[Kind, type[BaseModel]] = {
    "trait": Trait,
    "persona": PersonaFile,
    "scenario": ScenarioFile,
    "rubric": RubricFile,
}
# The key that names a file's id, and so tells its kind.
ID_KEYS: dict[str, Kind] = {
    "trait_id": "trait",
    "persona_id": "persona",
    "scenario_id": "scenario",
    "rubric_id": "rubric",
}


class UnknownPersonaError(ValueError):
    """A persona id or trait combination that the library cannot resolve."""


@dataclass
class Library:
    """Everything a teacher can edit, loaded from ``root`` (holding ``personas/`` and ``rubrics/``)."""

    root: Path
    traits: dict[str, Trait] = field(default_factory=dict)
    personas: dict[str, PersonaFile] = field(default_factory=dict)
    scenarios: dict[str, ScenarioFile] = field(default_factory=dict)
    rubrics: dict[str, RubricFile] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)  # 'kind:id' -> the file it came from
    errors: list[LibraryError] = field(default_factory=list)
    # Names (file stems) of files that failed to load: references to them are not reported again,
    # so one broken trait gives one error, not one more per persona that uses it.
    broken: set[str] = field(default_factory=set)
    # The parsed files, so reference errors are located without reading the files again.
    documents: dict[Path, YamlDocument] = field(default_factory=dict)
    # Composed personas by spec (composing takes about a millisecond; a batch grades hundreds of chats
    # with the same few personas). Emptied whenever a file is added.
    _composed: dict[str, ComposedPersona] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, root: Path) -> Library:
        """Load every file under ``root``; problems are collected in ``errors``, never raised."""
        library = cls(root=root)
        for path in library_files(root):
            library.add_file(path)
        library.errors.extend(library.reference_errors())
        return library

    def add_file(self, path: Path) -> None:
        """Load one file into the library, recording its errors."""
        try:
            document = read_yaml(path)
        except LibraryFileError as exc:
            self.errors.extend(exc.errors)
            self.broken.add(path.stem)
            return
        self.add_document(document)

    def add_document(self, document: YamlDocument) -> None:
        """Add one parsed file (saved or not: the editor checks unsaved text), recording its errors."""
        self._composed.clear()
        self.documents[document.path] = document
        try:
            kind = kind_of(document)
            item = validate_document(document, KIND_MODELS[kind])
        except LibraryFileError as exc:
            self.errors.extend(exc.errors)
            self.broken.add(document.path.stem)
            return
        self._register(kind, item, document)

    def _register(self, kind: Kind, item: BaseModel, document: YamlDocument) -> None:
        item_id = str(getattr(item, f"{kind}_id"))
        path = document.path
        if path.stem != item_id:
            self.errors.append(
                LibraryError(
                    path,
                    f"{kind}_id",
                    f"'{item_id}' must match the file name '{path.stem}.yaml'",
                    document.line_of((f"{kind}_id",)),
                )
            )
        key = f"{kind}:{item_id}"
        if key in self.files:
            clash = self.traits.get(item_id) if isinstance(item, Trait) else None
            unique = f" (a {clash.axis} trait); trait ids must be unique across axes" if clash else ""
            self.errors.append(
                LibraryError(
                    path,
                    f"{kind}_id",
                    f"'{item_id}' is already defined in {self.files[key]}{unique}",
                    document.line_of((f"{kind}_id",)),
                )
            )
            return
        if isinstance(item, Trait):
            folder = path.parent.name
            if folder in AXES and folder != item.axis:
                self.errors.append(
                    LibraryError(
                        path,
                        "axis",
                        f"'{item.axis}' does not match the folder traits/{folder}/",
                        document.line_of(("axis",)),
                    )
                )
        self.files[key] = path
        getattr(self, f"{kind}s")[item_id] = item

    def reference_errors(self) -> list[LibraryError]:
        """Errors of files that name a trait, scenario or persona that does not exist."""
        errors: list[LibraryError] = []
        for persona in self.personas.values():
            path = self.files[f"persona:{persona.persona_id}"]
            for axis in AXES:
                trait_id = getattr(persona.traits, axis)
                if trait_id is None:
                    continue
                problem = None if trait_id in self.broken else self._trait_problem(axis, trait_id)
                if problem:
                    errors.append(LibraryError(path, f"traits.{axis}", problem, self._line(path, ("traits", axis))))
            for index, scenario_id in enumerate(persona.suggested_scenarios):
                if scenario_id not in self.scenarios and scenario_id not in self.broken:
                    errors.append(
                        LibraryError(
                            path,
                            f"suggested_scenarios[{index}]",
                            f"no scenario '{scenario_id}'; known: {', '.join(sorted(self.scenarios)) or '(none)'}",
                            self._line(path, ("suggested_scenarios", index)),
                        )
                    )
        for scenario in self.scenarios.values():
            path = self.files[f"scenario:{scenario.scenario_id}"]
            for index, spec in enumerate(scenario.suggested_personas):
                if spec not in self.personas and spec not in self.broken:
                    errors.append(
                        LibraryError(
                            path,
                            f"suggested_personas[{index}]",
                            f"no persona '{spec}'; known: {', '.join(sorted(self.personas)) or '(none)'}",
                            self._line(path, ("suggested_personas", index)),
                        )
                    )
        return errors

    def _trait_problem(self, axis: Axis, trait_id: str) -> str | None:
        trait = self.traits.get(trait_id)
        allowed = ", ".join(self.trait_ids(axis)) or "(none defined)"
        if trait is None:
            return f"no {axis} trait '{trait_id}'; allowed: {allowed}"
        if trait.axis != axis:
            return f"'{trait_id}' is a {trait.axis} trait, not a {axis} trait; allowed: {allowed}"
        return None

    def _line(self, path: Path, loc: tuple[str | int, ...]) -> int | None:
        document = self.documents.get(path)
        return document.line_of(loc) if document is not None else None

    def trait_ids(self, axis: Axis) -> list[str]:
        """The ids of the traits on one axis, sorted."""
        return sorted(t.trait_id for t in self.traits.values() if t.axis == axis)

    def persona(self, spec: str) -> ComposedPersona:
        """Resolve a persona id or a trait combination into a composed persona.

        ``spec`` is a named persona id (``wang_angry_dad``), a combination of trait ids
        (``angry+analytical+female+hard``; behaviour and style required, difficulty defaults to
        normal), or a named persona with traits replaced (``wang_angry_dad+hard``). A token may
        name its axis (``behaviour:angry``).

        Raises:
            UnknownPersonaError: with what is allowed.
        """
        composed = self._composed.get(spec)
        if composed is None:
            composed = self._composed[spec] = self._compose(spec)
        return composed

    def _compose(self, spec: str) -> ComposedPersona:
        tokens = [token.strip() for token in spec.split("+") if token.strip()]
        if not tokens:
            raise UnknownPersonaError("empty persona: give a persona id or traits such as angry+analytical")
        named = self.personas.get(tokens[0])
        chosen: dict[Axis, Trait] = {}
        if named is not None:
            tokens = tokens[1:]
            for axis in AXES:
                trait_id = getattr(named.traits, axis)
                if trait_id is not None and trait_id in self.traits:
                    chosen[axis] = self.traits[trait_id]
        picked: set[Axis] = set()
        for token in tokens:
            trait = self._trait_for_token(token)
            if trait.axis in picked:
                raise UnknownPersonaError(
                    f"'{spec}' names two {trait.axis} traits; pick one of {', '.join(self.trait_ids(trait.axis))}"
                )
            picked.add(trait.axis)
            chosen[trait.axis] = trait
        if "difficulty" not in chosen and "normal" in self.traits:
            chosen["difficulty"] = self.traits["normal"]
        missing = [axis for axis in ("behaviour", "style", "difficulty") if axis not in chosen]
        if missing:
            needs = "; ".join(f"{axis}: {', '.join(self.trait_ids(axis))}" for axis in missing)  # type: ignore[arg-type]
            raise UnknownPersonaError(f"'{spec}' lacks a trait on {', '.join(missing)} ({needs})")
        return compose(chosen, named)

    def _trait_for_token(self, token: str) -> Trait:
        axis_name, _, trait_id = token.rpartition(":")
        trait = self.traits.get(trait_id)
        if trait is None or (axis_name and trait.axis != axis_name):
            personas = ", ".join(sorted(self.personas)) or "(none)"
            traits = "; ".join(f"{axis}: {', '.join(self.trait_ids(axis))}" for axis in AXES)
            raise UnknownPersonaError(f"unknown persona or trait '{token}'. Personas: {personas}. Traits: {traits}")
        return trait

    def composed_personas(self) -> list[ComposedPersona]:
        """Every named persona, composed."""
        return [self.persona(persona_id) for persona_id in sorted(self.personas)]


def library_files(root: Path) -> list[Path]:
    """Every teacher YAML file under ``root``'s ``personas/`` and ``rubrics/`` folders, sorted."""
    found: list[Path] = []
    for folder in ("personas", "rubrics"):
        base = root / folder
        if base.is_dir():
            found.extend(sorted(p for p in base.rglob("*.y*ml") if p.suffix in (".yaml", ".yml")))
    return found


def kind_of(document: YamlDocument) -> Kind:
    """Tell a file's kind from its id key (``persona_id``, ``trait_id``, ...).

    Raises:
        LibraryFileError: no id key, or more than one.
    """
    keys = [key for key in ID_KEYS if key in document.data]
    if len(keys) != 1:
        found = "none" if not keys else " and ".join(keys)
        raise LibraryFileError(
            [
                LibraryError(
                    document.path,
                    "",
                    f"cannot tell what this file is: it needs exactly one of {', '.join(ID_KEYS)} (found {found})",
                    1,
                )
            ]
        )
    return ID_KEYS[keys[0]]
