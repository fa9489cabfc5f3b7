"""The build: records -> triples -> validate -> reason -> store -> serialize, written atomically."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, cast

from rdflib import Graph, URIRef
from rdflib.graph import ReadOnlyGraphAggregate

from regen_kg.cache import BuildCache
from regen_kg.catalogue import catalogue_graph
from regen_kg.choices import DEFAULT_ENGINE, DEFAULT_JOBS, DEFAULT_STORE, ENGINES
from regen_kg.context import build_context
from regen_kg.dataset import describe_dataset
from regen_kg.errors import Location, RegenError, ValidationFailed
from regen_kg.export import MEDIA_TYPES, pieces, to_turtle
from regen_kg.fileio import Data, Staging
from regen_kg.forked import ChildFailed, Forked, can_fork
from regen_kg.gcpause import paused_gc
from regen_kg.mappings import MappingSet, from_graph, load_mappings, to_graph, write_sssom
from regen_kg.memstore import union
from regen_kg.ontology import TermIndex, load_ontology
from regen_kg.paths import ProjectPaths
from regen_kg.prefixes import bind_all
from regen_kg.queries import check_catalogue, load_catalogue
from regen_kg.reason import reason
from regen_kg.records import Triple, convert_records
from regen_kg.store import (
    DATA_GRAPH,
    INFERRED_GRAPH,
    MAPPINGS_GRAPH,
    ONTOLOGY_GRAPH,
    QUERIES_GRAPH,
    GraphStore,
    open_store,
)
from regen_kg.terms import label_external_terms, load_terms
from regen_kg.validate import ValidationReport, format_problems, load_shapes, validate_graph

#: Output file names, by format, for the asserted and the asserted + inferred graphs.
OUTPUTS = {
    "regen-kg.ttl": "ttl",
    "regen-kg.jsonld": "jsonld",
    "regen-kg-full.nt": "nt",
    "regen-kg.trig": "trig",
    "regen-kg.nq": "nq",
}


@dataclass
class Loaded:
    """Asserted inputs: the ontology (with external term labels) and the record triples."""

    ontology: Graph
    data: Graph
    mappings: Graph
    origins: dict[URIRef, Location]
    mapping_sets: list[MappingSet] = field(default_factory=list)
    record_ids: list[str] = field(default_factory=list)
    #: the record triples again, one list per record, and their content keys (see records.RecordGraph)
    parts: list[list[Triple]] = field(default_factory=list)
    part_keys: list[str] | None = None
    #: the nodes each record mints, in the order of ``parts``
    minted: list[list[URIRef]] = field(default_factory=list)

    @property
    def parts_of_asserted(self) -> tuple[Graph, Graph, Graph]:
        """The graphs whose union is :attr:`asserted`, biggest first (to read without a copy)."""
        return (self.data, self.ontology, self.mappings)

    @cached_property
    def asserted(self) -> Graph:
        """The three asserted graphs copied into one (made on first use, then kept)."""
        return bind_all(union(self.ontology, self.data, self.mappings))

    @property
    def union_made(self) -> bool:
        """Whether :attr:`asserted` was made already (and so costs nothing more to read)."""
        return "asserted" in self.__dict__

    def forget_union(self) -> None:
        """Drop the copy :attr:`asserted` holds, if it was made."""
        self.__dict__.pop("asserted", None)


@dataclass
class Built:
    loaded: Loaded
    report: ValidationReport
    inferred: Graph

    queries: Graph = field(default_factory=Graph)

    def graphs(self, *, inferred: bool = True, queries: bool = False) -> dict[URIRef, Graph]:
        """Named graphs: ontology and data, with the inferences and the query catalogue if asked."""
        graphs = {
            ONTOLOGY_GRAPH: self.loaded.ontology,
            DATA_GRAPH: self.loaded.data,
            MAPPINGS_GRAPH: self.loaded.mappings,
        }
        if inferred:
            graphs[INFERRED_GRAPH] = self.inferred
        if queries:
            graphs[QUERIES_GRAPH] = self.queries
        return graphs

    def store(self, selector: str = "memory") -> GraphStore:
        """The graphs (inferences and query catalogue included) loaded into the store ``selector``."""
        store = open_store(selector)
        store.load(self.graphs(queries=True))
        return store


@paused_gc
def load(paths: ProjectPaths, cache: BuildCache | None = None, *, jobs: int = 1) -> Loaded:
    """Read the ontology, the term table and every record; raise on any input error.

    With a ``cache``, records unchanged since an earlier build are taken from it, not read again;
    with ``jobs`` = 2, records are converted in two processes.
    """
    ontology = load_ontology(paths)
    records = convert_records(paths.record_files(), TermIndex(ontology), cache, jobs=jobs)
    terms = load_terms(paths.external_terms)
    mapping_sets = load_mappings(paths.data / "mappings")
    mappings = to_graph(mapping_sets)
    # the records' triples read from their lists: faster than through the graph's index
    for triple in label_external_terms((ontology, mappings, *records.parts), terms):
        ontology.add(triple)
    origins = dict(records.origins)
    origins.update(_ontology_origins(paths))
    return Loaded(
        ontology=ontology,
        data=records.graph,
        mappings=mappings,
        origins=origins,
        mapping_sets=mapping_sets,
        record_ids=records.record_ids,
        parts=records.parts,
        part_keys=records.keys,
        minted=records.minted,
    )


@paused_gc
def validate(
    paths: ProjectPaths,
    loaded: Loaded | None = None,
    *,
    engine: str = DEFAULT_ENGINE,
    store: GraphStore | None = None,
) -> ValidationReport:
    """The SHACL report of the asserted graphs. ``store``, an Oxigraph store holding them as named
    graphs (:func:`asserted_store`), spares the fast engine loading a store of its own."""
    loaded = loaded or load(paths)
    shapes = load_shapes(paths)
    if engine == "fast":
        try:
            from regen_kg.fastshacl import UnsupportedShapes, load_store, validate_fast
            from regen_kg.oxstore import OxigraphStore
        except ImportError:  # pyoxigraph missing: the reference engine still works
            pass
        else:
            try:
                if isinstance(store, OxigraphStore):
                    view = ReadOnlyGraphAggregate(list(loaded.parts_of_asserted))
                    return validate_fast(view, shapes, loaded.origins, store=store.raw, union=True)
                if loaded.union_made:
                    return validate_fast(loaded.asserted, shapes, loaded.origins)
                # the graphs side by side, not copied into one: Oxigraph holds their union
                parts = loaded.parts_of_asserted
                view = ReadOnlyGraphAggregate(list(parts))
                return validate_fast(view, shapes, loaded.origins, store=load_store(*parts))
            except UnsupportedShapes:
                pass
    elif engine != "reference":
        raise ValueError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    return validate_graph(loaded.asserted, shapes, loaded.origins)


def asserted_store(loaded: Loaded, selector: str) -> GraphStore:
    """The asserted graphs (ontology, records, mappings) as named graphs in the store
    ``selector``: one load for the validation and the quality checks of a build."""
    store = open_store(selector)
    store.load({ONTOLOGY_GRAPH: loaded.ontology, DATA_GRAPH: loaded.data, MAPPINGS_GRAPH: loaded.mappings})
    return store


@paused_gc
def infer(loaded: Loaded, *, engine: str = DEFAULT_ENGINE, cache: BuildCache | None = None) -> Graph:
    """The inferred triples (raises InconsistencyError), by the chosen engine."""
    if engine == "fast":
        from regen_kg.fastreason import UnsupportedTBox, reason_fast, reason_parts, schema_graph

        schema = schema_graph(loaded.ontology, loaded.mappings)
        try:
            if loaded.parts:  # record by record: a rebuild re-reasons only the records that changed
                return reason_parts(schema, loaded.parts, loaded.part_keys, cache=cache)
            return reason_fast(schema, loaded.data, loaded.asserted, cache=cache).inferred
        except UnsupportedTBox:
            pass
    elif engine != "reference":
        raise ValueError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    return reason(loaded.asserted).inferred


@paused_gc
def run(
    paths: ProjectPaths,
    *,
    engine: str = DEFAULT_ENGINE,
    cache: BuildCache | None = None,
    jobs: int = 1,
    report: ValidationReport | None = None,
) -> Built:
    """Load, validate and reason. Raises ValidationFailed on SHACL violations and
    InconsistencyError if reasoning finds the graph inconsistent.

    A ``cache`` (``cache.project_cache``) skips the records and the ontology compilation that
    have not changed since the build that filled it; the result is the same as without it.
    With ``jobs`` = 2 the validation runs in a forked child beside the reasoning; the errors are
    the same as in order (a validation error wins over a reasoning error). A ``report`` of the
    project's inputs as they are (``incremental.validated``) is used instead of validating again.
    """
    loaded = load(paths, cache)
    forking = report is None and jobs > 1 and can_fork()
    child = Forked(lambda: validate(paths, loaded, engine=engine)) if forking else None
    if child is None:
        if report is None:
            report = validate(paths, loaded, engine=engine)
        _raise_if_invalid(report)
        inferred = infer(loaded, engine=engine, cache=cache)
    else:
        failure: Exception | None = None
        try:
            inferred = infer(loaded, engine=engine, cache=cache)
        except Exception as exc:
            failure = exc
        try:
            report = child.result()
        except ChildFailed:  # run it here, so that its error is raised as itself
            report = validate(paths, loaded, engine=engine)
        _raise_if_invalid(report)
        if failure is not None:
            raise failure
    examples = catalogue_graph(load_catalogue(paths).values())
    return Built(loaded=loaded, report=report, inferred=inferred, queries=examples)


def run_project(paths: ProjectPaths, *, jobs: int = DEFAULT_JOBS) -> Built:
    """``run`` as the commands use it: with the project's build cache (the same result as
    without, tests/test_cache.py), ``jobs`` processes, and the SHACL report of an incremental
    check where the last ``regen-kg check`` allows one (``incremental.validated``)."""
    from regen_kg.cache import project_cache
    from regen_kg.incremental import validated

    cache = project_cache(paths.root)
    return run(paths, cache=cache, jobs=jobs, report=validated(paths, cache))


def load_project(paths: ProjectPaths) -> Loaded:
    """``load`` as the commands use it: records unchanged since an earlier build read from the
    project's build cache (the same result as without it, tests/test_cache.py)."""
    from regen_kg.cache import project_cache

    return load(paths, project_cache(paths.root))


