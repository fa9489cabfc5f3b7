"""A picture of the model, drawn from the ontology: the main classes and the finding pattern.

Nodes are our top-level classes (plus ``regen:Finding`` and ``regen:Claim``); an arrow is an
object property of ours, from its domain to its range. Where a property declares no domain or
range (values that are classes used as individuals, such as an outcome), the ends are the
top-level classes of the subjects and objects that the ontology and the records actually use it
with. ``regen:EvidenceStatement`` sits in the middle, the classes it links to (the finding
pattern) around it, and the rest on an outer ring placed next to what they link to. Nothing is
positioned by hand; matplotlib draws it, with fixed ids and no date, so the SVG is reproducible.
"""

from __future__ import annotations

import io
import math
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from regen_kg.prefixes import REGEN

CENTRE = REGEN.EvidenceStatement
#: Subclasses of the centre drawn as nodes of their own: the two kinds of statement.
EXTRA_NODES = (REGEN.Finding, REGEN.Claim)


@dataclass
class Model:
    """The nodes and labelled arrows to draw."""

    nodes: dict[URIRef, str] = field(default_factory=dict)  # class -> label
    edges: dict[tuple[URIRef, URIRef], list[str]] = field(default_factory=dict)  # (from, to) -> property labels
    subclass_edges: list[tuple[URIRef, URIRef]] = field(default_factory=list)
    value_sets: set[URIRef] = field(default_factory=set)


def _ours(node: object) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(str(REGEN))


def _label(graph: Graph, node: URIRef) -> str:
    labels = sorted(str(x) for x in graph.objects(node, RDFS.label) if isinstance(x, Literal))
    return labels[0] if labels else str(node)[len(str(REGEN)) :]


def model(ontology: Graph, data: Graph | None = None) -> Model:
    """Nodes and arrows from the ontology (and, for properties without domain or range, the records)."""
    data = data if data is not None else Graph()
    classes: set[URIRef] = {c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef) and _ours(c)}
    parents: dict[URIRef, set[URIRef]] = {
        c: {p for p in ontology.objects(c, RDFS.subClassOf) if isinstance(p, URIRef) and p in classes and p != c}
        for c in classes
    }
    roots = {c for c in classes if not parents[c]}
    shown = roots | {c for c in EXTRA_NODES if c in classes}

    def up(cls: URIRef, targets: set[URIRef]) -> set[URIRef]:
        """The nearest classes of ``targets`` at or above ``cls``."""
        found: set[URIRef] = set()
        todo, seen = deque([cls]), {cls}
        while todo:
            current = todo.popleft()
            if current in targets:
                found.add(current)
                continue
            for p in sorted(parents.get(current, ())):
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        return found

    def kinds(node: Node) -> set[URIRef]:
        """The classes of ours a node belongs to (a class used as a value counts as itself)."""
        if isinstance(node, URIRef) and node in classes:
            return {node}
        return {
            t for g in (ontology, data) for t in g.objects(node, RDF.type) if isinstance(t, URIRef) and t in classes
        }

    def ends(prop: URIRef, declared: URIRef, position: int) -> set[URIRef]:
        declared_ends = {c for c in ontology.objects(prop, declared) if isinstance(c, URIRef) and c in classes}
        if declared_ends:
            return {n for c in declared_ends for n in up(c, shown)}
        used: set[URIRef] = set()
        for subject, value in uses(prop):
            for cls in kinds(subject if position == 0 else value):
                used |= up(cls, roots)
        return used

    def restricted(node: Node) -> set[Node]:
        """The classes a restriction is put on: subclasses of it, or members of an intersection that is."""
        out: set[Node] = set()
        for s in ontology.subjects(RDFS.subClassOf, node):
            if isinstance(s, URIRef):
                out.add(s)
            for members in ontology.objects(s, OWL.intersectionOf):
                out.update(Collection(ontology, members))
        return out

    def uses(prop: URIRef) -> list[tuple[Node, Node]]:
        """(subject, value) pairs of ``prop``: triples of the ontology and records, and restrictions."""
        pairs: list[tuple[Node, Node]] = []
        for graph in (ontology, data):
            pairs.extend((s, o) for s, _p, o in graph.triples((None, prop, None)))
        for restriction in ontology.subjects(OWL.onProperty, prop):
            for predicate in (OWL.hasValue, OWL.someValuesFrom, OWL.allValuesFrom):
                for value in ontology.objects(restriction, predicate):
                    pairs.extend((s, value) for s in restricted(restriction))
        return pairs

    m = Model()
    properties = sorted(
        p for p in ontology.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef) and _ours(p)
    )
    for prop in properties:
        for a in sorted(ends(prop, RDFS.domain, 0)):
            for b in sorted(ends(prop, RDFS.range, 2)):
                if a != b:
                    m.edges.setdefault((a, b), []).append(_label(ontology, prop))
    linked = {n for edge in m.edges for n in edge}
    for extra in EXTRA_NODES:
        if extra in shown:
            m.subclass_edges.extend((extra, p) for p in sorted(up(extra, shown - {extra})))
    nodes = linked | {n for edge in m.subclass_edges for n in edge}
    m.nodes = {n: _label(ontology, n) for n in sorted(nodes)}
    m.value_sets = {n for n in nodes if any(s not in classes for s in ontology.subjects(RDF.type, n) if _ours(s))}
    return m


