"""Curation records -> triples: every YAML record in ``data/`` becomes RDF in the regen model."""

from __future__ import annotations

import pickle
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from rdflib import Graph, Literal, URIRef, namespace

from regen_kg.errors import InputError, InputErrors, Location
from regen_kg.forked import ChildFailed, Forked, can_fork
from regen_kg.memstore import add_all, new_graph
from regen_kg.ontology import TermIndex, UnknownTerm
from regen_kg.prefixes import OBO, REGEN, CachedNamespace, bind_all, record_namespace
from regen_kg.schema import Record, Timepoint, line_of, load_record

#: the vocabularies records use, each IRI made once
DCTERMS, PROV, RDF, RDFS, XSD = (
    CachedNamespace(str(ns)) for ns in (namespace.DCTERMS, namespace.PROV, namespace.RDF, namespace.RDFS, namespace.XSD)
)

DIRECTIONS = {
    "improved": REGEN.Improved,
    "no-change": REGEN.NoChange,
    "worsened": REGEN.Worsened,
    "superior": REGEN.InterventionSuperior,
    "no-difference": REGEN.NoDifference,
    "inferior": REGEN.InterventionInferior,
}
MAGNITUDES = {
    "significant": REGEN.Significant,
    "not-significant": REGEN.NotSignificant,
    "modest": REGEN.Modest,
    "slight": REGEN.Slight,
    "visible": REGEN.Visible,
    "excellent": REGEN.Excellent,
    "beyond-individual-treatments": REGEN.BeyondIndividualTreatments,
}
SAFETY = {
    "no-adverse-events": REGEN.NoAdverseEvents,
    "no-severe-adverse-events": REGEN.NoSevereAdverseEvents,
    "mild-adverse-events-only": REGEN.MildAdverseEventsOnly,
    "favourable-safety-unspecified": REGEN.FavourableSafetyUnspecified,
    "adverse-events-severity-not-stated": REGEN.AdverseEventsSeverityNotStated,
}
STATUS = {
    "verified": REGEN.Verified,
    "not-found": REGEN.NotFoundInLiterature,
    "not-checked": REGEN.NotYetChecked,
}
DOCUMENT_KIND = {
    "primary": REGEN.PrimaryPublication,
    "review": REGEN.Review,
    "unlocated": REGEN.UnlocatedCitation,
}
#: Units of Measurement Ontology terms (verified; see data/vocab/external-terms.tsv).
UNITS = {
    "day": OBO.UO_0000033,
    "week": OBO.UO_0000034,
    "month": OBO.UO_0000035,
    "year": OBO.UO_0000036,
}
#: ``not_reported`` names -> the property whose value the source does not give.
NOT_REPORTED = {
    "sample_size": REGEN.sampleSize,
    "follow_up": REGEN.followUp,
    "adverse_events": REGEN.safetyProfile,
    "pmid": REGEN.pmid,
    "doi": REGEN.doi,
    "assessment_method": REGEN.assessmentMethod,
}
_ON_DOCUMENT = {"pmid", "doi"}

STUDY = record_namespace("study")
ARM = record_namespace("arm")
INTERVENTION = record_namespace("intervention")
MATERIAL = record_namespace("material")
FINDING = record_namespace("finding")
CLAIM = record_namespace("claim")
PUBLICATION = record_namespace("publication")
LIMITATION = record_namespace("limitation")
RECOMMENDATION = record_namespace("recommendation")
TIMEPOINT = record_namespace("timepoint")
CURATORS = record_namespace("agent")["curators"]


Triple = tuple[URIRef, URIRef, URIRef | Literal]