def asserted_outputs(loaded: Loaded, context: dict[str, Any]) -> dict[str, Callable[[], Data]]:
    """The outputs made from the asserted graphs alone, each as a function giving its text
    (the big ones as pieces, see ``export.pieces``)."""
    asserted = {ONTOLOGY_GRAPH: loaded.ontology, DATA_GRAPH: loaded.data, MAPPINGS_GRAPH: loaded.mappings}
    return {
        "regen-kg.ttl": lambda: pieces("ttl", asserted, context),
        "regen-kg.jsonld": lambda: pieces("jsonld", asserted, context),
    }


def inferred_outputs(built: Built, context: dict[str, Any]) -> dict[str, Callable[[], Data]]:
    """The outputs that need the inferences, the query catalogue or the SHACL report."""
    full = built.graphs(inferred=True, queries=True)
    media = {name: MEDIA_TYPES[fmt] for name, fmt in OUTPUTS.items()}
    return {
        "regen-kg-full.nt": lambda: pieces("nt", built.graphs(inferred=True), context),
        "regen-kg.trig": lambda: pieces("trig", full, context),
        "regen-kg.nq": lambda: pieces("nq", full, context),
        "inferred.ttl": lambda: to_turtle(built.inferred),
        "queries.ttl": lambda: to_turtle(built.queries),
        "mappings.sssom.tsv": lambda: sssom_text(built),
        "context.jsonld": lambda: json.dumps(context, indent=2, ensure_ascii=False) + "\n",
        "void.ttl": lambda: to_turtle(
            describe_dataset(built.loaded.parts_of_asserted, built.inferred, media, built.loaded.ontology)
        ),
    }


