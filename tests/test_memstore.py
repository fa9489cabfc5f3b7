"""The light working store answers every triple pattern as rdflib's default store does."""

from __future__ import annotations

from collections import Counter
from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import RDF, BNode, Graph, Literal, URIRef

from regen_kg.memstore import SMALL, TripleStore, add_all, instance_counts, new_graph, plain_copy, tally, union_size

NODES = [URIRef(f"http://example.org/n{i}") for i in range(4)] + [BNode("b0"), Literal("x"), Literal(1)]
SUBJECTS = NODES[:5]
PREDICATES = NODES[:3]
triples = st.tuples(st.sampled_from(SUBJECTS), st.sampled_from(PREDICATES), st.sampled_from(NODES))


def patterns() -> list[tuple[object, object, object]]:
    return list(product([None, *SUBJECTS], [None, *PREDICATES], [None, *NODES]))


@settings(max_examples=60, deadline=None)
@given(
    adds=st.lists(triples, max_size=30),
    removes=st.lists(st.tuples(*(st.sampled_from([None, n]) for n in (NODES[0], NODES[1], NODES[5]))), max_size=3),
    bulk=st.booleans(),
)
def test_every_pattern_matches_the_default_store(adds, removes, bulk):
    reference, light = Graph(), new_graph()
    for t in adds:
        reference.add(t)
    if bulk:
        add_all(light, adds)
    else:
        for t in adds:
            light.add(t)
    list(light.triples((None, NODES[0], None)))  # build a secondary index before removing
    for pattern in removes:
        reference.remove(pattern)
        light.remove(pattern)
    assert len(light) == len(reference)
    for pattern in patterns():
        assert sorted(light.triples(pattern)) == sorted(reference.triples(pattern)), pattern
    assert set(light) == set(reference)


def test_adding_after_an_index_was_built_keeps_it_current():
    g = new_graph()
    a, b, c = NODES[:3]
    g.add((a, b, c))
    assert list(g.subjects(b, c)) == [a]  # builds the predicate index
    assert list(g.subjects(None, c)) == [a]  # and the object index
    g.add((b, b, c))
    add_all(g, [(c, b, c)])  # bulk add drops the secondary indexes
    assert sorted(g.subjects(b, c)) == sorted([a, b, c])
    g.add((a, a, a))
    assert sorted(g.subjects(None, a)) == [a]
    assert len(g) == 4
    assert (a, a, a) in g and (c, c, c) not in g


def test_the_graph_can_change_while_it_is_read():
    g = new_graph()
    a, b, c = NODES[:3]
    g.add((a, b, c))
    for s, p, o in g:
        g.add((o, p, s))
        g.remove((s, p, o))
    assert set(g) == {(c, b, a)}


def test_duplicates_are_counted_once():
    g = new_graph()
    t = (NODES[0], NODES[1], NODES[2])
    add_all(g, [t, t])
    g.add(t)
    g += Graph().add(t)
    assert len(g) == 1


def test_plain_copy_keeps_triples_and_prefixes_on_the_default_store():
    g = new_graph()
    g.bind("ex", "http://example.org/")
    g.add((NODES[0], NODES[1], Literal("x", lang="en")))
    copy = plain_copy(g)
    assert not isinstance(copy.store, TripleStore)
    assert set(copy) == set(g)
    assert dict(copy.namespaces())["ex"] == URIRef("http://example.org/")
    plain = Graph()
    assert plain_copy(plain) is plain


@settings(max_examples=40, deadline=None)
@given(
    adds=st.lists(
        st.tuples(st.sampled_from(SUBJECTS), st.sampled_from([*PREDICATES, RDF.type]), st.sampled_from(NODES)),
        max_size=30,
    )
)
def test_tally_counts_the_same_on_both_stores(adds):
    light, reference = new_graph(), Graph()
    for t in adds:
        light.add(t)
        reference.add(t)
    counted = tally(light)
    assert counted == tally(reference)
    assert counted.triples == len(set(adds))
    assert counted.subjects == len({s for s, _, _ in set(adds)})
    assert counted.classes == Counter(o for _, p, o in set(adds) if p == RDF.type)


@settings(max_examples=40, deadline=None)
@given(first=st.lists(triples, max_size=20), second=st.lists(triples, max_size=20))
def test_merging_graphs_gives_their_union(first, second):
    a, b = new_graph(), new_graph()
    add_all(a, first)
    add_all(b, second)
    list(a.triples((None, NODES[0], None)))  # a secondary index that the merge must not leave stale
    add_all(a, b)
    assert set(a) == set(first) | set(second)
    assert len(a) == len(set(first) | set(second))
    assert sorted(a.triples((None, NODES[0], None))) == sorted(t for t in set(first) | set(second) if t[1] == NODES[0])
    assert set(b) == set(second)  # the source is untouched
    fresh = (NODES[4], NODES[0], URIRef("http://example.org/fresh"))
    b.add(fresh)  # the merge copied the sets: a later change to the source does not leak
    assert fresh not in a


@settings(max_examples=40, deadline=None)
@given(parts=st.lists(st.lists(triples, max_size=15), min_size=1, max_size=3))
def test_tally_of_several_graphs_is_the_tally_of_their_union(parts):
    graphs = []
    for i, part in enumerate(parts):
        graph = new_graph() if i == 0 else Graph()  # the first light, the others on the default store
        for t in part:
            graph.add(t)
        graphs.append(graph)
    whole = Graph()
    for part in parts:
        for t in part:
            whole.add(t)
    assert tally(*graphs) == tally(whole)
    assert union_size(*graphs) == len(whole)


MANY = [URIRef(f"http://example.org/o{i}") for i in range(3 * SMALL)]
wide = st.tuples(st.sampled_from(SUBJECTS[:2]), st.sampled_from(PREDICATES[:1]), st.sampled_from(MANY))


@settings(max_examples=60, deadline=None)
@given(
    first=st.lists(wide, max_size=4 * SMALL),
    second=st.lists(wide, max_size=4 * SMALL),
    removed=st.lists(st.sampled_from(MANY), max_size=SMALL),
)
def test_leaves_past_the_small_size_behave_like_sets(first, second, removed):
    """A (subject, predicate) with more than SMALL objects switches from a tuple to a set."""
    a, b = new_graph(), new_graph()
    add_all(a, first)
    for t in second:
        b.add(t)
    add_all(a, b)
    expected = set(first) | set(second)
    for o in removed:
        a.remove((None, None, o))
        expected = {t for t in expected if t[2] != o}
    assert set(a) == expected and len(a) == len(expected)
    for s, o in product(SUBJECTS[:2], MANY[:SMALL]):
        assert ((s, PREDICATES[0], o) in a) == ((s, PREDICATES[0], o) in expected)
    assert sorted(a.objects(SUBJECTS[0], PREDICATES[0])) == sorted(o for s, _, o in expected if s == SUBJECTS[0])
    assert set(b) == set(second)  # the source is untouched


@settings(max_examples=40, deadline=None)
@given(
    adds=st.lists(
        st.tuples(st.sampled_from(SUBJECTS), st.sampled_from([RDF.type, PREDICATES[0]]), st.sampled_from(NODES))
    )
)
def test_instance_counts_count_rdf_type_objects(adds):
    light, reference = new_graph(), Graph()
    add_all(light, adds)
    for t in adds:
        reference.add(t)
    expected = Counter(o for _, p, o in set(adds) if p == RDF.type)
    assert instance_counts(light) == expected
    assert instance_counts(reference) == expected
