"""The fast writers of regen_kg.export: they round-trip, match the former rdflib/pyld writers
(kept as ``reference_*``) and give the same bytes whatever the insertion order or blank-node labels."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib import namespace as ns
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from regen_kg import build as pipeline
from regen_kg import export, jsonld_compact
from regen_kg.bench import generate
from regen_kg.context import build_context
from regen_kg.prefixes import REGEN, prefix_map
from regen_kg.store import ONTOLOGY_GRAPH

EX = "http://example.org/x/"
#: the project's @context, as regen_kg.context builds it for the shipped ontology
Context = dict[str, Any]


def union(graphs: Iterable[Graph]) -> Graph:
    out = Graph()
    for graph in graphs:
        for triple in graph:
            out.add(triple)
    return out


def parse(text: str, fmt: str) -> Graph:
    return Graph().parse(data=text, format=fmt)


def same_graph(a: Graph, b: Graph) -> bool:
    """Isomorphic, language tags compared case-insensitively (as BCP 47 wants; rdflib's JSON-LD
    parser lowercases them)."""

    def lowered(graph: Graph) -> Graph:
        out = Graph()
        for s, p, o in graph:
            if isinstance(o, Literal) and o.language:
                o = Literal(str(o), lang=o.language.lower())
            out.add((s, p, o))
        return out

    return isomorphic(lowered(a), lowered(b))


def parse_dataset(text: str, fmt: str) -> Dataset:
    ds = Dataset()
    ds.parse(data=text, format=fmt)
    return ds


@pytest.fixture(scope="module")
def context(built: pipeline.Built) -> Context:
    return build_context(built.loaded.ontology)


@pytest.fixture(scope="module")
def asserted(built: pipeline.Built) -> Graph:
    return union(built.graphs(inferred=False).values())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> pipeline.Built:
    """A small generated corpus, built: more records, more shapes of data than the real one."""
    made = generate(24, seed=5, out=tmp_path_factory.mktemp("corpus") / "c")
    return pipeline.run(made.paths)


# --- round trips on the real data -------------------------------------------------------------


def test_turtle_round_trips_every_graph_of_the_build(built: pipeline.Built, asserted: Graph) -> None:
    graphs = {
        "asserted": asserted,
        "inferred": built.inferred,
        "queries": built.queries,  # multi-line SPARQL strings
        "shacl report": built.report.graph,
    }
    for name, graph in graphs.items():
        text = export.to_turtle(graph)
        assert isomorphic(parse(text, "turtle"), graph), name
    text = export.to_turtle(asserted)
    assert text.startswith("PREFIX ")
    assert 'regen:sampleSize "25"^^xsd:nonNegativeInteger ;' in text
    assert "regen:timeValue 1.0 ;" in text  # xsd:decimal, integer, double and boolean are written bare
    assert "    a owl:Class ;" in text
    assert "owl:intersectionOf (" in text  # RDF lists nested, not as rdf:first/rdf:rest
    # the ontology's blank nodes all nest: none is written with a (canonical, "cb...") label
    assert "rdf:first" not in text and not re.search(r"(^|\s)_:cb", text)


def test_serialize_ttl_is_the_union(built: pipeline.Built, asserted: Graph, context: Context) -> None:
    text = export.serialize("ttl", built.graphs(inferred=False), context)
    assert text == export.to_turtle(asserted)


def test_ntriples_round_trip_sorted_unique_and_match_the_reference(asserted: Graph) -> None:
    text = export.to_ntriples(asserted)
    lines = text.splitlines()
    assert lines == sorted(set(lines)) and len(lines) == len(asserted)
    assert isomorphic(parse(text, "nt"), asserted)
    # the former writer gave the same lines, except that it kept an explicit ^^xsd:string
    reference = export.reference_ntriples(asserted).replace(f"^^<{ns.XSD.string}>", "")
    assert text == "".join(sorted(set(reference.splitlines(keepends=True))))


def test_nquads_and_trig_hold_each_named_graph(built: pipeline.Built) -> None:
    graphs = built.graphs(inferred=True, queries=True)
    for fmt, text in (("nquads", export.to_nquads(graphs)), ("trig", export.to_trig(graphs))):
        ds = parse_dataset(text, fmt)
        names = {g.identifier for g in ds.graphs() if len(g)}
        assert names == {name for name, graph in graphs.items() if len(graph)}, fmt
        for name, graph in graphs.items():
            assert isomorphic(ds.graph(name), graph), (fmt, name)
    lines = export.to_nquads(graphs).splitlines()
    assert lines == sorted(set(lines))
    trig = export.to_trig(graphs)
    blocks = [line for line in trig.split("\n") if line.startswith("<") and line.endswith("> {")]
    assert blocks == [f"<{name}> {{" for name in sorted(graphs)]


def test_canonical_relabels_as_the_whole_graph_canonicalisation_did(built: pipeline.Built) -> None:
    ontology = built.graphs()[ONTOLOGY_GRAPH]
    assert any(isinstance(s, BNode) for s in ontology.subjects())
    assert set(export.canonical(ontology)) == set(export.reference_canonical(ontology))


# --- JSON-LD against pyld ---------------------------------------------------------------------


def test_jsonld_is_what_pyld_gives_on_the_real_data(asserted: Graph, context: Context) -> None:
    fast = export.to_jsonld(asserted, context)
    reference = export.reference_jsonld(asserted, context)
    assert json.loads(fast) == json.loads(reference)
    assert fast == reference  # and byte for byte: the same indentation and key order


def test_jsonld_is_what_pyld_gives_on_a_generated_corpus(corpus: pipeline.Built) -> None:
    context = build_context(corpus.loaded.ontology)
    for graphs in (corpus.graphs(inferred=False), corpus.graphs(inferred=True)):
        graph = union(graphs.values())
        fast = export.serialize("jsonld", graphs, context)
        assert json.loads(fast) == json.loads(export.reference_jsonld(graph, context))
        assert isomorphic(parse(fast, "json-ld"), graph)


def test_generated_corpus_round_trips_in_every_format(corpus: pipeline.Built) -> None:
    context = build_context(corpus.loaded.ontology)
    graphs = corpus.graphs(inferred=True, queries=True)
    graph = union(graphs.values())
    for fmt, rdflib_format in (("ttl", "turtle"), ("nt", "nt")):
        assert isomorphic(parse(export.serialize(fmt, graphs, context), rdflib_format), graph), fmt
    for fmt, rdflib_format in (("trig", "trig"), ("nq", "nquads")):
        ds = parse_dataset(export.serialize(fmt, graphs, context), rdflib_format)
        for name, named in graphs.items():
            assert isomorphic(ds.graph(name), named), (fmt, name)


# --- determinism ------------------------------------------------------------------------------


def shuffled(graph: Graph, seed: int) -> Graph:
    """The same graph, triples added in another order, blank nodes under other labels."""
    rng = random.Random(seed)
    labels: dict[Node, BNode] = {}

    def relabel(term: Node) -> Node:
        if isinstance(term, BNode):
            if term not in labels:
                labels[term] = BNode(f"x{rng.getrandbits(48):x}")
            return labels[term]
        return term

    triples = list(graph)
    rng.shuffle(triples)
    out = Graph()
    for s, p, o in triples:
        out.add((relabel(s), p, relabel(o)))
    assert set(labels.values()).isdisjoint(labels)  # every blank node really was renamed
    return out


WRITERS: dict[str, Callable[[Graph, Context], str]] = {
    "ttl": lambda g, c: export.to_turtle(g),
    "nt": lambda g, c: export.to_ntriples(g),
    "jsonld": export.to_jsonld,
    "trig": lambda g, c: export.to_trig({URIRef(EX + "g"): g}),
    "nq": lambda g, c: export.to_nquads({URIRef(EX + "g"): g}),
}


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_bytes_do_not_depend_on_insertion_order_or_blank_node_labels(
    fmt: str, asserted: Graph, context: Context
) -> None:
    write = WRITERS[fmt]
    first = write(asserted, context)
    for seed in (1, 2):
        assert write(shuffled(asserted, seed), context) == first


def test_bytes_do_not_depend_on_how_graphs_split_a_union(built: pipeline.Built, context: Context) -> None:
    graphs = built.graphs(inferred=False)
    whole = {URIRef(EX + "all"): union(graphs.values())}
    for fmt in ("ttl", "nt", "jsonld"):
        assert export.serialize(fmt, graphs, context) == export.serialize(fmt, whole, context), fmt


@pytest.mark.parametrize("fmt", ["ttl", "nt", "nq", "trig", "jsonld"])
def test_pieces_join_to_the_whole_text_whatever_their_size(
    fmt: str, built: pipeline.Built, context: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Big outputs are written a piece at a time; a repeat across two pieces is still dropped."""
    graphs = built.graphs(inferred=True)
    graphs[URIRef(EX + "again")] = built.loaded.data  # every record triple twice in the union
    whole = export.serialize(fmt, graphs, context)
    monkeypatch.setattr(export, "PIECE", 7)
    monkeypatch.setattr(jsonld_compact, "NODES_PER_PIECE", 7)
    small = list(export.pieces(fmt, graphs, context))
    assert "".join(small) == whole
    assert len(small) > 20
    assert max(map(len, small)) < len(whole) / 10
    if fmt == "nt":
        lines = whole.splitlines()
        assert (
            len(lines)
            == len(set(lines))
            == len(built.loaded.data | built.loaded.ontology | built.inferred | built.loaded.mappings)
        )


