"""A citable release: every artifact of one version in ``dist/VERSION/``, with a changelog entry.

``release(paths, "0.2.0", Path("dist"))``:

1. builds the graph (records, SHACL validation, OWL 2 RL reasoning);
2. stamps the version into the *built* ontology, not into ``ontology/regen.ttl``: ``owl:versionIRI
   <https://w3id.org/regen-kg/ontology/0.2.0>``, ``owl:versionInfo "0.2.0"``, ``dcterms:issued`` and
   ``dcterms:modified`` (the release date) and ``owl:priorVersion`` (the previous release found in
   ``dist/``); the dataset description (``void.ttl``) takes its version and date from there;
3. runs the quality checks of ``qc/``; an ERROR stops the release;
4. renders every serialization, the ontology and the records apart, the SSSOM mappings, the HTML
   documentation, the QC report, the evidence map and the model picture, then ``SHA256SUMS``;
5. compares the asserted graph with the previous release's (``dist/PREVIOUS/regen-kg.ttl``) and
   writes the differences (studies, sources, terms, mappings) as ``CHANGES.md`` in the release and
   as this version's entry of ``dist/CHANGELOG.md``.

The release date comes from ``date``, else ``$SOURCE_DATE_EPOCH``, else today (UTC); nothing else
in the output depends on the clock, so two releases of the same commit with the same date are
byte-identical. ``dist/VERSION/`` is replaced whole: it is written beside, then renamed into place.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDFS, XSD
from rdflib.term import Node

from regen_kg import build as pipeline
from regen_kg.choices import DEFAULT_STORE
from regen_kg.context import build_context
from regen_kg.dataset import describe_dataset
from regen_kg.diagram import model_svg
from regen_kg.docs import render_docs
from regen_kg.errors import RegenError
from regen_kg.evidence_map import draw, evidence_cells, evidence_query
from regen_kg.export import MEDIA_TYPES, pieces, to_turtle
from regen_kg.fileio import write_atomic
from regen_kg.mappings import PREDICATES
from regen_kg.paths import ProjectPaths
from regen_kg.prefixes import ONTOLOGY_IRI, REGEN, compact_iri, record_namespace
from regen_kg.qc import format_report, report_tsv, run_qc, summary
from regen_kg.rdfio import read_turtle
from regen_kg.store import DATA_GRAPH

VERSION_PATTERN = re.compile(r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$")
VERSION_BASE = "https://w3id.org/regen-kg/ontology/"
CHANGELOG = "CHANGELOG.md"
_CHANGELOG_HEAD = (
    "# Changelog\n\n"
    "Releases of the regen-kg ontology and data, newest first. Each entry is written by "
    "`regen-kg release VERSION`, which compares the release's asserted graph with the previous "
    "release's.\n"
)
#: Media types of the release files described in ``void.ttl``.
DISTRIBUTIONS = {
    **{name: MEDIA_TYPES[fmt] for name, fmt in pipeline.OUTPUTS.items()},
    "ontology.ttl": "text/turtle",
    "data.ttl": "text/turtle",
    "inferred.ttl": "text/turtle",
    "mappings.sssom.tsv": "text/tab-separated-values",
}


class ReleaseError(RegenError):
    """A release that cannot be made: a bad version or date, or QC errors."""


@dataclass
class Changes:
    """What differs between two asserted graphs, by record and by term."""

    added_records: dict[str, list[str]] = field(default_factory=dict)  # kind -> record ids
    removed_records: dict[str, list[str]] = field(default_factory=dict)
    changed_records: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # kind -> id -> nodes
    added_terms: list[str] = field(default_factory=list)
    removed_terms: list[str] = field(default_factory=list)
    changed_terms: dict[str, list[str]] = field(default_factory=dict)  # term -> predicates that changed
    added_mappings: list[str] = field(default_factory=list)
    removed_mappings: list[str] = field(default_factory=list)
    added_axioms: int = 0
    removed_axioms: int = 0
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.added_records,
                self.removed_records,
                self.changed_records,
                self.added_terms,
                self.removed_terms,
                self.changed_terms,
                self.added_mappings,
                self.removed_mappings,
                self.added_axioms,
                self.removed_axioms,
            )
        )


@dataclass
class Release:
    """The outcome of a release: where it went, what it holds, and what changed."""

    version: str
    date: str
    directory: Path
    files: list[str]
    previous: str | None
    entry: str
    qc_summary: str


# -- version, date, previous release ------------------------------------------------------------


def check_version(version: str) -> None:
    if not VERSION_PATTERN.match(version):
        raise ReleaseError(f"version {version!r} is not a semantic version such as 0.2.0 or 1.0.0-rc.1")


def release_date(date: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The release date: ``date`` (YYYY-MM-DD), else ``$SOURCE_DATE_EPOCH``, else today in UTC."""
    env = os.environ if environ is None else environ
    if date:
        try:
            return dt.date.fromisoformat(date).isoformat()
        except ValueError as exc:
            raise ReleaseError(f"date {date!r} is not a date in the form YYYY-MM-DD") from exc
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date().isoformat()
        except ValueError as exc:
            raise ReleaseError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds") from exc
    return dt.datetime.now(tz=dt.timezone.utc).date().isoformat()


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key of a version: numbers compare as numbers; a pre-release sorts before its release."""
    core, _, pre = version.partition("-")
    parts: list[tuple[int, int | str]] = [(0, int(p)) if p.isdigit() else (1, p) for p in core.split("+")[0].split(".")]
    parts.append((1, "~") if not pre else (0, pre))  # "1.0.0" sorts after "1.0.0-rc.1"
    return tuple(parts)


def previous_release(out_root: Path, version: str) -> str | None:
    """The highest version below ``version`` with a release folder (holding regen-kg.ttl) in ``out_root``."""
    if not out_root.is_dir():
        return None
    found = [
        d.name
        for d in out_root.iterdir()
        if d.is_dir() and VERSION_PATTERN.match(d.name) and (d / "regen-kg.ttl").is_file()
    ]
    older = [v for v in found if version_key(v) < version_key(version)]
    return max(older, key=version_key) if older else None


def stamp(ontology: Graph, version: str, date: str, previous: str | None) -> Graph:
    """A copy of ``ontology`` with this release's version IRI, version, dates and prior version."""
    out = Graph()
    for prefix, namespace in ontology.namespaces():
        out.bind(prefix, namespace)
    header = (OWL.versionIRI, OWL.versionInfo, OWL.priorVersion, DCTERMS.issued, DCTERMS.modified)
    for s, p, o in ontology:
        if s == ONTOLOGY_IRI and p in header:
            continue
        out.add((s, p, o))
    out.add((ONTOLOGY_IRI, OWL.versionIRI, URIRef(VERSION_BASE + version)))
    out.add((ONTOLOGY_IRI, OWL.versionInfo, Literal(version)))
    out.add((ONTOLOGY_IRI, DCTERMS.issued, Literal(date, datatype=XSD.date)))
    out.add((ONTOLOGY_IRI, DCTERMS.modified, Literal(date, datatype=XSD.date)))
    if previous:
        out.add((ONTOLOGY_IRI, OWL.priorVersion, URIRef(VERSION_BASE + previous)))
    return out


