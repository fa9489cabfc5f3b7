"""SHACL validation compiled to SPARQL and run on Oxigraph; pyshacl (``validate.py``) stays the reference.

Our shapes use a small part of SHACL: class targets, property shapes with an IRI path and
``sh:minCount``, ``sh:maxCount``, ``sh:class``, ``sh:datatype``, ``sh:in``, ``sh:pattern``,
``sh:hasValue`` and ``sh:node`` (value shapes whose only constraint is ``sh:hasValue`` along
``rdfs:subClassOf*``), plus SPARQL-based constraints. Each constraint of each targeted shape becomes
one SPARQL query that selects its violations for every focus node at once (``$this`` bound by the
target pattern). ``sh:datatype`` is checked in Python on the original literals, because Oxigraph
stores numbers by value (``"2.0"^^xsd:decimal`` reads back as ``"2"``, ``xsd:nonNegativeInteger``
as ``xsd:integer``). Anything outside this subset raises ``UnsupportedShapes``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD

from regen_kg.errors import Location
from regen_kg.oxstore import from_ox, load_triples
from regen_kg.prefixes import SH, bind_all
from regen_kg.validate import SEVERITY_ORDER, Problem, ValidationReport, _rows

#: rdflib terms of the shapes and data graphs (rdflib's own Node type is too loose for its API)
Node = Any

_CORE = {
    SH.minCount: "MinCount",
    SH.maxCount: "MaxCount",
    SH["class"]: "Class",
    SH.datatype: "Datatype",
    SH["in"]: "In",
    SH.pattern: "Pattern",
    SH.hasValue: "HasValue",
    SH.node: "Node",
}
_IGNORED = {SH.path, SH.message, SH.severity, SH.name, SH.description, RDF.type}


class UnsupportedShapes(Exception):
    """The shapes use SHACL features this compiler does not translate."""


@dataclass(frozen=True)
class Check:
    """One compiled constraint: its SPARQL (or a Python datatype check) and how to report a row."""

    shape: Node  # the node shape (targets) it belongs to
    source: Node  # sh:sourceShape: the property shape, or the node shape for SPARQL constraints
    component: URIRef
    severity: URIRef
    path: Node | None
    message: str | None
    sparql: str | None = None
    datatype: URIRef | None = None
    constraint: Node | None = None  # the sh:sparql node
    has_value_var: bool = False


@dataclass
class CompiledShapes:
    checks: list[Check] = field(default_factory=list)
    shapes: Graph = field(default_factory=Graph)


def _n3(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise UnsupportedShapes(f"cannot write {term!r} into a query")


def _focus(shapes: Graph, shape: Node) -> str:
    targets = sorted(shapes.objects(shape, SH.targetClass), key=str)
    for unsupported in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
        if (shape, unsupported, None) in shapes:
            raise UnsupportedShapes(f"{unsupported} on {shape}")
    parts = [f"{{ ?this a ?__t . ?__t <{RDFS.subClassOf}>* {_n3(c)} . }}" for c in targets]
    return " UNION ".join(parts)


def _value_condition(shapes: Graph, node_shape: Node) -> str:
    """A SPARQL condition true when ``?v`` conforms to a value shape (hasValue along subClassOf*)."""
    conditions = []
    for prop in shapes.objects(node_shape, SH.property):
        path = shapes.value(prop, SH.path)
        star = shapes.value(path, SH.zeroOrMorePath) if isinstance(path, BNode) else None
        target = shapes.value(prop, SH.hasValue)
        others = {p for p, _ in shapes.predicate_objects(prop)} - {SH.path, SH.hasValue, SH.message, SH.severity}
        if star is None or target is None or others:
            raise UnsupportedShapes(f"value shape {node_shape} is not a hasValue along a zeroOrMorePath")
        conditions.append(f"EXISTS {{ ?v <{star}>* {_n3(target)} }}")
    if not conditions or set(shapes.predicates(node_shape)) - {SH.property, RDF.type}:
        raise UnsupportedShapes(f"value shape {node_shape} uses more than property shapes")
    return " && ".join(conditions)


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Every constraint of every shape with a target, as a Check."""
    out = CompiledShapes(shapes=shapes)
    node_shapes: list[Node] = sorted(set(shapes.subjects(SH.targetClass, None)), key=str)
    for shape in node_shapes:
        focus = _focus(shapes, shape)
        shape_severity = shapes.value(shape, SH.severity) or SH.Violation
        for prop in shapes.objects(shape, SH.property):
            out.checks.extend(_property_checks(shapes, shape, prop, focus))
        for constraint in shapes.objects(shape, SH.sparql):
            out.checks.append(_sparql_check(shapes, shape, constraint, focus, shape_severity))
        extra = set(shapes.predicates(shape)) - {RDF.type, SH.targetClass, SH.property, SH.sparql, SH.severity}
        if extra:
            raise UnsupportedShapes(f"node shape {shape} uses {sorted(map(str, extra))}")
    return out