def test_a_union_writes_each_triple_once(asserted: Graph, context: Context) -> None:
    once = {URIRef(EX + "a"): asserted}
    copy = Graph()
    for triple in reversed(list(asserted)):  # the same triples, blank nodes included
        copy.add(triple)
    twice = {URIRef(EX + "a"): asserted, URIRef(EX + "b"): copy}
    for fmt in ("ttl", "nt", "jsonld"):
        assert export.serialize(fmt, twice, context) == export.serialize(fmt, once, context), fmt


def symmetric_graph() -> Graph:
    """Blank nodes nothing tells apart (automorphisms), and a cycle of single references."""
    g = Graph()
    for cls in ("A", "B"):
        for _ in range(2):
            restriction = BNode()
            g.add((URIRef(EX + cls), RDFS.subClassOf, restriction))
            g.add((restriction, RDF.type, OWL.Restriction))
            g.add((restriction, OWL.onProperty, URIRef(EX + "p")))
    loop_a, loop_b = BNode(), BNode()  # a cycle of single references: written labelled
    g.add((loop_a, URIRef(EX + "next"), loop_b))
    g.add((loop_b, URIRef(EX + "next"), loop_a))
    return g


def test_symmetric_blank_nodes_get_stable_output(context: Context) -> None:
    g = symmetric_graph()
    for fmt, write in WRITERS.items():
        first = write(g, context)
        assert all(write(shuffled(g, seed), context) == first for seed in range(4)), fmt
    assert isomorphic(parse(export.to_turtle(g), "turtle"), g)


