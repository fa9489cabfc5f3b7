"""Curation helpers: the ``new-study`` template, the import stamp that detects a curator's edits,
the index of record files used to propose links, and the JSON Schema of the record format.

An imported file starts with a comment header whose last line is the import stamp::

    # regen-kg-import: pubmed:29768149 sha256:<hash of everything below this line>

Importing the same source again rewrites the file only while the hash still matches, that is,
while nobody has edited it; otherwise the import refuses (``--force`` overrides).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import yaml

from regen_kg.errors import InputError, Location, RegenError
from regen_kg.fileio import write_atomic
from regen_kg.importers.base import Identifiers, SourceKey
from regen_kg.ontology import TermIndex
from regen_kg.paths import ProjectPaths
from regen_kg.prefixes import REGEN
from regen_kg.schema import Record, SafetyProfile

STAMP = "# regen-kg-import:"
_STAMP_LINE = re.compile(r"^# regen-kg-import: (\S+) sha256:([0-9a-f]{64})\s*$", re.MULTILINE)
#: Folders of ``data/`` that hold records; ``inbox`` holds imported skeletons the build does not read.
RECORD_FOLDERS = ("sources", "studies", "inbox")


# --- the import stamp --------------------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    key: SourceKey
    digest: str


def digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def stamped(key: SourceKey, origin: str, body: str) -> str:
    """The text of an imported file: a header naming the source, the stamp, then ``body``."""
    header = (
        f"# Imported by regen-kg from {origin}.\n"
        "# Edit freely: once this file is edited, importing the same source again will not overwrite it\n"
        "# (unless --force). Keep the next line: it records what the importer wrote.\n"
        f"{STAMP} {key} sha256:{digest(body)}\n"
    )
    return header + body


def read_stamp(text: str) -> tuple[Stamp, str] | None:
    """The stamp of an imported file and the text below it, or None for a curated file."""
    found = _STAMP_LINE.search(text)
    if found is None or any(not line.startswith("#") for line in text[: found.start()].splitlines()):
        return None
    key = SourceKey.parse(found.group(1))
    if key is None:
        return None
    return Stamp(key, found.group(2)), text[found.end() + 1 :]


def is_edited(text: str) -> bool:
    """Whether an imported file changed since the importer wrote it (a curated file counts as edited)."""
    found = read_stamp(text)
    return found is None or digest(found[1]) != found[0].digest


# --- the record files of a project ---------------------------------------------------------------


@dataclass
class RecordFile:
    """One YAML file under data/sources, data/studies or data/inbox, read leniently."""

    path: Path
    folder: str
    text: str
    data: dict[str, Any] | None
    stamp: Stamp | None

    @property
    def id(self) -> str:
        return self.path.stem

    @property
    def citation(self) -> dict[str, Any]:
        value = (self.data or {}).get("citation")
        return value if isinstance(value, dict) else {}

    @property
    def kind(self) -> str | None:
        kind = self.citation.get("kind")
        return kind if isinstance(kind, str) else None


def record_files(paths: ProjectPaths) -> list[RecordFile]:
    """Every record file of the project, including the inbox; unreadable YAML is kept with no data."""
    files = []
    for folder in RECORD_FOLDERS:
        for path in sorted((paths.data / folder).glob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError:
                data = None
            found = read_stamp(text)
            files.append(RecordFile(path, folder, text, data if isinstance(data, dict) else None, found and found[0]))
    return files


def find_record(files: Iterable[RecordFile], record_id: str) -> RecordFile:
    """The record file named ``record_id``; an unknown id lists the known ones."""
    files = list(files)
    for f in files:
        if f.id == record_id:
            return f
    close = difflib.get_close_matches(record_id, [f.id for f in files], n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise RegenError(f"no record {record_id!r} in data/studies, data/sources or data/inbox{hint}")


@dataclass
class Candidate:
    """An existing record that shares an identifier with an imported one."""

    file: RecordFile
    matches: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.file.id} ({self.file.folder}/{self.file.path.name}: same {', '.join(self.matches)})"


def _same_doi(a: Any, b: str | None) -> bool:
    return isinstance(a, str) and b is not None and a.strip().casefold() == b.strip().casefold()


def link_candidates(files: Iterable[RecordFile], ids: Identifiers, key: SourceKey) -> list[Candidate]:
    """Records (other than imports of ``key`` itself) whose citation or registration shares an identifier."""
    out = []
    for f in files:
        if f.data is None or (f.stamp is not None and f.stamp.key == key):
            continue
        c = f.citation
        matches = []
        if ids.pmid and str(c.get("pmid", "")).strip() == ids.pmid:
            matches.append(f"PMID {ids.pmid}")
        if _same_doi(c.get("doi"), ids.doi):
            matches.append(f"DOI {ids.doi}")
        registration = f.data.get("registration")
        registered = {registration.get("nct_id")} if isinstance(registration, dict) else set()
        listed = c.get("nct_ids")
        registered |= set(listed) if isinstance(listed, list) else set()
        matches += [n for n in ids.nct_ids if n in registered]
        if matches:
            out.append(Candidate(f, matches))
    return out


# --- the new-study template ----------------------------------------------------------------------


def _names(terms: TermIndex, root: str) -> list[str]:
    return [str(c)[len(str(REGEN)) :] for c in terms.subclasses_of(REGEN[root])]


def _choices(label: str, names: Iterable[str], indent: str = "") -> str:
    text = f"{label}: {', '.join(names)}"
    lines = textwrap.wrap(text, width=110 - len(indent), subsequent_indent="    ")
    return "".join(f"{indent}# {line}\n" for line in lines)


def study_template(record_id: str, terms: TermIndex) -> str:
    """A study record with every field explained; it validates once the empty fields are filled in."""
    designs = [n for n in _names(terms, "ClinicalStudy")]
    methods = [n for n in _names(terms, "AssessmentMethod") if n != "AssessmentMethod"]
    comparisons = [str(i)[len(str(REGEN)) :] for i in terms.instances_of(REGEN.Comparison)]
    limitations = [n for n in _names(terms, "Limitation") if n != "Limitation"]
    return _TEMPLATE.format(
        id=record_id,
        designs=_choices("study designs (one or more)", designs),
        conditions=_choices("conditions", [n for n in _names(terms, "Condition") if n != "Condition"]),
        interventions=_choices("intervention types", _names(terms, "Intervention"), "    "),
        materials=_choices("materials", _names(terms, "BiologicalMaterial"), "    "),
        routes=_choices("routes", [n for n in _names(terms, "RouteOfDelivery") if n != "RouteOfDelivery"], "    "),
        sites=_choices("sites", [n for n in _names(terms, "AnatomicalSite") if n != "AnatomicalSite"], "    "),
        outcomes=_choices("outcomes", [n for n in _names(terms, "Outcome") if n != "Outcome"], "    "),
        methods=_choices("methods", methods, "    "),
        comparisons=_choices("comparisons", comparisons, "    "),
        limitations=_choices("limitation types", limitations),
        safety=_safety_comment(),
    )


def _safety_comment() -> str:
    """The template's note on safety statements, listing every profile the records accept."""
    text = f"For Safety: safety: {' | '.join(get_args(SafetyProfile))}, and adverse_events: in words"
    lines = textwrap.wrap(text, width=100, subsequent_indent="  ", break_on_hyphens=False)
    return "".join(f"    # {line}\n" for line in lines)


