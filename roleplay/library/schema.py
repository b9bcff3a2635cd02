"""JSON Schemas for the teacher files, published next to them so editors validate as teachers type."""

from __future__ import annotations

import json
from pathlib import Path

from roleplay.library.catalog import KIND_MODELS, Kind

# Where each schema is published, relative to the library root.
SCHEMA_PATHS: dict[Kind, str] = {
    "trait": "personas/traits/trait.schema.json",
    "persona": "personas/persona.schema.json",
    "scenario": "personas/scenarios/scenario.schema.json",
    "rubric": "rubrics/rubric.schema.json",
}


def schema_text(kind: Kind) -> str:
    """The JSON Schema of one kind of file, as published (stable formatting)."""
    schema = KIND_MODELS[kind].model_json_schema()
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schemas(root: Path) -> list[Path]:
    """Write every schema under ``root``; returns the files written."""
    written = []
    for kind, relative in SCHEMA_PATHS.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(schema_text(kind), encoding="utf-8")
        written.append(path)
    return written


def stale_schemas(root: Path) -> list[Path]:
    """Published schemas that differ from the models (run ``roleplay schemas`` to refresh)."""
    return [
        root / relative
        for kind, relative in SCHEMA_PATHS.items()
        if not (root / relative).is_file() or (root / relative).read_text(encoding="utf-8") != schema_text(kind)
    ]