def _property_checks(shapes: Graph, shape: Node, prop: Node, focus: str) -> Iterator[Check]:
    path = shapes.value(prop, SH.path)
    if not isinstance(path, URIRef):
        raise UnsupportedShapes(f"property shape {prop} has a complex path")
    severity = shapes.value(prop, SH.severity) or SH.Violation
    message = shapes.value(prop, SH.message)
    text = str(message) if message is not None else None
    p = _n3(path)
    for key, value in shapes.predicate_objects(prop):
        if key in _IGNORED:
            continue
        if key not in _CORE:
            raise UnsupportedShapes(f"{key} in {prop}")
        component = SH[f"{_CORE[key]}ConstraintComponent"]
        base: dict[str, Any] = {
            "shape": shape,
            "source": prop,
            "component": component,
            "severity": severity,
            "path": path,
            "message": text,
        }
        if key in (SH.minCount, SH.maxCount):
            op = "<" if key == SH.minCount else ">"
            sparql = (
                f"SELECT ?this WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ {focus} }} }} OPTIONAL {{ ?this {p} ?v }} }}"
                f" GROUP BY ?this HAVING (COUNT(DISTINCT ?v) {op} {int(value)})"
            )
            yield Check(**base, sparql=sparql)
        elif key == SH.hasValue:
            yield Check(
                **base,
                sparql=f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {p} {_n3(value)} }} }}",
            )
        elif key == SH.datatype:
            yield Check(
                **base, sparql=f"SELECT DISTINCT ?this ?v WHERE {{ {focus} ?this {p} ?v }}", datatype=URIRef(value)
            )
        else:
            if key == SH["class"]:
                bad = f"FILTER NOT EXISTS {{ ?v a ?__c . ?__c <{RDFS.subClassOf}>* {_n3(value)} }}"
            elif key == SH["in"]:
                members = ", ".join(_n3(m) for m in Collection(shapes, value))
                bad = f"FILTER (?v NOT IN ({members}))"
            elif key == SH.pattern:
                flags = shapes.value(prop, SH.flags)
                pattern = Literal(str(value)).n3()
                extra = f", {Literal(str(flags)).n3()}" if flags is not None else ""
                bad = f"FILTER (isBlank(?v) || !REGEX(STR(?v), {pattern}{extra}))"
            else:  # sh:node
                bad = f"FILTER (!({_value_condition(shapes, value)}))"
            yield Check(**base, sparql=f"SELECT DISTINCT ?this ?v WHERE {{ {focus} ?this {p} ?v . {bad} }}")


_SELECT = re.compile(r"^\s*SELECT\s+(.*?)\s+WHERE\s*\{(.*)\}\s*$", re.DOTALL | re.IGNORECASE)


