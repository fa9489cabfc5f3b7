"""HTML pages of the served graph: record and term pages, the query catalogue, result tables.

Pages are plain HTML with an inline style sheet; they load nothing from the internet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from urllib.parse import quote, urlencode

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from regen_kg.oxstore import GraphView
from regen_kg.prefixes import BASE, MESH_URI_PREFIX, REGEN, compact_iri
from regen_kg.queries import StoredQuery

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d2430;background:#fbfbfd}
header{background:#23395d;color:#fff;padding:.8rem 1.5rem}header a{color:#fff;text-decoration:none;font-weight:600}
main{padding:1rem 1.5rem;max-width:80rem}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.6rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}td,th{border:1px solid #ccd;padding:.25rem .5rem;
vertical-align:top;text-align:left}th{background:#eef}code,.iri{font-family:ui-monospace,monospace;font-size:.85rem}
.claim{background:#fff6e5}.finding{background:#eefbea}.note{color:#555;font-size:.9rem}
form.q{border:1px solid #ccd;padding:.6rem;margin:.6rem 0;background:#fff}textarea{width:100%;font-family:monospace}
.warn{color:#8a4b00;font-weight:600}#evidence-map svg{max-width:100%;height:auto}
"""


def href(iri: str) -> str:
    """Where a link to ``iri`` goes: our IRIs resolve on this server; MeSH to the NLM browser."""
    if iri.startswith(BASE):
        return "/" + iri[len(BASE) :]
    if iri.startswith(MESH_URI_PREFIX):
        return "https://meshb.nlm.nih.gov/record/ui?ui=" + quote(iri[len(MESH_URI_PREFIX) :])
    return iri


def page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width'><title>{escape(title)} · regen-kg</title>"
        f"<style>{STYLE}</style></head><body><header><a href='/'>regen-kg</a> · evidence on regenerative "
        "therapies for facial skin aging · <a href='/sparql'>SPARQL</a></header>"
        f"<main>{body}</main></body></html>"
    )