# -- comparing two releases --------------------------------------------------------------------


def _describe(graph: Graph, node: Node, depth: int = 0) -> frozenset[str]:
    """The statements about ``node`` as text, blank nodes written out in full (so they compare)."""
    out = set()
    for p, o in graph.predicate_objects(node):
        if isinstance(o, BNode) and depth < 12:
            inner = " ; ".join(sorted(_describe(graph, o, depth + 1)))
            out.add(f"{p.n3()} [ {inner} ]")
        else:
            out.add(f"{p.n3()} {o.n3()}")
    return frozenset(out)


def _record_ids(graph: Graph) -> dict[str, str]:
    """Record id -> kind (study or source), from the study and publication nodes."""
    ids: dict[str, str] = {}
    for kind, namespace in (("study", record_namespace("study")), ("source", record_namespace("publication"))):
        for s in set(graph.subjects()):
            if isinstance(s, URIRef) and str(s).startswith(str(namespace)):
                ids.setdefault(str(s)[len(str(namespace)) :], kind)
    return ids


def _record_of(node: URIRef, ids: Set[str]) -> str | None:
    """The record a node was minted for (``finding:lee-2014-x`` -> ``lee-2014``), longest id first.

    The candidates are the node's local name and its beginnings up to a hyphen, longest first:
    a set lookup each, so that comparing releases of 10,000 studies is not a loop over every
    record for every node."""
    local = str(node).rsplit("/", 1)[-1]
    if local in ids:
        return local
    end = local.rfind("-")
    while end >= 0:
        if local[:end] in ids:
            return local[:end]
        end = local.rfind("-", 0, end)
    return None


