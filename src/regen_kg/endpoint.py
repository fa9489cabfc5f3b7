"""A read-only, time-limited SPARQL 1.1 query service over the built graph.

Every query is parsed and checked before it runs: updates, ``SERVICE`` and ``FROM`` / ``FROM NAMED``
of anything outside the served dataset are refused, so no request leaves the server and no local
file is read. Each accepted query runs in a worker process that is killed when it passes the time
limit, so one slow query cannot stop the server from answering others: over the on-disk store,
workers spawned once (``queryworkers``); over a store in memory, a worker forked per query.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing.connection import Connection
from typing import Any

import rdflib.plugins.sparql as rdflib_sparql
from pyparsing import ParseException
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from regen_kg.oxstore import OxigraphStore
from regen_kg.prefixes import BASE, bind_all
from regen_kg.queryworkers import Reply, Request, WorkerFailed, WorkerPool
from regen_kg.store import GraphStore

# Never fetch a graph named in FROM / FROM NAMED from the web or the file system.
rdflib_sparql.SPARQL_LOAD_GRAPHS = False

SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
#: an ASK answer has no CSV or TSV form (SPARQL 1.1 defines those for SELECT results only)
ASK_TYPES = {media: fmt for media, fmt in SELECT_TYPES.items() if fmt in ("json", "xml")}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
SD = "http://www.w3.org/ns/sparql-service-description#"


class QueryRefused(Exception):
    """A query the service will not run, with the HTTP status to answer and a message."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Limits:
    timeout: float = 5.0
    max_rows: int = 10_000
    workers: int = 4


@dataclass(frozen=True)
class Answer:
    body: bytes
    media_type: str


def negotiate(accept: str | None, offered: dict[str, str], default: str) -> str:
    """The offered media type the Accept header prefers (q-values honoured), else ``default``."""
    if not accept:
        return default
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media, q = fields[0].lower(), 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        choices.append((-q, index, media))
    for neg_q, _, media in sorted(choices):
        if neg_q == 0:
            continue
        if media in offered:
            return media
        if media in ("*/*", "application/*", "text/*"):
            return default
    raise QueryRefused(406, f"cannot answer in {accept!r}; offered: {', '.join(offered)}")


def check_query(text: str, allowed_graphs: Iterable[str]) -> str:
    """Parse and vet ``text``; returns the query form (SELECT, CONSTRUCT, ASK, DESCRIBE)."""
    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        if _is_update(text):
            raise QueryRefused(403, "this endpoint is read-only: SPARQL Update is not accepted") from exc
        raise QueryRefused(400, f"malformed query: {exc.msg} (line {exc.lineno}, column {exc.col})") from exc
    except Exception as exc:  # rdflib raises other errors for some malformed input
        raise QueryRefused(400, f"malformed query: {exc}") from exc
    allowed = set(allowed_graphs)
    # CompValue.get() does not honour a default, hence the explicit test
    clauses = parsed[1]["datasetClause"] if "datasetClause" in parsed[1] else []  # noqa: SIM401
    for clause in clauses:
        iri = clause["default"] if "default" in clause else clause["named"]
        if str(iri) not in allowed:
            raise QueryRefused(
                403, f"FROM <{iri}> is outside the served dataset; named graphs: {', '.join(sorted(allowed))}"
            )
    try:
        algebra = translateQuery(parsed)
    except Exception as exc:
        raise QueryRefused(400, f"malformed query: {exc}") from exc
    if _contains(algebra.algebra, "ServiceGraphPattern"):
        raise QueryRefused(403, "SERVICE is not allowed: this endpoint does not send requests to other servers")
    return str(parsed[1].name).removesuffix("Query").upper()


@lru_cache(maxsize=1024)
def _checked(text: str, allowed_graphs: tuple[str, ...]) -> str:
    """check_query, remembered: parsing is the costly part of a repeated query."""
    return check_query(text, allowed_graphs)


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except Exception:
        return False
    return True


def _contains(node: Any, name: str) -> bool:
    if isinstance(node, CompValue):
        if node.name == name:
            return True
        return any(_contains(v, name) for v in node.values())
    if isinstance(node, list | tuple):
        return any(_contains(v, name) for v in node)
    return False


