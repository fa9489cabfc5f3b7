"""Reading RDF files with errors that name the file, line and column."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.plugins.parsers.notation3 import BadSyntax

from regen_kg.errors import InputError, Location


def parse_turtle(path: Path, into: Graph | None = None) -> Graph:
    """Parse one Turtle file into ``into`` (or a new graph); a syntax error becomes InputError."""
    graph = into if into is not None else Graph()
    try:
        graph.parse(path, format="turtle")
    except BadSyntax as exc:
        raise InputError(_bad_syntax_location(path, exc), f"Turtle syntax error: {exc._why}") from exc
    except Exception as exc:  # rdflib raises several kinds for malformed input
        raise InputError(Location(path), f"cannot parse Turtle: {exc}") from exc
    return graph


def _bad_syntax_location(path: Path, exc: BadSyntax) -> Location:
    text = exc._str.decode("utf-8", "replace") if isinstance(exc._str, bytes) else str(exc._str)
    offset = min(exc._i, len(text))
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Location(path, exc.lines + 1, column)
