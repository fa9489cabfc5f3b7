"""A CSV table of findings (one a row) -> statements added to existing study records.

Columns (header names are case-insensitive; spaces and hyphens count as underscores):

- required: ``study`` (record id), ``intervention`` (an intervention id of that record),
  ``outcome`` (a regen:Outcome class), ``direction``;
- optional: ``comparator`` (intervention ids, ``;``-separated), ``timepoint`` (``3 months``,
  ``12 weeks; 6 months``), ``method`` (a regen:AssessmentMethod class), ``text`` (the source
  text), ``id`` (the statement id; derived from the outcome and timepoint when empty), ``kind``
  (finding, the default, or claim), ``stated_in`` (a claim's source record), ``magnitude``
  (``;``-separated), ``comparison`` (a regen:Comparison), ``synergy`` (true/false), ``safety`` (a
  safety profile; needed for the Safety outcome, then ``direction`` may be empty), ``adverse_events``,
  ``note``.

Every row is checked against the record it names before anything is written; a bad row is
reported by row number and column. Nothing is written for a file with errors unless
``keep_going``: then the good rows are written and the bad ones reported. A row whose statement
is already in the record unchanged is skipped, so importing the same table twice adds nothing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import ValidationError

from regen_kg.curation import RecordFile, record_files
from regen_kg.errors import InputError, InputErrors, Location
from regen_kg.fileio import write_atomic
from regen_kg.importers.base import unique_slug
from regen_kg.importers.yamltext import append_items, check_edit
from regen_kg.ontology import TermIndex, UnknownTerm
from regen_kg.paths import ProjectPaths
from regen_kg.prefixes import REGEN
from regen_kg.schema import Direction, Magnitude, Record, SafetyProfile, Statement, load_record

REQUIRED = ("study", "intervention", "outcome", "direction")
OPTIONAL = (
    "comparator",
    "timepoint",
    "method",
    "text",
    "id",
    "kind",
    "stated_in",
    "magnitude",
    "comparison",
    "synergy",
    "safety",
    "adverse_events",
    "note",
)
ALIASES = {
    "study_id": "study",
    "record": "study",
    "source_text": "text",
    "timepoints": "timepoint",
    "statement_id": "id",
    "assessment_method": "method",
}
_TIMEPOINT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(day|week|month|year)s?\s*$", re.IGNORECASE)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_COMPARATIVE = {"superior", "no-difference", "inferior"}


@dataclass
class _Study:
    file: RecordFile
    record: Record | None
    error: str | None
    ids: set[str] = field(default_factory=set)


@dataclass
class TablePlan:
    """The checked table: new statements per study file, rows already present, and row errors."""

    path: Path
    added: dict[Path, list[dict[str, Any]]] = field(default_factory=dict)
    unchanged: list[int] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.added.values())


def _column(name: str) -> str:
    key = re.sub(r"[\s-]+", "_", name.strip().lower())
    return ALIASES.get(key, key)


def _rows(path: Path) -> tuple[list[str], list[tuple[int, int, dict[str, str]]]]:
    """(normalised header, [(row number, first line, cells)]); file-level problems raise InputError."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(Location(path), f"not UTF-8 text ({exc}); save the table as CSV UTF-8") from exc
    except OSError as exc:
        raise InputError(Location(path), f"cannot read file: {exc}") from exc
    if not text.strip():
        raise InputError(Location(path, 1), "the table is empty; the first row must name the columns")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = [_column(h) for h in next(reader)]
    except csv.Error as exc:
        raise InputError(Location(path, 1), f"malformed CSV header: {exc}") from exc
    known = set(REQUIRED) | set(OPTIONAL)
    unknown = [h for h in header if h and h not in known]
    if unknown:
        raise InputError(
            Location(path, 1),
            f"unknown column(s) {', '.join(repr(u) for u in unknown)}; "
            f"columns are {', '.join(REQUIRED)} (required) and {', '.join(OPTIONAL)}",
        )
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(Location(path, 1), f"missing required column(s): {', '.join(missing)}")
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if duplicated:
        raise InputError(Location(path, 1), f"column(s) given twice: {', '.join(duplicated)}")
    rows = []
    line = reader.line_num + 1
    number = 1
    try:
        for cells in reader:
            number += 1
            if any(c.strip() for c in cells):
                if len(cells) > len(header):
                    extra = {"": "extra cells beyond the header"}
                    rows.append((number, line, extra))
                else:
                    rows.append((number, line, {h: c.strip() for h, c in zip(header, cells, strict=False) if h}))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(Location(path, line), f"row {number + 1}: malformed CSV: {exc}") from exc
    return header, rows


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name).lower()


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class _RowChecker:
    """Turns one row into a statement dict, collecting errors by column."""

    def __init__(self, study: _Study, terms: TermIndex, sources: set[str]) -> None:
        assert study.record is not None
        self.record = study.record
        self.terms = terms
        self.sources = sources
        self.errors: list[tuple[str, str]] = []
        self.known = [i.id for i in self.record.interventions]
        self.in_arms = self._given_in_arms()

    def _given_in_arms(self) -> set[str]:
        parts = {i.id: i.components for i in self.record.interventions}
        todo = [a.intervention for a in self.record.arms]
        seen: set[str] = set()
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(parts.get(current, []))
        return seen

    def fail(self, column: str, message: str) -> None:
        self.errors.append((column, message))

    def intervention(self, column: str, name: str) -> str | None:
        if name not in self.known:
            self.fail(
                column, f"no intervention {name!r} in {self.record.id} (known: {', '.join(self.known) or 'none'})"
            )
            return None
        return name

    def term(self, column: str, name: str, root: str, kind: str) -> str | None:
        try:
            self.terms.resolve_class(name, REGEN[root], kind)
        except UnknownTerm as exc:
            self.fail(column, str(exc))
            return None
        return name.removeprefix("regen:")

    def check(self, cells: dict[str, str]) -> dict[str, Any]:
        get = cells.get
        kind = get("kind") or "finding"
        if kind not in ("finding", "claim"):
            self.fail("kind", f"{kind!r} is not finding or claim")
        statement: dict[str, Any] = {"id": get("id") or None, "kind": kind}
        stated_in = get("stated_in")
        if kind == "claim":
            if not stated_in:
                self.fail("stated_in", "a claim needs the id of the source record making it")
            elif stated_in not in self.sources:
                self.fail("stated_in", f"no source record {stated_in!r} (known: {', '.join(sorted(self.sources))})")
            statement["stated_in"] = stated_in
        elif stated_in:
            self.fail("stated_in", "a finding is stated in its study's own publication; leave stated_in empty")
        name = get("intervention", "")
        intervention = self.intervention("intervention", name) if name else None
        if not name:
            self.fail("intervention", "required; the id of an intervention of the study")
        elif intervention and kind == "finding" and intervention not in self.in_arms:
            self.fail("intervention", f"{name!r} is not given in any arm of {self.record.id} (nor a component)")
        statement["intervention"] = name
        comparators = [c.strip() for c in re.split(r"[;,]", get("comparator") or "") if c.strip()]
        for c in comparators:
            if self.intervention("comparator", c) == name:
                self.fail("comparator", f"the comparator must differ from the intervention ({c!r})")
        if comparators:
            statement["comparator"] = comparators[0] if len(comparators) == 1 else comparators
        if get("comparison"):
            try:
                self.terms.resolve_instance(get("comparison", ""), REGEN.Comparison, "comparison")
                statement["comparison"] = get("comparison", "").removeprefix("regen:")
            except UnknownTerm as exc:
                self.fail("comparison", str(exc))
        outcome = get("outcome", "")
        if not outcome:
            self.fail("outcome", "required; a regen:Outcome class such as SkinElasticity")
        statement["outcome"] = self.term("outcome", outcome, "Outcome", "outcome") if outcome else None
        safety = get("safety") or None
        if safety is not None and safety not in get_args(SafetyProfile):
            self.fail("safety", f"{safety!r} is not one of {', '.join(get_args(SafetyProfile))}")
        if statement["outcome"] == "Safety" and safety is None:
            self.fail("safety", f"a Safety outcome needs a safety profile: one of {', '.join(get_args(SafetyProfile))}")
        self._direction(statement, get("direction", ""), comparators, has_safety=safety is not None)
        magnitudes = [m.strip() for m in (get("magnitude") or "").split(";") if m.strip()]
        for m in magnitudes:
            if m not in get_args(Magnitude):
                self.fail("magnitude", f"{m!r} is not one of {', '.join(get_args(Magnitude))}")
        if magnitudes:
            statement["magnitude"] = magnitudes
        timepoints = self._timepoints(get("timepoint") or "")
        if timepoints:
            statement["timepoints"] = timepoints
        if get("method"):
            statement["method"] = self.term("method", get("method", ""), "AssessmentMethod", "assessment method")
        statement["synergy"] = self._synergy(get("synergy") or "", intervention)
        statement["safety"] = safety
        for name in ("adverse_events", "text", "note"):
            if get(name):
                statement[name] = get(name)
        return {k: v for k, v in statement.items() if v is not None}

    def _synergy(self, text: str, intervention: str | None) -> bool | None:
        if text.lower() in ("", "false", "no", "0"):
            return None
        if text.lower() not in ("true", "yes", "1"):
            self.fail("synergy", f"{text!r} is not true or false")
            return None
        types = next((i.types for i in self.record.interventions if i.id == intervention), [])
        if intervention and "CombinationTherapy" not in types:
            self.fail(
                "synergy", f"a synergy result's intervention must be a CombinationTherapy ({intervention!r} is not)"
            )
        return True

    def _direction(
        self, statement: dict[str, Any], direction: str, comparators: list[str], *, has_safety: bool
    ) -> None:
        allowed = get_args(Direction)
        if not direction:
            if not has_safety:
                self.fail("direction", f"required (unless a safety profile is given); one of {', '.join(allowed)}")
        elif direction not in allowed:
            self.fail("direction", f"{direction!r} is not one of {', '.join(allowed)}")
        elif direction in _COMPARATIVE and not comparators:
            self.fail("direction", f"{direction!r} compares with a comparator; give one, or use improved / no-change")
        statement["direction"] = direction or None

    def _timepoints(self, text: str) -> list[dict[str, Any]]:
        out = []
        for part in (p for p in re.split(r"[;,]", text) if p.strip()):
            found = _TIMEPOINT.match(part)
            if not found or Decimal(found.group(1)) <= 0:
                self.fail("timepoint", f"{part.strip()!r} is not a time like '3 months' or '12 weeks' (positive)")
                continue
            out.append({"value": _number(Decimal(found.group(1))), "unit": found.group(2).lower()})
        return out