SYMMETRIC_SCRIPT = """
import hashlib, json, sys
sys.path.insert(0, {tests!r})
from test_export import WRITERS, symmetric_graph
from regen_kg.context import build_context
from regen_kg.ontology import load_ontology
from regen_kg.paths import project_paths
context = build_context(load_ontology(project_paths()))
g = symmetric_graph()
print(json.dumps({{f: hashlib.sha256(w(g, context).encode()).hexdigest() for f, w in WRITERS.items()}}))
"""


def test_symmetric_blank_nodes_give_the_same_bytes_under_other_hash_seeds() -> None:
    """Set and dict orders of blank nodes change with PYTHONHASHSEED; the output must not."""
    script = SYMMETRIC_SCRIPT.format(tests=str(Path(__file__).parent))
    digests = []
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        digests.append(json.loads(done.stdout))
    assert digests[0] == digests[1] == digests[2]
    assert set(digests[0]) == set(WRITERS)


# --- tricky terms -----------------------------------------------------------------------------

TRICKY_STRINGS = [
    'say "hi"',
    'ends with a quote"',
    'three """ quotes and two ""',
    "back\\slash and ends with one\\",
    "line one\nline two\n",
    "\nstarts with a newline",
    "carriage\r\nreturn",
    "tab\there",
    "control \x01 \x08 \x0c \x1f \x7f characters",
    "unicode: é ß 中文 😀 \ufeff",
    "line breakers for str.splitlines: \x0b \x0c \x1c \x85 \u2028 \u2029",
    "",
    "'single' quotes",
    '"\n"',
]


