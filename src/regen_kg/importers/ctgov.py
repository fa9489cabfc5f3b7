"""A ClinicalTrials.gov API v2 study object (JSON) -> one study record.

The registration itself is kept in the record's ``registration`` block: NCT id, titles, status,
design (allocation, intervention model, masking, phases), enrollment, dates, sponsor, conditions
(with the registry's MeSH terms, ids exactly as given), arm groups, primary and secondary outcomes
with their time frames, and references. The arm groups and interventions also become the
record's ``interventions`` and ``arms`` (typed ``regen:Intervention``: the registry's intervention
types do not say which of our classes fits), so an interventional study with arms builds as it is
and goes to ``data/studies/``; one without arms or a design class (an observational study) goes to
``data/inbox/``. Findings are left for the curator (``findings_pending: true``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regen_kg.errors import InputError, Location
from regen_kg.importers.base import Folder, Identifiers, ImportedRecord, SourceKey, slugify, unique_slug

_NCT = re.compile(r"^NCT[0-9]{8}$")
#: how the citation note of an imported registration starts (a link to the publication drops it)
REGISTRATION_NOTE = "A trial registration, not a journal article"
EXPERIMENTAL_ARMS = {"EXPERIMENTAL"}
COMPARATOR_ARMS = {"ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR", "SHAM_COMPARATOR", "NO_INTERVENTION"}


@dataclass(frozen=True)
class _At:
    """A JSON object and its path in the file (``protocolSection.armsInterventionsModule.armGroups[1]``)."""

    value: dict[str, Any]
    path: str

    def sub(self, dotted: str) -> str:
        return f"{self.path}.{dotted}" if self.path else dotted


class _Reader:
    """Typed access to the JSON with errors that name the file and the JSON path."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> InputError:
        return InputError(Location(self.path), f"{where}: {message}")

    def get(self, at: _At, dotted: str, kind: type | tuple[type, ...], *, required: bool = False) -> Any:
        node: Any = at.value
        where = at.sub(dotted)
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                if required:
                    raise self.fail(where, "missing required field (not a ClinicalTrials.gov API v2 study record?)")
                return None
            node = node[part]
        if node is None:
            return None
        if kind is int and isinstance(node, bool):
            raise self.fail(where, f"expected a whole number, found {node!r}")
        if not isinstance(node, kind):
            expected = _KIND_NAMES.get(kind, "text or an object") if isinstance(kind, type) else "text or an object"
            raise self.fail(where, f"expected {expected}, found {type(node).__name__}")
        return node

    def text(self, at: _At, dotted: str, *, required: bool = False) -> str | None:
        value = self.get(at, dotted, str, required=required)
        return value.strip() or None if isinstance(value, str) else None

    def texts(self, at: _At, dotted: str) -> list[str]:
        items = self.get(at, dotted, list) or []
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise self.fail(f"{at.sub(dotted)}[{i}]", f"expected text, found {type(item).__name__}")
        return [i.strip() for i in items if i.strip()]

    def objects(self, at: _At, dotted: str) -> list[_At]:
        items = self.get(at, dotted, list) or []
        out = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise self.fail(f"{at.sub(dotted)}[{i}]", f"expected an object, found {type(item).__name__}")
            out.append(_At(item, f"{at.sub(dotted)}[{i}]"))
        return out


_KIND_NAMES = {str: "text", int: "a whole number", list: "a list", dict: "an object", bool: "true or false"}


