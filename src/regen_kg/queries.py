"""The stored query catalogue: ``queries/*.rq`` with a comment header, run on any store.

Each file starts with ``# title:``, ``# question:``, ``# description:``, ``# keywords:`` and
``# param: NAME TYPE default=VALUE  text`` lines. Parameters are bound as a ``VALUES`` block
built from parsed RDF terms (never by pasting user text into the query), so the same query text
runs on the embedded graph and on a remote SPARQL endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from pyparsing import ParseException
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SKOS, XSD
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.query import Result

from regen_kg.errors import InputError, Location, ParameterError
from regen_kg.paths import ProjectPaths
from regen_kg.prefixes import ID, REGEN, compact_iri, expand_curie, prefix_map, sparql_prologue

ParamType = TypingLiteral["IRI", "string", "integer", "decimal"]
_HEADER = re.compile(r"^#\s*(title|question|description|keywords|param):\s*(.*)$")
_PARAM = re.compile(r"^(\w+)\s+(IRI|string|integer|decimal)(?:\s+default=(\S+))?\s*(.*)$")
_FORM = re.compile(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", re.IGNORECASE)
_NUMBER = re.compile(r"^\d+-")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: ParamType
    default: str | None
    description: str


@dataclass(frozen=True)
class StoredQuery:
    """One ``.rq`` file: its header and its text."""

    name: str
    path: Path
    title: str
    question: str
    description: str
    keywords: tuple[str, ...]
    params: tuple[Parameter, ...]
    text: str
    form: str

    def param(self, name: str) -> Parameter:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise ParameterError(f"query {self.name!r} has no parameter {name!r} (parameters: {known})")


@dataclass
class QueryResult:
    """Rows of a SELECT (IRIs compacted to CURIEs), a boolean for ASK, a graph for CONSTRUCT."""

    form: str
    vars: list[str] = field(default_factory=list)
    rows: list[dict[str, str | None]] = field(default_factory=list)
    terms: list[dict[str, Any]] = field(default_factory=list)
    graph: Graph | None = None
    boolean: bool | None = None


def parse_query_file(path: Path, *, name: str | None = None, check: bool = True) -> StoredQuery:
    """Read one query file; a header or SPARQL syntax error names the file, line and column.

    ``check=False`` leaves the SPARQL syntax unchecked (see :func:`check_catalogue`)."""
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    params: list[Parameter] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match.groups()
        if key == "param":
            pm = _PARAM.match(value.strip())
            if not pm:
                raise InputError(
                    Location(path, number),
                    "a param line reads '# param: NAME IRI|string|integer|decimal default=VALUE  description'",
                )
            pname, ptype, default, desc = pm.groups()
            params.append(Parameter(pname, ptype, default, desc.strip()))  # type: ignore[arg-type]
        else:
            meta[key] = value.strip()
    if check:
        check_syntax(text, path)
    form_match = _FORM.search(_strip_comments(text))
    stem = name or _NUMBER.sub("", path.stem)
    for p in params:
        if "WHERE {" not in text and "where {" not in text:
            raise InputError(Location(path), f"parameter {p.name!r} needs a 'WHERE {{' in the query")
    return StoredQuery(
        name=stem,
        path=path,
        title=meta.get("title", stem),
        question=meta.get("question", ""),
        description=meta.get("description", ""),
        keywords=tuple(k.strip() for k in meta.get("keywords", "").split(",") if k.strip()),
        params=tuple(params),
        text=text,
        form=form_match.group(1).upper() if form_match else "SELECT",
    )


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def check_syntax(text: str, path: Path | str, *, parser: str = "oxigraph") -> None:
    """Parse ``text`` as SPARQL; a syntax error becomes InputError with line and column.

    ``parser`` is Oxigraph's (under a millisecond a query; the project's prefixes predeclared,
    as the stores do) or rdflib's (the reference store's own, about 60 ms a query), for a query
    about to run on rdflib.
    """
    if parser == "rdflib":
        try:
            parseQuery(text)
        except ParseException as exc:
            raise InputError(Location(path, exc.lineno, exc.col), f"SPARQL syntax error: {exc.msg}") from exc
        return
    try:  # a SELECT or CONSTRUCT is parsed and planned here, and evaluated only when read
        ox.Store().query(text, prefixes=prefix_map())
    except SyntaxError as exc:
        found = _OX_ERROR.match(str(exc))
        line, column, message = (int(found[1]), int(found[2]), found[3]) if found else (None, None, str(exc))
        raise InputError(Location(path, line, column), f"SPARQL syntax error: {_readable(message)}") from exc
    except Exception:  # parsed: an ASK is evaluated at once, and may fail on an empty store
        return


def _readable(message: str) -> str:
    """Oxigraph's message without its lists of character ranges, cut to a line."""
    if "Prefix not found" in message:
        return "a prefix is used but not declared (add a PREFIX line)"
    text = re.sub(r"\[[^\]]*\]", "", " ".join(message.split()))  # ['A' ..= 'Z' | ...] and the like
    text = re.sub(r"(,\s*)+", ", ", text).strip(" ,")
    return text if len(text) <= 120 else text[:117].rstrip(" ,") + "..."


#: where Oxigraph's syntax errors say the error is: "error at LINE:COLUMN: message"
_OX_ERROR = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)


def load_catalogue(paths: ProjectPaths, *, check: bool = True) -> dict[str, StoredQuery]:
    """Every stored query by name (file stem without its number), in file order.

    ``check=False`` reads the headers only; the build checks the SPARQL syntax beside the
    reasoning, with :func:`check_catalogue`."""
    catalogue: dict[str, StoredQuery] = {}
    for path in sorted(paths.queries.glob("*.rq")):
        query = parse_query_file(path, check=check)
        catalogue[query.name] = query
    return catalogue