def _sparql_check(shapes: Graph, shape: Node, constraint: Node, focus: str, severity: Node) -> Check:
    select = shapes.value(constraint, SH.select)
    if select is None:
        raise UnsupportedShapes(f"SPARQL constraint {constraint} without sh:select")
    prefixes = ""
    for declaration_set in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(declaration_set, SH.declare):
            prefixes += f"PREFIX {shapes.value(decl, SH.prefix)}: <{shapes.value(decl, SH.namespace)}>\n"
    match = _SELECT.match(str(select).replace("$this", "?this"))
    if match is None:
        raise UnsupportedShapes(f"cannot read the SELECT of {constraint}")
    projection, body = match.groups()
    projection = " ".join(dict.fromkeys(["?this", *projection.split()]))
    sparql = f"{prefixes}SELECT DISTINCT {projection} WHERE {{ {focus} {body} }}"
    message = shapes.value(constraint, SH.message)
    return Check(
        shape=shape,
        source=shape,
        component=SH.SPARQLConstraintComponent,
        # like pyshacl, the severity is the shape's: an sh:severity on the sh:sparql node is not read
        severity=severity,
        path=None,
        message=str(message) if message is not None else None,
        sparql=sparql,
        constraint=constraint,
        has_value_var="?value" in projection.split(),
    )


@dataclass(frozen=True)
class Result:
    """One validation result, as pyshacl would report it."""

    focus: Node
    path: Node | None
    value: Node | None
    severity: URIRef
    component: URIRef
    source: Node
    message: str | None
    constraint: Node | None = None


def _well_typed(value: Node, datatype: URIRef) -> bool:
    if not isinstance(value, Literal):
        return False
    if datatype == RDF.langString:
        return bool(value.language)
    if value.language or (value.datatype or XSD.string) != datatype:
        return False
    return not value.ill_typed


_SUBCLASS_STAR = re.compile(r"(\?__\w+) <" + re.escape(str(RDFS.subClassOf)) + r">\* (<[^>\s]+>)")


def expand_subclasses(sparql: str, store: ox.Store, cache: dict[str, str], *, union: bool = False) -> str:
    """``?t rdfs:subClassOf* <C>`` replaced by ``VALUES ?t { C and its subclasses }``, read from ``store``.

    The same answers (SHACL's class membership is ``rdf:type/rdfs:subClassOf*`` in the data graph),
    but Oxigraph no longer walks the hierarchy once per candidate node.
    """

    def values(match: re.Match[str]) -> str:
        var, cls = match.groups()
        if cls not in cache:
            cache[cls] = " ".join(f"<{m}>" for m in sorted(_subclasses(store, cls, union=union))) or cls
        return f"VALUES {var} {{ {cache[cls]} }}"

    return _SUBCLASS_STAR.sub(values, sparql)


def _subclasses(store: ox.Store, cls: str, *, union: bool = False) -> set[str]:
    """The IRIs of ``cls`` (written as in SPARQL) and its subclasses in the data of ``store``."""
    answer = _query(store, f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* {cls} }}", union)
    return {row["c"].value for row in answer if isinstance(row["c"], ox.NamedNode)}


def result_order(result: Result) -> tuple[str, str, str, str, str]:
    """The order results are reported in: focus, path, value, component, message."""
    return (str(result.focus), str(result.path), str(result.value), str(result.component), str(result.message))


