"""Publishing the built graph to a SPARQL 1.1 store, one named graph per part, safely.

Each part (ontology, data, mappings, inferred, queries) is first loaded into a staging graph,
through the Graph Store HTTP Protocol (PUT) or SPARQL 1.1 Update (INSERT DATA); its triple count
is checked; then one update request moves every staging graph onto its target (MOVE), replacing
earlier versions of those graphs only. A failure before the move leaves the old graphs in place
and says so. Credentials come from arguments or the environment, never from files.
"""

from __future__ import annotations

import base64
import contextlib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, Namespace, URIRef
from SPARQLWrapper import BASIC, DIGEST, JSON, POST, SPARQLWrapper

from regen_kg.errors import RegenError
from regen_kg.export import to_ntriples
from regen_kg.prefixes import GRAPH

STAGING = Namespace(f"{GRAPH}staging/")


class PublishError(RegenError):
    """Publishing failed; the message says which graphs hold which version."""


@dataclass(frozen=True)
class Target:
    """Where to publish: the query endpoint, and the update and/or graph-store endpoints."""

    query_url: str
    update_url: str | None = None
    graph_store_url: str | None = None
    user: str | None = None
    password: str | None = None
    #: HTTP authentication scheme for stores that need credentials: "basic" or "digest" (Virtuoso)
    auth: str = "basic"

    @property
    def update(self) -> str:
        return self.update_url or self.query_url


@dataclass
class Report:
    expected: dict[str, int] = field(default_factory=dict)
    found: dict[str, int] = field(default_factory=dict)
    method: str = ""

    @property
    def ok(self) -> bool:
        return self.expected == self.found


def _client(url: str, target: Target) -> SPARQLWrapper:
    client = SPARQLWrapper(url)
    client.setMethod(POST)
    client.setTimeout(300)
    if target.user:
        client.setHTTPAuth(DIGEST if target.auth == "digest" else BASIC)
        client.setCredentials(target.user, target.password or "")
    return client


def sparql_update(target: Target, text: str) -> None:
    client = _client(target.update, target)
    client.setQuery(text)
    client.queryType = "INSERT" if "INSERT" in text[:40] else "DELETE"  # any update type: sent as 'update'
    try:
        client.query()
    except Exception as exc:  # SPARQLWrapper raises several kinds
        raise PublishError(f"SPARQL Update at {target.update} failed: {exc}") from exc


def count_graphs(target: Target, names: list[URIRef]) -> dict[str, int]:
    """Triples in each named graph, read back through the query endpoint."""
    values = " ".join(f"<{n}>" for n in names)
    client = _client(target.query_url, target)
    client.setQuery(
        f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
    )
    client.queryType = "SELECT"
    client.setReturnFormat(JSON)
    try:
        data: Any = client.query().convert()
    except Exception as exc:
        raise PublishError(f"cannot read back the graphs from {target.query_url}: {exc}") from exc
    counts = {str(n): 0 for n in names}
    for row in data["results"]["bindings"]:
        counts[row["g"]["value"]] = int(row["n"]["value"])
    return counts


def _put(target: Target, graph_iri: URIRef, graph: Graph) -> None:
    assert target.graph_store_url is not None
    url = f"{target.graph_store_url}?{urllib.parse.urlencode({'graph': str(graph_iri)})}"
    request = urllib.request.Request(
        url, data=to_ntriples(graph).encode(), method="PUT", headers={"Content-Type": "application/n-triples"}
    )
    opener = urllib.request.build_opener()
    if target.user and target.auth == "digest":
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, target.graph_store_url, target.user, target.password or "")
        opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords))
    elif target.user:
        token = base64.b64encode(f"{target.user}:{target.password or ''}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with opener.open(request, timeout=300) as response:
            if response.status not in (200, 201, 204):
                raise PublishError(f"graph store answered {response.status} for {graph_iri}")
    except urllib.error.URLError as exc:
        raise PublishError(f"graph store {target.graph_store_url} failed for {graph_iri}: {exc}") from exc


def publish(graphs: Mapping[URIRef, Graph], target: Target) -> Report:
    """Load ``graphs`` into the store, replacing those graphs only; verify and report counts."""
    names = sorted(graphs)
    staging = {name: STAGING[str(name).rsplit("/", 1)[-1]] for name in names}
    report = Report(
        expected={str(n): len(graphs[n]) for n in names},
        method="graph store protocol" if target.graph_store_url else "SPARQL Update",
    )
    try:
        for name in names:
            if target.graph_store_url:
                _put(target, staging[name], graphs[name])
            else:
                body = to_ntriples(graphs[name])
                sparql_update(
                    target,
                    f"DROP SILENT GRAPH <{staging[name]}> ;\nINSERT DATA {{ GRAPH <{staging[name]}> {{\n{body}}} }}",
                )
        staged = count_graphs(target, list(staging.values()))
        wrong = {
            str(n): (len(graphs[n]), staged[str(staging[n])])
            for n in names
            if staged[str(staging[n])] != len(graphs[n])
        }
        if wrong:
            raise PublishError(
                "staging graphs hold the wrong number of triples (expected, found): "
                + ", ".join(f"{k}: {v}" for k, v in wrong.items())
            )
    except PublishError as exc:
        _drop_staging(target, list(staging.values()))
        raise PublishError(f"{exc}\nNothing was replaced: the store still holds its earlier graphs.") from exc
    moves = " ;\n".join(f"MOVE SILENT GRAPH <{staging[n]}> TO GRAPH <{n}>" for n in names)
    try:
        sparql_update(target, moves)
    except PublishError as exc:
        found = count_graphs(target, names)
        state = ", ".join(f"{n}: {found[str(n)]} triples (new version has {len(graphs[n])})" for n in names)
        raise PublishError(
            f"{exc}\nThe move into place failed part-way; graphs now hold: {state}. Publish again to complete it."
        ) from exc
    report.found = count_graphs(target, names)
    if not report.ok:
        raise PublishError(f"after publishing, counts differ: expected {report.expected}, found {report.found}")
    return report


def _drop_staging(target: Target, names: list[URIRef]) -> None:
    with contextlib.suppress(PublishError):  # best effort: staging graphs are named as such and harmless
        sparql_update(target, " ;\n".join(f"DROP SILENT GRAPH <{n}>" for n in names))