def _records(graph: Graph, ids: Iterable[str]) -> dict[str, dict[URIRef, frozenset[str]]]:
    ids = set(ids)
    out: dict[str, dict[URIRef, frozenset[str]]] = defaultdict(dict)
    id_base = str(record_namespace("study")).rsplit("/", 2)[0] + "/"
    for s in set(graph.subjects()):
        if isinstance(s, URIRef) and str(s).startswith(id_base):
            rid = _record_of(s, ids)
            if rid is not None:
                out[rid][s] = _describe(graph, s)
    return out


def _terms(graph: Graph) -> dict[URIRef, frozenset[str]]:
    return {
        s: _describe(graph, s)
        for s in set(graph.subjects())
        if isinstance(s, URIRef) and str(s).startswith(str(REGEN)) and len(str(s)) > len(str(REGEN))
    }


def _mappings(graph: Graph) -> set[tuple[str, str, str]]:
    return {
        (compact_iri(str(s)), pid, compact_iri(str(o)))
        for pid, predicate in PREDICATES.items()
        for s, o in graph.subject_objects(predicate)
        if str(s).startswith(str(REGEN))
    }


def _general_axioms(graph: Graph) -> set[frozenset[str]]:
    """Axioms on anonymous classes that nothing points to (e.g. the evidence-level rules)."""
    return {
        _describe(graph, s)
        for s in set(graph.subjects(RDFS.subClassOf))
        if isinstance(s, BNode) and not any(True for _ in graph.subjects(None, s))
    }


def _label(graph: Graph, node: Node) -> str:
    labels = sorted(str(x) for x in graph.objects(node, RDFS.label))
    return labels[0] if labels else ""


def compare(old: Graph, new: Graph) -> Changes:
    """Added, removed and changed studies, sources, terms and mappings from ``old`` to ``new``."""
    changes = Changes()
    old_ids, new_ids = _record_ids(old), _record_ids(new)
    old_records = _records(old, old_ids)
    new_records = _records(new, new_ids)
    for rid in sorted(set(new_ids) - set(old_ids)):
        changes.added_records.setdefault(new_ids[rid], []).append(rid)
    for rid in sorted(set(old_ids) - set(new_ids)):
        changes.removed_records.setdefault(old_ids[rid], []).append(rid)
    for rid in sorted(set(old_ids) & set(new_ids)):
        before, after = old_records.get(rid, {}), new_records.get(rid, {})
        nodes = sorted(compact_iri(str(n)) for n in set(before) | set(after) if before.get(n) != after.get(n))
        if nodes:
            changes.changed_records.setdefault(new_ids[rid], {})[rid] = nodes
    for rid in set(new_ids) | set(old_ids):
        kind = new_ids.get(rid) or old_ids[rid]
        node = URIRef(str(record_namespace("study" if kind == "study" else "publication")) + rid)
        changes.labels[rid] = _label(new, node) or _label(old, node)
    old_terms, new_terms = _terms(old), _terms(new)
    for term in sorted(set(new_terms) - set(old_terms)):
        changes.added_terms.append(compact_iri(str(term)))
    for term in sorted(set(old_terms) - set(new_terms)):
        changes.removed_terms.append(compact_iri(str(term)))
    for term in sorted(set(old_terms) & set(new_terms)):
        if old_terms[term] != new_terms[term]:
            differing = old_terms[term] ^ new_terms[term]
            predicates = sorted({compact_iri(line.split(" ", 1)[0].strip("<>")) for line in differing})
            changes.changed_terms[compact_iri(str(term))] = predicates
    for term in set(new_terms) | set(old_terms):
        changes.labels[compact_iri(str(term))] = _label(new, term) or _label(old, term)
    old_maps, new_maps = _mappings(old), _mappings(new)
    changes.added_mappings = [" ".join(m) for m in sorted(new_maps - old_maps)]
    changes.removed_mappings = [" ".join(m) for m in sorted(old_maps - new_maps)]
    old_axioms, new_axioms = _general_axioms(old), _general_axioms(new)
    changes.added_axioms = len(new_axioms - old_axioms)
    changes.removed_axioms = len(old_axioms - new_axioms)
    return changes