def _derived_id(cells: dict[str, str]) -> str:
    """``skin-elasticity-3-month`` from the outcome and the first timepoint, as written in the row."""
    base = _kebab(cells.get("outcome", "").removeprefix("regen:")) or "statement"
    base = re.sub(r"[^a-z0-9-]+", "-", base).strip("-") or "statement"
    first = re.split(r"[;,]", cells.get("timepoint") or "")[0]
    found = _TIMEPOINT.match(first)
    if found:
        value = _number(Decimal(found.group(1)))
        base += f"-{str(value).replace('.', '-')}-{found.group(2).lower()}"
    return base


def plan(paths: ProjectPaths, path: Path, terms: TermIndex) -> TablePlan:
    """Check every row of ``path`` against the records it names; nothing is written."""
    _header, rows = _rows(path)
    files = record_files(paths)
    sources = {f.id for f in files if f.folder == "sources"}
    studies: dict[str, _Study] = {}
    out = TablePlan(path)
    derived: dict[str, set[str]] = {}
    for number, line, cells in rows:
        # ids derived from the row as written, in row order, whether or not the row has errors
        own = derived.setdefault(cells.get("study", ""), set())
        row_id = cells.get("id") or unique_slug(_derived_id(cells), own)
        problems: list[tuple[str, str]] = []
        if "" in cells:
            problems.append(("(row)", cells[""]))
        study_id = cells.get("study", "")
        study = _study(files, studies, study_id) if study_id else None
        if not study_id:
            problems.append(("study", "required; the id of a record in data/studies or data/inbox"))
        elif study is None:
            known = ", ".join(sorted(f.id for f in files if f.folder in ("studies", "inbox")))
            problems.append(("study", f"no study record {study_id!r} in data/studies or data/inbox (known: {known})"))
        elif study.error:
            problems.append(("study", f"the record {study_id!r} has errors; fix it first: {study.error}"))
        statement: dict[str, Any] = {}
        if not problems and study is not None:
            checker = _RowChecker(study, terms, sources)
            statement = checker.check(cells)
            problems += checker.errors
        if not problems and study is not None:
            problems += _place(study, statement, row_id, out, number)
        for column, message in problems:
            out.errors.append(InputError(Location(path, line), f"row {number}, column '{column}': {message}"))
    return out