#: characters str.splitlines() breaks lines at, which the former N-Triples writer (and so the pyld
#: reference) split literals at; the new writers keep them (raw, as canonical N-Triples wants)
LINE_BREAKERS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def tricky_graph(*, reference: bool = False) -> Graph:
    """Literals and IRIs that need escapes or cannot be CURIEs, and blank nodes in every position;
    ``reference``: only what the former writers handled (no line breakers in literals)."""
    g = Graph()
    s = URIRef(EX + "s")
    for i, text in enumerate(TRICKY_STRINGS):
        if reference and LINE_BREAKERS.search(text):
            continue
        g.add((s, URIRef(EX + f"string{i}"), Literal(text)))
        g.add((s, URIRef(EX + f"lang{i}"), Literal(text, lang="en")))
    for lang in ("en-GB", "de-CH-1996", "zh-Hant"):
        g.add((s, RDFS.label, Literal(f"label {lang}", lang=lang)))
    typed = [
        Literal(42),
        Literal(-7),
        Literal("0042", datatype=ns.XSD.integer),
        Literal("1.50", datatype=ns.XSD.decimal),
        Literal(".5", datatype=ns.XSD.decimal),
        Literal(1.5e10),
        Literal("1.0E-3", datatype=ns.XSD.double),
        Literal("INF", datatype=ns.XSD.double),
        Literal(True),
        Literal("2014", datatype=ns.XSD.gYear),
        Literal("not a number", datatype=ns.XSD.integer),
        Literal("x", datatype=URIRef(EX + "custom-type")),
        Literal('{"a":[1,2]}', datatype=RDF.JSON),
    ]
    for i, lit in enumerate(typed):
        g.add((s, REGEN.evidenceRank if i == 0 else URIRef(EX + f"typed{i}"), lit))
    # IRIs under a project prefix whose local name is not a safe PN_LOCAL, and IRIs under none
    for local in (*UNSAFE_LOCALS, ""):
        g.add((s, URIRef(EX + "link"), URIRef(str(REGEN) + local)))
    g.add((s, URIRef("urn:isbn:0451450523"), URIRef("tag:example.org,2024:x")))
    # blank nodes: nested, shared, in lists, empty list, propertyless
    shared, nested, empty = BNode(), BNode(), BNode()
    g.add((s, URIRef(EX + "shared"), shared))
    g.add((URIRef(EX + "t"), URIRef(EX + "shared"), shared))
    g.add((shared, RDFS.label, Literal("two references")))
    g.add((s, URIRef(EX + "nested"), nested))
    g.add((nested, URIRef(EX + "inner"), empty))
    head = BNode()
    Collection(g, head, [URIRef(EX + "one"), Literal("two"), nested, Literal(3)])
    g.add((s, OWL.unionOf, head))
    g.add((s, URIRef(EX + "empty"), RDF.nil))
    return g