def run_checks(
    compiled: CompiledShapes,
    store: ox.Store,
    data: Graph,
    *,
    only: Set[Node] | None = None,
    union: bool = False,
) -> list[Result]:
    """Evaluate every check on ``store`` (holding ``data`` in its default graph, or with ``union``
    in named graphs, read as their union); with ``only``, for those focus nodes alone."""
    results: list[Result] = []
    subclasses: dict[str, str] = {}
    members = _members(compiled.shapes, store, only, union=union) if only is not None else None
    for check in compiled.checks:
        assert check.sparql is not None
        sparql = check.sparql
        if members is not None:  # the target pattern replaced by the targeted nodes among ``only``
            if not members.get(check.shape):
                continue
            sparql = _restricted(check, compiled.shapes, _values(members[check.shape]))
        answer = _query(store, expand_subclasses(sparql, store, subclasses, union=union), union)
        names = [v.value for v in answer.variables]
        for solution in answer:
            row = {n: from_ox(solution[n]) for n in names if solution[n] is not None}
            focus = row["this"]
            if check.datatype is not None:
                # the original literals, not Oxigraph's canonical numbers
                assert check.path is not None
                for value in dict.fromkeys(data.objects(focus, check.path)):  # once, if in several graphs
                    if not _well_typed(value, check.datatype):
                        results.append(_result(check, focus, value, check.message))
                continue
            if check.constraint is not None:
                value = row.get("value", focus)
                path = row.get("path")
                message = _substitute(check.message, row, data, focus) if check.message else None
                results.append(
                    Result(focus, path, value, check.severity, check.component, check.source, message, check.constraint)
                )
                continue
            results.append(_result(check, focus, row.get("v"), check.message))
    return sorted(set(results), key=result_order)


def _query(store: ox.Store, sparql: str, union: bool) -> ox.QuerySolutions:
    """The solutions of a SELECT query; with ``union``, on the union of the named graphs."""
    answer = store.query(sparql, use_default_graph_as_union=union)
    assert isinstance(answer, ox.QuerySolutions)
    return answer


def _members(shapes: Graph, store: ox.Store, nodes: Set[Node], *, union: bool = False) -> dict[Node, set[Node]]:
    """Which of ``nodes`` each targeted shape selects (class targets, through rdfs:subClassOf*)."""
    types: dict[Node, set[str]] = {}
    rdf_type = ox.NamedNode(str(RDF.type))
    graph = None if union else ox.DefaultGraph()
    for node in nodes:
        if isinstance(node, URIRef):
            quads = store.quads_for_pattern(ox.NamedNode(str(node)), rdf_type, None, graph)
            types[node] = {q.object.value for q in quads if isinstance(q.object, ox.NamedNode)}
    members: dict[Node, set[Node]] = {}
    for shape in set(shapes.subjects(SH.targetClass, None)):
        classes: set[str] = set()
        for target in shapes.objects(shape, SH.targetClass):
            classes |= _subclasses(store, _n3(target), union=union) | {str(target)}
        members[shape] = {node for node, node_types in types.items() if node_types & classes}
    return members


def _values(nodes: Set[Node]) -> str:
    """A VALUES clause binding ``?this`` to ``nodes`` (IRIs only: records mint no blank nodes)."""
    return "VALUES ?this { " + " ".join(_n3(n) for n in sorted(nodes, key=str) if isinstance(n, URIRef)) + " }"


def _restricted(check: Check, shapes: Graph, values: str) -> str:
    """The check's query with its target pattern replaced by ``values``: the focus nodes, known to
    be targets of the check's shape. (A VALUES beside the target pattern is not enough: Oxigraph
    may start from the pattern and visit every instance of the class.)"""
    target = _focus(shapes, check.shape)
    sparql = check.sparql or ""
    if target not in sparql:  # every query is built around its target pattern
        raise UnsupportedShapes(f"cannot limit the check of {check.source} to given focus nodes")
    return sparql.replace(target, values, 1)


def _result(check: Check, focus: Node, value: Node | None, message: str | None) -> Result:
    return Result(focus, check.path, value, check.severity, check.component, check.source, message)


_TEMPLATE = re.compile(r"\{[?$](\w+)\}")


def _substitute(message: str, row: Mapping[str, Node], data: Graph, focus: Node) -> str:
    """``{?var}`` and ``{$this}`` filled in; numbers read back in their original lexical form."""

    def fill(match: re.Match[str]) -> str:
        term = row.get(match.group(1))
        if term is None:
            return match.group(0)
        if isinstance(term, Literal):
            term = _original_literal(data, focus, term)
        return str(term)

    return _TEMPLATE.sub(fill, message)