def _ring_order(items: list[URIRef], wanted: dict[URIRef, float]) -> dict[URIRef, float]:
    """Evenly spaced angles for ``items``, in order of their wanted angle, turned to fit best."""
    if not items:
        return {}
    ordered = sorted(items, key=lambda n: (wanted.get(n, 0.0), str(n)))
    step = 2 * math.pi / len(ordered)
    best: tuple[float, float] | None = None
    for k in range(72):
        offset = k * 2 * math.pi / 72
        cost = sum(1 - math.cos(offset + i * step - wanted[n]) for i, n in enumerate(ordered) if n in wanted)
        if best is None or cost < best[0] - 1e-9:
            best = (cost, offset)
    offset = best[1] if best else 0.0
    return {n: (offset + i * step) % (2 * math.pi) for i, n in enumerate(ordered)}


def _mean_angle(angles: Iterable[float]) -> float | None:
    values = list(angles)
    if not values:
        return None
    return math.atan2(sum(math.sin(a) for a in values), sum(math.cos(a) for a in values)) % (2 * math.pi)


def layout(m: Model) -> dict[URIRef, tuple[float, float]]:
    """Centre, an inner ring of the centre's neighbours and an outer ring of the rest.

    Each ring is evenly spaced; the order on each ring is settled by a few rounds of moving every
    node towards the mean angle of its neighbours, so linked classes end up side by side.
    """
    neighbours: dict[URIRef, set[URIRef]] = defaultdict(set)
    for a, b in [*m.edges, *m.subclass_edges]:
        neighbours[a].add(b)
        neighbours[b].add(a)
    inner = sorted(n for n in neighbours[CENTRE] if n != CENTRE)
    outer = sorted(n for n in m.nodes if n != CENTRE and n not in inner)
    angle = {n: i * 2 * math.pi / max(1, len(inner)) for i, n in enumerate(inner)}
    for _round in range(8):
        wanted = {}
        for n in outer:
            pulls = [angle[x] for x in sorted(neighbours[n]) if x in angle]
            if (mean := _mean_angle(pulls)) is not None:
                wanted[n] = mean
        angle.update(_ring_order(outer, wanted))
        wanted = {}
        for n in inner:
            pulls = [angle[x] for x in sorted(neighbours[n]) if x in angle and x != CENTRE]
            if (mean := _mean_angle(pulls)) is not None:
                wanted[n] = mean
        angle.update(_ring_order(inner, wanted))
    positions = {CENTRE: (0.0, 0.0)}
    for ring, (rx, ry) in ((inner, (0.6, 0.5)), (outer, (1.08, 0.95))):
        for n in ring:
            positions[n] = (rx * math.cos(angle[n]), ry * math.sin(angle[n]))
    return positions


