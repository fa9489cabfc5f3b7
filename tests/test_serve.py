"""The HTTP server: SPARQL protocol, safety limits, content negotiation, and publishing."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from SPARQLWrapper import CSV, JSON, XML, SPARQLWrapper

from regen_kg import build as pipeline
from regen_kg.paths import ProjectPaths
from regen_kg.prefixes import GRAPH, REGEN
from regen_kg.publish import Target, publish
from regen_kg.queries import load_catalogue, run_query
from regen_kg.store import DATA_GRAPH, GraphStore, open_store

from .oxigraph_server import oxigraph
from .test_endpoint import rows as normal_rows

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def http(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None
) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("content-type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("content-type", ""), exc.read()


def sparql(server: str, query: str, accept: str = "application/sparql-results+json") -> tuple[int, str, bytes]:
    return http(f"{server}/sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})


def test_stored_queries_through_sparqlwrapper_match_the_cli(
    server: str, store: GraphStore, paths: ProjectPaths
) -> None:
    remote = open_store(f"sparql:{server}/sparql")
    for query in load_catalogue(paths).values():
        local, far = run_query(store, query), run_query(remote, query)
        if query.form == "CONSTRUCT":
            assert far.graph is not None and len(far.graph) == len(local.graph or [])
        else:
            assert normal_rows(far) == normal_rows(local), query.name


@pytest.mark.parametrize(("fmt", "marker"), [(JSON, b'"bindings"'), (XML, b"<sparql"), (CSV, b"study\r\n")])
def test_result_formats(server: str, fmt: str, marker: bytes) -> None:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(
        "PREFIX regen: <https://w3id.org/regen-kg/ontology/> SELECT ?study WHERE { ?study a regen:PilotStudy }"
    )
    client.setReturnFormat(fmt)
    raw = client.query().response.read()
    assert marker in raw


def test_ask_is_answered_in_json_or_xml_only(server: str) -> None:
    """CSV and TSV are result formats of SELECT only: an ASK asked in them gets 406 naming the
    formats it can have, and its answer in the next type the client accepts."""
    query = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
    status, _, data = http(f"{server}/sparql?{query}", headers={"Accept": "text/csv"})
    assert status == 406 and b"application/sparql-results+json" in data and b"text/csv" in data
    status, ctype, data = http(
        f"{server}/sparql?{query}", headers={"Accept": "text/csv, application/sparql-results+xml;q=0.5"}
    )
    assert status == 200 and ctype.startswith("application/sparql-results+xml") and b"<boolean>true" in data


def test_post_forms_and_tsv(server: str) -> None:
    body = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}).encode()
    status, ctype, data = http(
        f"{server}/sparql", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 200 and json.loads(data)["boolean"] is True
    status, ctype, data = http(
        f"{server}/sparql",
        data=b"SELECT ?s WHERE { ?s a <https://w3id.org/regen-kg/ontology/Review> }",
        headers={"Content-Type": "application/sparql-query", "Accept": "text/tab-separated-values"},
    )
    assert status == 200 and ctype.startswith("text/tab-separated-values")
    assert data.decode().splitlines() == ["?s", "<https://w3id.org/regen-kg/id/publication/source-review>"]


def test_construct_in_turtle_ntriples_and_jsonld(server: str) -> None:
    q = "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t . FILTER(?s = <https://w3id.org/regen-kg/id/study/lee-2014>) }"
    for accept, fmt in (("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld")):
        status, ctype, data = sparql(server, q, accept)
        assert status == 200 and ctype.startswith(accept)
        g = Graph().parse(data=data, format=fmt)
        assert (URIRef("https://w3id.org/regen-kg/id/study/lee-2014"), RDF.type, REGEN.RandomizedControlledTrial) in g


def test_service_description(server: str) -> None:
    status, _, data = http(f"{server}/sparql", headers={"Accept": "text/turtle"})
    assert status == 200
    g = Graph().parse(data=data, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (URIRef(f"{server}/sparql"), RDF.type, URIRef(sd + "Service")) in g
    assert (None, URIRef(sd + "name"), GRAPH.inferred) in g


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403),
        ("DROP ALL", 403),
        ("LOAD <http://example.org/data.ttl>", 403),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 403),
        ("SELECT * FROM <http://example.org/remote.ttl> WHERE { ?s ?p ?o }", 403),
        ("SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }", 403),
        ("SELECT * WHERE { ?s ?p ", 400),
        ("SELEKT ?s WHERE { ?s ?p ?o }", 400),
    ],
)
def test_refused_queries(server: str, query: str, status: int) -> None:
    got, _, body = sparql(server, query)
    assert got == status, body
    assert body.strip()


def test_update_through_the_protocol_is_refused(server: str) -> None:
    for headers, data in (
        ({"Content-Type": "application/sparql-update"}, b"DROP ALL"),
        ({"Content-Type": "application/x-www-form-urlencoded"}, b"update=DROP%20ALL"),
    ):
        status, _, body = http(f"{server}/sparql", data=data, headers=headers)
        assert status == 403 and b"read-only" in body
    # the data is still there
    status, _, data = sparql(server, "ASK { ?s a <https://w3id.org/regen-kg/ontology/Study> }")
    assert json.loads(data)["boolean"] is True


def test_served_from_clause_is_allowed(server: str) -> None:
    status, _, data = sparql(server, f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH.mappings}> WHERE {{ ?s ?p ?o }}")
    assert status == 200 and json.loads(data)["results"]["bindings"][0]["n"]["value"] == "92"


def test_slow_query_is_stopped_while_others_are_served(server: str) -> None:
    outcome: dict[str, object] = {}

    def slow() -> None:
        start = time.monotonic()
        outcome["slow"] = sparql(server, SLOW)[0]
        outcome["slow_seconds"] = time.monotonic() - start

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)
    start = time.monotonic()
    status, _, data = sparql(server, "ASK { ?s a <https://w3id.org/regen-kg/ontology/Finding> }")
    quick = time.monotonic() - start
    thread.join(30)
    assert status == 200 and json.loads(data)["boolean"] is True
    assert quick < 2.0  # answered while the slow one was still running
    assert outcome["slow"] == 408
    assert 1.5 < float(outcome["slow_seconds"]) < 10  # type: ignore[arg-type]


def test_result_size_limit(server: str) -> None:
    status, _, body = sparql(server, "SELECT * WHERE { ?s ?p ?o VALUES ?k { 1 2 } }")
    assert status == 413 and b"5000" in body


@pytest.mark.parametrize(
    ("path", "label"),
    [("/id/study/lee-2014", "Lee 2014"), ("/ontology/MesenchymalStemCell", "mesenchymal stem cell")],
)
def test_content_negotiation_of_our_iris(server: str, path: str, label: str) -> None:
    iri = URIRef("https://w3id.org/regen-kg/" + path.lstrip("/"))
    status, ctype, html = http(server + path, headers={"Accept": "text/html"})
    assert status == 200 and ctype.startswith("text/html") and label in html.decode()
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld")):
        status, ctype, data = http(server + path, headers={"Accept": accept})
        assert status == 200 and ctype.startswith(accept)
        g = Graph().parse(data=data, format=fmt)
        assert (iri, None, None) in g


def test_a_record_read_through_its_iri_has_the_terms_of_the_build(server: str, built: pipeline.Built) -> None:
    """Every triple the build states about a study comes back when its IRI is dereferenced, with
    its terms as the records state them: the sample size as xsd:nonNegativeInteger, although the
    store keeps it as xsd:integer."""
    from rdflib.namespace import XSD

    iri = URIRef("https://w3id.org/regen-kg/id/study/liang-2022")
    status, _, data = http(server + "/id/study/liang-2022", headers={"Accept": "application/n-triples"})
    assert status == 200
    served = set(Graph().parse(data=data, format="nt"))
    stated = {t for t in built.graphs(inferred=False)[DATA_GRAPH].triples((iri, None, None))}
    assert len(stated) > 10
    assert stated <= served, stated - served
    sample = URIRef("https://w3id.org/regen-kg/ontology/sampleSize")
    assert (iri, sample, Literal("30", datatype=XSD.nonNegativeInteger)) in served
    assert (iri, sample, Literal("30", datatype=XSD.integer)) not in served


def test_study_page_shows_the_evidence(server: str) -> None:
    _, _, html = http(server + "/id/study/kim-2016", headers={"Accept": "text/html"})
    page = html.decode()
    for words in (
        "randomized controlled trial",
        "not found in the literature",
        "unverified secondary report",
        "claim",
        "skin elasticity",
        "intervention superior to comparator",
        "paracrine signalling",
    ):
        assert words in page, words


def test_class_page_shows_hierarchy_and_mappings(server: str) -> None:
    _, _, html = http(server + "/ontology/MesenchymalStemCell", headers={"Accept": "text/html"})
    page = html.decode()
    assert "adipose-derived stem cell" in page and "stem cell" in page  # subclass, superclass
    assert "http://purl.obolibrary.org/obo/CL_0000134" in page  # link to the Cell Ontology
    assert "https://meshb.nlm.nih.gov/record/ui?ui=D059630" in page


def test_unknown_iri_is_404(server: str) -> None:
    assert http(server + "/id/study/no-such-study", headers={"Accept": "text/html"})[0] == 404


def test_home_page_and_stored_query_page(server: str) -> None:
    status, _, html = http(server + "/")
    page = html.decode()
    assert status == 200 and "form-studies-by-cell-type" in page and "<svg" in page
    assert "https://" not in page.split("<main>")[0].replace("https://w3id.org", "")  # nothing loaded remotely
    status, _, html = http(server + "/queries/studies-by-cell-type?cellType=regen%3ABoneMarrowMesenchymalStemCell")
    assert status == 200 and "/id/study/shin-2018" in html.decode() and "/id/study/lee-2014" not in html.decode()


# --- publishing ------------------------------------------------------------------------------


def test_publish_to_oxigraph(built: pipeline.Built, store: GraphStore, paths: ProjectPaths) -> None:
    with oxigraph(union_default_graph=True) as base:
        # a graph that is not ours must survive publishing
        other = b"<urn:x:s> <urn:x:p> <urn:x:o> ."
        req = urllib.request.Request(
            f"{base}/store?graph=urn%3Ax%3Aother",
            data=other,
            method="PUT",
            headers={"Content-Type": "application/n-triples"},
        )
        urllib.request.urlopen(req, timeout=30).close()
        target = Target(f"{base}/query", f"{base}/update", f"{base}/store")
        first = publish(built.graphs(queries=True), target)
        assert first.ok and first.found[str(GRAPH.data)] == len(built.loaded.data)
        again = publish(built.graphs(queries=True), Target(f"{base}/query", f"{base}/update"))  # via Update
        assert again.found == first.found  # idempotent
        remote = open_store(f"sparql:{base}/query")
        for query in load_catalogue(paths).values():
            if query.form != "CONSTRUCT":
                assert normal_rows(run_query(remote, query)) == normal_rows(run_query(store, query)), query.name
        kept = remote.query("ASK { GRAPH <urn:x:other> { <urn:x:s> <urn:x:p> <urn:x:o> } }")
        assert kept.askAnswer
        staging = remote.query(
            "ASK { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'https://w3id.org/regen-kg/graph/staging/')) }"
        )
        assert not staging.askAnswer


def test_failed_publish_keeps_the_old_graphs(built: pipeline.Built) -> None:
    with oxigraph() as base:
        target = Target(f"{base}/query", f"{base}/update", f"{base}/store")
        publish(built.graphs(), target)
        broken = Target(f"{base}/query", f"{base}/update", f"{base}/no-such-store")
        from regen_kg.publish import PublishError

        changed = dict(built.graphs())
        changed[GRAPH.data] = Graph()
        with pytest.raises(PublishError, match="still holds its earlier graphs"):
            publish(changed, broken)
        n = open_store(f"sparql:{base}/query").query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH.data}> {{ ?s ?p ?o }} }}"
        )
        assert int(next(iter(n))[0]) == len(built.loaded.data)  # type: ignore[index]


def test_ontology_documentation_is_served(server: str) -> None:
    status, ctype, html = http(server + "/ontology/")
    page = html.decode()
    assert status == 200 and ctype.startswith("text/html")
    assert 'id="MesenchymalStemCell"' in page or "id='MesenchymalStemCell'" in page
    status, ctype, svg = http(server + "/ontology/model.svg")
    assert status == 200 and b"<svg" in svg


def test_serve_opens_the_saved_graph_and_rebuilds_after_an_edit(project_copy: ProjectPaths) -> None:
    """A second start reads the graph saved by the first (no build); an edited record is built
    and saved again, and its page shows the edit."""
    from .helpers import edit
    from .regen_server import regen_server

    root = project_copy.root
    pages: list[str] = []
    logs: list[str] = []
    for change in (None, None, "edited"):
        if change:
            edit(root / "data/studies/lee-2014.yaml", "label: Lee 2014 hESC", "label: Lee 2014 (edited) hESC")
        with regen_server(root, output=logs) as base:
            status, _, page = http(base + "/id/study/lee-2014", headers={"Accept": "text/html"})
            assert status == 200
            pages.append(page.decode())
            status, _, data = sparql(
                base, "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/regen-kg/ontology/Study> }"
            )
            assert status == 200 and int(json.loads(data)["results"]["bindings"][0]["n"]["value"]) >= 10
    from regen_kg.querystore import STORE_FOLDER

    assert len(list((root / STORE_FOLDER).glob("*/evidence-map-*.svg"))) == 1  # drawn once, kept
    building = ["building the graph" in log for log in logs]
    assert building == [True, False, True], logs
    assert pages[0] == pages[1] and "Lee 2014 (edited)" not in pages[1]
    assert "Lee 2014 (edited)" in pages[2]


def test_pages_read_from_the_store_as_from_an_rdflib_graph(built: pipeline.Built) -> None:
    """``GraphView`` over the saved store renders the same record, statement and class pages as
    an rdflib copy of the same graphs did."""
    from regen_kg.oxstore import GraphView, OxigraphStore
    from regen_kg.pages import Renderer

    graphs = built.graphs(queries=True)
    copy = Graph()
    for graph in graphs.values():
        for triple in graph:
            copy.add(triple)
    store = OxigraphStore()
    store.load(graphs)
    from_copy, from_store = Renderer(copy), Renderer(GraphView(store.raw))
    iris = [
        URIRef("https://w3id.org/regen-kg/id/study/lee-2014"),
        URIRef("https://w3id.org/regen-kg/id/study/kim-2016"),
        REGEN.MesenchymalStemCell,
        REGEN.SkinElasticity,
    ]
    iris += sorted(s for s in copy.subjects(RDF.type, REGEN.Claim) if isinstance(s, URIRef))[:3]
    iris += sorted(s for s in copy.subjects(RDF.type, REGEN.Finding) if isinstance(s, URIRef))[:3]
    for iri in iris:
        page = from_store.resource(iri)
        assert page is not None and page == from_copy.resource(iri), iri
    assert from_store.resource(URIRef("https://w3id.org/regen-kg/id/study/no-such-study")) is None


@pytest.mark.filterwarnings("ignore:Using .httpx. with .starlette.testclient. is deprecated")
def test_the_server_answers_while_the_evidence_map_is_drawn(
    project_copy: ProjectPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start-up does not wait for a slow evidence map: the home page says it is being drawn, the
    figure's address answers 503 with Retry-After, records and SPARQL are served; once drawn, the
    map is on the home page. A drawing that fails says why instead."""
    from fastapi.testclient import TestClient

    from regen_kg import serve
    from regen_kg.endpoint import Limits

    monkeypatch.setattr(serve, "MAP_WAIT", 0.1)
    served = serve.open_served(project_copy)
    release = threading.Event()

    def slow(served: serve.Served, paths: ProjectPaths) -> str:
        assert release.wait(60)
        return serve.inline_evidence_map(served, paths)

    with TestClient(serve.create_app(served, project_copy, limits=Limits(), evidence_svg=slow)) as client:
        home = client.get("/")
        assert home.status_code == 200 and "being drawn" in home.text and "<svg" not in home.text
        figure = client.get("/evidence-map.svg")
        assert figure.status_code == 503 and figure.headers["retry-after"] == "5"
        assert client.get("/id/study/lee-2014", headers={"Accept": "text/html"}).status_code == 200
        ask = client.get(
            "/sparql", params={"query": "ASK { ?s a ?c }"}, headers={"Accept": "application/sparql-results+json"}
        )
        assert ask.status_code == 200 and json.loads(ask.text)["boolean"] is True
        release.set()
        deadline = time.monotonic() + 60
        while client.get("/evidence-map.svg").status_code == 503 and time.monotonic() < deadline:
            time.sleep(0.05)
        figure = client.get("/evidence-map.svg")
        assert figure.status_code == 200 and figure.text.startswith("<svg")
        home = client.get("/")
        assert "being drawn" not in home.text and "<svg" in home.text

    def broken(served: serve.Served, paths: ProjectPaths) -> str:
        raise ValueError("no cells")

    with TestClient(serve.create_app(served, project_copy, limits=Limits(), evidence_svg=broken)) as client:
        assert "The evidence map could not be drawn: ValueError: no cells" in client.get("/").text
        assert client.get("/evidence-map.svg").status_code == 500
