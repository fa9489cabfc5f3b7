"""Reading Turtle: Oxigraph's parser gives the graph rdflib's parser gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef, namespace
from rdflib.compare import isomorphic
from rdflib.plugins.parsers.notation3 import BadSyntax

from regen_kg import build as pipeline
from regen_kg.context import build_context
from regen_kg.export import serialize
from regen_kg.rdfio import read_turtle

#: what a release holds beyond the records: blank nodes, lists, language tags, datatypes,
#: escapes and long strings
EDGE_CASES = b'''PREFIX ex: <http://example.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
ex:a ex:p [ ex:q ( ex:b 1 2.5 -3.0e2 true ) ] ;
    ex:label "caf\\u00e9 \\"quoted\\"\\n"@fr , """two
lines""" , "5"^^xsd:integer , "2024-01-01"^^xsd:date .
_:x ex:p _:x .
'''


def test_the_built_turtle_reads_as_with_rdflib(built: pipeline.Built, tmp_path: Path) -> None:
    text = serialize("ttl", built.graphs(inferred=False), build_context(built.loaded.ontology)).encode()
    (tmp_path / "regen-kg.ttl").write_bytes(text)
    fast = read_turtle(tmp_path / "regen-kg.ttl")
    reference = Graph().parse(data=text.decode(), format="turtle")
    assert len(fast) == len(reference) > 2_000
    assert isomorphic(fast, reference)
    assert isomorphic(read_turtle(text), reference)  # the bytes read as the file


def test_edge_cases_read_as_with_rdflib() -> None:
    fast = read_turtle(EDGE_CASES)
    assert isomorphic(fast, Graph().parse(data=EDGE_CASES.decode(), format="turtle"))
    assert Literal('café "quoted"\n', lang="fr") in set(fast.objects())
    assert Literal("5", datatype=namespace.XSD.integer) in set(fast.objects())


def test_an_explicit_xsd_string_reads_as_a_plain_literal() -> None:
    """RDF 1.1 makes them one term; rdflib keeps them apart. Both releases compared are read alike."""
    fast = read_turtle(
        b'<http://example.org/a> <http://example.org/p> "x"^^<http://www.w3.org/2001/XMLSchema#string> .'
    )
    assert set(fast.objects()) == {Literal("x")}


def test_what_oxigraph_refuses_is_read_by_rdflib() -> None:
    # a relative IRI with no base: Oxigraph refuses it, rdflib resolves it
    graph = read_turtle(b"<a> <http://example.org/p> <http://example.org/o> .")
    assert len(graph) == 1 and next(iter(graph.subjects())) != URIRef("http://example.org/a")
    with pytest.raises(BadSyntax):
        read_turtle(b"<http://example.org/a> <http://example.org/p> .")