def report_outputs(report: ValidationReport) -> dict[str, bytes]:
    """The SHACL report, as Turtle and as readable lines."""
    return {
        "shacl-report.ttl": to_turtle(report.graph).encode(),
        "shacl-report.txt": (format_problems(report) + "\n").encode(),
    }


def render(built: Built, paths: ProjectPaths) -> dict[str, bytes]:
    """Every output file's bytes, computed in memory before anything is written."""
    context = build_context(built.loaded.ontology)
    makers = asserted_outputs(built.loaded, context) | inferred_outputs(built, context)
    out = {name: _text(make()).encode() for name, make in makers.items()} | report_outputs(built.report)
    out["SHA256SUMS"] = checksums(out).encode()
    return out


def _text(data: Data) -> str:
    return data if isinstance(data, str) else "".join(cast(Iterable[str], data))


def sssom_text(built: Built) -> str:
    """The mapping graph written back as one SSSOM table."""
    template = MappingSet(
        metadata=dict(built.loaded.mapping_sets[0].metadata) if built.loaded.mapping_sets else {},
        mappings=[m for s in built.loaded.mapping_sets for m in s.mappings],
    )
    labels = ReadOnlyGraphAggregate(list(built.loaded.parts_of_asserted))  # a view, not a copy
    return write_sssom(from_graph(built.loaded.mappings, labels, template))


