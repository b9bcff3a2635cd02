"""The teacher-editable library: traits, personas, scenarios, rubrics; loading, validation, composition."""

from roleplay.library.catalog import Library, UnknownPersonaError, library_files
from roleplay.library.common import Language, Text
from roleplay.library.compose import ComposedPersona, compose
from roleplay.library.loader import LibraryError, LibraryFileError
from roleplay.library.persona import PersonaFile
from roleplay.library.rubric import RubricFile
from roleplay.library.scenario import ScenarioFile
from roleplay.library.trait import Trait

__all__ = [
    "ComposedPersona",
    "Language",
    "Library",
    "LibraryError",
    "LibraryFileError",
    "PersonaFile",
    "RubricFile",
    "ScenarioFile",
    "Text",
    "Trait",
    "UnknownPersonaError",
    "compose",
    "library_files",
]
