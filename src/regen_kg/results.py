"""Query results as text: a terminal table, CSV, TSV, SPARQL 1.1 results JSON, Markdown."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from rdflib import BNode, Literal, URIRef
from rich.console import Console
from rich.table import Table

from regen_kg.choices import SELECT_FORMATS
from regen_kg.queries import QueryResult


def render_rows(result: QueryResult, fmt: str, *, max_rows: int | None = None) -> str:
    """A SELECT or ASK result in ``fmt`` (one of SELECT_FORMATS). The table format draws the
    first ``max_rows`` rows (every row if None or 0) and says how many there are; the other
    formats always write every row."""
    if result.form == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(result.boolean)}, indent=2) + "\n"
        return f"{'true' if result.boolean else 'false'}\n"
    if fmt == "json":
        return _results_json(result)
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(result.vars)
        for row in result.rows:
            writer.writerow(["" if row[v] is None else row[v] for v in result.vars])
        return out.getvalue()
    if fmt == "md":

        def cell(value: str | None) -> str:
            return "" if value is None else value.replace("|", "\\|").replace("\n", " ")

        lines = ["| " + " | ".join(result.vars) + " |", "|" + "---|" * len(result.vars)]
        lines += ["| " + " | ".join(cell(row[v]) for v in result.vars) + " |" for row in result.rows]
        return "\n".join(lines) + "\n"
    if fmt == "table":
        table = Table(show_lines=False)
        for var in result.vars:
            table.add_column(var, overflow="fold")
        shown = result.rows[:max_rows] if max_rows else result.rows
        for row in shown:
            table.add_row(*("" if row[v] is None else row[v] for v in result.vars))
        console = Console(file=io.StringIO(), width=200, highlight=False)
        console.print(table)
        total = len(result.rows)
        console.print(f"{total} row(s)" if len(shown) == total else f"{total} rows, the first {len(shown)} shown")
        out = console.file.getvalue()  # type: ignore[attr-defined]
        return str(out)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(SELECT_FORMATS)}")


def _results_json(result: QueryResult) -> str:
    bindings = []
    for row in result.terms:
        binding = {}
        for var, term in row.items():
            if term is not None:
                binding[var] = _term_json(term)
        bindings.append(binding)
    return (
        json.dumps({"head": {"vars": result.vars}, "results": {"bindings": bindings}}, indent=2, ensure_ascii=False)
        + "\n"
    )


def _term_json(term: Any) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype:
            out["datatype"] = str(term.datatype)
        return out
    return {"type": "literal", "value": str(term)}
