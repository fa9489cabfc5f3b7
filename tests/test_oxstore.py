"""The Oxigraph backend answers the stored queries as the rdflib store does (numbers compared by
value: Oxigraph keeps literals by value, in canonical form and with integer subtypes as xsd:integer)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from regen_kg import build as pipeline
from regen_kg.paths import ProjectPaths
from regen_kg.queries import QueryResult, load_catalogue, run_query
from regen_kg.store import open_store

#: the numeric datatypes of XSD that the project's data and queries use
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {
    URIRef(XSD + t) for t in ("integer", "nonNegativeInteger", "positiveInteger", "int", "decimal", "double", "float")
}


def normal(value: str | None) -> str | None:
    """Oxigraph stores numbers by value ("9.00" reads back as "9") and concatenates in another order
    (SPARQL leaves the order of GROUP_CONCAT unspecified). An empty GROUP_CONCAT is "" on both: the
    stored queries wrap it in COALESCE, as Oxigraph leaves it unbound."""
    if value is None:
        return None
    try:
        return str(Decimal(value).normalize())
    except InvalidOperation:
        return "; ".join(sorted(value.split("; ")))


def by_value(graph: Graph) -> Graph:
    """``graph`` with each number and boolean written by value: Oxigraph stores literals by value, so
    it returns a derived integer type as xsd:integer ("28"^^xsd:nonNegativeInteger as "28"^^xsd:integer)
    and a decimal in canonical form ("2.0" as "2"); rdflib returns them as stored."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype in NUMERIC:
            o = Literal(str(Decimal(str(o)).normalize()), datatype=URIRef(XSD + "decimal"))
        elif isinstance(o, Literal) and o.datatype == URIRef(XSD + "boolean"):
            o = Literal(o.toPython())
        out.add((s, p, o))
    return out


def rows(result: QueryResult) -> list[tuple[tuple[str, str | None], ...]]:
    return sorted((tuple(sorted((k, normal(v)) for k, v in row.items())) for row in result.rows), key=str)


def test_open_store_selects_oxigraph(built: pipeline.Built) -> None:
    store = built.store("oxigraph")
    assert type(store).__name__ == "OxigraphStore"
    assert type(open_store("rdflib")).__name__ == "MemoryStore"


def assert_same_answers(paths: ProjectPaths, built: pipeline.Built) -> None:
    """Every stored query gives the same rows (or the same graph) on Oxigraph as on rdflib."""
    from rdflib.compare import isomorphic

    memory, oxigraph = built.store("memory"), built.store("oxigraph")
    for name, query in load_catalogue(paths).items():
        expected, got = run_query(memory, query), run_query(oxigraph, query)
        assert got.form == expected.form, name
        if expected.form == "SELECT":
            assert got.vars == expected.vars, name
            assert rows(got) == rows(expected), name
        elif expected.graph is not None:
            assert got.graph is not None and isomorphic(by_value(got.graph), by_value(expected.graph)), name


def test_same_answers_to_every_stored_query(paths: ProjectPaths, built: pipeline.Built) -> None:
    assert_same_answers(paths, built)


def test_same_answers_on_a_generated_corpus(tmp_path: Path) -> None:
    """On a generated corpus (many studies, claims and findings, every kind of intervention), where
    the queries group, count and pair far more statements than in the curated records."""
    from regen_kg.bench import generate

    corpus = generate(30, seed=7, out=tmp_path / "corpus")
    built = pipeline.run(corpus.paths)
    assert len(built.graphs()) > 0
    assert_same_answers(corpus.paths, built)


def test_ask_and_bindings(built: pipeline.Built) -> None:
    from rdflib import URIRef

    from regen_kg.prefixes import REGEN

    store = built.store("oxigraph")
    assert store.query("ASK { ?s a regen:Study }").askAnswer is True
    result = store.query("SELECT ?s WHERE { ?s a ?c }", {"c": REGEN.RandomizedControlledTrial})
    assert URIRef("https://w3id.org/regen-kg/id/study/lee-2014") in {row[0] for row in result}  # type: ignore[index]


