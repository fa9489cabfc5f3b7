"""SHACL validation of ontology + records with pyshacl, as flat rows a curator can read."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from regen_kg.errors import Location, RegenError
from regen_kg.memstore import plain_copy
from regen_kg.paths import ProjectPaths
from regen_kg.prefixes import SH, bind_all, compact_iri
from regen_kg.rdfio import parse_turtle

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True, order=True)
class Problem:
    """One SHACL result: which node, which path, what is wrong, how bad, and in which file."""

    severity: str
    focus: str
    path: str
    message: str
    value: str
    shape: str
    file: str


@dataclass
class ValidationReport:
    conforms: bool
    problems: list[Problem]
    graph: Graph

    @property
    def violations(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "Violation"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "Warning"]


def load_shapes(paths: ProjectPaths) -> Graph:
    graph = Graph()
    for path in paths.shape_files():
        parse_turtle(path, graph)
    return graph


@contextmanager
def _prepared_queries() -> Iterator[None]:
    """Parse each SHACL-SPARQL query once, not once per focus node (pyshacl re-sends the text)."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.processor import SPARQLProcessor
    from rdflib.plugins.sparql.sparql import Query

    original = SPARQLProcessor.query
    cache: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], Query] = {}

    def query(
        self: SPARQLProcessor,
        str_or_query: str | Query,
        initBindings: Any = None,
        initNs: Any = None,
        base: str | None = None,
        DEBUG: bool = False,
    ) -> Any:
        if isinstance(str_or_query, str):
            key = (str_or_query, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            if key not in cache:
                cache[key] = translateQuery(parseQuery(str_or_query), base, initNs)
            str_or_query = cache[key]
        return original(self, str_or_query, initBindings, initNs, base, DEBUG)

    SPARQLProcessor.query = query  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        SPARQLProcessor.query = original  # type: ignore[method-assign]


def validate_graph(data: Graph, shapes: Graph, origins: dict[URIRef, Location] | None = None) -> ValidationReport:
    """Validate ``data`` (asserted ontology + records) against ``shapes``; nothing is inferred."""
    from pyshacl import validate as shacl_validate  # the reference engine, imported when it runs

    with _prepared_queries():
        _conforms, report, _text = shacl_validate(
            plain_copy(data), shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
        )
    if not isinstance(report, Graph):  # pyshacl reports a broken shapes graph this way
        raise RegenError(f"the SHACL shapes in shapes/ cannot be used: {report}")
    problems = sorted(_rows(report, origins or {}), key=lambda p: (SEVERITY_ORDER.get(p.severity, 9), p))
    violations = any(p.severity == "Violation" for p in problems)
    return ValidationReport(conforms=not violations, problems=problems, graph=bind_all(report))


def _rows(report: Graph, origins: dict[URIRef, Location]) -> list[Problem]:
    rows = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        severity = report.value(result, SH.resultSeverity)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        message = report.value(result, SH.resultMessage)
        shape = report.value(result, SH.sourceShape)
        origin = origins.get(focus) if isinstance(focus, URIRef) else None
        rows.append(
            Problem(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus=_show(focus),
                path=_show(path),
                message=str(message) if message else "",
                value=_show(value),
                shape=_show(shape) if isinstance(shape, URIRef) else "",
                file=str(origin) if origin else _ontology_hint(focus),
            )
        )
    return rows


def _show(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return compact_iri(str(term))
    if isinstance(term, Literal):
        return str(term)
    return str(term)


def _ontology_hint(focus: object) -> str:
    if isinstance(focus, URIRef) and compact_iri(str(focus)).startswith("regen:"):
        return str(Path("ontology") / "regen.ttl")
    return ""


def format_problems(report: ValidationReport) -> str:
    """The SHACL report as readable lines: severity, file, focus node, path, message."""
    if not report.problems:
        return "SHACL: conforms, no problems."
    lines = [f"SHACL: {len(report.violations)} violation(s), {len(report.warnings)} warning(s)"]
    for p in report.problems:
        where = p.file or "?"
        path = f" {p.path}" if p.path else ""
        value = f" (value: {p.value})" if p.value and p.value != p.focus else ""
        lines.append(f"{p.severity.upper():9} {where}: {p.focus}{path}: {p.message}{value}")
    return "\n".join(lines)