def write_template(paths: ProjectPaths, record_id: str, terms: TermIndex, out_dir: Path | None = None) -> Path:
    """Write ``<out_dir or data/studies>/<record_id>.yaml``; an existing file is never replaced."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", record_id):
        raise RegenError(f"record id {record_id!r}: use lower-case letters, digits and hyphens (e.g. smith-2021)")
    folder = out_dir or paths.data / "studies"
    target = folder / f"{record_id}.yaml"
    existing = [f.path for f in record_files(paths) if f.id == record_id] + ([target] if target.exists() else [])
    if existing:
        raise InputError(Location(existing[0]), f"a record {record_id!r} already exists; choose another id")
    write_atomic(target, study_template(record_id, terms))
    return target


def record_json_schema() -> dict[str, Any]:
    """The JSON Schema of a record file (generated from the pydantic models of ``regen_kg.schema``)."""
    schema = Record.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "regen-kg curation record"
    return schema


def record_json_schema_text() -> str:
    return json.dumps(record_json_schema(), indent=2, ensure_ascii=False) + "\n"


_TEMPLATE = """\
# A new study record. Fill in every empty field, delete the optional lines you do not need, then run
#   regen-kg validate
# Every message names this file, the line and the field, and lists the accepted values or the
# closest known terms ("did you mean regen:SkinElasticity?"). data/README.md documents each field.
# Never guess an identifier: if you have not read a PMID or DOI in a public record, leave it out and
# list it under not_reported.