UNSAFE_LOCALS = ("a/b", "-dash", "dot.", "per%20cent", "tilde~", "(paren)", "é", "q?x=1", "h#frag")


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_tricky_terms_round_trip(fmt: str, rdflib_format: str, context: Context) -> None:
    g = tricky_graph()
    text = export.serialize(fmt, {URIRef(EX + "g"): g}, context)
    assert same_graph(parse(text, rdflib_format), g)


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("trig", "trig"), ("nq", "nquads")])
def test_tricky_terms_round_trip_in_datasets(fmt: str, rdflib_format: str, context: Context) -> None:
    g = tricky_graph()
    name = URIRef(EX + "g")
    ds = parse_dataset(export.serialize(fmt, {name: g, URIRef(EX + "empty"): Graph()}, context), rdflib_format)
    assert isomorphic(ds.graph(name), g)


def test_tricky_terms_are_written_as_specified() -> None:
    g = tricky_graph()
    nt = export.to_ntriples(g)
    assert '"say \\"hi\\""' in nt
    assert '"line one\\nline two\\n"' in nt
    assert '"carriage\\r\\nreturn"' in nt
    assert '"tab\\there"' in nt
    assert '"control \\u0001 \\b \\f \\u001F \\u007F characters"' in nt
    assert '"unicode: é ß 中文 😀 \ufeff"' in nt  # UTF-8, not escaped
    assert '"line breakers for str.splitlines: \\u000B \\f \\u001C \x85 \u2028 \u2029"' in nt
    assert '"label de-CH-1996"@de-CH-1996' in nt
    assert '"2014"^^<http://www.w3.org/2001/XMLSchema#gYear>' in nt
    assert "XMLSchema#string" not in nt
    ttl = export.to_turtle(g)
    assert '"""line one\nline two\n"""' in ttl  # multi-line strings stay readable
    assert '"three \\"\\"\\" quotes and two \\"\\""' in ttl
    assert '""""\n\\""""' in ttl  # a quote next to the closing delimiter is escaped
    assert "regen:evidenceRank 42 ;" in ttl
    assert '"not a number"^^xsd:integer' in ttl
    for local in UNSAFE_LOCALS:
        assert f"<{REGEN}{local}>" in ttl, local
    assert "regen: ," in ttl or "regen: ;" in ttl  # the namespace itself, an empty local name
    assert "\n    owl:unionOf (\n" in ttl
    assert "PREFIX regen: <https://w3id.org/regen-kg/ontology/>" in ttl
    assert "PREFIX study:" not in ttl  # only the prefixes used


def test_characters_an_iri_may_not_hold_are_escaped() -> None:
    """rdflib accepts such IRIs (with a warning); the writers escape them so the output parses."""
    odd = [str(REGEN) + "a b<c>", EX + "{braces}|^`", EX + 'quote"back\\slash']
    g = Graph()
    for i, iri in enumerate(odd):
        g.add((URIRef(iri), RDFS.label, Literal(f"odd {i}", datatype=URIRef(iri))))
    nt = export.to_ntriples(g)
    assert "<https://w3id.org/regen-kg/ontology/a\\u0020b\\u003Cc\\u003E>" in nt
    for text, fmt in ((nt, "nt"), (export.to_turtle(g), "turtle")):
        back = parse(text, fmt)
        assert {(str(s), str(o), str(o.datatype)) for s, _, o in back} == {
            (iri, f"odd {i}", iri) for i, iri in enumerate(odd)
        }, fmt


def test_xsd_string_is_written_as_a_plain_literal() -> None:
    g = Graph()
    g.add((URIRef(EX + "s"), RDFS.label, Literal("typed", datatype=ns.XSD.string)))
    assert export.to_ntriples(g) == f'<{EX}s> <{RDFS.label}> "typed" .\n'
    assert '"typed" ;' in export.to_turtle(g)
    g.add((URIRef(EX + "s"), RDFS.label, Literal("typed")))  # the same RDF 1.1 term: written once
    assert export.to_ntriples(g) == f'<{EX}s> <{RDFS.label}> "typed" .\n'