@paused_gc
def build(
    paths: ProjectPaths,
    out_dir: Path,
    *,
    engine: str = DEFAULT_ENGINE,
    store: str = DEFAULT_STORE,
    cache: BuildCache | None = None,
    jobs: int = DEFAULT_JOBS,
) -> tuple[Built, list[Path]]:
    """The whole pipeline, quality checks included; nothing is written unless every stage succeeds.

    ``store`` is the embedded store the quality checks run on (``rdflib`` or ``oxigraph``). With
    ``jobs`` > 1 the checks run beside the reasoning; the files and the errors are the same as
    with ``jobs=1``, and a validation error still wins over a reasoning error, as in order.
    """
    from regen_kg.qc import QCReport, run_qc

    loaded = load(paths, cache, jobs=jobs)
    catalogue = load_catalogue(paths, check=False)  # checked first thing by check(), below
    queries = catalogue_graph(catalogue.values())
    context = build_context(loaded.ontology)
    staging = Staging(out_dir)
    #: the store the validation and then the quality checks read (made by the side running them)
    opened: list[GraphStore] = []

    def check() -> ValidationReport:
        check_catalogue(catalogue)
        shared = None
        if engine == "fast" and store == "oxigraph":
            shared = asserted_store(loaded, store)
            opened.append(shared)
        report = validate(paths, loaded, engine=engine, store=shared)
        loaded.forget_union()  # if the reference engine made it, it is not read again: free it
        return report

    def qc_and_write() -> tuple[QCReport, dict[str, str]]:
        shared = opened.pop() if opened else None
        if shared is not None:  # it holds the asserted graphs: the checks read the queries too
            shared.load({QUERIES_GRAPH: queries})
        qc = run_qc(paths, loaded=loaded, queries=queries, store=store, opened=shared)
        del shared  # freed before the outputs are made: the largest of them are made next
        if not qc.passed:
            return qc, {}
        return qc, {name: staging.put(name, make()) for name, make in asserted_outputs(loaded, context).items()}

    def checks() -> _Checked:
        report = check()
        return _Checked(report, *qc_and_write()) if report.conforms else _Checked(report)

    try:
        child = Forked(checks) if jobs > 1 and can_fork() else None
        checked = None
        if child is None:  # in order: validation fails before anything is reasoned
            checked = _Checked(check())
            _raise_if_invalid(checked.report)
        # reasoning and the outputs that need it; an error waits until validation has had its say
        pending = checked.report if checked else ValidationReport(conforms=True, problems=[], graph=Graph())
        built = Built(loaded=loaded, report=pending, inferred=Graph(), queries=queries)
        digests: dict[str, str] = {}
        failure: Exception | None = None
        try:
            built.inferred = infer(loaded, engine=engine, cache=cache)
            if child is not None:
                for name, make in inferred_outputs(built, context).items():
                    digests[name] = staging.put(name, make())
        except Exception as exc:
            failure = exc
        if child is not None:
            try:
                checked = child.result()
            except ChildFailed:  # run it here, so that its error is raised as itself
                checked = checks()
            _raise_if_invalid(checked.report)
        assert checked is not None
        if failure is not None:
            raise failure
        if checked.qc is None:
            checked.qc, checked.digests = qc_and_write()
        if not checked.qc.passed:
            raise QCFailed("quality checks found errors; nothing was written\n" + _qc_errors(checked.qc))
        built.report = checked.report
        if child is None:
            for name, make in inferred_outputs(built, context).items():
                digests[name] = staging.put(name, make())
        digests |= checked.digests
        for name, data in report_outputs(checked.report).items():
            digests[name] = staging.put(name, data)
        for name, text in _qc_outputs(checked.qc).items():
            digests[name] = staging.put(name, text.encode())
        staging.put("SHA256SUMS", checksum_lines(digests).encode())
        return built, staging.commit()
    finally:
        staging.abort()


@dataclass
class _Checked:
    """What the checking side of a build found, and the SHA-256 of each file it staged."""

    report: ValidationReport
    qc: Any = None
    digests: dict[str, str] = field(default_factory=dict)


def _raise_if_invalid(report: ValidationReport) -> None:
    if not report.conforms:
        raise ValidationFailed(format_problems(report))


def _qc_errors(qc: Any) -> str:
    from regen_kg.qc import format_report

    return format_report(qc, "ERROR")


def _qc_outputs(qc: Any) -> dict[str, str]:
    from regen_kg.qc import format_report, report_tsv

    return {"qc-report.txt": format_report(qc), "qc-report.tsv": report_tsv(qc)}


def checksums(files: dict[str, bytes]) -> str:
    """``sha256sum``-style lines for every file but the checksum file itself."""
    return checksum_lines({name: hashlib.sha256(data).hexdigest() for name, data in files.items()})


def checksum_lines(digests: dict[str, str]) -> str:
    """``sha256sum``-style lines from SHA-256 digests by file name, the checksum file left out."""
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(digests.items()) if name != "SHA256SUMS")


class QCFailed(RegenError):
    """The ontology quality checks (qc/) found errors."""


def _ontology_origins(paths: ProjectPaths) -> dict[URIRef, Location]:
    """Where each ``regen:Term`` is declared in ontology/ (the line starting its description)."""
    from regen_kg.prefixes import REGEN

    origins: dict[URIRef, Location] = {}
    for path in paths.ontology_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.startswith("regen:"):
                local = line.split()[0][len("regen:") :]
                origins.setdefault(REGEN[local], Location(path.relative_to(paths.root), number))
    return origins