def load_json(path: Path) -> dict[str, Any]:
    """The study object in ``path``; malformed JSON or a wrong root raises InputError."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Location(path), f"cannot read file: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(Location(path, exc.lineno, exc.colno), f"malformed JSON: {exc.msg}") from exc
    if isinstance(data, dict) and "studies" in data and "protocolSection" not in data:
        raise InputError(
            Location(path),
            "this is a search response ({'studies': [...]}); save each study object on its own "
            "(https://clinicaltrials.gov/api/v2/studies/NCT…) and import it",
        )
    if not isinstance(data, dict) or not isinstance(data.get("protocolSection"), dict):
        found = "an object without 'protocolSection'" if isinstance(data, dict) else f"a JSON {type(data).__name__}"
        raise InputError(
            Location(path), f"expected a ClinicalTrials.gov API v2 study object with 'protocolSection', found {found}"
        )
    return data


def read(path: Path) -> list[ImportedRecord]:
    """The record of the study in ``path`` (nothing is written here)."""
    return [to_record(path, load_json(path))]


def _date(reader: _Reader, protocol: _At, dotted: str) -> str | None:
    value = reader.get(protocol, dotted, (str, dict))
    if isinstance(value, dict):
        value = value.get("date")
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", value):
        raise reader.fail(protocol.sub(dotted), f"expected a date like 2014-08-05 or 2006-11, found {value!r}")
    return value


def registration_of(reader: _Reader, raw: dict[str, Any]) -> dict[str, Any]:
    """The ``registration`` block: what the registry says, in its own terms."""
    data = _At(raw, "")
    p = _At(raw["protocolSection"], "protocolSection")
    nct = reader.text(p, "identificationModule.nctId", required=True)
    if nct is None or not _NCT.match(nct):
        raise reader.fail(p.sub("identificationModule.nctId"), f"expected NCT + 8 digits, found {nct!r}")
    brief = reader.text(p, "identificationModule.briefTitle")
    official = reader.text(p, "identificationModule.officialTitle")
    if not brief and not official:
        raise reader.fail(p.sub("identificationModule.briefTitle"), "missing required field")
    design = "designModule.designInfo"
    outcomes = {
        which: [
            {"measure": m, "time_frame": reader.text(o, "timeFrame"), "description": reader.text(o, "description")}
            for o in reader.objects(p, f"outcomesModule.{which}Outcomes")
            if (m := reader.text(o, "measure", required=True))
        ]
        for which in ("primary", "secondary")
    }
    reg: dict[str, Any] = {
        "registry": "ClinicalTrials.gov",
        "nct_id": nct,
        "brief_title": brief,
        "official_title": official,
        "acronym": reader.text(p, "identificationModule.acronym"),
        "overall_status": reader.text(p, "statusModule.overallStatus"),
        "study_type": reader.text(p, "designModule.studyType"),
        "phases": reader.texts(p, "designModule.phases"),
        "allocation": reader.text(p, f"{design}.allocation"),
        "intervention_model": reader.text(p, f"{design}.interventionModel"),
        "primary_purpose": reader.text(p, f"{design}.primaryPurpose"),
        "masking": reader.text(p, f"{design}.maskingInfo.masking"),
        "who_masked": reader.texts(p, f"{design}.maskingInfo.whoMasked"),
        "enrollment": reader.get(p, "designModule.enrollmentInfo.count", int),
        "enrollment_type": reader.text(p, "designModule.enrollmentInfo.type"),
        "start_date": _date(reader, p, "statusModule.startDateStruct"),
        "primary_completion_date": _date(reader, p, "statusModule.primaryCompletionDateStruct"),
        "completion_date": _date(reader, p, "statusModule.completionDateStruct"),
        "first_posted": _date(reader, p, "statusModule.studyFirstPostDateStruct"),
        "last_updated": _date(reader, p, "statusModule.lastUpdatePostDateStruct"),
        "lead_sponsor": reader.text(p, "sponsorCollaboratorsModule.leadSponsor.name"),
        "collaborators": [
            n for c in reader.objects(p, "sponsorCollaboratorsModule.collaborators") if (n := reader.text(c, "name"))
        ],
        "conditions": reader.texts(p, "conditionsModule.conditions"),
        "condition_meshes": [
            {"id": i, "term": t}
            for m in reader.objects(data, "derivedSection.conditionBrowseModule.meshes")
            if (i := reader.text(m, "id")) and (t := reader.text(m, "term"))
        ],
        "arms": [
            {
                "label": reader.text(a, "label", required=True),
                "type": reader.text(a, "type"),
                "description": reader.text(a, "description"),
                "interventions": reader.texts(a, "interventionNames"),
            }
            for a in reader.objects(p, "armsInterventionsModule.armGroups")
        ],
        "primary_outcomes": outcomes["primary"],
        "secondary_outcomes": outcomes["secondary"],
        "references": [
            {"citation": c, "pmid": reader.text(r, "pmid"), "type": reader.text(r, "type")}
            for r in reader.objects(p, "referencesModule.references")
            if (c := reader.text(r, "citation"))
        ],
        "has_results": reader.get(data, "hasResults", bool),
        "version_date": reader.text(data, "derivedSection.miscInfoModule.versionHolder"),
    }
    pruned: dict[str, Any] = _prune(reg)
    return pruned


def _prune(value: Any) -> Any:
    """Drop empty fields (None, empty lists) recursively, so the YAML shows only what the source gives."""
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v not in (None, [], "")}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def design_of(reg: dict[str, Any], arm_count: int) -> list[str]:
    """Our design class for the registered design; none for an observational study."""
    if reg.get("study_type") != "INTERVENTIONAL":
        return []
    allocation = reg.get("allocation")
    if allocation == "RANDOMIZED":
        return ["RandomizedControlledTrial"]
    if allocation == "NON_RANDOMIZED" and arm_count >= 2:
        return ["NonRandomizedControlledTrial"]
    if reg.get("intervention_model") == "SINGLE_GROUP" and arm_count <= 1:
        return ["SingleArmStudy"]
    return ["ClinicalStudy"]


def _interventions(reader: _Reader, data: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the record's interventions, the registry's interventions with their arm labels)."""
    p = _At(data["protocolSection"], "protocolSection")
    items: list[dict[str, Any]] = []
    raw: list[dict[str, Any]] = []
    taken: set[str] = set()
    for entry in reader.objects(p, "armsInterventionsModule.interventions"):
        name = reader.text(entry, "name", required=True)
        if not name:
            raise reader.fail(entry.sub("name"), "missing required field")
        kind = reader.text(entry, "type")
        note = f"ClinicalTrials.gov intervention type {kind}" if kind else "ClinicalTrials.gov intervention"
        others = reader.texts(entry, "otherNames")
        if others:
            note += f"; other names: {', '.join(others)}"
        description = reader.text(entry, "description")
        if description:
            note += f". {description}"
        item = {"id": unique_slug(slugify(name), taken), "type": "Intervention", "label": name, "note": note}
        items.append(item)
        raw.append({"item": item, "type": kind, "name": name, "arms": reader.texts(entry, "armGroupLabels")})
    return items, raw