def _study(files: list[RecordFile], cache: dict[str, _Study], study_id: str) -> _Study | None:
    if study_id not in cache:
        found = [f for f in files if f.id == study_id and f.folder in ("studies", "inbox")]
        if not found:
            return None
        try:
            record, _raw = load_record(found[0].path)
            cache[study_id] = _Study(found[0], record, None)
        except InputError as exc:
            cache[study_id] = _Study(found[0], None, str(exc))
    return cache[study_id]


def _place(study: _Study, statement: dict[str, Any], row_id: str, out: TablePlan, number: int) -> list[tuple[str, str]]:
    """Give the statement its id; it is new, already present (unchanged), or a conflict."""
    assert study.record is not None
    existing = {s.id: s for s in study.record.statements}
    given = statement.get("id")
    if given is not None and not _SLUG.match(given):
        return [("id", f"{given!r} is not an id (lower-case letters, digits and hyphens)")]
    if row_id in study.ids:
        return [("id", f"statement id {row_id!r} is used by an earlier row for {study.record.id}")]
    statement = {"id": row_id, **{k: v for k, v in statement.items() if k != "id"}}
    study.ids.add(row_id)
    try:
        new = Statement.model_validate(statement)
    except ValidationError as exc:
        first = exc.errors()[0]
        return [(str(first["loc"][0]), str(first["msg"]))]
    old = existing.get(new.id)
    if old is None:
        out.added.setdefault(study.file.path, []).append(statement)
    elif old == new:
        out.unchanged.append(number)
    else:
        how = "" if given else " (derived from the outcome and timepoint)"
        return [
            (
                "id",
                f"statement {new.id!r}{how} already exists in {study.file.path.name} with different content; "
                "give this row another id, or edit the record by hand",
            )
        ]
    return []


def write(plan: TablePlan, *, keep_going: bool = False) -> list[Path]:
    """Append the planned statements to their records (atomically, one write per file).

    With errors and without ``keep_going`` nothing is written and InputErrors is raised."""
    if plan.errors and not keep_going:
        raise InputErrors(plan.errors)
    written = []
    for path, statements in plan.added.items():
        text = path.read_text(encoding="utf-8")
        new_text = append_items(text, "statements", statements)
        data = check_edit(text, new_text, {"statements"}, str(path))
        record = Record.model_validate(data)
        if len(record.statements) != len(Record.model_validate(_data(text)).statements) + len(statements):
            raise InputError(Location(path), "adding the statements did not give the expected record; nothing written")
        write_atomic(path, new_text)
        written.append(path)
    return written


def _data(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    return data if isinstance(data, dict) else {}