def _named(changes: Changes, key: str, prefix: str = "") -> str:
    label = changes.labels.get(key, "")
    return f"`{prefix}{key}` {label}".rstrip() if label else f"`{prefix}{key}`"


def changelog_entry(version: str, date: str, previous: str | None, changes: Changes | None, new: Graph) -> str:
    """This release's changelog section in Markdown."""
    lines = [f"## {version} ({date})", ""]
    if previous is None or changes is None:
        ids = _record_ids(new)
        studies = sorted(r for r, k in ids.items() if k == "study")
        lines.append(
            f"First release: {len(studies)} studies, {len(_terms(new))} ontology terms, "
            f"{len(_mappings(new))} mappings to external vocabularies."
        )
        lines += ["", "### Studies", ""]
        lines += [f"- {_named_first(new, rid)}" for rid in studies]
        return "\n".join(lines) + "\n"
    lines.append(f"Compared with {previous} (asserted ontology, records and mappings).")
    if changes.empty:
        lines += ["", "No changes to studies, sources, terms or mappings."]
        return "\n".join(lines) + "\n"
    for kind, title in (("study", "Studies"), ("source", "Sources")):
        added = changes.added_records.get(kind, [])
        removed = changes.removed_records.get(kind, [])
        changed = changes.changed_records.get(kind, {})
        if not (added or removed or changed):
            continue
        prefix = "study:" if kind == "study" else "publication:"
        lines += ["", f"### {title}", ""]
        lines += [f"- added: {_named(changes, rid, prefix)}" for rid in added]
        lines += [
            f"- changed: {_named(changes, rid, prefix)} ({len(nodes)} node(s): {', '.join(nodes)})"
            for rid, nodes in sorted(changed.items())
        ]
        lines += [f"- removed: {_named(changes, rid, prefix)}" for rid in removed]
    if changes.added_terms or changes.changed_terms or changes.removed_terms:
        lines += ["", "### Terms", ""]
        lines += [f"- added: {_named(changes, t)}" for t in changes.added_terms]
        lines += [
            f"- changed: {_named(changes, t)} ({', '.join(preds)})"
            for t, preds in sorted(changes.changed_terms.items())
        ]
        lines += [f"- removed: {_named(changes, t)}" for t in changes.removed_terms]
    if changes.added_mappings or changes.removed_mappings:
        lines += ["", "### Mappings", ""]
        lines += [f"- added: {m}" for m in changes.added_mappings]
        lines += [f"- removed: {m}" for m in changes.removed_mappings]
    if changes.added_axioms or changes.removed_axioms:
        lines += ["", "### General axioms", ""]
        lines.append(f"- {changes.added_axioms} added, {changes.removed_axioms} removed")
    return "\n".join(lines) + "\n"


def _named_first(graph: Graph, rid: str) -> str:
    label = _label(graph, URIRef(str(record_namespace("study")) + rid))
    return f"`study:{rid}` {label}".rstrip()


def updated_changelog(existing: str, version: str, entry: str) -> str:
    """``existing`` with ``entry`` as the section of ``version`` (replaced if present), newest first."""
    sections: dict[str, str] = {}
    current: str | None = None
    for line in existing.splitlines(keepends=True):
        if line.startswith("## "):
            current = line[3:].split()[0] if line[3:].split() else line[3:]
            sections[current] = line
        elif current is not None:
            sections[current] += line
    sections[version] = entry
    ordered = sorted(sections, key=lambda v: version_key(v) if VERSION_PATTERN.match(v) else ((0, 0),), reverse=True)
    return _CHANGELOG_HEAD + "".join("\n" + sections[v].strip("\n") + "\n" for v in ordered)


# -- the release -------------------------------------------------------------------------------