@dataclass
class RecordGraph:
    """The triples of all records, and where each minted node was written."""

    graph: Graph
    origins: dict[URIRef, Location] = field(default_factory=dict)
    #: the record ids, in file order (the parsed records themselves are not kept)
    record_ids: list[str] = field(default_factory=list)
    #: each record's own triples, in file order (what a per-record cache or reasoner works on)
    parts: list[list[Triple]] = field(default_factory=list)
    #: each record's content key (file, ontology, program), when read through a cache
    keys: list[str] | None = None
    #: the nodes each record mints, in file order
    minted: list[list[URIRef]] = field(default_factory=list)


@dataclass
class Converted:
    """One record's conversion on its own: its triples, and the nodes it minted or shared, in order."""

    record_id: str
    is_study: bool
    triples: list[Triple]
    #: (node, where, minted): a minted node must be new; a shared one (a timepoint) may recur
    nodes: list[tuple[URIRef, Location, bool]]
    errors: list[InputError]

    @property
    def minted(self) -> list[URIRef]:
        """The nodes this record mints (not those it shares), in order."""
        return [iri for iri, _where, minted in self.nodes if minted]


def publication_iri(record_id: str) -> URIRef:
    return PUBLICATION[record_id]


def study_iri(record_id: str) -> URIRef:
    return STUDY[record_id]


def timepoint_iri(tp: Timepoint) -> URIRef:
    return TIMEPOINT[f"{_number(tp.value)}-{tp.unit}"]


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


