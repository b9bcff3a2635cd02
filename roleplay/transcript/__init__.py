"""Transcripts: the model and the JSON, plain-text and CSV formats."""

from roleplay.transcript.formats import (
    TranscriptFormatError,
    parse_csv,
    parse_json,
    parse_text,
    read_transcripts,
    to_csv,
    to_text,
    write_transcript,
)
from roleplay.transcript.model import Role, StateSnapshot, Student, Transcript, Turn, TypeGuess

__all__ = [
    "Role",
    "StateSnapshot",
    "Student",
    "Transcript",
    "TranscriptFormatError",
    "Turn",
    "TypeGuess",
    "parse_csv",
    "parse_json",
    "parse_text",
    "read_transcripts",
    "to_csv",
    "to_text",
    "write_transcript",
]