def check_catalogue(catalogue: Mapping[str, StoredQuery]) -> None:
    """Raise InputError at the first stored query whose SPARQL does not parse."""
    for query in catalogue.values():
        check_syntax(query.text, query.path)


def adhoc_query(path: Path) -> StoredQuery:
    """A user's own query file, with the project's prefixes declared before it."""
    text = path.read_text(encoding="utf-8")
    full = sparql_prologue() + text
    try:
        parseQuery(full)
    except ParseException as exc:
        lines = sparql_prologue().count("\n")
        raise InputError(Location(path, exc.lineno - lines, exc.col), f"SPARQL syntax error: {exc.msg}") from exc
    temp = StoredQuery(path.stem, path, path.stem, "", "", (), (), full, "SELECT")
    form = _FORM.search(_strip_comments(text))
    return StoredQuery(temp.name, path, temp.title, "", "", (), (), full, form.group(1).upper() if form else "SELECT")


def to_term(param: Parameter, value: str) -> URIRef | Literal:
    """Parse a parameter value into an RDF term of the declared type, or raise ParameterError."""
    if param.type == "IRI":
        try:
            term = expand_curie(value)
        except ValueError as exc:
            raise ParameterError(f"parameter {param.name!r} expects an IRI or CURIE: {exc}") from exc
        if any(ch in str(term) for ch in ' <>"{}|^`\\'):
            raise ParameterError(f"parameter {param.name!r}: {value!r} is not a valid IRI")
        return term
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", value.strip()):
            raise ParameterError(f"parameter {param.name!r} expects an integer, got {value!r}")
        return Literal(int(value), datatype=XSD.integer)
    if param.type == "decimal":
        try:
            return Literal(Decimal(value.strip()), datatype=XSD.decimal)
        except InvalidOperation as exc:
            raise ParameterError(f"parameter {param.name!r} expects a number, got {value!r}") from exc
    return Literal(value)


def bind(query: StoredQuery, values: Mapping[str, str] | None = None) -> str:
    """The query text with every parameter bound (given value or default) as a VALUES block."""
    values = dict(values or {})
    for name in values:
        query.param(name)  # unknown names raise
    blocks = []
    for p in query.params:
        raw = values.get(p.name, p.default)
        if raw is None:
            raise ParameterError(f"query {query.name!r} needs a value for parameter {p.name!r} ({p.type})")
        blocks.append(f"VALUES ?{p.name} {{ {to_term(p, raw).n3()} }}")
    if not blocks:
        return query.text
    match = re.search(r"WHERE\s*\{", query.text, re.IGNORECASE)
    if match is None:  # pragma: no cover - checked when the file is read
        raise InputError(Location(query.path), "parameterised query without WHERE {")
    return query.text[: match.end()] + " " + " ".join(blocks) + query.text[match.end() :]


def run_query(store: Any, query: StoredQuery, values: Mapping[str, str] | None = None) -> QueryResult:
    """Run a stored query on a store (anything with ``query(text) -> rdflib Result``).

    An IRI parameter given as an external term (``CL:0000134``, a MeSH descriptor) is replaced by
    the term of ours that is a ``skos:exactMatch`` of it, so external ids work wherever ours do.
    """
    resolved, _notes = resolve_external(store, query, values)
    text = bind(query, resolved)
    return from_result(store.query(text), query.form)


def resolve_external(
    store: Any, query: StoredQuery, values: Mapping[str, str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """Parameter values with external IRIs swapped for our exact matches, and notes saying so."""
    out = dict(values or {})
    notes: list[str] = []
    for name, raw in list(out.items()):
        param = query.param(name)
        if param.type != "IRI":
            continue
        iri = to_term(param, raw)
        if str(iri).startswith(str(REGEN)) or str(iri).startswith(str(ID)):
            continue
        rows = store.query(f"SELECT DISTINCT ?ours WHERE {{ ?ours <{SKOS.exactMatch}> {iri.n3()} }}")
        ours = sorted(str(r[0]) for r in rows if str(r[0]).startswith(str(REGEN)))
        if len(ours) == 1:
            out[name] = ours[0]
            notes.append(f"{name}: {compact_iri(str(iri))} is an exact match of {compact_iri(ours[0])}; using it")
        elif not ours:
            notes.append(f"{name}: no term of ours is an exact match of {compact_iri(str(iri))}")
        else:
            raise ParameterError(
                f"parameter {name!r}: {compact_iri(str(iri))} exactly matches several of our terms: "
                + ", ".join(compact_iri(o) for o in ours)
            )
    return out, notes


def from_result(result: Result, form: str) -> QueryResult:
    if result.type == "CONSTRUCT" or result.type == "DESCRIBE":
        graph = result.graph if result.graph is not None else Graph()
        return QueryResult(form=result.type, graph=graph)
    if result.type == "ASK":
        return QueryResult(form="ASK", boolean=bool(result.askAnswer))
    names = list(result.vars or [])
    variables = [str(v) for v in names]
    # the bindings as they are (a dict per solution), not rdflib's ResultRow built per row
    terms = [{v: b.get(n) for v, n in zip(variables, names, strict=True)} for b in result.bindings]
    rows = [{v: show(t[v]) for v in variables} for t in terms]
    return QueryResult(form="SELECT", vars=variables, rows=rows, terms=terms)


def show(term: Any) -> str | None:
    """A term as text: IRIs as CURIEs where a project prefix fits, literals by their value."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return compact_iri(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)
