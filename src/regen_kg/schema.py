"""The curation format: YAML records read with line numbers and checked by pydantic models.

The models are the machine-readable schema of ``data/``; an error names the file, the line,
the field and what is accepted. Turning records into triples is ``records``' job.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from regen_kg.errors import InputError, Location

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
Unit = Literal["day", "week", "month", "year"]
Direction = Literal["improved", "no-change", "worsened", "superior", "no-difference", "inferior"]
Magnitude = Literal[
    "significant",
    "not-significant",
    "modest",
    "slight",
    "visible",
    "excellent",
    "beyond-individual-treatments",
]
SafetyProfile = Literal[
    "no-adverse-events",
    "no-severe-adverse-events",
    "mild-adverse-events-only",
    "favourable-safety-unspecified",
    "adverse-events-severity-not-stated",
]
NotReported = Literal["sample_size", "follow_up", "adverse_events", "pmid", "doi", "assessment_method"]
NctId = Annotated[str, Field(pattern=r"^NCT[0-9]{8}$")]
#: A date as the source writes it (``2014-08-05`` or ``2006-11``); a YAML date is read back as text.
DateText = Annotated[str, BeforeValidator(lambda v: v.isoformat() if isinstance(v, date) else v)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Timepoint(_Model):
    """A time after treatment, e.g. ``{value: 3, unit: month}``."""

    value: Decimal
    unit: Unit


class Material(_Model):
    """A cell preparation or product an intervention delivers."""

    type: str
    origin: Literal["autologous", "allogeneic"] | None = None


class Intervention(_Model):
    id: Slug
    type: str | list[str]
    label: str
    materials: list[Material] = []
    components: list[Slug] = []
    route: str | None = None
    site: str | None = None
    schedule: str | None = None
    note: str | None = None

    @property
    def types(self) -> list[str]:
        return [self.type] if isinstance(self.type, str) else list(self.type)


class Arm(_Model):
    id: Slug
    role: Literal["experimental", "comparator"]
    intervention: Slug
    label: str | None = None


class Statement(_Model):
    """A finding (reported by this study's publication) or a claim (made by a secondary source)."""

    id: Slug
    kind: Literal["finding", "claim"]
    stated_in: Slug | None = None
    intervention: Slug
    comparator: Slug | list[Slug] | None = None
    comparison: str | None = None
    outcome: str | None = None
    mechanism: str | None = None
    direction: Direction | None = None
    magnitude: list[Magnitude] = []
    timepoints: list[Timepoint] = []
    method: str | None = None
    synergy: bool = False
    safety: SafetyProfile | None = None
    adverse_events: str | None = None
    text: str | None = None
    note: str | None = None

    @property
    def comparators(self) -> list[str]:
        if self.comparator is None:
            return []
        return [self.comparator] if isinstance(self.comparator, str) else list(self.comparator)


class Limitation(_Model):
    type: str
    text: str
    id: Slug | None = None
    #: who states it: the record's source document, or the curators reading the study
    stated_by: Literal["source", "curators"] | None = None

    @property
    def key(self) -> str:
        """The id, or one derived from the type (``SmallSampleSize`` -> ``small-sample-size``)."""
        return self.id or re.sub(r"(?<!^)(?=[A-Z])", "-", self.type).lower()


class Recommendation(_Model):
    id: Slug
    text: str
    addresses: list[Slug] = []


class MeshHeading(_Model):
    """A MeSH descriptor that NLM indexed a publication with, as its PubMed record gives it."""

    iri: Annotated[str, Field(pattern=r"^http://id\.nlm\.nih\.gov/mesh/D[0-9]{6,9}$")]
    label: str
    #: NLM marked the heading (or one of its qualifiers) as a major topic of the article
    major: bool = False
    qualifiers: list[str] = []


class Citation(_Model):
    kind: Literal["primary", "review", "unlocated"]
    status: Literal["verified", "not-found", "not-checked"]
    first_author: str | None = None
    authors: str | None = None
    year: int | None = None
    title: str | None = None
    journal: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    doi: str | None = None
    verified_at: str | None = None
    cited_by: Slug | None = None
    note: str | None = None
    #: metadata read by ``regen-kg import pubmed``; kept in the record, not turned into triples
    abstract: str | None = None
    publication_types: list[str] = []
    mesh_headings: list[MeshHeading] = []
    #: trial registrations the publication names (PubMed DataBankList)
    nct_ids: list[NctId] = []

    @field_validator("pmid", mode="before")
    @classmethod
    def _pmid_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


class RegisteredOutcome(_Model):
    """A primary or secondary outcome measure as registered."""

    measure: str
    time_frame: str | None = None
    description: str | None = None


class RegisteredArm(_Model):
    """An arm group as registered (its type and interventions in the registry's words)."""

    label: str
    type: str | None = None
    description: str | None = None
    interventions: list[str] = []


class ConditionMesh(_Model):
    """A MeSH term the registry derived for a condition, with the id exactly as the registry gives it."""

    id: str
    term: str


class RegisteredReference(_Model):
    citation: str
    pmid: str | None = None
    type: str | None = None

    @field_validator("pmid", mode="before")
    @classmethod
    def _pmid_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


class Registration(_Model):
    """A ClinicalTrials.gov registration as its API v2 record gives it (``regen-kg import ctgov``)."""

    registry: Literal["ClinicalTrials.gov"] = "ClinicalTrials.gov"
    nct_id: NctId
    brief_title: str | None = None
    official_title: str | None = None
    acronym: str | None = None
    overall_status: str | None = None
    study_type: str | None = None
    phases: list[str] = []
    allocation: str | None = None
    intervention_model: str | None = None
    primary_purpose: str | None = None
    masking: str | None = None
    who_masked: list[str] = []
    enrollment: int | None = None
    enrollment_type: str | None = None
    start_date: DateText | None = None
    primary_completion_date: DateText | None = None
    completion_date: DateText | None = None
    first_posted: DateText | None = None
    last_updated: DateText | None = None
    lead_sponsor: str | None = None
    collaborators: list[str] = []
    conditions: list[str] = []
    condition_meshes: list[ConditionMesh] = []
    arms: list[RegisteredArm] = []
    primary_outcomes: list[RegisteredOutcome] = []
    secondary_outcomes: list[RegisteredOutcome] = []
    references: list[RegisteredReference] = []
    has_results: bool | None = None
    version_date: DateText | None = None


class Record(_Model):
    """One file of ``data/``: a study, or a source document with its general claims."""

    id: Slug
    label: str
    citation: Citation
    design: list[str] = []
    condition: str | None = None
    population: str | None = None
    sample_size: int | None = None
    completed: int | None = None
    follow_up: Timepoint | None = None
    not_reported: list[NotReported] = []
    interventions: list[Intervention] = []
    arms: list[Arm] = []
    statements: list[Statement] = []
    limitations: list[Limitation] = []
    recommendations: list[Recommendation] = []
    curation_note: str | None = None
    #: true while the findings (for a source document, its claims) are still to be curated
    findings_pending: bool = False
    registration: Registration | None = None

    @property
    def is_study(self) -> bool:
        """A review's own file describes a document, not a study."""
        return self.citation.kind != "review"


# --- YAML with line numbers ---------------------------------------------------------------


class _Map(dict[Any, Any]):
    line: int
    lines: dict[Any, int]


class _Seq(list[Any]):
    line: int
    lines: list[int]


#: libyaml's C parser when PyYAML has it (about 6x faster); the pure-Python one otherwise.
_SafeBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeBase):  # type: ignore[misc]
    """A safe loader whose mappings and sequences remember the line of each entry."""


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    result = _Map()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def line_of(raw: Any, loc: tuple[int | str, ...]) -> int | None:
    """The line of the deepest entry along ``loc`` in data read by the line loader."""
    line: int | None = getattr(raw, "line", None)
    node = raw
    for part in loc:
        in_map = isinstance(node, _Map) and part in node
        in_seq = isinstance(node, _Seq) and isinstance(part, int) and 0 <= part < len(node)
        if in_map or in_seq:
            line = node.lines[part]
            node = node[part]
        else:
            break
    return line