class Renderer:
    """Renders terms of one graph (asserted + inferred) with labels and local links: an rdflib
    graph, or the served store read through ``oxstore.GraphView``."""

    def __init__(self, graph: Graph | GraphView) -> None:
        self.g = graph

    def label(self, node: Node) -> str:
        if isinstance(node, Literal):
            return str(node)
        for label in self.g.objects(node, RDFS.label):
            return str(label)
        return compact_iri(str(node)) if isinstance(node, URIRef) else str(node)

    def link(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return (
                f"<a href='{escape(href(str(node)))}' title='{escape(str(node))}'>{escape(self.label(node))}</a>"
                f" <span class='iri'>{escape(compact_iri(str(node)))}</span>"
            )
        if isinstance(node, BNode):
            return "<span class='note'>(structure)</span>"
        return escape(str(node))

    def links(self, nodes: Iterable[Node]) -> str:
        return "<br>".join(self.link(n) for n in sorted(set(nodes), key=self.label)) or "<span class='note'>—</span>"

    def value(self, s: Node, p: URIRef) -> Node | None:
        return self.g.value(s, p)

    # -- pages -----------------------------------------------------------------------------

    def resource(self, iri: URIRef) -> str | None:
        """The page of one IRI of ours, or None if the graph says nothing about it."""
        if (iri, None, None) not in self.g and (None, None, iri) not in self.g:
            return None
        title = self.label(iri)
        types = set(self.g.objects(iri, RDF.type))
        parts = [f"<h1>{escape(title)}</h1><p class='iri'>{escape(str(iri))}</p>"]
        definition = self.value(iri, SKOS.definition)
        if definition is not None:
            parts.append(f"<p>{escape(str(definition))}</p>")
        if types:
            parts.append(f"<p>Types: {self.links(t for t in types if isinstance(t, URIRef))}</p>")
        if REGEN.Study in types:
            parts.append(self.study_sections(iri))
        if OWL.Class in types:
            parts.append(self.class_sections(iri))
        if types & {REGEN.Finding, REGEN.Claim}:
            parts.append(self.statement_note(iri, types))
        parts.append(self.property_table(iri))
        return page(title, "".join(parts))

    def property_table(self, iri: URIRef) -> str:
        rows = []
        predicates = sorted(set(self.g.predicates(iri, None)) - {RDF.type, RDFS.label, SKOS.definition}, key=str)
        for p in predicates:
            rows.append(f"<tr><th>{self.link(p)}</th><td>{self.links(self.g.objects(iri, p))}</td></tr>")
        incoming = sorted({(p, s) for s, p in self.g.subject_predicates(iri) if isinstance(s, URIRef)}, key=str)[:60]
        inc = "".join(f"<tr><td>{self.link(s)}</td><th>{self.link(p)}</th></tr>" for p, s in incoming)
        out = f"<h2>Statements</h2><table>{''.join(rows)}</table>"
        if inc:
            out += f"<h2>Referred to by</h2><table>{inc}</table>"
        return out

    def statement_note(self, iri: URIRef, types: set[Node]) -> str:
        if REGEN.Claim in types:
            return (
                "<p class='warn'>A claim of a secondary source, not a finding of a verified primary publication: "
                "check the citation status of the study it is about.</p>"
            )
        return "<p class='note'>A finding reported by the study's own (verified) publication.</p>"

    def study_sections(self, study: URIRef) -> str:
        g = self.g
        doc = self.value(study, REGEN.reportedIn)
        level = self.value(study, REGEN.evidenceLevel)
        status = self.value(doc, REGEN.citationStatus) if doc is not None else None
        designs = [t for t in g.objects(study, RDF.type) if (t, RDFS.subClassOf, REGEN.ClinicalStudy) in g]
        facts = [
            ("Design", self.links(designs)),
            ("Evidence level (derived)", self.link(level) if level is not None else "—"),
            ("Sample size", self.links(g.objects(study, REGEN.sampleSize))),
            ("Follow-up", self.links(g.objects(study, REGEN.followUp))),
            ("Reported in", self.link(doc) if doc is not None else "—"),
            ("Citation status", self.link(status) if status is not None else "—"),
            ("Identifiers", self.links(g.objects(doc, RDFS.seeAlso)) if doc is not None else "—"),
            ("Not reported by the sources", self.links(g.objects(study, REGEN.notReported))),
        ]
        out = "<h2>Design and citation</h2><table>"
        out += "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in facts) + "</table>"
        if status is not None and status != REGEN.Verified:
            out += (
                "<p class='warn'>This study is known only through a citation that could not be found in the "
                "literature. What is said about it below is a claim of a secondary source.</p>"
            )
        out += "<h2>Arms</h2><table><tr><th>arm</th><th>intervention</th><th>materials</th>"
        out += "<th>putative mechanisms (inferred)</th></tr>"
        for arm in sorted(g.objects(study, REGEN.hasArm), key=str):
            intervention = self.value(arm, REGEN.receivesIntervention)
            materials = g.objects(intervention, REGEN.usesMaterial) if intervention is not None else []
            mechanisms = g.objects(intervention, REGEN.putativeMechanism) if intervention is not None else []
            out += (
                f"<tr><td>{self.link(arm)}</td><td>{self.link(intervention) if intervention else '—'}</td>"
                f"<td>{self.links(materials)}</td><td>{self.links(mechanisms)}</td></tr>"
            )
        out += "</table><h2>Findings and claims</h2><table><tr><th>statement</th><th>kind</th><th>outcome</th>"
        out += "<th>direction</th><th>magnitude</th><th>timepoints</th><th>stated in</th><th>source text</th></tr>"
        for st in sorted(g.subjects(REGEN.aboutStudy, study), key=str):
            kind = "claim" if (st, RDF.type, REGEN.Claim) in g else "finding"
            outcome = self.value(st, REGEN.outcome) or self.value(st, REGEN.claimedMechanism)
            direction = self.value(st, REGEN.direction) or self.value(st, REGEN.safetyProfile)
            stated = self.value(st, REGEN.statedIn)
            out += (
                f"<tr class='{kind}'><td>{self.link(st)}</td><td>{kind}</td>"
                f"<td>{self.link(outcome) if outcome is not None else '—'}</td>"
                f"<td>{self.link(direction) if direction is not None else '—'}</td>"
                f"<td>{self.links(g.objects(st, REGEN.magnitude))}</td>"
                f"<td>{self.links(g.objects(st, REGEN.atTimepoint))}</td>"
                f"<td>{self.link(stated) if stated is not None else '—'}</td>"
                f"<td>{escape(str(self.value(st, REGEN.sourceText) or ''))}</td></tr>"
            )
        return out + "</table>"

    def class_sections(self, cls: URIRef) -> str:
        g = self.g
        supers = [o for o in g.objects(cls, RDFS.subClassOf) if isinstance(o, URIRef) and o != cls]
        subs = [s for s in g.subjects(RDFS.subClassOf, cls) if isinstance(s, URIRef) and s != cls]
        out = "<h2>Class</h2><table>"
        out += f"<tr><th>Superclasses</th><td>{self.links(supers)}</td></tr>"
        out += f"<tr><th>Subclasses</th><td>{self.links(subs)}</td></tr>"
        out += f"<tr><th>Definition source</th><td>{self.links(g.objects(cls, DCTERMS.source))}</td></tr>"
        for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch):
            targets = list(g.objects(cls, p))
            if targets:
                out += f"<tr><th>{escape(compact_iri(str(p)))}</th><td>{self.links(targets)}</td></tr>"
        return out + "</table>"