class _Converter:
    """Turns one checked record into triples; collects errors with file and line."""

    def __init__(
        self,
        record: Record,
        raw: Any,
        path: Path,
        terms: TermIndex,
        sources: set[str],
        origins: dict[URIRef, Location],
    ) -> None:
        self.r = record
        self.raw = raw
        self.path = path
        self.terms = terms
        self.sources = sources
        self.origins = origins
        self.triples: list[Triple] = []
        self.nodes: list[tuple[URIRef, Location, bool]] = []
        self.errors: list[InputError] = []
        self.interventions = {i.id: INTERVENTION[f"{record.id}-{i.id}"] for i in record.interventions}

    # -- helpers ---------------------------------------------------------------------------

    def where(self, *loc: int | str) -> Location:
        return Location(self.path, line_of(self.raw, loc))

    def fail(self, loc: tuple[int | str, ...], message: str) -> None:
        self.errors.append(InputError(self.where(*loc), message))

    def mint(self, iri: URIRef, loc: tuple[int | str, ...]) -> URIRef:
        where = self.where(*loc)
        if iri in self.origins:
            self.fail(loc, f"duplicate id: {iri} is already defined at {self.origins[iri]}")
        self.origins[iri] = where
        self.nodes.append((iri, where, True))
        return iri

    def cls(self, name: str, root: URIRef, kind: str, loc: tuple[int | str, ...]) -> URIRef | None:
        try:
            return self.terms.resolve_class(name, root, kind)
        except UnknownTerm as exc:
            self.fail(loc, str(exc))
            return None

    def instance(self, name: str, of: URIRef, kind: str, loc: tuple[int | str, ...]) -> URIRef | None:
        try:
            return self.terms.resolve_instance(name, of, kind)
        except UnknownTerm as exc:
            self.fail(loc, str(exc))
            return None

    def ref(self, name: str, loc: tuple[int | str, ...]) -> URIRef | None:
        if name not in self.interventions:
            known = ", ".join(sorted(self.interventions)) or "none"
            self.fail(loc, f"no intervention with id {name!r} in this record (known: {known})")
            return None
        return self.interventions[name]

    def source_document(self, name: str, loc: tuple[int | str, ...]) -> URIRef | None:
        if name not in self.sources:
            known = ", ".join(sorted(self.sources)) or "none"
            self.fail(loc, f"no source record with id {name!r} in data/sources (known: {known})")
            return None
        return publication_iri(name)

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal | None) -> None:
        if o is not None:
            self.triples.append((s, p, o))

    def text(self, s: URIRef, p: URIRef, value: str | None, *, lang: bool = False) -> None:
        if value is not None and value.strip():
            self.triples.append((s, p, Literal(" ".join(value.split()), lang="en" if lang else None)))

    def timepoint(self, tp: Timepoint) -> URIRef:
        iri = timepoint_iri(tp)
        value = _number(tp.value)
        unit_label = tp.unit if tp.value == 1 else f"{tp.unit}s"
        self.triples.append((iri, RDF.type, REGEN.Timepoint))
        self.triples.append((iri, RDFS.label, Literal(f"{value} {unit_label}", lang="en")))
        lexical = value if "." in value else f"{value}.0"  # canonical xsd:decimal form
        self.triples.append((iri, REGEN.timeValue, Literal(lexical, datatype=XSD.decimal)))
        self.triples.append((iri, REGEN.timeUnit, UNITS[tp.unit]))
        where = self.where()
        self.origins.setdefault(iri, where)
        self.nodes.append((iri, where, False))
        return iri

    # -- the record ------------------------------------------------------------------------

    def convert(self) -> list[InputError]:
        r = self.r
        doc = self.document()
        study = self.study(doc) if r.is_study else None
        if r.registration is not None and study is None:
            self.fail(("registration",), "a trial registration belongs to a study record, not a source document")
        if r.findings_pending:
            pending = "Imported record: its findings are still to be curated (findings_pending)."
            self.text(study or doc, REGEN.curationNote, pending)
        for i, item in enumerate(r.interventions):
            self.intervention(i, item)
        for i, arm in enumerate(r.arms):
            self.arm(i, arm, study)
        for i, st in enumerate(r.statements):
            self.statement(i, st, study, doc)
        limitations = {}
        for i, lim in enumerate(r.limitations):
            limitations[lim.key] = self.limitation(i, lim, study or doc, doc)
        for i, rec in enumerate(r.recommendations):
            self.recommendation(i, rec, doc, limitations)
        return self.errors

    def document(self) -> URIRef:
        r, c = self.r, self.r.citation
        doc = self.mint(publication_iri(r.id), ("citation",))
        self.add(doc, RDF.type, DOCUMENT_KIND[c.kind])
        self.add(doc, REGEN.citationStatus, STATUS[c.status])
        label = f"{c.first_author} et al. {c.year}" if c.first_author and c.year else c.title or r.label
        if c.kind == "unlocated":
            label += " (citation not found in the literature)"
        self.text(doc, RDFS.label, label, lang=True)
        self.text(doc, DCTERMS.title, c.title)
        self.text(doc, REGEN.firstAuthor, c.first_author)
        self.text(doc, REGEN.authorList, c.authors)
        if c.year is not None:
            self.add(doc, REGEN.publicationYear, Literal(str(c.year), datatype=XSD.gYear))
        self.text(doc, REGEN.journal, c.journal)
        self.text(doc, REGEN.pmid, c.pmid)
        self.text(doc, REGEN.pmcid, c.pmcid)
        self.text(doc, REGEN.doi, c.doi)
        self.text(doc, REGEN.verifiedAt, c.verified_at)
        self.text(doc, REGEN.curationNote, c.note)
        if c.pmid:
            self.add(doc, RDFS.seeAlso, URIRef(f"https://pubmed.ncbi.nlm.nih.gov/{c.pmid}/"))
        if c.doi:
            self.add(doc, RDFS.seeAlso, URIRef(f"https://doi.org/{c.doi}"))
        if c.cited_by:
            self.add(doc, REGEN.citedBy, self.source_document(c.cited_by, ("citation", "cited_by")))
        for name in r.not_reported:
            if name in _ON_DOCUMENT:
                self.add(doc, REGEN.notReported, NOT_REPORTED[name])
        return doc

    def study(self, doc: URIRef) -> URIRef:
        r = self.r
        study = self.mint(study_iri(r.id), ())
        self.add(study, RDF.type, REGEN.Study)
        self.text(study, RDFS.label, r.label, lang=True)
        self.add(study, REGEN.reportedIn, doc)
        if not r.design:
            self.fail(("id",), "a study needs a 'design' (e.g. [RandomizedControlledTrial])")
        for i, name in enumerate(r.design):
            self.add(study, RDF.type, self.cls(name, REGEN.Study, "study design", ("design", i)))
        if r.condition:
            self.add(study, REGEN.condition, self.cls(r.condition, REGEN.Condition, "condition", ("condition",)))
        self.text(study, REGEN.population, r.population)
        if r.sample_size is not None:
            self.add(study, REGEN.sampleSize, Literal(str(r.sample_size), datatype=XSD.nonNegativeInteger))
        if r.completed is not None:
            self.add(study, REGEN.completedCount, Literal(str(r.completed), datatype=XSD.nonNegativeInteger))
        if r.follow_up is not None:
            self.add(study, REGEN.followUp, self.timepoint(r.follow_up))
        for name in r.not_reported:
            if name not in _ON_DOCUMENT:
                self.add(study, REGEN.notReported, NOT_REPORTED[name])
        self.text(study, REGEN.curationNote, r.curation_note)
        if r.registration is not None:
            self.add(study, RDFS.seeAlso, URIRef(f"https://clinicaltrials.gov/study/{r.registration.nct_id}"))
        return study

    def intervention(self, i: int, item: Any) -> None:
        loc: tuple[int | str, ...] = ("interventions", i)
        node = self.mint(self.interventions[item.id], (*loc, "id"))
        for j, name in enumerate(item.types):
            where = (*loc, "type") if isinstance(item.type, str) else (*loc, "type", j)
            self.add(node, RDF.type, self.cls(name, REGEN.Intervention, "intervention type", where))
        self.text(node, RDFS.label, item.label, lang=True)
        self.text(node, REGEN.schedule, item.schedule)
        self.text(node, REGEN.curationNote, item.note)
        if item.route:
            self.add(node, REGEN.route, self.cls(item.route, REGEN.RouteOfDelivery, "route", (*loc, "route")))
        if item.site:
            self.add(node, REGEN.treatedSite, self.cls(item.site, REGEN.AnatomicalSite, "site", (*loc, "site")))
        for j, comp in enumerate(item.components):
            self.add(node, REGEN.hasComponent, self.ref(comp, (*loc, "components", j)))
        for j, mat in enumerate(item.materials):
            mloc = (*loc, "materials", j)
            material = self.mint(MATERIAL[f"{self.r.id}-{item.id}-{j + 1}"], mloc)
            mcls = self.cls(mat.type, REGEN.BiologicalMaterial, "material", (*mloc, "type"))
            self.add(material, RDF.type, mcls)
            if mcls is not None:
                label = f"{self.terms.label(mcls)} used in {self.r.id}"
                self.triples.append((material, RDFS.label, Literal(label, lang="en")))
            if mat.origin:
                self.add(material, REGEN.origin, REGEN.Autologous if mat.origin == "autologous" else REGEN.Allogeneic)
            self.add(node, REGEN.usesMaterial, material)

    def arm(self, i: int, arm: Any, study: URIRef | None) -> None:
        loc: tuple[int | str, ...] = ("arms", i)
        if study is None:
            self.fail(loc, "a source document has no arms; arms belong to study records")
            return
        node = self.mint(ARM[f"{self.r.id}-{arm.id}"], loc)
        self.add(node, RDF.type, REGEN.ExperimentalArm if arm.role == "experimental" else REGEN.ComparatorArm)
        self.text(node, RDFS.label, arm.label or f"{self.r.id} {arm.id} arm", lang=True)
        self.add(node, REGEN.receivesIntervention, self.ref(arm.intervention, (*loc, "intervention")))
        self.add(study, REGEN.hasArm, node)

    def statement(self, i: int, st: Any, study: URIRef | None, doc: URIRef) -> None:
        loc: tuple[int | str, ...] = ("statements", i)
        ns = FINDING if st.kind == "finding" else CLAIM
        node = self.mint(ns[f"{self.r.id}-{st.id}"], loc)
        self.add(node, RDF.type, REGEN.Finding if st.kind == "finding" else REGEN.Claim)
        if st.kind == "finding":
            if st.stated_in:
                self.fail(
                    (*loc, "stated_in"),
                    "a finding is stated in its study's own publication; "
                    "use kind: claim for what a secondary source says",
                )
            if study is None:
                self.fail((*loc, "kind"), "a source document makes claims, not findings; use kind: claim")
            stated_in: URIRef | None = doc
        elif study is None:
            stated_in = doc
        elif st.stated_in:
            stated_in = self.source_document(st.stated_in, (*loc, "stated_in"))
        else:
            self.fail((*loc, "kind"), "a claim needs 'stated_in': the id of the source document making it")
            stated_in = None
        self.add(node, REGEN.statedIn, stated_in)
        if study is not None:
            self.add(node, REGEN.aboutStudy, study)
        intervention = self.ref(st.intervention, (*loc, "intervention"))
        self.add(node, REGEN.intervention, intervention)
        for j, comp in enumerate(st.comparators):
            where = (*loc, "comparator") if isinstance(st.comparator, str) else (*loc, "comparator", j)
            self.add(node, REGEN.comparator, self.ref(comp, where))
        if st.comparators:
            self.add(node, RDF.type, REGEN.ComparativeResult)
        if st.synergy:
            self.add(node, RDF.type, REGEN.SynergyResult)
        if st.comparison:
            self.add(
                node,
                REGEN.comparison,
                self.instance(st.comparison, REGEN.Comparison, "comparison", (*loc, "comparison")),
            )
        outcome = None
        if st.outcome:
            outcome = self.cls(st.outcome, REGEN.Outcome, "outcome", (*loc, "outcome"))
            self.add(node, REGEN.outcome, outcome)
        mechanism = None
        if st.mechanism:
            if st.kind != "claim":
                self.fail((*loc, "mechanism"), "only claims state mechanisms; findings state outcomes")
            mechanism = self.cls(st.mechanism, REGEN.Mechanism, "mechanism", (*loc, "mechanism"))
            self.add(node, RDF.type, REGEN.MechanismClaim)
            self.add(node, REGEN.claimedMechanism, mechanism)
        if st.direction:
            self.add(node, REGEN.direction, DIRECTIONS[st.direction])
        for name in st.magnitude:
            self.add(node, REGEN.magnitude, MAGNITUDES[name])
        for tp in st.timepoints:
            self.add(node, REGEN.atTimepoint, self.timepoint(tp))
        if st.method:
            self.add(
                node,
                REGEN.assessmentMethod,
                self.cls(st.method, REGEN.AssessmentMethod, "assessment method", (*loc, "method")),
            )
        if st.safety or outcome == REGEN.Safety:
            self.add(node, RDF.type, REGEN.SafetyResult)
        if st.safety:
            self.add(node, REGEN.safetyProfile, SAFETY[st.safety])
        self.text(node, REGEN.adverseEvents, st.adverse_events)
        self.text(node, REGEN.sourceText, st.text)
        self.text(node, REGEN.curationNote, st.note)
        self.text(node, RDFS.label, self._statement_label(st, outcome, mechanism), lang=True)

    def _statement_label(self, st: Any, outcome: URIRef | None, mechanism: URIRef | None) -> str:
        what = self.terms.label(outcome) if outcome else ""
        if mechanism is not None:
            what = f"acts through {self.terms.label(mechanism)}"
        direction = self.terms.label(DIRECTIONS[st.direction]) if st.direction else ""
        if st.safety:
            direction = self.terms.label(SAFETY[st.safety])
        kind = "finding" if st.kind == "finding" else "claim"
        return f"{self.r.id} {kind}: {st.intervention} {what} {direction}".strip()

    def limitation(self, i: int, lim: Any, target: URIRef, doc: URIRef) -> URIRef:
        loc: tuple[int | str, ...] = ("limitations", i)
        node = self.mint(LIMITATION[f"{self.r.id}-{lim.key}"], loc)
        self.add(node, RDF.type, self.cls(lim.type, REGEN.Limitation, "limitation type", (*loc, "type")))
        self.add(node, REGEN.limitationOf, target)
        by_curators = lim.stated_by == "curators" or (lim.stated_by is None and self.r.is_study)
        if by_curators:
            self.add(node, PROV.wasAttributedTo, CURATORS)
            self.triples.append((CURATORS, RDF.type, PROV.Agent))
            self.triples.append((CURATORS, RDFS.label, Literal("regen-kg curators", lang="en")))
        else:
            self.add(node, REGEN.statedBy, doc)
        self.text(node, RDFS.label, f"{self.r.id}: {lim.key.replace('-', ' ')}", lang=True)
        self.text(node, REGEN.sourceText, lim.text)
        return node

    def recommendation(self, i: int, rec: Any, doc: URIRef, limitations: dict[str, URIRef]) -> None:
        loc: tuple[int | str, ...] = ("recommendations", i)
        node = self.mint(RECOMMENDATION[f"{self.r.id}-{rec.id}"], loc)
        self.add(node, RDF.type, REGEN.ResearchRecommendation)
        self.add(node, REGEN.statedBy, doc)
        self.text(node, RDFS.label, f"{self.r.id}: {rec.id.replace('-', ' ')}", lang=True)
        self.text(node, REGEN.sourceText, rec.text)
        for j, name in enumerate(rec.addresses):
            if name not in limitations:
                self.fail((*loc, "addresses", j), f"no limitation with id {name!r} in this record")
            else:
                self.add(node, REGEN.addresses, limitations[name])