def _original_literal(data: Graph, focus: Node, canonical: Literal) -> Literal:
    """The literal of ``focus`` that Oxigraph canonicalised into ``canonical`` (same value)."""
    for _p, o in data.predicate_objects(focus):
        if isinstance(o, Literal) and o.datatype is not None and not o.ill_typed and o.eq(canonical):
            return o
    return canonical


def load_store(*graphs: Graph) -> ox.Store:
    """An Oxigraph store holding the union of ``graphs`` in its default graph."""
    store = ox.Store()
    for graph in graphs:
        load_triples(store, graph)
    return store


def report_graph(results: list[Result], shapes: Graph) -> Graph:
    """The validation report as pyshacl writes it (result nodes; blank source shapes copied in)."""
    graph = Graph()
    report = BNode()
    conforms = not any(r.severity == SH.Violation for r in results)
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(conforms)))
    copied: set[Node] = set()
    for r in results:
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, r.focus))
        graph.add((node, SH.resultSeverity, r.severity))
        graph.add((node, SH.sourceConstraintComponent, r.component))
        graph.add((node, SH.sourceShape, r.source))
        if r.path is not None:
            graph.add((node, SH.resultPath, r.path))
        if r.value is not None:
            graph.add((node, SH.value, r.value))
        if r.message:
            graph.add((node, SH.resultMessage, Literal(r.message)))
        if r.constraint is not None:
            graph.add((node, SH.sourceConstraint, r.constraint))
            _copy_cbd(shapes, r.constraint, graph, copied)
        if isinstance(r.source, BNode):
            _copy_cbd(shapes, r.source, graph, copied)
    return graph


def _copy_cbd(shapes: Graph, node: Node, into: Graph, seen: set[Node]) -> None:
    if node in seen:
        return
    seen.add(node)
    for p, o in shapes.predicate_objects(node):
        into.add((node, p, o))
        if isinstance(o, BNode):
            _copy_cbd(shapes, o, into, seen)


_CACHE: dict[int, CompiledShapes] = {}


def validate_fast(
    data: Graph,
    shapes: Graph,
    origins: dict[URIRef, Location] | None = None,
    store: ox.Store | None = None,
    *,
    union: bool = False,
) -> ValidationReport:
    """Validate like ``validate.validate_graph``: same rows, report built from the compiled checks.

    ``store`` holds ``data`` in its default graph, or with ``union`` in named graphs (a store the
    quality checks read next, loaded once for both)."""
    compiled = compiled_shapes(shapes)
    store = store if store is not None else load_store(data)
    return validation_report(run_checks(compiled, store, data, union=union), shapes, origins)


def compiled_shapes(shapes: Graph) -> CompiledShapes:
    """``compile_shapes``, once per shapes graph object."""
    compiled = _CACHE.get(id(shapes))
    if compiled is None or compiled.shapes is not shapes:
        compiled = _CACHE[id(shapes)] = compile_shapes(shapes)
    return compiled


def validation_report(
    results: list[Result], shapes: Graph, origins: dict[URIRef, Location] | None = None
) -> ValidationReport:
    """The report of ``results``: its graph as pyshacl writes it, and readable rows."""
    report = report_graph(results, shapes)
    problems = sorted(_rows(report, origins or {}), key=lambda p: (SEVERITY_ORDER.get(p.severity, 9), p))
    violations = any(p.severity == "Violation" for p in problems)
    return ValidationReport(conforms=not violations, problems=problems, graph=bind_all(report))


def result_keys(problems: list[Problem]) -> set[tuple[str, str, str, str, str]]:
    """(severity, focus, path, shape or message, value): what the equivalence tests compare."""
    return {(p.severity, p.focus, p.path, p.shape or p.message, p.value) for p in problems}