def home(catalogue: Sequence[StoredQuery], evidence_svg: str | None, map_error: str | None = None) -> str:
    """The home page: the evidence map (or why it is not shown yet), the stored questions, a SPARQL box."""
    if evidence_svg is not None:
        figure = evidence_svg
    elif map_error is not None:
        figure = f"<p class='warn'>The evidence map could not be drawn: {escape(map_error)}</p>"
    else:
        figure = (
            "<p class='note'>The evidence map is being drawn from the graph (this takes a few seconds on a "
            "large graph); reload the page to see it. Everything else here works meanwhile.</p>"
        )
    parts = [
        "<h1>regen-kg</h1><p>An evidence knowledge graph of stem-cell and platelet-rich-plasma therapies for "
        "facial skin aging. <span class='warn'>The evidence is early, small and mostly uncontrolled.</span> "
        "The five studies cited by the founding review could not be found in the literature; their results are "
        "kept as claims of that review, beside findings of verified primary studies.</p>",
        "<h2>Evidence map</h2>",
        f"<div id='evidence-map'>{figure}</div>",
        "<h2>Stored questions</h2>",
    ]
    for q in catalogue:
        inputs = "".join(
            f"<label>{escape(p.name)} ({escape(p.type)}) <input name='{escape(p.name)}' "
            f"value='{escape(p.default or '')}' size='40'></label> "
            for p in q.params
        )
        parts.append(
            f"<form class='q' method='get' action='/queries/{escape(q.name)}' id='form-{escape(q.name)}'>"
            f"<strong>{escape(q.title)}</strong><br><span class='note'>{escape(q.question)}</span><br>"
            f"{inputs}<button type='submit'>Run</button></form>"
        )
    parts.append(
        "<h2>Your own SPARQL</h2><form class='q' method='get' action='/query' id='form-sparql'>"
        "<textarea name='query' rows='6'>PREFIX regen: <https://w3id.org/regen-kg/ontology/>\n"
        "SELECT ?study ?label WHERE { ?study a regen:Study ; rdfs:label ?label } ORDER BY ?study"
        "</textarea><br><button type='submit'>Run</button> "
        "<span class='note'>Project prefixes (regen:, study:, CL:, MESH: …) are declared for you here; the "
        "<a href='/sparql'>/sparql</a> endpoint speaks the SPARQL 1.1 protocol.</span></form>"
    )
    return page("regen-kg", "".join(parts))


def results(title: str, variables: Sequence[str], rows: Sequence[dict[str, Node | None]], note: str = "") -> str:
    renderer = Renderer(Graph())
    head = "".join(f"<th>{escape(v)}</th>" for v in variables)
    body = ""
    for row in rows:
        cells = []
        for v in variables:
            term = row.get(v)
            if term is None:
                cells.append("<td></td>")
            elif isinstance(term, URIRef):
                cells.append(f"<td><a href='{escape(href(str(term)))}'>{escape(compact_iri(str(term)))}</a></td>")
            else:
                cells.append(f"<td>{renderer.link(term)}</td>")
        body += "<tr>" + "".join(cells) + "</tr>"
    return page(
        title,
        f"<h1>{escape(title)}</h1><p class='note'>{escape(note)}</p><p>{len(rows)} row(s)</p>"
        f"<table id='results'><tr>{head}</tr>{body}</table>",
    )


def error(status: int, message: str) -> str:
    return page(f"error {status}", f"<h1>Error {status}</h1><p>{escape(message)}</p><p><a href='/'>back</a></p>")


def query_link(name: str, values: dict[str, str]) -> str:
    return f"/queries/{quote(name)}?{urlencode(values)}"