def convert_one(path: Path, record: Record, raw: Any, terms: TermIndex, sources: set[str]) -> Converted:
    """Convert one checked record on its own (duplicates across records are found when merging)."""
    converter = _Converter(record, raw, path, terms, sources, {})
    errors = converter.convert()
    return Converted(record.id, record.is_study, converter.triples, converter.nodes, errors)


def convert_records(
    files: Iterable[Path], terms: TermIndex, cache: RecordCache | None = None, *, jobs: int = 1
) -> RecordGraph:
    """Load, check and convert every record file; raise InputErrors listing every problem.

    With a ``cache``, a record whose file, ontology and program are unchanged is not read again.
    With ``jobs`` = 2, a forked child converts the second half of the records.
    """
    files = list(files)
    if cache is not None or jobs > 1:
        merged = _convert_each(files, terms, cache, jobs)
        if merged is not None:
            return merged
    out = RecordGraph(bind_all(new_graph()))
    loaded: list[tuple[Path, Record, Any]] = []
    errors: list[InputError] = []
    for path in files:
        try:
            record, raw = load_record(path)
        except InputError as exc:
            errors.append(exc)
            continue
        loaded.append((path, record, raw))
    sources = {record.id for _, record, _ in loaded if not record.is_study}
    for path, record, raw in loaded:
        converter = _Converter(record, raw, path, terms, sources, out.origins)
        errors.extend(converter.convert())
        out.record_ids.append(record.id)
        out.parts.append(converter.triples)
        out.minted.append([iri for iri, _where, minted in converter.nodes if minted])
    if errors:
        raise InputErrors(errors)
    _fill(out)
    return out