def test_loading_keeps_blank_node_labels_and_falls_back_term_by_term() -> None:
    import pyoxigraph as ox
    from rdflib import BNode, Graph, Literal, URIRef

    from regen_kg.oxstore import load_triples

    a, p, q = URIRef("http://example.org/a"), URIRef("http://example.org/p"), URIRef("http://example.org/q")
    graph = Graph()
    graph.add((a, p, BNode("keepme")))
    graph.add((a, q, Literal("two\nlines", lang="en")))
    store = ox.Store()
    load_triples(store, graph, URIRef("http://example.org/g"))
    assert sorted(str(quad) for quad in store) == [
        "<http://example.org/a> <http://example.org/p> _:keepme <http://example.org/g>",
        '<http://example.org/a> <http://example.org/q> "two\\nlines"@en <http://example.org/g>',
    ]
    graph.add((URIRef("http://example.org/a b"), p, Literal(1)))  # the parser refuses it; so does a term
    with pytest.raises(ValueError, match="Invalid IRI"):
        load_triples(ox.Store(), graph)


def test_loading_in_chunks_loads_every_triple(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyoxigraph as ox
    from rdflib import Graph, Literal, URIRef

    from regen_kg import oxstore

    graph = Graph()
    for i in range(25):
        graph.add((URIRef(f"http://example.org/s{i}"), URIRef("http://example.org/p"), Literal(i)))
    monkeypatch.setattr(oxstore, "LOAD_CHUNK", 4)  # 25 lines: six full chunks and one of one line
    store = ox.Store()
    oxstore.load_triples(store, graph)
    assert len(store) == 25
    assert {str(q.subject) for q in store} == {f"<http://example.org/s{i}>" for i in range(25)}


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", True),
        ("select * from named <http://example.org/g> where { graph ?g { ?s ?p ?o } }", True),
        ("SELECT * FROM regen:g WHERE { ?s ?p ?o }", True),
        ("SELECT * WHERE { ?s ?p ?o } # taken FROM <http://example.org/g>", False),
        ('SELECT * WHERE { ?s ?p "FROM <x>" }', False),
        ("SELECT * WHERE { ?s ?p '''it's FROM\n<x>''' }", False),
        ("SELECT * WHERE { ?s <http://example.org/FROM> ?o }", False),
        ("SELECT * WHERE { ?s ex:FROM ?o . ?FROM ?p ?o }", False),
    ],
)
def test_a_from_clause_is_told_from_the_word_elsewhere(query: str, named: bool) -> None:
    from regen_kg.oxstore import names_its_dataset

    assert names_its_dataset(query) is named


def test_from_names_the_default_graph_instead_of_the_union() -> None:
    from rdflib import Graph, Literal, URIRef

    from regen_kg.oxstore import OxigraphStore

    p = URIRef("http://example.org/p")
    small, large = Graph(), Graph()
    small.add((URIRef("http://example.org/a"), p, Literal("a")))
    for n in range(3):
        large.add((URIRef(f"http://example.org/b{n}"), p, Literal("b")))
    store = OxigraphStore()
    store.load({URIRef("http://example.org/small"): small, URIRef("http://example.org/large"): large})
    count = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"

    def counted(dataset: str) -> int:
        row = next(iter(store.query(count.format(dataset))))
        return int(row[0])  # type: ignore[index]

    assert counted("") == 4  # the union of the named graphs
    assert counted("FROM <http://example.org/small>") == 1


def test_folded_ranges_are_the_integer_subtypes_the_ontology_declares(paths: ProjectPaths) -> None:
    from regen_kg.ontology import load_ontology
    from regen_kg.oxstore import folded_ranges

    regen = "https://w3id.org/regen-kg/ontology/"
    assert folded_ranges(load_ontology(paths)) == {
        URIRef(regen + "sampleSize"): URIRef(XSD + "nonNegativeInteger"),
        URIRef(regen + "completedCount"): URIRef(XSD + "nonNegativeInteger"),
    }