def draw(m: Model, title: str = "", fmt: str = "svg") -> bytes:
    """The model picture as SVG (or PNG) bytes."""
    import matplotlib as mpl
    from matplotlib.figure import Figure

    positions = layout(m)
    with mpl.rc_context(
        {"svg.hashsalt": "regen-kg-model", "svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9}
    ):
        fig = Figure(figsize=(16, 11), dpi=100)
        ax = fig.add_axes((0.0, 0.0, 1.0, 0.95))
        ax.set_xlim(-1.3, 1.3)
        ax.set_ylim(-1.12, 1.12)
        ax.axis("off")
        inner = {n for edge in [*m.edges, *m.subclass_edges] if CENTRE in edge for n in edge}
        texts = {}
        for node, label in sorted(m.nodes.items()):
            x, y = positions[node]
            if node == CENTRE:
                face, edge_colour, weight = "#2a6f6f", "#1b4a4a", "bold"
            elif node in inner:
                face, edge_colour, weight = "#d3ebe9", "#2a6f6f", "normal"
            else:
                face, edge_colour, weight = "#f1f1f1", "#777777", "normal"
            texts[node] = ax.text(
                x,
                y,
                label,
                ha="center",
                va="center",
                fontsize=10,
                fontweight=weight,
                color="#ffffff" if node == CENTRE else "#1d1d1d",
                bbox={
                    "boxstyle": "round,pad=0.45",
                    "facecolor": face,
                    "edgecolor": edge_colour,
                    "linestyle": "--" if node in m.value_sets else "-",
                },
                zorder=3,
                gid=f"class-{str(node)[len(str(REGEN)) :]}",
            )
        for (a, b), labels in sorted(m.edges.items()):
            _arrow(ax, texts[a], texts[b], "-|>", "#2f5f8a" if CENTRE in (a, b) else "#6b6b6b", "-")
            (xa, ya), (xb, yb) = positions[a], positions[b]
            ax.text(
                (xa + xb) / 2,
                (ya + yb) / 2,
                "\n".join(sorted(labels)),
                ha="center",
                va="center",
                fontsize=7.5,
                color="#234",
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "#ffffff", "edgecolor": "none", "alpha": 0.85},
                zorder=5,
            )
        for a, b in m.subclass_edges:
            _arrow(ax, texts[a], texts[b], "-|>", "#222222", "--", hollow=True)
            (xa, ya), (xb, yb) = positions[a], positions[b]
            ax.text(
                (xa + xb) / 2, (ya + yb) / 2, "is a", fontsize=7.5, ha="center", va="center", style="italic", zorder=5
            )
        if title:
            fig.suptitle(title, x=0.02, ha="left", fontsize=12)
        fig.text(
            0.02,
            0.01,
            "Arrows: object properties from domain to range (dashed: subclass). Dashed boxes: value sets of named "
            "individuals. Teal: an evidence statement (finding or claim) and what it links to.",
            fontsize=8,
            color="#444",
        )
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else {"Software": None})
    return buffer.getvalue()


def _arrow(
    ax: object, source: object, target: object, style: str, colour: str, line: str, hollow: bool = False
) -> None:
    props = {
        "arrowstyle": style,
        "edgecolor": colour,
        "facecolor": "#ffffff" if hollow else colour,
        "linestyle": line,
        "linewidth": 1.0,
        "shrinkA": 1,
        "shrinkB": 1,
        "patchA": source.get_bbox_patch(),  # type: ignore[attr-defined]
        "patchB": target.get_bbox_patch(),  # type: ignore[attr-defined]
        "connectionstyle": "arc3,rad=0.06",
        "mutation_scale": 12,
    }  # drawn above the boxes (zorder 4), so that the boxes are placed before the arrows are clipped to them
    ax.annotate(  # type: ignore[attr-defined]
        "",
        xy=(0.5, 0.5),
        xycoords=target,
        xytext=(0.5, 0.5),
        textcoords=source,
        arrowprops=props,
        zorder=4,
    )


TITLE = "regen-kg: main classes and the finding pattern (generated from the ontology)"


def model_svg(ontology: Graph, data: Graph | None = None, fmt: str = "svg") -> bytes:
    """The picture of the model of ``ontology`` (ends of untyped properties taken from ``data``)."""
    return draw(model(ontology, data), TITLE, fmt)
