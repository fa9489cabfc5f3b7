"""The HTTP server: SPARQL 1.1 protocol at /sparql, linked-data pages, the query web page."""

from __future__ import annotations

import contextlib
import html
import io
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from rdflib import Graph, URIRef
from rdflib.query import Result

from regen_kg import pages
from regen_kg.endpoint import Limits, QueryRefused, QueryService, negotiate, service_description
from regen_kg.errors import ParameterError
from regen_kg.oxstore import GraphView, OxigraphStore, folded_ranges, from_ox
from regen_kg.paths import ProjectPaths
from regen_kg.prefixes import BASE, bind_all, sparql_prologue
from regen_kg.queries import StoredQuery, bind, load_catalogue, resolve_external
from regen_kg.store import MAPPINGS_GRAPH, ONTOLOGY_GRAPH

if TYPE_CHECKING:
    from regen_kg.build import Built

RESOURCE_TYPES = {
    "text/html": "html",
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
}


@dataclass
class Served:
    """The graph ``serve`` answers from: a read-only Oxigraph store (inferences and query catalogue
    included), and its small ontology and mappings graphs, read whole for documents and contexts."""

    store: OxigraphStore
    ontology: Graph
    mappings: Graph
    graph_names: list[URIRef]

    @classmethod
    def of(cls, store: OxigraphStore) -> Served:
        raw = store.raw
        names = sorted(URIRef(g.value) for g in raw.named_graphs() if isinstance(g, ox.NamedNode))
        return cls(store, _graph(raw, ONTOLOGY_GRAPH), _graph(raw, MAPPINGS_GRAPH), names)


def _graph(store: ox.Store, name: URIRef) -> Graph:
    graph = bind_all(Graph())
    for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(str(name))):
        graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return graph


def open_served(paths: ProjectPaths, *, jobs: int = 2, say: Callable[[str], None] | None = None) -> Served:
    """The project's graph as saved by its last build of the same inputs (``querystore``), built
    and saved first if there is none; ``say`` hears when it is being built."""
    from regen_kg.querystore import saved_store

    def make() -> Built:
        from regen_kg import build as pipeline

        if say is not None:
            say("building the graph and saving it for the next start (.cache/regen-kg/query-store) ...")
        return pipeline.run_project(paths, jobs=jobs)

    return Served.of(saved_store(paths, make))


#: how long start-up waits for the evidence map before serving without it: a map kept with the
#: saved store, or one of a small graph, is ready well within it
MAP_WAIT = 3.0


class EvidenceMapDrawing:
    """The home page's evidence map, drawn in a background thread so that the server answers while
    it is drawn (its query takes about 12 s on the on-disk store at 10,000 studies; Oxigraph lets
    other threads run meanwhile). ``svg`` is None until it is drawn; ``error`` says why it was not."""

    def __init__(self, draw: Callable[[], str]) -> None:
        self.svg: str | None = None
        self.error: str | None = None
        self._thread = threading.Thread(target=self._draw, args=(draw,), name="evidence-map", daemon=True)
        self._thread.start()

    def _draw(self, draw: Callable[[], str]) -> None:
        try:
            self.svg = draw()
        except Exception as exc:  # shown on the home page instead of the map
            self.error = f"{type(exc).__name__}: {exc}"

    def wait(self, seconds: float) -> None:
        """Wait up to ``seconds`` for the drawing to end."""
        self._thread.join(seconds)


@dataclass
class Site:
    """Everything the routes need, made once at start-up."""

    served: Served
    catalogue: dict[str, StoredQuery]
    service: QueryService
    graph: GraphView
    evidence_map: EvidenceMapDrawing