def _fill(out: RecordGraph) -> None:
    add_all(out.graph, (triple for part in out.parts for triple in part))


def _convert_many(paths: list[Path], terms: TermIndex, sources: set[str], jobs: int) -> list[Converted] | None:
    """Each record read and converted on its own, in order; None at the first record with an error.
    With ``jobs`` > 1 a forked child does the second half (its triples come back pickled)."""

    def run(part: list[Path]) -> list[Converted] | None:
        out = []
        for path in part:
            try:
                record, raw = load_record(path)
            except InputError:
                return None
            one = convert_one(path, record, raw, terms, sources)
            if one.errors:
                return None
            out.append(one)
        return out

    if jobs < 2 or len(paths) < PARALLEL_MIN_RECORDS or not can_fork():
        return run(paths)
    from regen_kg.cache import dumps

    half = len(paths) - int(len(paths) * CHILD_SHARE)
    child = Forked(lambda: dumps(run(paths[half:])))  # IRIs come back shared (cache.dumps)
    mine = run(paths[:half])
    try:
        theirs: list[Converted] | None = pickle.loads(child.result())  # our own child's bytes
    except ChildFailed:
        theirs = run(paths[half:])
    if mine is None or theirs is None:
        return None
    return mine + theirs


class RecordCache(Protocol):
    """Where converted records are kept (``cache.BuildCache``), under a key for each record file."""

    def get_many(self, kind: str, keys: Iterable[str]) -> dict[str, Any]: ...

    def put_many(self, kind: str, values: Mapping[str, Any], keep: Collection[str] | None = None) -> None: ...


