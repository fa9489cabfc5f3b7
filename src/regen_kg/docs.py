"""HTML documentation of the ontology: one page, one anchor per term, made from the graph.

Every class, property and named individual of ours gets a section ``<section id="LocalName">``
(so ``index.html#SkinElasticity`` is the page for ``regen:SkinElasticity``) with its label, IRI,
definition, definition source, synonyms, place in the hierarchy, axioms and mappings to external
vocabularies (``skos:*Match`` from the SSSOM mappings). The page has its own small stylesheet and
no scripts; its only outside links are the IRIs of the terms it cites. Output is sorted, so it is
reproducible. (pyLODE was tried: 3.4.1 does not import from its wheel, and 3.2.1 shows no
``skos:*Match`` mappings and makes anchors from labels, so the page is generated here instead.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from regen_kg.fileio import write_atomic
from regen_kg.mappings import PREDICATES
from regen_kg.prefixes import ONTOLOGY_IRI, REGEN, compact_iri

_PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
_KIND_TITLES: dict[object, str] = {
    "class": "Classes",
    OWL.ObjectProperty: "Object properties",
    OWL.DatatypeProperty: "Datatype properties",
    OWL.AnnotationProperty: "Annotation properties",
    "individual": "Named individuals",
}

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d1d1d; line-height: 1.45; }
header, main { max-width: 60rem; margin: 0 auto; padding: 0 1.2rem; }
header { border-bottom: 1px solid #ddd; padding-bottom: 0.8rem; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 2px solid #2a6f6f; }
h3 { margin: 0 0 0.3rem 0; font-size: 1.15rem; }
section.term { border: 1px solid #e2e2e2; border-radius: 4px; padding: 0.7rem 0.9rem; margin: 0.9rem 0; }
section.term:target { border-color: #2a6f6f; box-shadow: 0 0 0 2px #cfe5e5; }
dl { display: grid; grid-template-columns: 10rem 1fr; gap: 0.2rem 0.8rem; margin: 0.3rem 0 0 0; }
dt { font-weight: 600; color: #555; } dd { margin: 0; }
code { font-size: 0.92em; background: #f4f4f4; padding: 0 0.2em; border-radius: 3px; }
.kind { font-size: 0.8rem; color: #fff; background: #2a6f6f; border-radius: 3px; padding: 0.05rem 0.35rem;
        margin-left: 0.4rem; vertical-align: middle; }
.deprecated { background: #a33; }
ul.tree, ul.tree ul { list-style: none; padding-left: 1.1rem; margin: 0; }
ul.tree { padding-left: 0; }
.toc { columns: 3; font-size: 0.92rem; }
figure img { max-width: 100%; }
"""


@dataclass(frozen=True)
class Term:
    """One documented term: its IRI, anchor, kind and label."""

    iri: URIRef
    anchor: str
    kind: object
    label: str


def anchor(iri: URIRef) -> str:
    """The anchor of a term of ours: its local name (``SkinElasticity``)."""
    return str(iri)[len(str(REGEN)) :]


