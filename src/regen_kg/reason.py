"""OWL 2 RL reasoning with owlrl; the inferred triples are kept apart from the asserted ones."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import owlrl
from owlrl.Namespaces import ERRNS
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from regen_kg.errors import InconsistencyError
from regen_kg.prefixes import bind_all, compact_iri

#: Namespaces whose own axiomatic triples owlrl adds; they say nothing about our terms or records.
_VOCABULARY_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))


@dataclass
class Reasoned:
    asserted: Graph
    inferred: Graph


def reason(asserted: Graph) -> Reasoned:
    """Compute the OWL 2 RL closure of ``asserted`` and return only what it adds.

    Dropped from the inferred graph: triples about the RDF/RDFS/OWL/XSD vocabularies themselves,
    reflexive owl:sameAs, literals as subjects, and triples touching blank nodes (OWL restriction and list
    structure). Raises InconsistencyError if the closure is inconsistent.
    """
    closure = owlrl_closure(asserted)
    _check_consistency(closure)
    inferred = bind_all(Graph())
    for s, p, o in closure:
        if (s, p, o) in asserted or not _worth_keeping(s, p, o):
            continue
        inferred.add((s, p, o))
    return Reasoned(asserted=asserted, inferred=inferred)


def owlrl_closure(graph: Iterable[tuple[Node, Node, Node]]) -> Graph:
    """A copy of ``graph`` (or of triples) expanded with owlrl's OWL 2 RL rules (no axiomatic or
    datatype triples)."""
    closure = Graph()
    for triple in graph:
        closure.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)
    return closure


_SAME_AS, _TYPE = OWL.sameAs, RDF.type
_TOP_CLASSES = frozenset((OWL.Thing, RDFS.Resource))


def _worth_keeping(s: object, p: object, o: object) -> bool:
    if isinstance(s, (BNode, Literal)) or isinstance(o, BNode):
        return False
    if p == _SAME_AS and s == o:
        return False
    if isinstance(s, URIRef) and str(s).startswith(_VOCABULARY_NAMESPACES):
        return False
    if p == _TYPE:
        return not isinstance(o, Literal) and o not in _TOP_CLASSES
    return True


def _check_consistency(closure: Graph) -> None:
    problems = sorted(
        str(m) for e in closure.subjects(RDF.type, ERRNS.ErrorMessage) for m in closure.objects(e, ERRNS.error)
    )
    nothing = sorted(compact_iri(str(s)) for s in closure.subjects(RDF.type, OWL.Nothing))
    raise_if_inconsistent(problems, nothing)


def raise_if_inconsistent(errors: list[str], nothing: list[str]) -> None:
    """InconsistencyError listing owlrl-style error messages and the instances of owl:Nothing, if any."""
    problems = sorted(set(errors)) + [f"{n} is an instance of owl:Nothing" for n in nothing]
    if problems:
        listing = "\n  ".join(problems)
        raise InconsistencyError(
            "the ontology and data are inconsistent (OWL 2 RL):\n  "
            + listing
            + "\nCheck the types of the nodes named above against the disjointness axioms in ontology/."
        )
