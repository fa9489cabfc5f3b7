"""The build cache: a rebuild after an edit equals a cold build, and reuses only what is unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from regen_kg import build as pipeline
from regen_kg.cache import BuildCache, digest, graph_key, project_cache
from regen_kg.errors import InputErrors
from regen_kg.paths import ProjectPaths

from .helpers import edit


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _records(paths: ProjectPaths) -> int:
    return len(paths.record_files())


def test_rebuild_after_an_edit_equals_a_cold_build(project_copy: ProjectPaths, tmp_path: Path) -> None:
    cache = project_cache(project_copy.root)
    pipeline.build(project_copy, tmp_path / "first", cache=cache)
    assert cache.hits["record"] == 0 and cache.misses["record"] == _records(project_copy)

    edit(project_copy.data / "studies" / "liang-2022.yaml", "sample_size: 30", "sample_size: 31")
    again = project_cache(project_copy.root)
    pipeline.build(project_copy, tmp_path / "incremental", cache=again)
    # every record but the edited one comes from the cache
    assert (again.hits["record"], again.misses["record"]) == (_records(project_copy) - 1, 1)
    pipeline.build(project_copy, tmp_path / "cold")

    incremental, cold = _files(tmp_path / "incremental"), _files(tmp_path / "cold")
    assert incremental == cold
    assert incremental != _files(tmp_path / "first")  # the edit did reach the outputs
    assert (
        b'<https://w3id.org/regen-kg/ontology/sampleSize> "31"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>'
        in cold["regen-kg-full.nt"]
    )


def test_an_ontology_change_invalidates_every_record(project_copy: ProjectPaths, tmp_path: Path) -> None:
    pipeline.run(project_copy, cache=project_cache(project_copy.root))
    ontology = project_copy.ontology / "regen.ttl"
    ontology.write_text(ontology.read_text(encoding="utf-8") + "\n# an edit\nregen:Study regen:x 1 .\n")
    after = project_cache(project_copy.root)
    pipeline.load(project_copy, after)
    assert after.hits["record"] == 0
    assert after.misses["record"] == _records(project_copy)


def test_errors_are_reported_as_without_a_cache(project_copy: ProjectPaths) -> None:
    pipeline.load(project_copy, project_cache(project_copy.root))
    edit(project_copy.data / "studies" / "lee-2014.yaml", "  - id: cm-microneedling", "  - id: Bad Id")
    with pytest.raises(InputErrors) as cached:
        pipeline.load(project_copy, project_cache(project_copy.root))
    with pytest.raises(InputErrors) as plain:
        pipeline.load(project_copy)
    assert str(cached.value) == str(plain.value)
    assert "lee-2014.yaml" in str(cached.value)


def test_a_broken_entry_is_recomputed(project_copy: ProjectPaths, tmp_path: Path) -> None:
    cache = project_cache(project_copy.root)
    pipeline.build(project_copy, tmp_path / "first", cache=cache)
    broken = sorted((cache.folder / "record").glob("*.bucket"))
    assert broken, "the first build left no cache entries"
    for path in broken:
        path.write_bytes(b"not a pickle")
    second = project_cache(project_copy.root)
    pipeline.build(project_copy, tmp_path / "second", cache=second)
    assert (second.hits["record"], second.misses["record"]) == (0, _records(project_copy))
    assert _files(tmp_path / "first") == _files(tmp_path / "second")


def test_cache_round_trip_and_keys(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "c")
    assert cache.get("k", "ab12") is None
    cache.put("k", "ab12", {"x": [1, 2]})
    assert cache.get("k", "ab12") == {"x": [1, 2]}
    assert (cache.hits["k"], cache.misses["k"]) == (1, 1)
    # length-prefixed parts: moving a boundary changes the key
    assert digest("ab", "c") != digest("a", "bc")


def test_buckets_hold_many_entries_and_drop_what_the_build_no_longer_uses(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "c")
    first = {"ab01": 1, "ab02": [2], "cd03": "three"}
    cache.put_many("k", first)
    assert sorted(p.name for p in (tmp_path / "c" / "k").iterdir()) == ["ab.bucket", "cd.bucket"]
    assert cache.get_many("k", ["ab01", "ab02", "cd03", "ef04"]) == first
    assert (cache.hits["k"], cache.misses["k"]) == (3, 1)
    # a new entry in bucket "ab", with ab02 no longer in use: ab02 goes, the untouched bucket stays
    cache.put_many("k", {"ab05": 5}, keep={"ab01", "ab05", "cd03"})
    assert cache.get_many("k", ["ab01", "ab02", "ab05", "cd03"]) == {"ab01": 1, "ab05": 5, "cd03": "three"}
    # a broken bucket reads as misses, and is written anew on the next put
    (tmp_path / "c" / "k" / "cd.bucket").write_bytes(b"\x80garbage")
    assert cache.get_many("k", ["cd03"]) == {}
    cache.put_many("k", {"cd06": 6})
    assert cache.get_many("k", ["cd06"]) == {"cd06": 6}


def test_graph_key_ignores_blank_node_labels_but_not_structure() -> None:
    from rdflib import BNode, Graph, Literal, URIRef

    p, q = URIRef("urn:p"), URIRef("urn:q")

    def graph(first: BNode, second: BNode, swap: bool) -> Graph:
        g = Graph()
        g.add((URIRef("urn:s"), p, first))
        g.add((URIRef("urn:s"), p, second))
        g.add((first, q, Literal("a" if not swap else "b")))
        g.add((second, q, Literal("b" if not swap else "a")))
        g.add((first, p, URIRef("urn:x")))
        return g

    same = graph(BNode("one"), BNode("two"), False), graph(BNode("three"), BNode("four"), False)
    assert graph_key(same[0]) == graph_key(same[1])
    # the same lines once blank nodes are ignored, but a different graph
    assert graph_key(graph(BNode(), BNode(), False)) != graph_key(graph(BNode(), BNode(), True))


def test_program_key_follows_library_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    """An upgraded rdflib (say) may parse or write differently: cached results are not reused."""
    import importlib.metadata

    from regen_kg.cache import program_key

    program_key.cache_clear()
    before = program_key()
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "99.0" if name == "rdflib" else real(name))
    program_key.cache_clear()
    try:
        assert program_key() != before
    finally:
        monkeypatch.undo()
        program_key.cache_clear()
    assert program_key() == before


def test_entries_read_back_share_their_iris(tmp_path: Path) -> None:
    """Equal IRIs of different entries come back as one object (found by identity in the
    reasoner's dictionaries); literals and blank nodes come back equal, as pickled."""
    from rdflib import BNode, Literal, URIRef

    cache = BuildCache(tmp_path)
    p = URIRef("https://w3id.org/regen-kg/ontology/outcome")
    cache.put_many(
        "record",
        {
            "aa1": [(URIRef("http://example.org/a"), p, Literal("1.50", datatype=URIRef("http://x/d")))],
            "ab2": [(URIRef("http://example.org/b"), URIRef(str(p)), BNode("n1"))],
        },
    )
    cache.put("single", "cc3", (URIRef(str(p)),))
    found = cache.get_many("record", ["aa1", "ab2"])
    (s1, p1, o1), (s2, p2, o2) = found["aa1"][0], found["ab2"][0]
    (p3,) = cache.get("single", "cc3")
    assert p1 == p and p1 is p2 is p3
    assert type(p1) is URIRef and type(s1) is URIRef and s1 != s2
    assert o1 == Literal("1.50", datatype=URIRef("http://x/d")) and str(o1) == "1.50"
    assert o2 == BNode("n1")


def test_literals_come_back_as_rdflib_makes_them_without_parsing_again(tmp_path: Path) -> None:
    """A literal read from the cache has the lexical form, language, datatype, value and
    well-typedness rdflib gives it, for every kind the records hold and an ill-typed one. Equal
    literals read back are one object, and so is each datatype IRI."""
    import pickle

    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    from regen_kg import cache as cache_module

    literals = [
        Literal("Lee 2014"),
        Literal("skin elasticity", lang="en"),
        Literal("30", datatype=XSD.nonNegativeInteger),
        Literal("-1", datatype=XSD.integer),
        Literal("2.50", datatype=XSD.decimal),
        Literal("1.5E0", datatype=XSD.double),
        Literal("true", datatype=XSD.boolean),
        Literal("2014-03-01", datatype=XSD.date),
        Literal("2014", datatype=XSD.gYear),
        Literal("https://pubmed.ncbi.nlm.nih.gov/1/", datatype=XSD.anyURI),
        Literal("twenty", datatype=XSD.integer),  # ill-typed: no value
        Literal("x", datatype=URIRef("http://example.org/own-datatype")),
    ]
    assert literals[10].ill_typed and literals[10].value is None
    cache = BuildCache(tmp_path)
    cache.put_many("record", {"aa1": literals})
    found = cache.get_many("record", ["aa1"])["aa1"]
    again = pickle.loads(cache_module.dumps(literals))
    for before, after in zip(literals, found, strict=True):
        assert type(after) is Literal
        assert (str(after), after.language, after.datatype, after.ill_typed) == (
            str(before),
            before.language,
            before.datatype,
            before.ill_typed,
        )
        assert after.value == before.value and type(after.value) is type(before.value), str(before)
        assert after == before and hash(after) == hash(before)
    assert found[3].datatype is again[3].datatype is found[10].datatype  # one object per IRI
    assert all(a is b for a, b in zip(found, again, strict=True))  # and per literal
    # each of them is read back by the cache's own function, not by rdflib's parsing constructor
    assert all(cache_module._reduce_literal(literal)[0] is cache_module._literal for literal in literals)