class QueryService:
    """Runs vetted queries against a store with a time limit and a result-size limit."""

    def __init__(self, store: GraphStore, graph_names: Iterable[URIRef], limits: Limits | None = None) -> None:
        self.store = store
        self.graph_names = sorted(str(g) for g in graph_names)
        self.limits = limits or Limits()
        self._slots = threading.BoundedSemaphore(self.limits.workers)
        self._fork = multiprocessing.get_context("fork")
        # over an on-disk store, workers spawned once (queryworkers); over a store in memory,
        # a worker forked per query (it inherits the store)
        self._pool = (
            WorkerPool(store.path) if isinstance(store, OxigraphStore) and store.read_only and store.path else None
        )
        # the served graph never changes, so answers can be reused
        self._cache: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._inflight: dict[tuple[str, str], threading.Lock] = {}

    def execute(self, text: str, accept: str | None) -> Answer:
        form = _checked(text, tuple(self.graph_names))
        if form in ("SELECT", "ASK"):
            offered = SELECT_TYPES if form == "SELECT" else ASK_TYPES
            media = negotiate(accept, offered, "application/sparql-results+json")
            fmt = offered[media]
        else:
            media = negotiate(accept, GRAPH_TYPES, "text/turtle")
            fmt = GRAPH_TYPES[media]
        key = (text, fmt)
        body = self._cached(key)
        if body is None:
            # clients asking the same new query wait for one evaluation instead of each starting one
            with self._cache_lock:
                inflight = self._inflight.setdefault(key, threading.Lock())
            try:
                with inflight:
                    body = self._cached(key)
                    if body is None:
                        body = self._evaluate(text, form, fmt)
                        with self._cache_lock:
                            self._cache[key] = body
                            while len(self._cache) > 256:
                                self._cache.popitem(last=False)
            finally:
                with self._cache_lock:  # a late arrival may start a second evaluation: harmless
                    if self._inflight.get(key) is inflight:
                        del self._inflight[key]
        return Answer(body=body, media_type=media + ("; charset=utf-8" if media.startswith("text/") else ""))

    def _cached(self, key: tuple[str, str]) -> bytes | None:
        with self._cache_lock:
            body = self._cache.get(key)
            if body is not None:
                self._cache.move_to_end(key)
            return body

    def _evaluate(self, text: str, form: str, fmt: str) -> bytes:
        # waiting for a free worker does not count against the query's own time limit
        if not self._slots.acquire(timeout=max(30.0, 6 * self.limits.timeout)):
            raise QueryRefused(503, "the server is busy; try again shortly")
        try:
            return self._run_in_worker(text, form, fmt)
        finally:
            self._slots.release()

    def _run_in_worker(self, text: str, form: str, fmt: str) -> bytes:
        request = (text, form, fmt, self.limits.max_rows)
        try:
            reply = self._pool.run(request, self.limits.timeout) if self._pool else self._forked(request)
        except WorkerFailed as exc:
            raise QueryRefused(500, str(exc)) from exc
        if reply is None:
            raise QueryRefused(
                408, f"query stopped: it ran longer than the {self.limits.timeout:g} s limit; narrow it down"
            )
        status, payload = reply
        if status != 200:
            raise QueryRefused(status, payload.decode())
        return bytes(payload)

    def _forked(self, request: Request) -> Reply | None:
        """The reply of a worker forked for this one query; None past the time limit."""
        receiver, sender = self._fork.Pipe(duplex=False)
        worker = self._fork.Process(target=_work, args=(self.store, request, sender))
        worker.start()
        sender.close()
        try:
            if not receiver.poll(self.limits.timeout):
                return None
            reply: Reply = receiver.recv()
            return reply
        except EOFError as exc:
            raise WorkerFailed("the query worker stopped without an answer") from exc
        finally:
            if worker.is_alive():
                worker.kill()
            worker.join(1)
            receiver.close()

    def close(self) -> None:
        """Stop the service's idle workers."""
        if self._pool is not None:
            self._pool.close()


def _work(store: GraphStore, request: Request, out: Connection) -> None:
    """A forked worker's body: answer, send (status, bytes), exit."""
    try:
        out.send(answer(store, *request))
    finally:
        out.close()
        os._exit(0)


def answer(store: GraphStore, text: str, form: str, fmt: str, max_rows: int) -> Reply:
    """Run the query, enforce the row limit, serialize: (HTTP status, body)."""
    try:
        result = store.query(text)
        if form in ("SELECT", "ASK"):
            if form == "SELECT" and len(result) > max_rows:
                return 413, f"result too large: more than {max_rows} rows; add LIMIT or narrow the query".encode()
            body = to_tsv(result) if fmt == "tsv" else result.serialize(format=fmt)
        else:
            graph = result.graph if result.graph is not None else Graph()
            if len(graph) > max_rows:
                return 413, f"result too large: more than {max_rows} triples; narrow the query".encode()
            body = bind_all(graph).serialize(format=fmt, encoding="utf-8")
        return 200, body if isinstance(body, bytes) else str(body).encode()
    except Exception as exc:  # report any evaluation error to the client as a 400
        return 400, f"query failed: {exc}".encode()


def to_tsv(result: Any) -> bytes:
    """SPARQL 1.1 TSV results: ``?var`` headers, terms in N-Triples syntax (rdflib has no writer)."""
    if result.type == "ASK":
        return b"true\n" if result.askAnswer else b"false\n"
    variables = [str(v) for v in result.vars or []]
    lines = ["\t".join(f"?{v}" for v in variables)]
    for row in result:
        lines.append("\t".join("" if term is None else term.n3() for term in row))
    return ("\n".join(lines) + "\n").encode()


def service_description(endpoint_url: str, graph_names: Iterable[str]) -> Graph:
    """A SPARQL 1.1 service description of this endpoint."""
    sd = Namespace(SD)
    g = bind_all(Graph())
    g.bind("sd", SD)
    service = URIRef(endpoint_url)
    g.add((service, RDF.type, sd.Service))
    g.add((service, sd.endpoint, service))
    g.add((service, sd.supportedLanguage, sd.SPARQL11Query))
    for fmt in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
    ):
        g.add((service, sd.resultFormat, URIRef(f"http://www.w3.org/ns/formats/{fmt}")))
    g.add((service, sd.feature, sd.UnionDefaultGraph))
    dataset = URIRef(BASE + "dataset")
    g.add((service, sd.defaultDataset, dataset))
    g.add((dataset, RDF.type, sd.Dataset))
    for name in graph_names:
        node = URIRef(f"{name}#description")
        g.add((dataset, sd.namedGraph, node))
        g.add((node, sd.name, URIRef(name)))
    g.add(
        (
            service,
            URIRef("http://purl.org/dc/terms/description"),
            Literal("Read-only SPARQL 1.1 endpoint of regen-kg; the default graph is the union of the named graphs."),
        )
    )
    return g
