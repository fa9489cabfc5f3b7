"""Writing imported records: create, update, refuse to overwrite a curator's edits, propose or link.

For each imported record:

- an earlier import of the same source (found by the stamp in its header, wherever the file now
  is) is updated in place while it is unedited; an edited one is left alone unless ``force``;
- otherwise, records that share a PMID, DOI or NCT id are printed as link candidates and nothing
  is written (the curator confirms with ``--link STUDY_ID``);
- otherwise a new file is written to ``data/studies/`` (a record that builds as it is), or to
  ``data/inbox/`` (a skeleton the build does not read until the curator completes and moves it).

``link`` merges a PubMed citation into the ``citation`` block of an existing record, or puts a
ClinicalTrials.gov registration in its ``registration`` block, leaving the rest of the file as
the curator wrote it. Every write is atomic; a record is checked against the schema before it is
written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from regen_kg.curation import (
    Candidate,
    RecordFile,
    find_record,
    is_edited,
    link_candidates,
    record_files,
    stamped,
)
from regen_kg.errors import InputError, Location, RegenError
from regen_kg.fileio import write_atomic
from regen_kg.importers.base import ImportedRecord, unique_slug
from regen_kg.importers.ctgov import REGISTRATION_NOTE
from regen_kg.importers.yamltext import check_edit, render, replace_block
from regen_kg.paths import ProjectPaths
from regen_kg.schema import Record

Action = Literal["created", "updated", "unchanged", "replaced", "refused", "proposed", "linked"]
#: citation fields a curator wrote that a link keeps when present
_KEEP_ON_LINK = ("note", "cited_by", "pmcid")


@dataclass
class Outcome:
    """What happened to one imported record."""

    action: Action
    record: ImportedRecord
    path: Path | None
    message: str
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.action == "refused"


def check_record(body: dict[str, Any], where: Path) -> Record:
    """The body as a schema-checked record (an importer bug or a bad merge is reported, not written)."""
    try:
        return Record.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        field_name = ".".join(str(p) for p in first["loc"])
        raise InputError(Location(where), f"the imported record is not valid: {field_name}: {first['msg']}") from exc


def apply(
    paths: ProjectPaths, records: list[ImportedRecord], *, force: bool = False, link: str | None = None
) -> list[Outcome]:
    """Write (or link, or refuse) each record; see the module docstring."""
    if link is not None and len(records) != 1:
        raise RegenError(f"--link attaches one record, but the file holds {len(records)}; import them one by one")
    keys = [str(r.key) for r in records]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise RegenError(f"the file holds {', '.join(repeated)} more than once; nothing written")
    files = record_files(paths)
    for rec in records:  # every check that can fail comes before the first write
        check_record(rec.body, paths.data / rec.folder / f"{rec.record_id}.yaml")
        existing = [f for f in files if f.stamp is not None and f.stamp.key == rec.key]
        if len(existing) > 1:
            where = ", ".join(_rel(paths, f.path) for f in existing)
            raise RegenError(f"several files are imports of {rec.key}: {where}; keep one and delete the others")
    taken = {f.id for f in files}
    outcomes = []
    for rec in records:
        if link is not None:
            outcomes.append(_link(paths, files, rec, link, force=force))
            continue
        existing = [f for f in files if f.stamp is not None and f.stamp.key == rec.key]
        candidates = link_candidates(files, rec.identifiers, rec.key)
        if existing:
            outcomes.append(_update(paths, existing[0], rec, force=force, candidates=candidates))
        elif candidates:
            listed = "; ".join(str(c) for c in candidates)
            first = candidates[0].file.id
            message = (
                f"{rec.origin}: an existing record has the same identifiers: {listed}. Nothing written. "
                f"To add the imported metadata to it, run the import again with --link {first}."
            )
            outcomes.append(Outcome("proposed", rec, None, message, candidates))
        else:
            outcomes.append(_create(paths, rec, taken))
    return outcomes


def _rel(paths: ProjectPaths, path: Path) -> str:
    try:
        return str(path.relative_to(paths.root))
    except ValueError:
        return str(path)


def _text_of(rec: ImportedRecord, record_id: str) -> str:
    body = dict(rec.body)
    body["id"] = record_id
    return stamped(rec.key, rec.origin, render(body, rec.comments))


def _create(paths: ProjectPaths, rec: ImportedRecord, taken: set[str]) -> Outcome:
    record_id = rec.record_id
    if record_id in taken:  # another record has this author-year id: add the source id
        record_id = unique_slug(f"{record_id}-{rec.key.id.lower()}", taken)
    taken.add(record_id)
    path = paths.data / rec.folder / f"{record_id}.yaml"
    check_record({**rec.body, "id": record_id}, path)
    write_atomic(path, _text_of(rec, record_id))
    where = (
        ""
        if rec.folder != "inbox"
        else "; complete it, then move it to data/" + ("sources/" if rec.kind == "source" else "studies/")
    )
    return Outcome("created", rec, path, f"created {_rel(paths, path)} from {rec.origin}{where}")


def _update(
    paths: ProjectPaths, existing: RecordFile, rec: ImportedRecord, *, force: bool, candidates: list[Candidate]
) -> Outcome:
    path = existing.path
    new_text = _text_of(rec, existing.id)
    also = ""
    if candidates:
        also = "; note: records with the same identifiers exist: " + "; ".join(str(c) for c in candidates)
    if new_text == existing.text:
        return Outcome("unchanged", rec, path, f"{_rel(paths, path)} is up to date with {rec.origin}{also}")
    if is_edited(existing.text):
        if not force:
            message = (
                f"{_rel(paths, path)} was edited after it was imported from {rec.origin} (its content no longer "
                "matches the hash in its header), so it was not overwritten. Merge the new data by hand, or "
                "run the import again with --force to replace the file and discard the edits."
            )
            return Outcome("refused", rec, path, message)
        check_record({**rec.body, "id": existing.id}, path)
        write_atomic(path, new_text)
        return Outcome("replaced", rec, path, f"replaced {_rel(paths, path)} (--force: the edits were discarded)")
    check_record({**rec.body, "id": existing.id}, path)
    write_atomic(path, new_text)
    return Outcome("updated", rec, path, f"updated {_rel(paths, path)} from {rec.origin}{also}")


# --- linking to an existing record ------------------------------------------------------------------


def _link(paths: ProjectPaths, files: list[RecordFile], rec: ImportedRecord, target_id: str, *, force: bool) -> Outcome:
    target = find_record(files, target_id)
    if target.data is None:
        raise InputError(Location(target.path), "the record cannot be read as YAML; fix it before linking")
    matched = link_candidates([target], rec.identifiers, rec.key)
    if not matched and not force:
        raise RegenError(
            f"{target.id} shares no identifier with {rec.origin} ({rec.identifiers.describe()}); "
            "check the record id, or add --force to link them anyway"
        )
    if rec.key.registry == "pubmed":
        key, value, changes = _merged_citation(target, rec)
    else:
        key, value, changes = _registration(target, rec, force=force)
    text = replace_block(target.text, key, value)
    allowed = {key}
    if rec.key.registry == "pubmed":
        text = _drop_not_reported(text, value)
        allowed.add("not_reported")
    where = _rel(paths, target.path)
    if text == target.text:
        return Outcome("unchanged", rec, target.path, f"{where} already holds {rec.origin}")
    data = check_edit(target.text, text, allowed, where)
    check_record(data, target.path)
    write_atomic(target.path, text)
    how = "" if matched else " (no identifier in common: linked because of --force)"
    existing = [f for f in files if f.stamp is not None and f.stamp.key == rec.key]
    left = f"; the separate import {_rel(paths, existing[0].path)} is left as it is" if existing else ""
    edited = "" if target.stamp is None else "; the file now counts as edited, so a later import will not overwrite it"
    detail = f" (changed: {', '.join(changes)})" if changes else ""
    return Outcome("linked", rec, target.path, f"linked {rec.origin} to {where}{detail}{how}{left}{edited}")


def _merged_citation(target: RecordFile, rec: ImportedRecord) -> tuple[str, dict[str, Any], list[str]]:
    old = target.citation
    new = dict(rec.body["citation"])
    if (new["kind"] == "review") != (old.get("kind") == "review"):
        what = "a review" if new["kind"] == "review" else "a primary publication"
        raise RegenError(f"{rec.origin} is {what}; it cannot be the citation of {target.id} (kind {old.get('kind')})")
    merged = dict(old)
    if str(old.get("note", "")).startswith(REGISTRATION_NOTE):
        del merged["note"]  # the citation is now the publication, not the registration
    for name, value in new.items():
        if name in _KEEP_ON_LINK and merged.get(name):
            continue
        merged[name] = value
    merged["kind"] = new["kind"]
    before = old.get("verified_at")
    if isinstance(before, str) and before:  # keep where the curator read it, and add the import
        merged["verified_at"] = before if new["verified_at"] in before else f"{before}; {new['verified_at']}"
    changes = sorted(
        k for k in merged if k in old and old.get(k) != merged[k] and str(old.get(k)) != str(merged[k])
    ) + sorted(f"+{k}" for k in merged if k not in old)
    changes += sorted(f"-{k}" for k in old if k not in merged)
    return "citation", merged, changes


def _drop_not_reported(text: str, citation: dict[str, Any]) -> str:
    """Remove ``pmid``/``doi`` from ``not_reported`` once the linked citation gives them."""
    data = yaml.safe_load(text)
    listed = data.get("not_reported") if isinstance(data, dict) else None
    if not isinstance(listed, list):
        return text
    kept = [n for n in listed if not (n in ("pmid", "doi") and citation.get(n))]
    if kept == listed:
        return text
    return replace_block(text, "not_reported", kept or None)


def _registration(target: RecordFile, rec: ImportedRecord, *, force: bool) -> tuple[str, dict[str, Any], list[str]]:
    if target.kind == "review":
        raise RegenError(f"{target.id} is a source document; a trial registration belongs to a study record")
    old = (target.data or {}).get("registration")
    new = rec.body["registration"]
    if isinstance(old, dict) and old.get("nct_id") not in (None, new["nct_id"]) and not force:
        held = old.get("nct_id")
        raise RegenError(
            f"{target.id} already holds registration {held}; use --force to replace it with {new['nct_id']}"
        )
    return "registration", new, ["registration"] if old else ["+registration"]
