"""SSSOM mapping tables (``data/mappings/*.sssom.tsv``): read, turn into SKOS triples, write back."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, fields
from pathlib import Path

import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from regen_kg.errors import InputError, Location
from regen_kg.prefixes import MalformedCurie, bind_all, check_curie, expand_curie, prefix_map

#: SKOS mapping predicates with their real meaning; nothing stronger (no owl:equivalentClass).
PREDICATES = {
    "skos:exactMatch": SKOS.exactMatch,
    "skos:closeMatch": SKOS.closeMatch,
    "skos:broadMatch": SKOS.broadMatch,
    "skos:narrowMatch": SKOS.narrowMatch,
    "skos:relatedMatch": SKOS.relatedMatch,
}
JUSTIFICATIONS = {"semapv:ManualMappingCuration"}


@dataclass(frozen=True)
class Mapping:
    """One SSSOM row."""

    subject_id: str
    subject_label: str
    predicate_id: str
    object_id: str
    object_label: str
    mapping_justification: str
    author_label: str
    confidence: str


COLUMNS = tuple(f.name for f in fields(Mapping))


@dataclass
class MappingSet:
    metadata: dict[str, object]
    mappings: list[Mapping]
    path: Path | None = None


def read_sssom(path: Path) -> MappingSet:
    """Read an SSSOM TSV with its commented YAML header; errors name the file and line."""
    text = path.read_text(encoding="utf-8")
    header = [line[1:] for line in text.splitlines() if line.startswith("#")]
    body_lines = [line for line in text.splitlines() if not line.startswith("#")]
    try:
        metadata = yaml.safe_load("\n".join(header)) or {}
    except yaml.YAMLError as exc:
        raise InputError(Location(path, 1), f"SSSOM metadata is not valid YAML: {exc}") from exc
    first = len(header) + 1
    reader = csv.DictReader(io.StringIO("\n".join(body_lines)), delimiter="\t")
    if reader.fieldnames is None or set(COLUMNS) - set(reader.fieldnames):
        missing = sorted(set(COLUMNS) - set(reader.fieldnames or []))
        raise InputError(Location(path, first), f"SSSOM table lacks columns: {', '.join(missing)}")
    mappings = []
    for number, row in enumerate(reader, start=first + 1):
        mapping = Mapping(**{c: (row.get(c) or "").strip() for c in COLUMNS})
        problem = _check(mapping)
        if problem:
            raise InputError(Location(path, number), problem)
        mappings.append(mapping)
    return MappingSet(metadata=metadata, mappings=mappings, path=path)


def _check(m: Mapping) -> str | None:
    if m.predicate_id not in PREDICATES:
        return f"predicate {m.predicate_id!r} is not one of {', '.join(PREDICATES)}"
    if m.mapping_justification not in JUSTIFICATIONS:
        return f"mapping_justification {m.mapping_justification!r} must be semapv:ManualMappingCuration"
    for curie in (m.subject_id, m.object_id):
        try:
            check_curie(curie)
        except MalformedCurie as exc:
            return str(exc)
    try:
        value = float(m.confidence)
    except ValueError:
        return f"confidence {m.confidence!r} is not a number"
    if not 0 <= value <= 1:
        return f"confidence {m.confidence} is outside 0..1"
    return None


def load_mappings(folder: Path) -> list[MappingSet]:
    return [read_sssom(path) for path in sorted(folder.glob("*.sssom.tsv"))]


def to_graph(sets: list[MappingSet]) -> Graph:
    """SKOS mapping triples, one per row."""
    g = bind_all(Graph())
    for mapping_set in sets:
        for m in mapping_set.mappings:
            g.add((expand_curie(m.subject_id), PREDICATES[m.predicate_id], expand_curie(m.object_id)))
    return g


def from_graph(graph: Graph, labels: Graph, template: MappingSet) -> MappingSet:
    """Rebuild a mapping set from SKOS triples, taking the other columns from ``template``."""
    extra = {(m.subject_id, m.predicate_id, m.object_id): m for m in template.mappings}
    from regen_kg.prefixes import compact_iri

    rows = []
    for predicate_id, predicate in PREDICATES.items():
        for s, o in graph.subject_objects(predicate):
            key = (compact_iri(str(s)), predicate_id, compact_iri(str(o)))
            known = extra.get(key)
            rows.append(
                Mapping(
                    subject_id=key[0],
                    subject_label=str(labels.value(URIRef(str(s)), _LABEL) or (known.subject_label if known else "")),
                    predicate_id=predicate_id,
                    object_id=key[2],
                    object_label=str(labels.value(URIRef(str(o)), _LABEL) or (known.object_label if known else "")),
                    mapping_justification=known.mapping_justification if known else "semapv:ManualMappingCuration",
                    author_label=known.author_label if known else "",
                    confidence=known.confidence if known else "",
                )
            )
    order = {key: i for i, key in enumerate(extra)}
    rows.sort(key=lambda m: (order.get((m.subject_id, m.predicate_id, m.object_id), len(order)), m.subject_id))
    return MappingSet(metadata=dict(template.metadata), mappings=rows)


_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")


def curie_map(mappings: list[Mapping]) -> dict[str, str]:
    """The project prefix map restricted to the prefixes the table uses."""
    used = {m.subject_id.split(":")[0] for m in mappings} | {m.object_id.split(":")[0] for m in mappings}
    used |= {m.predicate_id.split(":")[0] for m in mappings} | {"semapv"}
    pm = prefix_map()
    return {p: pm[p] for p in sorted(used, key=lambda p: (p.lower() != p, p)) if p in pm}


def write_sssom(mapping_set: MappingSet) -> str:
    """SSSOM TSV: YAML metadata (with the curie map generated from the project prefix map) + rows."""
    metadata: dict[str, object] = {"curie_map": curie_map(mapping_set.mappings)}
    metadata.update({k: v for k, v in mapping_set.metadata.items() if k != "curie_map"})
    header = yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True, width=10_000)
    out = io.StringIO()
    for line in header.splitlines():
        out.write(f"# {line}\n")
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(COLUMNS)
    for m in mapping_set.mappings:
        writer.writerow([getattr(m, c) for c in COLUMNS])
    return out.getvalue()
