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


def read_turtle(source: Path | bytes) -> Graph:
    """A Turtle document (a file, or its bytes) read through Oxigraph's parser: for the large
    files this program writes (a release is read back to compare it with the next), which
    rdflib's parser reads several times slower. The graph rdflib's parser gives, up to blank-node
    labels, except that a literal typed ``xsd:string`` is read as a plain one (one term in RDF 1.1;
    tests/test_rdfio.py). rdflib reads it if Oxigraph is missing or refuses it.
    """
    try:
        import pyoxigraph as ox

        from regen_kg.memstore import add_all, new_graph
        from regen_kg.oxstore import from_ox
    except ImportError:
        return _rdflib_turtle(source)
    data = source.read_bytes() if isinstance(source, Path) else source
    graph = new_graph()
    try:
        triples = ox.parse(input=data, format=ox.RdfFormat.TURTLE)
        add_all(graph, ((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in triples))
    except SyntaxError:
        return _rdflib_turtle(source)
    return graph


def _rdflib_turtle(source: Path | bytes) -> Graph:
    if isinstance(source, Path):
        return Graph().parse(source, format="turtle")
    return Graph().parse(data=source, format="turtle")