def create_app(
    served: Served,
    paths: ProjectPaths,
    *,
    limits: Limits | None = None,
    evidence_svg: Callable[[Served, ProjectPaths], str] | None = None,
) -> FastAPI:
    """A FastAPI application serving ``served``: read-only, time-limited, nothing fetched remotely.

    Record pages read the store's indexes (``GraphView``) and each SPARQL query runs in a worker
    process with its own handle on the store (``queryworkers``), so the server holds no copy of
    the graph."""
    site = Site(
        served=served,
        catalogue=load_catalogue(paths),
        service=QueryService(served.store, served.graph_names, limits),
        graph=GraphView(served.store.raw, folded_ranges(served.ontology)),
        evidence_map=EvidenceMapDrawing(lambda: (evidence_svg or kept_evidence_map)(served, paths)),
    )
    site.evidence_map.wait(MAP_WAIT)
    renderer = pages.Renderer(site.graph)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        site.service.close()  # the idle query workers stop with the server

    app = FastAPI(title="regen-kg", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.site = site

    def refused(exc: QueryRefused, html: bool = False) -> Response:
        if html:
            return HTMLResponse(pages.error(exc.status, exc.message), status_code=exc.status)
        return PlainTextResponse(exc.message + "\n", status_code=exc.status)

    def run_sparql(text: str, accept: str | None) -> Response:
        try:
            answer = site.service.execute(text, accept)
        except QueryRefused as exc:
            return refused(exc)
        return Response(answer.body, media_type=answer.media_type)

    @app.get("/sparql")
    def sparql_get(request: Request) -> Response:
        params = request.query_params
        if "update" in params:
            return refused(QueryRefused(403, "this endpoint is read-only: SPARQL Update is not accepted"))
        if "query" in params:
            return run_sparql(params["query"], request.headers.get("accept"))
        accept = request.headers.get("accept", "")
        if "text/html" in accept:
            return RedirectResponse("/#form-sparql", status_code=303)
        try:
            media = negotiate(accept, {k: v for k, v in RESOURCE_TYPES.items() if k != "text/html"}, "text/turtle")
        except QueryRefused as exc:
            return refused(exc)
        description = service_description(str(request.url.replace(query="")), [str(g) for g in site.served.graph_names])
        return Response(description.serialize(format=RESOURCE_TYPES[media]), media_type=media)

    @app.post("/sparql")
    async def sparql_post(request: Request) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        accept = request.headers.get("accept")
        if content_type == "application/sparql-update":
            return refused(QueryRefused(403, "this endpoint is read-only: SPARQL Update is not accepted"))
        if content_type == "application/sparql-query":
            text = (await request.body()).decode("utf-8", "replace")
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.form()
            if "update" in form:
                return refused(QueryRefused(403, "this endpoint is read-only: SPARQL Update is not accepted"))
            if "query" not in form:
                return refused(QueryRefused(400, "no 'query' in the form"))
            text = str(form["query"])
        else:
            return refused(QueryRefused(415, "send application/sparql-query or a form with 'query'"))
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(run_sparql, text, accept)

    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        drawing = site.evidence_map
        return pages.home(list(site.catalogue.values()), drawing.svg, drawing.error)

    @app.get("/evidence-map.svg")
    def evidence_map() -> Response:
        drawing = site.evidence_map
        if drawing.svg is not None:
            return Response(drawing.svg, media_type="image/svg+xml")
        if drawing.error is not None:
            return PlainTextResponse(f"the evidence map could not be drawn: {drawing.error}\n", status_code=500)
        drawing_now = "the evidence map is being drawn; ask again in a few seconds\n"
        return PlainTextResponse(drawing_now, status_code=503, headers={"Retry-After": "5"})

    @app.get("/queries/{name}", response_class=HTMLResponse)
    def stored_query(name: str, request: Request) -> Response:
        query = site.catalogue.get(name)
        if query is None:
            return HTMLResponse(pages.error(404, f"no stored query {name!r}"), status_code=404)
        values = {k: v for k, v in request.query_params.items() if v.strip()}
        try:
            values, notes = resolve_external(site.served.store, query, values)
            text = bind(query, values)
        except ParameterError as exc:
            return HTMLResponse(pages.error(400, str(exc)), status_code=400)
        return html_results(query.title, text, "; ".join(notes) or query.description)

    @app.get("/query", response_class=HTMLResponse)
    def free_query(query: str = "") -> Response:
        if not query.strip():
            return RedirectResponse("/#form-sparql", status_code=303)
        return html_results("Your query", sparql_prologue() + query, "")

    def html_results(title: str, text: str, note: str) -> Response:
        try:
            answer = site.service.execute(text, "application/sparql-results+json, text/turtle;q=0.9")
        except QueryRefused as exc:
            return refused(exc, html=True)
        if answer.media_type.startswith("application/sparql-results+json"):
            result = Result.parse(io.BytesIO(answer.body), format="json")
            if result.type == "ASK":
                return HTMLResponse(pages.page(title, f"<h1>{title}</h1><p>{bool(result.askAnswer)}</p>"))
            variables = [str(v) for v in result.vars or []]
            rows = [{v: row[i] for i, v in enumerate(variables)} for row in result]  # type: ignore[index]
            return HTMLResponse(pages.results(title, variables, rows, note))
        body = answer.body.decode()
        return HTMLResponse(pages.page(title, f"<h1>{title}</h1><pre>{html.escape(body)}</pre>"))

    def resource(iri: str, request: Request) -> Response:
        try:
            media = negotiate(request.headers.get("accept"), RESOURCE_TYPES, "text/html")
        except QueryRefused as exc:
            return refused(exc)
        node = URIRef(iri)
        if media == "text/html":
            html = renderer.resource(node)
            if html is None:
                return HTMLResponse(pages.error(404, f"nothing is known about {iri}"), status_code=404)
            return HTMLResponse(html)
        description = describe(site.graph, node)
        if not len(description):
            return PlainTextResponse(f"nothing is known about {iri}\n", status_code=404)
        if media == "application/ld+json":
            from regen_kg.context import build_context
            from regen_kg.export import to_jsonld

            body = to_jsonld(description, build_context(site.served.ontology))
            return Response(body, media_type=media)
        return Response(description.serialize(format=RESOURCE_TYPES[media]), media_type=media)

    @app.get("/id/{kind}/{slug}")
    def record(kind: str, slug: str, request: Request) -> Response:
        return resource(f"{BASE}id/{kind}/{slug}", request)

    docs: dict[str, bytes] = {}

    def ontology_docs() -> dict[str, bytes]:
        if not docs:  # drawn on first request: most visitors never open them
            from regen_kg.diagram import model_svg
            from regen_kg.docs import render_docs

            served = site.served
            docs.update(render_docs(served.ontology, served.mappings, model_svg(served.ontology)))
        return docs

    @app.get("/ontology/", response_class=HTMLResponse)
    def ontology_documentation() -> Response:
        return HTMLResponse(ontology_docs()["index.html"])

    @app.get("/ontology/model.svg")
    def ontology_model() -> Response:
        return Response(ontology_docs()["model.svg"], media_type="image/svg+xml")

    @app.get("/ontology/{term}")
    def term(term: str, request: Request) -> Response:
        return resource(f"{BASE}ontology/{term}", request)

    @app.get("/ontology")
    def ontology(request: Request) -> Response:
        return resource(f"{BASE}ontology", request)

    return app


def kept_evidence_map(served: Served, paths: ProjectPaths) -> str:
    """``inline_evidence_map``, drawn once per saved store and kept in its folder (the query
    behind it takes about 12 s at 10,000 studies); a store in memory draws it each time."""
    if served.store.path is None:
        return inline_evidence_map(served, paths)
    from importlib.metadata import version

    from regen_kg.fileio import write_atomic

    kept = Path(served.store.path).parent / f"evidence-map-matplotlib-{version('matplotlib')}.svg"
    try:
        return kept.read_text(encoding="utf-8")
    except OSError:
        pass
    svg = inline_evidence_map(served, paths)
    with contextlib.suppress(OSError):  # a store folder we may not write: drawn again next time
        write_atomic(kept, svg, durable=False)
    return svg


def inline_evidence_map(served: Served, paths: ProjectPaths) -> str:
    """The evidence-map figure as inline SVG (drawn from the stored evidence-map query)."""
    from regen_kg.evidence_map import evidence_map

    svg = evidence_map(served.store, load_catalogue(paths), "svg").decode("utf-8")
    return svg[svg.find("<svg") :]


def describe(graph: GraphView, iri: URIRef) -> Graph:
    """The resource's own triples, plus labels of what they point to."""
    from rdflib.namespace import RDFS

    out = bind_all(Graph())
    for p, o in graph.predicate_objects(iri):
        out.add((iri, p, o))
        for label in graph.objects(o, RDFS.label):
            out.add((o, RDFS.label, label))
    return out


def run(
    served: Served,
    paths: ProjectPaths,
    host: str,
    port: int,
    limits: Limits,
    evidence_svg: Callable[[Served, ProjectPaths], str] | None = None,
) -> None:
    """Serve until interrupted, with uvicorn's usual request log."""
    import uvicorn

    uvicorn.run(
        create_app(served, paths, limits=limits, evidence_svg=evidence_svg), host=host, port=port, log_level="info"
    )