def test_trig_keeps_multi_line_strings_intact() -> None:
    g = Graph()
    text = "SELECT *\nWHERE {\n    ?s ?p ?o\n}\n"
    g.add((URIRef(EX + "q"), RDFS.comment, Literal(text)))
    ds = parse_dataset(export.to_trig({URIRef(EX + "g"): g}), "trig")
    assert ds.graph(URIRef(EX + "g")).value(URIRef(EX + "q"), RDFS.comment) == Literal(text)


# --- JSON-LD corner cases against pyld --------------------------------------------------------


def lists_graph() -> Graph:
    """RDF lists pyld converts, half-converts or leaves alone."""
    g = Graph()
    s = URIRef(EX + "s")
    ok = BNode()
    Collection(g, ok, [REGEN.A, REGEN.B])
    g.add((s, OWL.intersectionOf, ok))
    strings = BNode()
    Collection(g, strings, [Literal("x"), Literal("y", lang="en")])
    g.add((s, URIRef(EX + "strings"), strings))
    coerced = BNode()  # a list of IRIs on a property coerced to @id
    Collection(g, coerced, [URIRef(str(REGEN) + "X"), URIRef("https://w3id.org/regen-kg/id/study/s1")])
    g.add((s, REGEN.hasArm, coerced))
    shared = BNode()  # referenced twice: not a list for pyld
    Collection(g, shared, [Literal(1)])
    g.add((s, URIRef(EX + "a"), shared))
    g.add((URIRef(EX + "t"), URIRef(EX + "b"), shared))
    extra = BNode()  # a list node with another property: the list stops there
    Collection(g, extra, [Literal(1), Literal(2)])
    g.add((extra, RDFS.label, Literal("not a list node")))
    g.add((s, URIRef(EX + "partial"), extra))
    g.add((s, REGEN.doi, RDF.nil))  # an empty list
    return g


def typed_list_node() -> Graph:
    """A list node saying ``rdf:type rdf:List``: pyld folds it into a @list (dropping the type)."""
    g = Graph()
    typed = BNode()
    Collection(g, typed, [Literal("x"), REGEN.A])
    g.add((typed, RDF.type, RDF.List))
    g.add((URIRef(EX + "s"), URIRef(EX + "typed"), typed))
    return g


def named_list_node() -> Graph:
    """An IRI with rdf:first/rdf:rest, referenced once: pyld folds it into a @list (losing the IRI)."""
    g = Graph()
    named = URIRef(EX + "named-list")
    g.add((named, RDF.first, Literal("n")))
    g.add((named, RDF.rest, RDF.nil))
    g.add((URIRef(EX + "s"), URIRef(EX + "named"), named))
    return g


JSONLD_GRAPHS: dict[str, Callable[[], Graph]] = {
    "tricky terms": lambda: tricky_graph(reference=True),
    "lists": lists_graph,
    "named list node": named_list_node,
    "typed list node": typed_list_node,
    "empty": Graph,
}
#: graphs pyld's own output does not describe faithfully
LOSSY = {"named list node", "typed list node"}


def single_node() -> Graph:
    g = Graph()
    g.add((URIRef("https://w3id.org/regen-kg/id/study/s1"), RDF.type, REGEN.Study))
    g.add((URIRef("https://w3id.org/regen-kg/id/study/s1"), REGEN.sampleSize, Literal(12)))
    return g


def nested_list() -> Graph:
    g = Graph()
    inner, outer = BNode(), BNode()
    Collection(g, inner, [Literal("a")])
    Collection(g, outer, [inner, Literal("b")])
    g.add((URIRef(EX + "s"), URIRef(EX + "p"), outer))
    return g