#: below this many records to convert, a second process costs more than it saves
PARALLEL_MIN_RECORDS = 200
#: the share of the records a forked child converts: a little under half, because its results
#: must still be pickled there and rebuilt here
CHILD_SHARE = 0.45


def record_keys(files: list[Path], terms: TermIndex) -> dict[Path, str]:
    """The content key of each record file: the program, the ontology's terms, which records are
    sources (that decides how citations resolve), the file's path and its bytes."""
    from regen_kg.cache import digest, program_key

    source_ids = sorted(p.stem for p in files if p.parent.name == "sources")
    context = digest(program_key(), terms.key, "\n".join(source_ids))
    folders = {folder: folder.resolve() for folder in {path.parent for path in files}}  # one resolve per folder
    return {path: digest(context, str(folders[path.parent] / path.name), path.read_bytes()) for path in files}


def _convert_each(files: list[Path], terms: TermIndex, cache: RecordCache | None, jobs: int) -> RecordGraph | None:
    """Every record converted on its own (taken from ``cache`` where it holds it), then merged;
    None when any record has an error, so that the caller's ordinary pass reports every error
    exactly as it always does."""
    source_ids = sorted(p.stem for p in files if p.parent.name == "sources")
    keys = record_keys(files, terms) if cache is not None else {}
    found: dict[Path, Converted] = {}
    todo: list[Path] = []
    stored = cache.get_many("record", keys.values()) if cache is not None else {}
    for path in files:
        hit = stored.get(keys[path]) if cache is not None else None
        if isinstance(hit, Converted):
            found[path] = hit
        else:
            todo.append(path)
    converted = _convert_many(todo, terms, set(source_ids), jobs)
    if converted is None:
        return None
    found.update(zip(todo, converted, strict=True))
    if {c.record_id for c in found.values() if not c.is_study} != set(source_ids):
        return None  # a source record outside data/sources, or the other way round
    if cache is not None:
        made = {keys[path]: one for path, one in zip(todo, converted, strict=True)}
        cache.put_many("record", made, set(keys.values()))
    out = RecordGraph(bind_all(new_graph()), keys=[keys[path] for path in files] if keys else None)
    for path in files:
        record = found[path]
        for iri, where, minted in record.nodes:
            if not minted:
                out.origins.setdefault(iri, where)
            elif iri in out.origins:
                return None  # a duplicate id across records: let the ordinary pass report it
            else:
                out.origins[iri] = where
        out.record_ids.append(record.record_id)
        out.parts.append(record.triples)
        out.minted.append(record.minted)
    _fill(out)
    return out