# The record id: lower-case letters, digits and hyphens, equal to the file name (<first-author>-<year>).
id: {id}
# One line naming the study, e.g. "Smith 2021 PRP versus saline, split-face RCT".
label:
# The study design classes, as a list, e.g. [RandomizedControlledTrial, SplitFaceStudy].
{designs}design:
# The condition studied (a regen:Condition class).
{conditions}condition: FacialSkinAging
# Who took part, in words, e.g. "30 women aged 40-60 with photoaged facial skin".
population:
# Participants enrolled (a whole number). If the source does not say, delete the line and list
# sample_size under not_reported.
sample_size:
# Optional: participants who completed the study.
# completed: 28
# Optional: the longest follow-up, {{value: N, unit: day | week | month | year}}.
# follow_up: {{value: 6, unit: month}}
# What the source is silent on: sample_size, follow_up, adverse_events, pmid, doi, assessment_method.
not_reported: []
# Set by the importers: findings_pending: true while findings are still to be curated (remove it when
# they are done); registration: the ClinicalTrials.gov record (regen-kg import ctgov --link).

# The publication that reports the study.
citation:
  # primary: the study's own publication | unlocated: known only through a review
  # (then status: not-found, cited_by: the review's record id, and no identifiers).
  kind: primary
  # verified: a PMID or DOI read from a public record | not-found | not-checked
  status:
  # The first author's family name, e.g. Smith.
  first_author:
  # All authors as PubMed writes them, e.g. "Smith AB, Jones CD".
  authors:
  # The publication year, e.g. 2021.
  year:
  title:
  # Journal, year, volume, issue and pages, e.g. "J Cosmet Dermatol. 2021;20(3):123-130".
  journal:
  # The PMID in quotes, e.g. "25324650". Delete the line if you have not seen it.
  pmid:
  # The DOI without a resolver, e.g. 10.5021/ad.2014.26.5.584. Delete the line if you have not seen it.
  doi:
  # Where you read the identifiers (a PubMed page, the publisher's site...).
  verified_at:
  # Optional: pmcid: PMC4198585 | cited_by: source-review (for an unlocated citation) | note: free text
  # Filled in by 'regen-kg import pubmed' (kept in the record, not turned into triples): abstract:,
  # publication_types: [PubMed's types], nct_ids: [trial registrations the article names], and
  # mesh_headings: [{{iri: http://id.nlm.nih.gov/mesh/D..., label:, major: true|false, qualifiers: [...]}}].

# What was given. Each intervention has an id (unique in this record) that arms and statements use.
interventions:
  - id:
{interventions}    type:
    # In words, e.g. "autologous PRP, 3 mL intradermal".
    label:
    # Optional: what it delivers, a list of {{type: <material>, origin: autologous | allogeneic}}.
{materials}    # materials:
    #   - {{type: PlateletRichPlasma, origin: autologous}}
    # Optional: how and where it was given, and when.
{routes}    # route: IntradermalInjection
{sites}    # site: FaceSkin
    # schedule: 3 sessions 4 weeks apart
    # Optional, for a CombinationTherapy: two or more other intervention ids of this record.
    # components: [prp, microneedling]
    # Optional: note: free text

# The study arms: each receives exactly one intervention (use a CombinationTherapy for several).
arms:
  - id:
    # experimental | comparator
    role: experimental
    # The id of an intervention above.
    intervention:
    label:

# One statement per outcome the source reports, null results included.
statements:
  - id:
    # finding: reported by this study's own publication | claim: what a secondary source says
    # (a claim needs stated_in: the id of the source record in data/sources, e.g. stated_in: source-review;
    # a claim about how it works may name a mechanism: <a regen:Mechanism class> instead of an outcome).
    kind: finding
    # The id of the intervention the statement is about (given in an arm, or a component of one).
    intervention:
    # Optional: the comparator intervention id (needed for superior / no-difference / inferior).
    # comparator:
    # Optional: a shared comparison question.
{comparisons}    # comparison: PRPAddedToCellOrFatTherapy
    # The outcome (a regen:Outcome class).
{outcomes}    outcome:
    # improved | no-change | worsened (against baseline), or
    # superior | no-difference | inferior (against the comparator)
    direction:
    # Optional: magnitude, a list of significant | not-significant | modest | slight | visible |
    #   excellent | beyond-individual-treatments, e.g. magnitude: [significant]
    # Optional: when it was assessed, e.g. timepoints: [{{value: 3, unit: month}}]
    # How the outcome was assessed (an AssessmentMethod class).
{methods}    method:
    # Optional: synergy: true (a combination beats its components)
{safety}    # What the source says, in your words.
    text:
    # Optional: note: free text

# What weakens the evidence, each {{type: <limitation type>, text: ...}}; optional id (default: from
# the type) and stated_by: source | curators (default for a study: curators).
{limitations}limitations: []

# Optional: curation_note: free text about this record.
# (Source records in data/sources also have recommendations: [{{id, text, addresses: [limitation ids]}}].)
"""
