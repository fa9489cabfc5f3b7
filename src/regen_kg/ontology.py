"""Loading the ontology and looking terms up by local name, with suggestions for typos."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from regen_kg.paths import ProjectPaths
from regen_kg.prefixes import REGEN, bind_all
from regen_kg.rdfio import parse_turtle


def load_ontology(paths: ProjectPaths) -> Graph:
    """The asserted ontology: every Turtle file in ``ontology/``."""
    graph = bind_all(Graph())
    for path in paths.ontology_files():
        parse_turtle(path, graph)
    return graph


class UnknownTerm(LookupError):
    """A name that is not a term of the expected kind; carries the closest known names."""

    def __init__(self, name: str, kind: str, suggestions: list[str]) -> None:
        self.name = name
        self.kind = kind
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join('regen:' + s for s in suggestions)}?" if suggestions else ""
        super().__init__(f"unknown {kind} {name!r}{hint}")


@dataclass
class TermIndex:
    """Our classes and individuals by local name, with their superclasses and types."""

    graph: Graph
    _supers: dict[URIRef, set[URIRef]] = field(default_factory=dict, init=False)
    _subclasses: dict[URIRef, list[URIRef]] = field(default_factory=dict, init=False)
    _instances: dict[URIRef, list[URIRef]] = field(default_factory=dict, init=False)
    _names: dict[tuple[str, URIRef], dict[str, URIRef]] = field(default_factory=dict, init=False)
    _labels: dict[URIRef, str] = field(default_factory=dict, init=False)

    @cached_property
    def classes(self) -> set[URIRef]:
        return {
            s
            for s in self.graph.subjects(RDF.type, OWL.Class)
            if isinstance(s, URIRef) and str(s).startswith(str(REGEN))
        }

    def superclasses(self, cls: URIRef) -> set[URIRef]:
        """``cls`` and every named class above it (reflexive, transitive)."""
        if cls not in self._supers:
            seen: set[URIRef] = set()
            todo = [cls]
            while todo:
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                todo.extend(o for o in self.graph.objects(current, RDFS.subClassOf) if isinstance(o, URIRef))
            self._supers[cls] = seen
        return self._supers[cls]

    @cached_property
    def key(self) -> str:
        """A content hash of the ontology: what resolving a name depends on (a cache key part)."""
        from regen_kg.cache import graph_key

        return graph_key(self.graph)

    def subclasses_of(self, root: URIRef) -> list[URIRef]:
        if root not in self._subclasses:
            self._subclasses[root] = sorted(c for c in self.classes if root in self.superclasses(c))
        return self._subclasses[root]

    def instances_of(self, cls: URIRef) -> list[URIRef]:
        if cls not in self._instances:
            self._instances[cls] = sorted(s for s in self.graph.subjects(RDF.type, cls) if isinstance(s, URIRef))
        return self._instances[cls]

    def label(self, term: URIRef) -> str:
        found = self._labels.get(term)
        if found is None:
            found = next((str(label) for label in self.graph.objects(term, RDFS.label)), None)
            found = self._labels[term] = found if found is not None else str(term).rsplit("/", 1)[-1]
        return found

    def resolve_class(self, name: str, root: URIRef, kind: str) -> URIRef:
        """The class ``regen:name`` if it is ``root`` or below it, else UnknownTerm."""
        return self._resolve(name, self._by_name("class", root, self.subclasses_of), kind)

    def resolve_instance(self, name: str, cls: URIRef, kind: str) -> URIRef:
        """The individual ``regen:name`` of class ``cls``, else UnknownTerm."""
        return self._resolve(name, self._by_name("instance", cls, self.instances_of), kind)

    def _by_name(self, what: str, of: URIRef, candidates: Callable[[URIRef], list[URIRef]]) -> dict[str, URIRef]:
        """The candidates by local name, made once per (kind, class)."""
        names = self._names.get((what, of))
        if names is None:
            names = self._names[(what, of)] = {str(c)[len(str(REGEN)) :]: c for c in candidates(of)}
        return names

    @staticmethod
    def _resolve(name: str, by_name: dict[str, URIRef], kind: str) -> URIRef:
        local = name.removeprefix("regen:")
        found = by_name.get(local)
        if found is not None:
            return found
        close = difflib.get_close_matches(local, list(by_name), n=3, cutoff=0.5)
        if not close:
            folded = {k.lower(): k for k in by_name}
            close = [folded[k] for k in difflib.get_close_matches(local.lower(), list(folded), n=3)]
        raise UnknownTerm(name, kind, close)