def _ours(node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(str(REGEN)) and len(str(node)) > len(str(REGEN))


def terms(ontology: Graph) -> list[Term]:
    """Every class, property and named individual of ours, by kind and then by label."""
    found: dict[URIRef, Term] = {}
    for s, o in ontology.subject_objects(RDF.type):
        if not _ours(s) or not isinstance(s, URIRef):
            continue
        kind: object
        if o == OWL.Class:
            kind = "class"
        elif o in _PROPERTY_TYPES:
            kind = o
        elif s in found:
            continue
        else:
            kind = "individual"
        if s in found and found[s].kind == "class":
            continue  # a punned class is documented as a class
        found[s] = Term(s, anchor(s), kind, _label(ontology, s))
    order = list(_KIND_TITLES)
    return sorted(found.values(), key=lambda t: (order.index(t.kind), t.label.lower(), str(t.iri)))


def _label(graph: Graph, node: Node) -> str:
    labels = sorted(str(x) for x in graph.objects(node, RDFS.label) if isinstance(x, Literal))
    return labels[0] if labels else compact_iri(str(node))


class _Page:
    """Builds the HTML of one ontology; links terms of ours to their anchors."""

    def __init__(self, ontology: Graph, mappings: Graph) -> None:
        self.g = ontology
        self.mappings = mappings
        self.terms = terms(ontology)
        self.known = {t.iri for t in self.terms}

    # -- small pieces -------------------------------------------------------------------------
    def link(self, node: Node) -> str:
        if isinstance(node, URIRef) and node in self.known:
            return f'<a href="#{escape(anchor(node))}">{escape(_label(self.g, node))}</a>'
        if isinstance(node, URIRef):
            label = next((str(x) for x in self.g.objects(node, RDFS.label)), "")
            text = f"{escape(label)} " if label else ""
            return f'{text}<a href="{escape(str(node))}"><code>{escape(compact_iri(str(node)))}</code></a>'
        if isinstance(node, BNode):
            return self.expression(node)
        return escape(str(node))

    def expression(self, node: BNode) -> str:
        """A class expression in words (restrictions, intersections, unions, complements)."""
        g = self.g
        prop = g.value(node, OWL.onProperty)
        if prop is not None:
            p = self.link(prop)
            for predicate, word in (
                (OWL.hasValue, "value"),
                (OWL.someValuesFrom, "some"),
                (OWL.allValuesFrom, "only"),
                (OWL.minCardinality, "min"),
                (OWL.maxCardinality, "max"),
                (OWL.cardinality, "exactly"),
                (OWL.minQualifiedCardinality, "min"),
                (OWL.maxQualifiedCardinality, "max"),
                (OWL.qualifiedCardinality, "exactly"),
            ):
                value = g.value(node, predicate)
                if value is not None:
                    qualified = g.value(node, OWL.onClass)
                    extra = f" {self.link(qualified)}" if qualified is not None else ""
                    return f"{p} <em>{word}</em> {self.link(value)}{extra}"
            return f"restriction on {p}"
        for predicate, word in ((OWL.intersectionOf, "and"), (OWL.unionOf, "or")):
            members = g.value(node, predicate)
            if isinstance(members, BNode):
                parts = [self.link(m) for m in Collection(g, members)]
                return "(" + f" <em>{word}</em> ".join(parts) + ")"
        complement = g.value(node, OWL.complementOf)
        if complement is not None:
            return f"<em>not</em> {self.link(complement)}"
        return "(anonymous class)"

    def links(self, nodes: Iterable[Node]) -> str:
        items = sorted({self.link(n) for n in nodes})
        return ", ".join(items)

    @staticmethod
    def iris(nodes: Iterable[Node]) -> str:
        """Links that show the whole IRI (version IRIs, licences)."""
        return ", ".join(
            f'<a href="{escape(str(n))}"><code>{escape(str(n))}</code></a>' for n in sorted(nodes, key=str)
        )

    @staticmethod
    def row(name: str, value: str) -> str:
        return f"<dt>{escape(name)}</dt><dd>{value}</dd>" if value else ""

    def texts(self, subject: Node, predicate: URIRef) -> str:
        return "<br>".join(escape(str(x)) for x in sorted(self.g.objects(subject, predicate), key=str))

    # -- sections -----------------------------------------------------------------------------
    def mapping_rows(self, iri: URIRef) -> str:
        rows = []
        for predicate_id, predicate in PREDICATES.items():
            for target in sorted(self.mappings.objects(iri, predicate), key=str):
                rows.append(f"{escape(predicate_id)} {self.link(target)}")
        return "<br>".join(rows)

    def term_section(self, term: Term) -> str:
        g, iri = self.g, term.iri
        deprecated = any(str(x).lower() in ("true", "1") for x in g.objects(iri, OWL.deprecated))
        kind = "class" if term.kind == "class" else ("individual" if term.kind == "individual" else "property")
        badge = f'<span class="kind">{kind}</span>'
        if deprecated:
            badge += '<span class="kind deprecated">deprecated</span>'
        parts = [
            f'<section class="term" id="{escape(term.anchor)}">',
            f"<h3>{escape(term.label)}{badge}</h3>",
            "<dl>",
            self.row("IRI", f"<code>{escape(str(iri))}</code>"),
            self.row("CURIE", f"<code>{escape(compact_iri(str(iri)))}</code>"),
            self.row("definition", self.texts(iri, SKOS.definition)),
            self.row("definition source", self.texts(iri, DCTERMS.source)),
            self.row("synonyms", self.texts(iri, SKOS.altLabel)),
            self.row("comment", self.texts(iri, RDFS.comment)),
        ]
        if term.kind == "class":
            parts += self.class_rows(iri)
        elif term.kind == "individual":
            parts.append(self.row("type", self.links(g.objects(iri, RDF.type))))
        else:
            parts += self.property_rows(iri)
        facts = sorted(
            (p, o)
            for p, o in g.predicate_objects(iri)
            if _ours(p) and isinstance(p, URIRef) and not isinstance(o, BNode)
        )
        if facts:
            parts.append(self.row("facts", "<br>".join(f"{self.link(p)} {self.link(o)}" for p, o in facts)))
        parts.append(self.row("mappings", self.mapping_rows(iri)))
        replaced = list(g.objects(iri, DCTERMS.isReplacedBy))
        parts.append(self.row("replaced by", self.links(replaced)))
        parts.append("</dl></section>")
        return "\n".join(p for p in parts if p)

    def class_rows(self, iri: URIRef) -> list[str]:
        g = self.g
        supers = [s for s in g.objects(iri, RDFS.subClassOf) if s != iri]
        named = [s for s in supers if isinstance(s, URIRef)]
        anonymous = [s for s in supers if isinstance(s, BNode)]
        subs = [s for s in g.subjects(RDFS.subClassOf, iri) if isinstance(s, URIRef) and s != iri]
        instances = [s for s in g.subjects(RDF.type, iri) if isinstance(s, URIRef)]
        domain_of = [p for p in g.subjects(RDFS.domain, iri) if isinstance(p, URIRef)]
        range_of = [p for p in g.subjects(RDFS.range, iri) if isinstance(p, URIRef)]
        disjoint = list(g.objects(iri, OWL.disjointWith)) + list(g.subjects(OWL.disjointWith, iri))
        punned = [t for t in g.objects(iri, RDF.type) if t != OWL.Class]
        return [
            self.row("subclass of", self.links(named)),
            self.row("restrictions", "<br>".join(sorted(self.link(s) for s in anonymous))),
            self.row("equivalent to", "<br>".join(sorted(self.link(s) for s in g.objects(iri, OWL.equivalentClass)))),
            self.row("superclass of", self.links(subs)),
            self.row("disjoint with", self.links(disjoint)),
            self.row("also an instance of", self.links(punned)),
            self.row("instances", self.links(instances)),
            self.row("in domain of", self.links(domain_of)),
            self.row("in range of", self.links(range_of)),
        ]

    def property_rows(self, iri: URIRef) -> list[str]:
        g = self.g
        chains = []
        for chain in g.objects(iri, OWL.propertyChainAxiom):
            if isinstance(chain, BNode):
                chains.append(" ∘ ".join(self.link(m) for m in Collection(g, chain)))
        characteristics = [
            _label(g, t).removeprefix("owl:")
            for t in g.objects(iri, RDF.type)
            if t not in _PROPERTY_TYPES and str(t).startswith(str(OWL))
        ]
        inverse = list(g.objects(iri, OWL.inverseOf)) + list(g.subjects(OWL.inverseOf, iri))
        return [
            self.row("type", self.links(t for t in g.objects(iri, RDF.type) if t in _PROPERTY_TYPES)),
            self.row("characteristics", escape(", ".join(sorted(characteristics)))),
            self.row("domain", self.links(g.objects(iri, RDFS.domain))),
            self.row("range", self.links(g.objects(iri, RDFS.range))),
            self.row("subproperty of", self.links(g.objects(iri, RDFS.subPropertyOf))),
            self.row("superproperty of", self.links(s for s in g.subjects(RDFS.subPropertyOf, iri))),
            self.row("inverse of", self.links(inverse)),
            self.row("property chain", "<br>".join(sorted(chains))),
        ]

    def tree(self) -> str:
        """The class hierarchy as nested lists, from our top-level classes down."""
        classes = {t.iri for t in self.terms if t.kind == "class"}
        children: dict[URIRef, list[URIRef]] = defaultdict(list)
        has_parent: set[URIRef] = set()
        for c in classes:
            for parent in self.g.objects(c, RDFS.subClassOf):
                if parent in classes and parent != c and isinstance(parent, URIRef):
                    children[parent].append(c)
                    has_parent.add(c)

        def key(c: URIRef) -> str:
            return _label(self.g, c).lower()

        def render(c: URIRef, seen: frozenset[URIRef]) -> str:
            kids = [k for k in sorted(children.get(c, []), key=key) if k not in seen]
            inner = "".join(render(k, seen | {k}) for k in kids)
            return f"<li>{self.link(c)}" + (f"<ul>{inner}</ul>" if inner else "") + "</li>"

        roots = sorted(classes - has_parent, key=key)
        return '<ul class="tree">' + "".join(render(r, frozenset({r})) for r in roots) + "</ul>"

    def general_axioms(self) -> str:
        """Axioms whose subject is an anonymous class (e.g. the evidence-level rules)."""
        rows = []
        for s, o in self.g.subject_objects(RDFS.subClassOf):
            if isinstance(s, BNode) and not any(True for _ in self.g.subjects(None, s)):
                rows.append(f"<li>{self.link(s)} <em>subclass of</em> {self.link(o)}</li>")
        return "<ul>" + "".join(sorted(rows)) + "</ul>" if rows else ""

    def header(self) -> tuple[str, str]:
        g, o = self.g, ONTOLOGY_IRI
        title = next((str(x) for x in g.objects(o, DCTERMS.title)), "regen-kg ontology")
        rows = [
            self.row("IRI", f"<code>{escape(str(o))}</code>"),
            self.row("version IRI", self.iris(g.objects(o, OWL.versionIRI))),
            self.row("version", self.texts(o, OWL.versionInfo)),
            self.row("prior version", self.iris(g.objects(o, OWL.priorVersion))),
            self.row("issued", self.texts(o, DCTERMS.issued)),
            self.row("modified", self.texts(o, DCTERMS.modified)),
            self.row("creator", self.texts(o, DCTERMS.creator)),
            self.row("licence", self.iris(g.objects(o, DCTERMS.license))),
            self.row("description", self.texts(o, DCTERMS.description)),
            self.row("note", self.texts(o, RDFS.comment)),
        ]
        return f"<h1>{escape(title)}</h1><dl>{''.join(rows)}</dl>", title

    def html(self, model_figure: str | None = None) -> str:
        header, title = self.header()
        counts: dict[object, int] = defaultdict(int)
        for t in self.terms:
            counts[t.kind] += 1
        toc = "".join(
            f'<li><a href="#{_section_id(kind)}">{escape(name)}</a> ({counts[kind]})</li>'
            for kind, name in _KIND_TITLES.items()
            if counts[kind]
        )
        body = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
            f"<header>{header}<nav><ul>{toc}"
            '<li><a href="#hierarchy">Class hierarchy</a></li>'
            '<li><a href="#general-axioms">General axioms</a></li></ul></nav></header>',
            "<main>",
        ]
        if model_figure:
            body.append(
                f'<h2 id="model">The model</h2><figure><img src="{escape(model_figure)}" '
                'alt="Main classes of the ontology and the properties of an evidence statement">'
                "<figcaption>Main classes and the finding pattern, drawn from the ontology.</figcaption></figure>"
            )
        body.append(f'<h2 id="hierarchy">Class hierarchy</h2>{self.tree()}')
        for kind, name in _KIND_TITLES.items():
            group = [t for t in self.terms if t.kind == kind]
            if not group:
                continue
            index = "".join(f'<li><a href="#{escape(t.anchor)}">{escape(t.label)}</a></li>' for t in group)
            body.append(f'<h2 id="{_section_id(kind)}">{escape(name)}</h2><ul class="toc">{index}</ul>')
            body.extend(self.term_section(t) for t in group)
        axioms = self.general_axioms()
        body.append(f'<h2 id="general-axioms">General axioms</h2>{axioms or "<p>None.</p>"}')
        body.append("</main></body></html>")
        return "\n".join(body) + "\n"


def _section_id(kind: object) -> str:
    return "section-" + _KIND_TITLES[kind].lower().replace(" ", "-")


def render_docs(ontology: Graph, mappings: Graph, model_svg: bytes | None = None) -> dict[str, bytes]:
    """The documentation files by name: ``index.html`` (and ``model.svg`` if given)."""
    files: dict[str, bytes] = {}
    if model_svg is not None:
        files["model.svg"] = model_svg
    page = _Page(ontology, mappings)
    files["index.html"] = page.html("model.svg" if model_svg is not None else None).encode("utf-8")
    return files


def write_docs(files: dict[str, bytes], out_dir: Path) -> list[Path]:
    """Write each file atomically under ``out_dir``."""
    written = []
    for name, data in sorted(files.items()):
        write_atomic(out_dir / name, data)
        written.append(out_dir / name)
    return written