def coerced_values() -> Graph:
    """Values of every kind on properties the context coerces, or types as a plain term."""
    g = Graph()
    s = URIRef("https://w3id.org/regen-kg/id/arm/a1")
    g.add((s, REGEN.hasArm, Literal("a literal on an @id property")))
    g.add((s, REGEN.hasArm, URIRef("https://w3id.org/regen-kg/id/arm/a2")))
    g.add((s, REGEN.doi, URIRef("https://doi.org/10.1000/1")))
    g.add((s, REGEN.doi, Literal("10.1000/1")))
    g.add((s, REGEN.doi, Literal("ten", lang="en")))
    g.add((s, REGEN.doi, Literal("10", datatype=ns.XSD.integer)))
    g.add((s, RDF.type, REGEN.intervention))  # a class IRI that is also a term's IRI
    g.add((s, RDF.type, URIRef("https://w3id.org/regen-kg/ontology/")))
    g.add((s, RDF.type, Literal("a literal type")))
    g.add((s, URIRef("https://w3id.org/regen-kg/ontology/"), Literal("namespace as property")))
    g.add((s, URIRef("http://purl.obolibrary.org/obo/CL_0000134"), URIRef("http://purl.obolibrary.org/obo/UO_")))
    return g


JSONLD_GRAPHS |= {"single node": single_node, "nested list": nested_list, "coerced values": coerced_values}


@pytest.mark.parametrize("name", sorted(JSONLD_GRAPHS))
def test_jsonld_corner_cases_are_what_pyld_gives(name: str, context: Context) -> None:
    g = JSONLD_GRAPHS[name]()
    fast = export.to_jsonld(g, context)
    assert json.loads(fast) == json.loads(export.reference_jsonld(g, context))
    if name not in LOSSY:
        assert same_graph(parse(fast, "json-ld"), g)


def test_jsonld_with_a_context_outside_the_direct_subset_falls_back_to_pyld(context: Context) -> None:
    other = {"@context": {**context["@context"], "@vocab": "http://example.org/x/", "label": RDFS.label}}
    for make in (lists_graph, single_node):
        g = make()
        fast = export.to_jsonld(g, other)
        assert json.loads(fast) == json.loads(export.reference_jsonld(g, other))


def test_jsonld_uses_the_context(asserted: Graph, context: Context) -> None:
    doc = json.loads(export.to_jsonld(asserted, context))
    assert doc["@context"] == context["@context"]
    ids = [n["@id"] for n in doc["@graph"]]
    assert "study:lee-2014" in ids
    study = next(n for n in doc["@graph"] if n["@id"] == "study:lee-2014")
    arms = study["hasArm"] if isinstance(study["hasArm"], list) else [study["hasArm"]]
    assert arms and all(isinstance(a, str) and a.startswith("arm:") for a in arms)
    assert prefix_map()["regen"] == context["@context"]["regen"]["@id"]


def test_serialize_rejects_an_unknown_format(context: Context) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        export.serialize("xml", {}, context)


def test_empty_graphs() -> None:
    assert export.to_turtle(Graph()) == ""
    assert export.to_ntriples(Graph()) == ""
    assert export.to_nquads({URIRef(EX + "g"): Graph()}) == ""
    assert export.to_trig({URIRef(EX + "g"): Graph()}) == f"\n\n<{EX}g> {{\n}}\n"


# --- any string -------------------------------------------------------------------------------

ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT, lang=st.sampled_from(["", "en", "en-GB"]))
def test_any_string_round_trips(text: str, lang: str) -> None:
    literal = Literal(text, lang=lang or None)
    g = Graph()
    g.add((URIRef(EX + "s"), RDFS.label, literal))
    for fmt, written in (("nt", export.to_ntriples(g)), ("turtle", export.to_turtle(g))):
        assert parse(written, fmt).value(URIRef(EX + "s"), RDFS.label) == literal, (fmt, written)