def read_yaml(path: Path) -> Any:
    """Parse a YAML file; a syntax error names the file, line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(Location(path), f"cannot read file: {exc}") from exc
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        raise InputError(where, f"YAML syntax error: {exc.problem or exc.context}") from exc


def _describe(error: Any) -> str:
    field = ".".join(str(p) for p in error["loc"]) or "(record)"
    message = str(error["msg"])
    if error["type"] == "extra_forbidden":
        message = "unknown field; check its spelling against data/README.md"
    elif error["type"] == "missing":
        message = "required field is missing"
    elif error.get("input", "") is None:
        message = f"is empty; fill it in ({message})"
    return f"field '{field}': {message}"


def load_record(path: Path) -> tuple[Record, Any]:
    """Read and check one record file; returns the model and the raw, line-annotated data."""
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError(Location(path, 1), "a record must be a YAML mapping (key: value lines)")
    try:
        record = Record.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        message = "; ".join(_describe(e) for e in errors[:5])
        if len(errors) > 5:
            message += f"; and {len(errors) - 5} more"
        raise InputError(Location(path, line_of(raw, tuple(first["loc"]))), message) from exc
    if record.id != path.stem:
        raise InputError(
            Location(path, line_of(raw, ("id",))),
            f"record id {record.id!r} must equal the file name {path.stem!r}",
        )
    return record, raw
