"""OWL 2 RL for our small, fixed TBox: compiled once into lookup tables, applied in one pass.

``owlrl`` (``reason.reason``) stays the reference. This engine splits the work in two:

1. **Compile** (once per ontology + mappings, cached by content hash): owlrl computes the closure of
   the schema part alone (ontology and mappings, a few thousand triples). From that closure come
   the lookup tables — class ancestors, ``owl:hasValue`` consequences both ways (cls-hv1/2, which
   with ``owl:equivalentClass`` gives the defined classes), intersections (cls-int1), the property
   hierarchy, inverses, domains and ranges, binary property chains (including recursive ones),
   disjoint classes — and the schema-level inferences themselves.
2. **Apply** to the instance data: a worklist pass over the record triples (interned as integers),
   each new fact firing only the rules its predicate or class is in; chains join through
   subject/object indexes, so recursive chains reach their fixpoint in the same pass.

The instance triples of our records never carry schema vocabulary (no subClassOf, domain, … in
subject or predicate position), so the closure of schema + data is the schema closure plus what
the tables derive from the data. The compiler refuses a TBox that uses OWL 2 RL constructs the
tables do not cover (``UnsupportedTBox``); ``reason_fast`` then falls back to owlrl.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from owlrl.DatatypeHandling import AltXSDToPYTHON
from owlrl.Namespaces import ERRNS
from owlrl.XsdDatatypes import OWL_RL_Datatypes
from rdflib import BNode, Graph, Literal
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from regen_kg.cache import BuildCache, digest, graph_key, program_key
from regen_kg.memstore import add_all, new_graph, union
from regen_kg.prefixes import bind_all, compact_iri
from regen_kg.reason import Reasoned, _worth_keeping, owlrl_closure, raise_if_inconsistent

Triple = tuple[Node, Node, Node]
IntTriple = tuple[int, int, int]

#: OWL 2 RL vocabulary whose rules the compiled tables do not implement.
_UNSUPPORTED_PREDICATES = (
    OWL.someValuesFrom,
    OWL.allValuesFrom,
    OWL.maxCardinality,
    OWL.maxQualifiedCardinality,
    OWL.unionOf,
    OWL.complementOf,
    OWL.oneOf,
    OWL.hasKey,
    OWL.propertyDisjointWith,
    OWL.differentFrom,
    OWL.members,
    OWL.distinctMembers,
)
_UNSUPPORTED_TYPES = (
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.IrreflexiveProperty,
    OWL.AllDisjointClasses,
    OWL.AllDisjointProperties,
    OWL.AllDifferent,
    OWL.NegativePropertyAssertion,
)
#: Predicates that make a triple part of the schema; instance data must not use them.
_SCHEMA_PREDICATES = frozenset(
    {
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        RDFS.domain,
        RDFS.range,
        OWL.equivalentClass,
        OWL.equivalentProperty,
        OWL.inverseOf,
        OWL.propertyChainAxiom,
        OWL.disjointWith,
        OWL.intersectionOf,
        OWL.hasValue,
        OWL.onProperty,
        OWL.sameAs,
        RDF.first,
        RDF.rest,
        *_UNSUPPORTED_PREDICATES,
    }
)


class UnsupportedTBox(Exception):
    """The ontology uses an OWL 2 RL construct the compiled engine does not implement."""


@dataclass
class CompiledTBox:
    """The schema closure and the rule tables, over interned term ids."""

    key: str
    terms: list[Node]
    ids: dict[Node, int]
    schema_closure: set[IntTriple]
    schema_errors: list[str]
    type_id: int
    nothing_id: int
    supers: dict[int, tuple[int, ...]] = field(default_factory=dict)
    hv_by_class: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    hv_by_pv: dict[tuple[int, int], tuple[int, ...]] = field(default_factory=dict)
    intersections: dict[int, tuple[tuple[int, frozenset[int]], ...]] = field(default_factory=dict)
    superprops: dict[int, tuple[int, ...]] = field(default_factory=dict)
    domains: dict[int, tuple[int, ...]] = field(default_factory=dict)
    ranges: dict[int, tuple[int, ...]] = field(default_factory=dict)
    inverses: dict[int, tuple[int, ...]] = field(default_factory=dict)
    chain_first: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    chain_second: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    disjoint: dict[int, tuple[tuple[int, int, int], ...]] = field(default_factory=dict)

    @property
    def chain_predicates(self) -> frozenset[int]:
        return frozenset(self.chain_first) | frozenset(self.chain_second)


_COMPILED: dict[str, CompiledTBox] = {}


def schema_key(schema: Graph) -> str:
    """A content hash of a schema graph (see ``cache.graph_key``)."""
    return graph_key(schema)


def compile_tbox(schema: Graph, key: str | None = None, cache: BuildCache | None = None) -> CompiledTBox:
    """Compile ``schema`` (ontology + mappings) into rule tables; cached by content hash in memory
    and, given a build ``cache``, on disk."""
    key = key or schema_key(schema)
    if key in _COMPILED:
        return _COMPILED[key]
    disk_key = digest(program_key(), key)
    if cache is not None:
        stored = cache.get("tbox", disk_key)
        if isinstance(stored, CompiledTBox) and stored.key == key:
            _COMPILED[key] = stored
            return stored
    tbox = _compile(schema, key)
    if cache is not None:
        cache.put("tbox", disk_key, tbox)
    return tbox


#: annotation properties whose plain-text values take part in no OWL 2 RL rule but eq-ref
_TEXT_ANNOTATIONS = frozenset(
    (RDFS.label, RDFS.comment, SKOS.definition, SKOS.altLabel, SKOS.prefLabel, DCTERMS.title, DCTERMS.description)
)


def schema_closure(schema: Graph) -> Graph:
    """owlrl's closure of ``schema``, with the plain-text annotations kept out of owlrl's loop.

    Labels, definitions and comments are half of the schema and 40% of owlrl's time on it, yet
    the only rule they fire is eq-ref (each of their terms ``owl:sameAs`` itself). They are set
    aside when their property is mentioned nowhere else in the schema (no axiom can involve it),
    then put back with those reflexive triples. The result equals ``owlrl_closure(schema)``
    (tests/test_fastreason.py).
    """
    quiet = {p for p in _TEXT_ANNOTATIONS if not _mentioned(schema, p)}
    aside = [t for t in schema if t[1] in quiet and isinstance(t[2], Literal) and t[2].datatype is None]
    if not aside:
        return owlrl_closure(schema)
    kept = set(aside)
    closure = owlrl_closure(t for t in schema if t not in kept)
    for triple in aside:
        closure.add(triple)
        for term in triple:
            closure.add((term, OWL.sameAs, term))
    return closure


def _mentioned(schema: Graph, prop: Node) -> bool:
    """Whether ``prop`` is the subject or object of a schema triple (an axiom could involve it)."""
    return (prop, None, None) in schema or (None, None, prop) in schema


def _compile(schema: Graph, key: str) -> CompiledTBox:
    closure = schema_closure(schema)
    _refuse_unsupported(closure)
    ids: dict[Node, int] = {}
    terms: list[Node] = []

    def intern(term: Node) -> int:
        found = ids.get(term)
        if found is None:
            found = ids[term] = len(terms)
            terms.append(term)
        return found

    errors = [str(m) for e in closure.subjects(RDF.type, ERRNS.ErrorMessage) for m in closure.objects(e, ERRNS.error)]
    base = {
        (intern(s), intern(p), intern(o)) for s, p, o in closure if not (p == ERRNS.error or o == ERRNS.ErrorMessage)
    }
    tbox = CompiledTBox(
        key=key,
        terms=terms,
        ids=ids,
        schema_closure=base,
        schema_errors=errors,
        type_id=intern(RDF.type),
        nothing_id=intern(OWL.Nothing),
    )
    i = intern

    def table(pairs: Iterable[tuple[int, int]]) -> dict[int, tuple[int, ...]]:
        out: dict[int, set[int]] = defaultdict(set)
        for a, b in pairs:
            if a != b:
                out[a].add(b)
        return {k: tuple(sorted(v)) for k, v in out.items()}

    tbox.supers = table((i(c), i(d)) for c, d in closure.subject_objects(RDFS.subClassOf))
    tbox.superprops = table((i(p), i(q)) for p, q in closure.subject_objects(RDFS.subPropertyOf))
    tbox.domains = table((i(p), i(c)) for p, c in closure.subject_objects(RDFS.domain))
    tbox.ranges = table((i(p), i(c)) for p, c in closure.subject_objects(RDFS.range))
    inverse_pairs = [(i(p), i(q)) for p, q in closure.subject_objects(OWL.inverseOf)]
    tbox.inverses = table([*inverse_pairs, *((q, p) for p, q in inverse_pairs)])
    hv_class: dict[int, list[tuple[int, int]]] = defaultdict(list)
    hv_pv: dict[tuple[int, int], list[int]] = defaultdict(list)
    for r, v in closure.subject_objects(OWL.hasValue):
        for p in closure.objects(r, OWL.onProperty):
            hv_class[i(r)].append((i(p), i(v)))
            hv_pv[(i(p), i(v))].append(i(r))
    tbox.hv_by_class = {k: tuple(sorted(set(v))) for k, v in hv_class.items()}
    tbox.hv_by_pv = {k: tuple(sorted(set(v))) for k, v in hv_pv.items()}
    inter: dict[int, list[tuple[int, frozenset[int]]]] = defaultdict(list)
    for c, head in closure.subject_objects(OWL.intersectionOf):
        members = frozenset(i(m) for m in Collection(closure, head))
        for m in members:
            inter[m].append((i(c), members))
    tbox.intersections = {k: tuple(v) for k, v in inter.items()}
    first: dict[int, list[tuple[int, int]]] = defaultdict(list)
    second: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for q, head in closure.subject_objects(OWL.propertyChainAxiom):
        chain = [i(p) for p in Collection(closure, head)]
        if len(chain) != 2:
            raise UnsupportedTBox(f"property chain of length {len(chain)} on {q}")
        first[chain[0]].append((chain[1], i(q)))
        second[chain[1]].append((chain[0], i(q)))
    tbox.chain_first = {k: tuple(v) for k, v in first.items()}
    tbox.chain_second = {k: tuple(v) for k, v in second.items()}
    disjoint: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for c1, c2 in closure.subject_objects(OWL.disjointWith):
        disjoint[i(c1)].append((i(c2), i(c1), i(c2)))
        disjoint[i(c2)].append((i(c1), i(c1), i(c2)))
    tbox.disjoint = {k: tuple(v) for k, v in disjoint.items()}
    _COMPILED[key] = tbox
    return tbox


def _refuse_unsupported(closure: Graph) -> None:
    for p in _UNSUPPORTED_PREDICATES:
        for s, o in closure.subject_objects(p):
            raise UnsupportedTBox(f"{compact_iri(str(p))} is not compiled ({s} {o})")
    for t in _UNSUPPORTED_TYPES:
        for s in closure.subjects(RDF.type, t):
            raise UnsupportedTBox(f"{compact_iri(str(t))} is not compiled ({s})")
    for s, o in closure.subject_objects(OWL.sameAs):
        if s != o:
            raise UnsupportedTBox(f"owl:sameAs between distinct nodes ({s} {o})")


class _Engine:
    """The worklist pass: every fact fires the rules of its predicate (or, for rdf:type, its class)."""

    def __init__(self, tbox: CompiledTBox) -> None:
        self.t = tbox
        self.terms = list(tbox.terms)
        self.ids = dict(tbox.ids)
        self.facts: set[IntTriple] = set(tbox.schema_closure)
        self.types: dict[int, set[int]] = defaultdict(set)
        self.by_sp: dict[tuple[int, int], set[int]] = defaultdict(set)
        self.by_po: dict[tuple[int, int], set[int]] = defaultdict(set)
        self.literal: set[int] = {n for n, term in enumerate(self.terms) if isinstance(term, Literal)}
        self.errors: list[str] = list(tbox.schema_errors)
        self.queue: list[IntTriple] = []
        self.chained = tbox.chain_predicates
        for s, p, o in self.facts:
            self._index(s, p, o)

    def intern(self, term: Node) -> int:
        found = self.ids.get(term)
        if found is None:
            found = self.ids[term] = len(self.terms)
            self.terms.append(term)
            if isinstance(term, Literal):
                self.literal.add(found)
        return found

    def _index(self, s: int, p: int, o: int) -> None:
        if p == self.t.type_id:
            self.types[s].add(o)
        elif p in self.chained:
            self.by_sp[(p, s)].add(o)
            self.by_po[(p, o)].add(s)

    def add(self, s: int, p: int, o: int) -> None:
        triple = (s, p, o)
        if triple not in self.facts:
            self.facts.add(triple)
            self._index(s, p, o)
            self.queue.append(triple)

    def run(self) -> None:
        t = self.t
        queue = self.queue
        add = self.add
        type_id = t.type_id
        while queue:
            s, p, o = queue.pop()
            if p == type_id:
                for d in t.supers.get(o, ()):
                    add(s, type_id, d)
                for hp, hv in t.hv_by_class.get(o, ()):
                    add(s, hp, hv)
                for cls, members in t.intersections.get(o, ()):
                    if members <= self.types[s]:
                        add(s, type_id, cls)
                for other, c1, c2 in t.disjoint.get(o, ()):
                    if other in self.types[s]:
                        terms = self.terms
                        self._error(f"Disjoint classes {terms[c1]} and {terms[c2]} have a common individual {terms[s]}")
                if o == t.nothing_id:
                    self._error(f"{self.terms[s]} is defined of type 'Nothing'")
                continue
            literal_object = o in self.literal
            for q in t.superprops.get(p, ()):
                add(s, q, o)
            for c in t.domains.get(p, ()):
                add(s, type_id, c)
            if not literal_object:
                for c in t.ranges.get(p, ()):
                    add(o, type_id, c)
                for q in t.inverses.get(p, ()):
                    add(o, q, s)
            for r in t.hv_by_pv.get((p, o), ()):
                add(s, type_id, r)
            for p2, q in t.chain_first.get(p, ()):
                for z in list(self.by_sp.get((p2, o), ())):
                    add(s, q, z)
            for p1, q in t.chain_second.get(p, ()):
                for y in list(self.by_po.get((p1, s), ())):
                    add(y, q, o)

    def _error(self, message: str) -> None:
        if message not in self.errors:
            self.errors.append(message)


class _Layer(dict[Any, set[int]]):
    """A per-engine index over a shared base index: reads fall through, a write copies the entry first."""

    def __init__(self, base: dict[Any, set[int]]) -> None:
        super().__init__()
        self.base = base

    def __missing__(self, key: Any) -> set[int]:
        value = self[key] = set(self.base.get(key, ()))
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        found = dict.get(self, key)
        return found if found is not None else self.base.get(key, default)


class _Names:
    """One term table shared by the engines of every record, so their facts merge as they are."""

    def __init__(self, tbox: CompiledTBox) -> None:
        self.terms = list(tbox.terms)
        self.ids = dict(tbox.ids)
        self.literal = {n for n, term in enumerate(self.terms) if isinstance(term, Literal)}


_BASES: dict[str, _Engine] = {}


class _LayeredEngine(_Engine):
    """The same rules, with the TBox facts and their indexes kept once and shared (one engine per record)."""

    def __init__(self, tbox: CompiledTBox, names: _Names) -> None:
        base = _BASES.get(tbox.key)
        if base is None:
            base = _BASES[tbox.key] = _Engine(tbox)
        self.t = tbox
        self.terms = names.terms
        self.ids = names.ids
        self.literal = names.literal
        self.base_facts = base.facts
        self.facts = set()
        self.types = _Layer(base.types)
        self.by_sp = _Layer(base.by_sp)
        self.by_po = _Layer(base.by_po)
        self.errors = list(tbox.schema_errors)
        self.queue = []
        self.chained = tbox.chain_predicates

    def add(self, s: int, p: int, o: int) -> None:
        triple = (s, p, o)
        if triple not in self.facts and triple not in self.base_facts:
            self.facts.add(triple)
            self._index(s, p, o)
            self.queue.append(triple)

    def join_at(self, node: int) -> None:
        """Fire every rule with two premises meeting at ``node``: chains, intersections, disjointness."""
        t = self.t
        for p1, pairs in t.chain_first.items():
            xs = self.by_po.get((p1, node))
            if not xs:
                continue
            for p2, q in pairs:
                for z in list(self.by_sp.get((p2, node), ())):
                    for x in list(xs):
                        self.add(x, q, z)
        types = self.types.get(node, set())
        for c in list(types):
            for cls, members in t.intersections.get(c, ()):
                if members <= types:
                    self.add(node, t.type_id, cls)
            for other, c1, c2 in t.disjoint.get(c, ()):
                if other in types:
                    terms = self.terms
                    self._error(f"Disjoint classes {terms[c1]} and {terms[c2]} have a common individual {terms[node]}")


def reason_parts(
    schema: Graph,
    parts: Sequence[Sequence[Triple]],
    keys: Sequence[str] | None = None,
    cache: BuildCache | None = None,
) -> Graph:
    """The inferred triples of ``schema`` + the union of ``parts`` (one per record), record by record.

    Each record is closed on its own (cached under its content ``keys``, so a rebuild re-reasons only
    the records that changed). The union of those closures misses only inferences whose two premises
    come from different records; such premises meet at a node that occurs in two records, so the
    rules with two premises are fired again at exactly those nodes, and what they add is closed as
    usual. The result equals ``reason_fast`` on the whole graph (tests/test_fastreason.py).
    """
    for p in {p for part in parts for _s, p, _o in part} & _SCHEMA_PREDICATES:
        raise UnsupportedTBox(f"instance data uses schema vocabulary ({p})")
    tbox = compile_tbox(schema, cache=cache)
    names = _Names(tbox)
    intern = _LayeredEngine(tbox, names).intern
    merged = _LayeredEngine(tbox, names)
    errors: list[str] = list(tbox.schema_errors)
    given: set[IntTriple] = set()
    first_part: dict[int, int] = {}
    shared: set[int] = set()
    literal = names.literal
    part_keys: list[str | None] = [None] * len(parts)
    if keys is not None and cache is not None:
        part_keys = [digest(program_key(), tbox.key, key) for key in keys]
    found = cache.get_many("inferred", [k for k in part_keys if k]) if cache is not None else {}
    made: dict[str, Any] = {}
    known = names.ids.get  # looked up inline: intern() is called only for a term seen first

    def interned(triples: Iterable[Triple]) -> set[IntTriple]:
        out = set()
        for s, p, o in triples:
            si, pi, oi = known(s), known(p), known(o)
            if si is None:
                si = intern(s)
            if pi is None:
                pi = intern(p)
            if oi is None:
                oi = intern(o)
            out.add((si, pi, oi))
        return out

    facts, base_facts, index_fact = merged.facts, merged.base_facts, merged._index
    mark = first_part.setdefault
    for index, part in enumerate(parts):
        asserted = interned(part)
        given |= asserted
        key = part_keys[index]
        stored = found.pop(key, None) if key is not None else None
        if isinstance(stored, tuple) and len(stored) == 2:
            derived_terms, part_errors = stored
            derived = interned(derived_terms)
        else:
            engine = _LayeredEngine(tbox, names)
            for triple in asserted:
                engine.add(*triple)
            engine.run()
            derived = engine.facts - asserted
            # a record's ill-typed literals are its own: found once, kept with its closure
            part_errors = engine.errors[len(tbox.schema_errors) :] + _literal_errors(part)
            if key is not None:
                terms = names.terms
                made[key] = ([(terms[s], terms[p], terms[o]) for s, p, o in derived], part_errors)
        errors += [e for e in part_errors if e not in errors]
        # each triple known to the merged engine without firing rules on it (it is already
        # closed in its own record): inline, as it runs a few million times
        for triple in asserted | derived:
            if triple not in facts and triple not in base_facts:
                facts.add(triple)
                index_fact(*triple)
            s, _p, o = triple
            if s not in literal and mark(s, index) != index:
                shared.add(s)
            if o not in literal and mark(o, index) != index:
                shared.add(o)
    if cache is not None and made:
        cache.put_many("inferred", made, {k for k in part_keys if k})
    del made
    for node in sorted(shared):
        merged.join_at(node)
    merged.run()
    errors += [e for e in merged.errors if e not in errors]
    terms = names.terms
    # the merged engine's facts and the TBox's are disjoint (a fact is added to the first only
    # when not in the second): read one after the other, not copied into a union of millions
    every_fact = (merged.facts, merged.base_facts)
    nothing = sorted(
        compact_iri(str(terms[s]))
        for some in every_fact
        for s, p, o in some
        if p == tbox.type_id and o == tbox.nothing_id
    )
    raise_if_inconsistent(errors, nothing)
    return _inferred(every_fact, given, schema, terms, names.ids)


def _literal_errors(data: Iterable[Triple]) -> list[str]:
    """owlrl's dt-not-type: a literal whose lexical form is not in its datatype's lexical space."""
    out: list[str] = []
    seen: set[Literal] = set()
    datatypes = set(OWL_RL_Datatypes)
    for _s, _p, o in data:
        if isinstance(o, Literal) and o.datatype in datatypes and o not in seen:
            seen.add(o)
            converter: Callable[[str], object] = AltXSDToPYTHON.get(o.datatype, lambda v: v)
            try:
                converter(str(o))
            except ValueError:
                out.append(f"Lexical value of the literal '{o}' does not match its datatype ({o.datatype})")
    return out


def reason_fast(schema: Graph, data: Graph, asserted: Graph | None = None, cache: BuildCache | None = None) -> Reasoned:
    """The OWL 2 RL closure of ``schema`` + ``data``, filtered exactly as ``reason.reason`` filters it.

    ``schema`` is the ontology (and mappings); ``data`` the record triples. ``asserted`` (their
    union) is used for the result only. Raises InconsistencyError as the reference does.
    """
    rows = list(data)  # one pass over the rdflib graph; the rest works on term ids
    for p in {p for _s, p, _o in rows} & _SCHEMA_PREDICATES:
        raise UnsupportedTBox(f"instance data uses schema vocabulary ({p})")
    tbox = compile_tbox(schema, cache=cache)
    engine = _Engine(tbox)
    intern = engine.intern
    given = {(intern(s), intern(p), intern(o)) for s, p, o in rows}
    for s_id, p_id, o_id in given:
        engine.add(s_id, p_id, o_id)
    engine.run()
    errors = engine.errors + _literal_errors(rows)
    terms = engine.terms
    nothing = sorted(
        compact_iri(str(terms[s])) for s, p, o in engine.facts if p == tbox.type_id and o == tbox.nothing_id
    )
    raise_if_inconsistent(errors, nothing)
    if asserted is None:
        asserted = union(schema, data)
    # asserted triples as term ids: a set lookup instead of an rdflib index lookup per fact
    return Reasoned(asserted=asserted, inferred=_inferred([engine.facts], given, schema, terms, engine.ids))


def _inferred(
    facts: Iterable[set[IntTriple]], given: set[IntTriple], schema: Graph, terms: list[Node], ids: dict[Node, int]
) -> Graph:
    """The facts (sets without a fact in common) neither asserted (``given``, the schema) nor
    filtered out as ``reason.reason`` does."""
    schema_ids = {t for t in (_ids_of(ids, triple) for triple in schema) if t is not None}
    keep = _Keeper(terms, ids)
    inferred = bind_all(new_graph())
    add_all(
        inferred,
        (
            (terms[s], terms[p], terms[o])
            for some in facts
            for s, p, o in some
            if (s, p, o) not in given and (s, p, o) not in schema_ids and keep(s, p, o)
        ),
    )
    return inferred


def _ids_of(ids: dict[Node, int], triple: Triple) -> IntTriple | None:
    s, p, o = (ids.get(t) for t in triple)
    return None if s is None or p is None or o is None else (s, p, o)


class _Keeper:
    """``reason._worth_keeping`` over term ids: each subject's verdict computed once, the rest
    decided by the ids of rdf:type, owl:sameAs, the top classes, the blank nodes and literals."""

    def __init__(self, terms: list[Node], ids: dict[Node, int]) -> None:
        self.terms = terms
        self.subject_ok: dict[int, bool] = {}
        self.type_id = ids.get(RDF.type, -1)
        self.same_as_id = ids.get(OWL.sameAs, -1)
        self.blank: set[int] = set()
        # objects a kept rdf:type fact may not have: literals and the top classes
        self.not_a_class = {ids[c] for c in (OWL.Thing, RDFS.Resource) if c in ids}
        for i, term in enumerate(terms):  # one pass over the terms for both sets
            if isinstance(term, BNode):
                self.blank.add(i)
            elif isinstance(term, Literal):
                self.not_a_class.add(i)

    def __call__(self, s: int, p: int, o: int) -> bool:
        ok = self.subject_ok.get(s)
        if ok is None:
            term = self.terms[s]
            ok = self.subject_ok[s] = _worth_keeping(term, RDFS.label, term)
        if not ok or o in self.blank:
            return False
        if p == self.type_id:
            return o not in self.not_a_class
        if p == self.same_as_id:
            return s != o
        return True


def schema_graph(*graphs: Graph) -> Graph:
    """The union of the schema graphs (ontology, mappings) as one graph."""
    return union(*graphs)


__all__ = [
    "CompiledTBox",
    "UnsupportedTBox",
    "compile_tbox",
    "reason_fast",
    "reason_parts",
    "schema_graph",
    "schema_key",
]
