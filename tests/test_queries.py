"""The stored-query engine: catalogue headers, safe parameter binding, formats, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from regen_kg.catalogue import QUERY_BASE, catalogue_graph
from regen_kg.errors import InputError
from regen_kg.paths import ProjectPaths
from regen_kg.prefixes import SCHEMA, SH
from regen_kg.queries import (
    ParameterError,
    QueryResult,
    bind,
    check_syntax,
    load_catalogue,
    parse_query_file,
    run_query,
)
from regen_kg.results import render_rows
from regen_kg.store import GraphStore

from .conftest import ROOT

EXPECTED_NAMES = {
    "improved-outcome",
    "studies-by-cell-type",
    "mechanism-chains",
    "prp-vs-stem-cells",
    "synergy",
    "safety",
    "evidence-map",
    "evidence-gaps",
    "follow-up",
    "limitations",
    "mappings",
    "finding-provenance",
    "unverified-identifiers",
    "study-subgraph",
    "disagreements",
    "claim-support",
    "contested-questions",
}


@pytest.fixture(scope="module")
def catalogue(paths: ProjectPaths) -> dict:  # type: ignore[type-arg]
    return load_catalogue(paths)


def test_catalogue_has_every_competency_question(catalogue: dict) -> None:  # type: ignore[type-arg]
    assert set(catalogue) >= EXPECTED_NAMES
    for query in catalogue.values():
        assert query.title and query.question, f"{query.path} needs '# title:' and '# question:'"


def test_every_query_runs_with_its_defaults(catalogue: dict, store: GraphStore) -> None:  # type: ignore[type-arg]
    for query in catalogue.values():
        result = run_query(store, query)
        if query.form == "CONSTRUCT":
            assert result.graph is not None and len(result.graph) > 0, query.name
        elif query.name != "mappings":  # mappings are curated separately
            assert result.rows, f"{query.name} returned no rows with its defaults"


def test_parameters_are_bound_as_values_not_spliced(catalogue: dict) -> None:  # type: ignore[type-arg]
    query = catalogue["improved-outcome"]
    text = bind(query, {"outcome": "regen:Wrinkles"})
    assert "VALUES ?outcome { <https://w3id.org/regen-kg/ontology/Wrinkles> }" in text
    with pytest.raises(ParameterError, match="'outcome' expects an IRI"):
        bind(query, {"outcome": "} ; DROP ALL ; {"})
    with pytest.raises(ParameterError, match="no parameter 'nope'"):
        bind(query, {"nope": "x"})
    with pytest.raises(ParameterError, match="not a valid IRI"):
        bind(query, {"outcome": "http://x/> } INSERT {"})


def test_integer_parameter_type_is_checked(catalogue: dict) -> None:  # type: ignore[type-arg]
    query = catalogue["follow-up"]
    (param,) = [p for p in query.params if p.type in ("integer", "decimal")]
    with pytest.raises(ParameterError, match=param.name):
        bind(query, {param.name: "six"})


def test_curie_iri_and_angle_iri_bind_alike(catalogue: dict, store: GraphStore) -> None:  # type: ignore[type-arg]
    query = catalogue["improved-outcome"]
    a = run_query(store, query, {"outcome": "regen:SkinTexture"}).rows
    b = run_query(store, query, {"outcome": "https://w3id.org/regen-kg/ontology/SkinTexture"}).rows
    c = run_query(store, query, {"outcome": "<https://w3id.org/regen-kg/ontology/SkinTexture>"}).rows
    assert a == b == c and a


def test_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.rq"
    path.write_text(
        "# title: broken\nPREFIX regen: <https://w3id.org/regen-kg/ontology/>\nSELECT ?x WHERE {\n  ?x regen:outcome \n}\n"
    )
    with pytest.raises(InputError) as info:
        parse_query_file(path)
    assert info.value.location.path == path
    assert info.value.location.line in (4, 5)
    assert info.value.location.column is not None


@pytest.mark.parametrize("parser", ["oxigraph", "rdflib"])
def test_both_parsers_place_the_error(parser: str) -> None:
    """Oxigraph's parser checks the catalogue in a build; rdflib's checks a query about to run on
    rdflib. Both name the line and column of the error, in a message of one line."""
    text = (
        "PREFIX regen: <https://w3id.org/regen-kg/ontology/>\nSELECT ?x WHERE {\n  ?x regen:outcome ?o .\n  FILTER( }\n"
    )
    with pytest.raises(InputError) as info:
        check_syntax(text, "q.rq", parser=parser)
    assert info.value.location.line in (4, 5)  # the line of the error, or the end of the query just after it
    assert info.value.location.column is not None
    assert "SPARQL syntax error" in str(info.value) and "\n" not in str(info.value)
    assert len(str(info.value)) < 200
    check_syntax(text.replace("FILTER( }", "}"), "q.rq", parser=parser)  # the mended query passes


def test_an_undeclared_prefix_is_named_as_such() -> None:
    with pytest.raises(InputError, match="prefix is used but not declared"):
        check_syntax("SELECT * WHERE { ?s nope:thing ?o }", "q.rq")
    check_syntax("SELECT * WHERE { ?s regen:outcome ?o }", "q.rq")  # the project's prefixes are predeclared


def test_results_json_is_sparql_results_json(catalogue: dict, store: GraphStore) -> None:  # type: ignore[type-arg]
    result = run_query(store, catalogue["safety"])
    doc = json.loads(render_rows(result, "json"))
    assert doc["head"]["vars"] == result.vars
    first = doc["results"]["bindings"][0]
    assert all(v["type"] in ("uri", "literal", "bnode") for v in first.values())
    csv_text = render_rows(result, "csv")
    assert csv_text.splitlines()[0] == ",".join(result.vars)
    md = render_rows(result, "md")
    assert md.splitlines()[1].startswith("|---")


def test_the_table_draws_at_most_max_rows_and_says_how_many_there_are() -> None:
    rows: list[dict[str, str | None]] = [{"x": f"row-{i}"} for i in range(5)]
    terms: list[dict[str, Any]] = [{"x": Literal(row["x"])} for row in rows]
    result = QueryResult(form="SELECT", vars=["x"], rows=rows, terms=terms)
    cut = render_rows(result, "table", max_rows=2)
    assert "row-0" in cut and "row-1" in cut and "row-2" not in cut and "row-4" not in cut
    assert cut.rstrip().endswith("5 rows, the first 2 shown")
    for whole in (render_rows(result, "table"), render_rows(result, "table", max_rows=5)):
        assert all(f"row-{i}" in whole for i in range(5)) and whole.rstrip().endswith("5 row(s)")
    for fmt in ("tsv", "csv", "md", "json"):  # the other formats write every row
        assert render_rows(result, fmt, max_rows=2) == render_rows(result, fmt)
        assert "row-4" in render_rows(result, fmt, max_rows=2)


def test_catalogue_graph_describes_each_query(catalogue: dict) -> None:  # type: ignore[type-arg]
    g = catalogue_graph(catalogue.values())
    for query in catalogue.values():
        node = URIRef(QUERY_BASE + query.name)
        assert (node, RDF.type, SH.SPARQLExecutable) in g
        kind = SH.SPARQLConstructExecutable if query.form == "CONSTRUCT" else SH.SPARQLSelectExecutable
        assert (node, RDF.type, kind) in g
        text = g.value(node, SH.construct if query.form == "CONSTRUCT" else SH.select)
        assert str(text) == query.text  # the .rq file stays the single source
        assert g.value(node, RDFS.comment) is not None
        assert g.value(node, SCHEMA.target) is not None


def test_catalogue_is_in_the_served_dataset(store: GraphStore) -> None:
    rows = list(store.query("PREFIX sh: <http://www.w3.org/ns/shacl#> SELECT ?q WHERE { ?q a sh:SPARQLExecutable }"))
    assert len(rows) >= len(EXPECTED_NAMES)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "regen_kg.cli", "--root", str(ROOT), *args], capture_output=True, text=True, timeout=300
    )


def test_cli_lists_queries() -> None:
    out = cli("queries")
    assert out.returncode == 0
    assert ("studies-by-cell-type" in out.stdout and "cell_type" in out.stdout) or "studies-by-cell-type" in out.stdout


def test_cli_query_formats_and_bad_parameter() -> None:
    out = cli("query", "studies-by-cell-type", "--format", "tsv")
    assert out.returncode == 0, out.stderr
    assert "study:shin-2018" in out.stdout
    construct = cli("query", "study-subgraph", "--format", "ttl")
    assert construct.returncode == 0, construct.stderr
    assert len(Graph().parse(data=construct.stdout, format="turtle")) > 10
    bad = cli("query", "improved-outcome", "-p", "outcome=nope:thing")
    assert bad.returncode == 2 and "outcome" in bad.stderr
    missing = cli("query", "no-such-query")
    assert missing.returncode == 2


def test_cli_adhoc_query_with_predeclared_prefixes(tmp_path: Path) -> None:
    path = tmp_path / "mine.rq"
    path.write_text("SELECT ?s WHERE { ?s a regen:RandomizedControlledTrial } ORDER BY ?s\n")
    out = cli("query", "--file", str(path), "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = out.stdout.splitlines()[1:]
    # hand-written: the review's Kim 2016 (as described) and the five verified RCTs
    assert rows == [
        "study:charles-de-sa-2020",
        "study:kim-2016",
        "study:lee-2014",
        "study:liang-2022",
        "study:pincelli-2024",
        "study:willemsen-2018",
    ]
    broken = tmp_path / "broken.rq"
    broken.write_text("SELECT ?s WHERE {\n ?s a \n")
    out = cli("query", "--file", str(broken))
    assert out.returncode == 1 and "broken.rq:" in out.stderr
