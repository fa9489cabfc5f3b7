"""Errors a user can act on: each names where the problem is and what to fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class RegenError(Exception):
    """Base class for data and validation errors (CLI exit code 1)."""


@dataclass
class Location:
    """A place in an input file: path and 1-based line (and column, when known)."""

    path: Path | str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        out = str(self.path)
        if self.line is not None:
            out += f":{self.line}"
            if self.column is not None:
                out += f":{self.column}"
        return out


class ParameterError(RegenError):
    """A query parameter value that does not fit its declared type, or an unknown parameter
    (a usage error: the CLI exits 2)."""


class InputError(RegenError):
    """A malformed or inconsistent input file (curation record, Turtle, query)."""

    def __init__(self, location: Location, message: str) -> None:
        self.location = location
        self.message = message
        super().__init__(f"{location}: {message}")


class InputErrors(RegenError):
    """Several input errors found in one pass, reported together."""

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class ValidationFailed(RegenError):
    """SHACL validation found violations; outputs were not written."""


class InconsistencyError(RegenError):
    """OWL 2 RL reasoning found the ontology and data inconsistent."""