def render_release(
    paths: ProjectPaths,
    version: str,
    date: str,
    previous: str | None,
    old: Graph | None,
    folder: Path,
    built: pipeline.Built | None = None,
) -> tuple[list[str], str, str]:
    """Write every file of the release into ``folder``, one after another (the large ones a piece
    at a time, as a build writes them: at 10,000 studies the files hold about 1 GB); return
    their paths relative to ``folder``, the changelog entry and the QC summary."""
    built = built if built is not None else pipeline.run(paths)
    loaded = dataclasses.replace(built.loaded, ontology=stamp(built.loaded.ontology, version, date, previous))
    built = dataclasses.replace(built, loaded=loaded)
    report = run_qc(paths, loaded=loaded, queries=built.queries, store=DEFAULT_STORE)
    if not report.passed:
        raise ReleaseError("QC found errors; nothing was released\n" + format_report(report, "ERROR"))
    context = build_context(loaded.ontology)
    makers = pipeline.asserted_outputs(loaded, context) | pipeline.inferred_outputs(built, context)
    makers |= {
        "ontology.ttl": lambda: to_turtle(loaded.ontology),
        "data.ttl": lambda: pieces("ttl", {DATA_GRAPH: loaded.data}, context),
        # the release's own description: its files, version and date
        "void.ttl": lambda: to_turtle(
            describe_dataset(loaded.parts_of_asserted, built.inferred, DISTRIBUTIONS, loaded.ontology)
        ),
        "qc-report.tsv": lambda: report_tsv(report),
        "qc-report.txt": lambda: format_report(report),
    }
    digests = {name: write_atomic(folder / name, make()) for name, make in makers.items()}
    for name, data in pipeline.report_outputs(built.report).items():
        digests[name] = write_atomic(folder / name, data)
    # on Oxigraph: the same cells as the rdflib store (tests/test_evidence_map.py), in seconds
    # rather than hours at 10,000 studies
    cells = evidence_cells(built.store("oxigraph"), evidence_query(paths))
    for fmt in ("svg", "png"):
        digests[f"evidence-map.{fmt}"] = write_atomic(folder / f"evidence-map.{fmt}", draw(cells, fmt))
    for name, data in render_docs(loaded.ontology, loaded.mappings, model_svg(loaded.ontology, loaded.data)).items():
        digests[f"docs/{name}"] = write_atomic(folder / "docs" / name, data)
    if old is not None:  # compare like with like: both graphs as read back from their Turtle
        new = read_turtle(folder / "regen-kg.ttl")
        entry = changelog_entry(version, date, previous, compare(old, new), new)
    else:
        entry = changelog_entry(version, date, None, None, loaded.asserted)
    digests["CHANGES.md"] = write_atomic(folder / "CHANGES.md", entry)
    digests["SHA256SUMS"] = write_atomic(folder / "SHA256SUMS", pipeline.checksum_lines(digests))
    return sorted(digests), entry, summary(report)


def release(
    paths: ProjectPaths, version: str, out_root: Path, date: str | None = None, built: pipeline.Built | None = None
) -> Release:
    """Build release ``version`` into ``out_root/version`` and add its entry to ``out_root/CHANGELOG.md``.

    ``built`` is the already built graph of ``paths`` if the caller has one (it is not changed).
    """
    check_version(version)
    day = release_date(date)
    previous = previous_release(out_root, version)
    old = None
    if previous is not None:
        old = read_turtle(out_root / previous / "regen-kg.ttl")
    target = out_root / version
    staging = out_root / f".{version}.partial"  # moved into place once every file is written
    if staging.exists():
        shutil.rmtree(staging)
    try:
        files, entry, qc_line = render_release(paths, version, day, previous, old, staging, built)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if target.exists():
        retired = out_root / f".{version}.old"
        if retired.exists():
            shutil.rmtree(retired)
        target.rename(retired)
        staging.rename(target)
        shutil.rmtree(retired)
    else:
        staging.rename(target)
    changelog = out_root / CHANGELOG
    existing = changelog.read_text(encoding="utf-8") if changelog.exists() else ""
    write_atomic(changelog, updated_changelog(existing, version, entry))
    return Release(
        version=version,
        date=day,
        directory=target,
        files=files,
        previous=previous,
        entry=entry,
        qc_summary=qc_line,
    )