def _arms(
    reg: dict[str, Any], items: list[dict[str, Any]], raw: list[dict[str, Any]], notes: list[str]
) -> list[dict[str, Any]]:
    """One arm per registered arm group that receives at least one intervention."""
    arms: list[dict[str, Any]] = []
    taken = {i["id"] for i in items}
    arm_ids: set[str] = set()
    for group in reg.get("arms", []):
        label = group["label"]
        given = [r["item"]["id"] for r in raw if label in r["arms"]]
        for name in group.get("interventions", []):  # "Drug: Placebo"
            _, _, bare = name.partition(": ")
            given += [r["item"]["id"] for r in raw if r["name"] in (bare, name) and r["item"]["id"] not in given]
        if not given:
            notes.append(f"arm {label!r} ({group.get('type', 'no type')}) names no intervention; not made an arm")
            continue
        arm_id = unique_slug(slugify(label), arm_ids)
        if len(given) == 1:
            received = given[0]
        else:
            received = unique_slug(f"{arm_id}-regimen", taken)
            items.append(
                {"id": received, "type": "CombinationTherapy", "label": f"{label} regimen", "components": given}
            )
        kind = group.get("type")
        role = "comparator" if kind in COMPARATOR_ARMS else "experimental"
        if kind not in EXPERIMENTAL_ARMS | COMPARATOR_ARMS:
            notes.append(f"arm {label!r} has type {kind or 'none'}; recorded as experimental: check its role")
        arms.append({"id": arm_id, "role": role, "intervention": received, "label": label})
    return arms


def to_record(path: Path, data: dict[str, Any]) -> ImportedRecord:
    reader = _Reader(path)
    reg = registration_of(reader, data)
    nct = reg["nct_id"]
    items, raw = _interventions(reader, data)
    notes: list[str] = []
    arms = _arms(reg, items, raw, notes)
    design = design_of(reg, len(arms))
    origin = f"ClinicalTrials.gov API v2 record {nct}" + (
        f" (version of {reg['version_date']})" if reg.get("version_date") else ""
    )
    sponsor = reg.get("lead_sponsor") or "ClinicalTrials.gov"
    posted = reg.get("first_posted") or reg.get("start_date")
    year = int(posted[:4]) if posted else None
    body: dict[str, Any] = {
        "id": slugify(nct),
        "label": f"{reg.get('brief_title') or reg.get('official_title')} ({nct})",
        "design": design,
        "findings_pending": True,
    }
    if reg.get("enrollment") is not None and reg.get("enrollment_type") == "ACTUAL":
        body["sample_size"] = reg["enrollment"]
    body["citation"] = _prune(
        {
            "kind": "primary",
            "status": "not-checked",
            "first_author": sponsor,
            "year": year,
            "title": reg.get("official_title") or reg.get("brief_title"),
            "journal": f"ClinicalTrials.gov {nct}",
            "verified_at": f"{origin}, read from {path.name}",
            "note": (
                f"{REGISTRATION_NOTE}: the registry names no authors, so first_author is "
                f"the lead sponsor, and year is when the record was first posted ({posted or 'not given'}). "
                "Link the results publication with 'regen-kg import pubmed --link'."
            ),
        }
    )
    if items:
        body["interventions"] = items
    if arms:
        body["arms"] = arms
    body["registration"] = reg
    comments = {
        "findings_pending": "Findings are left for you: add one statement per outcome the results report, then "
        "remove findings_pending.",
        "registration": "What ClinicalTrials.gov says, in its own terms (the build keeps only a link to the record).",
    }
    if not design:
        notes.append(f"study type {reg.get('study_type') or 'not given'}: no design class of ours fits; choose one")
    if not arms:
        notes.append("no arm receives an intervention: add the arms before the record can be built")
    if reg.get("enrollment") is not None and reg.get("enrollment_type") != "ACTUAL":
        notes.append(f"enrollment {reg['enrollment']} is {reg.get('enrollment_type', 'of unknown type')}, not actual")
    folder: Folder = "studies" if design and arms else "inbox"
    ids = Identifiers(nct_ids=(nct,))
    return ImportedRecord(SourceKey("ctgov", nct), body["id"], body, folder, ids, origin, notes, comments)
