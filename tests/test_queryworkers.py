"""The endpoint's query workers over the on-disk store: spawned once and reused, never forked,
killed at the time limit and replaced; over a store in memory, forked per query as before."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
from rdflib import RDF, URIRef

from regen_kg import build as pipeline
from regen_kg.endpoint import Limits, QueryRefused, QueryService
from regen_kg.oxstore import OxigraphStore

COUNT_STUDIES = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <https://w3id.org/regen-kg/ontology/Study> }"
#: a product of the graph with itself, three times: it does not finish within any time limit
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def studies(service: QueryService) -> int:
    answer = service.execute(COUNT_STUDIES, "application/sparql-results+json")
    return int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def on_disk(built: pipeline.Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    path = str(tmp_path_factory.mktemp("store") / "store")
    writer = OxigraphStore(path)
    writer.load(built.graphs(queries=True))
    del writer  # closed: readers open it read-only, as serve does
    yield OxigraphStore(path, read_only=True)


def test_workers_are_spawned_once_and_reused(
    on_disk: OxigraphStore, built: pipeline.Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = len(studies_in(built))
    assert expected > 10
    service = QueryService(on_disk, [], Limits(timeout=30))
    try:

        def no_fork() -> int:
            raise AssertionError("a query worker was forked")

        monkeypatch.setattr(os, "fork", no_fork)  # spawning starts a new interpreter, not a fork
        assert studies(service) == expected
        # another query (not an answer kept by the service) goes to the same worker
        answer = service.execute(COUNT_STUDIES + " # again", "application/sparql-results+json")
        assert int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"]) == expected
        assert service._pool is not None and service._pool.started == 1
    finally:
        service.close()


def test_a_worker_past_the_time_limit_is_replaced(on_disk: OxigraphStore, built: pipeline.Built) -> None:
    service = QueryService(on_disk, [], Limits(timeout=1.0))
    try:
        assert studies(service) == len(studies_in(built))  # the first worker has started
        with pytest.raises(QueryRefused) as refused:
            service.execute(ENDLESS, "application/sparql-results+json")
        assert refused.value.status == 408
        assert service._pool is not None
        worker_count = service._pool.started
        answer = service.execute(COUNT_STUDIES + " # after", "application/sparql-results+json")
        assert int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"]) == len(studies_in(built))
        assert service._pool.started == worker_count + 1  # a new worker took the killed one's place
    finally:
        service.close()


def test_errors_and_limits_come_back_from_the_worker(on_disk: OxigraphStore) -> None:
    service = QueryService(on_disk, [], Limits(timeout=30, max_rows=3))
    try:
        with pytest.raises(QueryRefused) as too_big:
            service.execute("SELECT ?s WHERE { ?s ?p ?o }", "application/sparql-results+json")
        assert too_big.value.status == 413 and "more than 3 rows" in too_big.value.message
    finally:
        service.close()


def test_a_store_in_memory_is_queried_by_a_forked_worker(built: pipeline.Built) -> None:
    memory = built.store("oxigraph")
    service = QueryService(memory, [], Limits(timeout=30))
    assert service._pool is None
    assert studies(service) == len(studies_in(built))


def studies_in(built: pipeline.Built) -> set[object]:
    """The studies, counted in the build's own graphs (asserted and inferred types)."""
    study = URIRef("https://w3id.org/regen-kg/ontology/Study")
    return {s for g in (built.loaded.data, built.inferred) for s in g.subjects(RDF.type, study)}
