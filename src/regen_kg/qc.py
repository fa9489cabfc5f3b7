"""Quality control: one SPARQL query per check in ``qc/checks/``, severities in ``qc/profile.txt``.

The checks run on the asserted graph (ontology, records, mappings) and on the stored queries, as
four named graphs; they need neither the SHACL validation nor the reasoner to succeed, so a broken
ontology can still be reported on. Each result row of a check is one problem: ``(check,
severity, subject, message)``. ERROR rows fail; WARN and INFO rows are listed.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from regen_kg.build import Loaded, load
from regen_kg.catalogue import catalogue_graph
from regen_kg.choices import SEVERITIES
from regen_kg.errors import InputError, Location
from regen_kg.paths import ProjectPaths
from regen_kg.queries import check_syntax, load_catalogue, show
from regen_kg.store import DATA_GRAPH, MAPPINGS_GRAPH, ONTOLOGY_GRAPH, QUERIES_GRAPH, GraphStore, open_store

#: IGNORE in the profile silences a check.
_PROFILE_SEVERITIES = (*SEVERITIES, "IGNORE")
_HEADER = re.compile(r"^#\s*(title|checks|fix):\s*(.*)$")
#: The checks shipped with this checkout, used when a project folder has no ``qc/`` of its own.
_SOURCE_QC = Path(__file__).resolve().parents[2] / "qc"


@dataclass(frozen=True)
class Check:
    """One ``qc/checks/NAME.rq`` file: what it checks, how to fix it, its query and its severity."""

    name: str
    path: Path
    title: str
    checks: str
    fix: str
    text: str
    severity: str


@dataclass(frozen=True, order=True)
class QCRow:
    """One problem found by one check."""

    check: str
    severity: str
    subject: str
    message: str


@dataclass
class QCReport:
    """Every row of every check that ran, most severe first."""

    rows: list[QCRow]
    checks: list[Check] = field(default_factory=list)

    def by_severity(self, severity: str) -> list[QCRow]:
        return [r for r in self.rows if r.severity == severity]

    @property
    def errors(self) -> list[QCRow]:
        return self.by_severity("ERROR")

    @property
    def warnings(self) -> list[QCRow]:
        return self.by_severity("WARN")

    @property
    def passed(self) -> bool:
        """True when no ERROR row was found."""
        return not self.errors

    def of(self, check: str) -> list[QCRow]:
        return [r for r in self.rows if r.check == check]


def qc_dir(paths: ProjectPaths) -> Path:
    """The project's ``qc/`` folder; a project copy without one uses the checkout's checks."""
    own = paths.root / "qc"
    return own if own.is_dir() else _SOURCE_QC


def load_profile(path: Path) -> dict[str, str]:
    """``SEVERITY<TAB>check`` lines (``#`` starts a comment): check name -> severity."""
    profile: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or parts[0].upper() not in _PROFILE_SEVERITIES:
            raise InputError(
                Location(path, number), f"a profile line reads 'SEVERITY<TAB>check' with SEVERITY one of {_choices()}"
            )
        severity, name = parts[0].upper(), parts[1]
        if name in profile:
            raise InputError(Location(path, number), f"check {name!r} is given a severity twice")
        profile[name] = severity
    return profile


def _choices() -> str:
    return ", ".join(_PROFILE_SEVERITIES)


def load_checks(directory: Path) -> list[Check]:
    """Every check of ``directory/checks`` with its severity from ``directory/profile.txt``.

    A check missing from the profile, or a profile line naming no check, is an input error: a
    check is never run with a guessed severity, nor silenced by accident.
    """
    profile_path = directory / "profile.txt"
    profile = load_profile(profile_path)
    files = sorted((directory / "checks").glob("*.rq"))
    names = {f.stem for f in files}
    for name in profile:
        if name not in names:
            raise InputError(Location(profile_path), f"the profile names {name!r}, but there is no checks/{name}.rq")
    checks = []
    for path in files:
        if path.stem not in profile:
            raise InputError(
                Location(path), f"check {path.stem!r} has no severity; add a line to {profile_path} (e.g. 'WARN\t...')"
            )
        checks.append(parse_check(path, profile[path.stem]))
    return checks


def parse_check(path: Path, severity: str) -> Check:
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    for line in text.splitlines():
        match = _HEADER.match(line)
        if match:
            meta[match.group(1)] = match.group(2).strip()
    return Check(
        name=path.stem,
        path=path,
        title=meta.get("title", path.stem),
        checks=meta.get("checks", ""),
        fix=meta.get("fix", ""),
        text=text,
        severity=severity,
    )


def qc_graphs(loaded: Loaded, queries: Graph) -> dict[URIRef, Graph]:
    """The named graphs the checks see: asserted ontology, records, mappings and stored queries."""
    return {
        ONTOLOGY_GRAPH: loaded.ontology,
        DATA_GRAPH: loaded.data,
        MAPPINGS_GRAPH: loaded.mappings,
        QUERIES_GRAPH: queries,
    }


def run_checks(
    graphs: dict[URIRef, Graph], checks: list[Check], store_name: str = "rdflib", *, opened: GraphStore | None = None
) -> QCReport:
    """Run each check that is not IGNOREd; its ``?subject`` and ``?message`` make a row.

    ``opened``, a store holding ``graphs`` already, is read instead of a new ``store_name`` store."""
    store = opened
    if store is None:
        store = open_store(store_name)
        store.load(graphs)
    rows: set[QCRow] = set()
    for check in checks:
        if check.severity == "IGNORE":
            continue
        try:
            result = store.query(check.text)
        except Exception:  # a syntax error, from either store: name its line and column
            check_syntax(check.text, check.path)  # raises InputError naming the line and column
            raise
        variables = [str(v) for v in (result.vars or [])]
        if "subject" not in variables:
            raise InputError(Location(check.path), "a check must SELECT ?subject (and, best, ?message)")
        for binding in result:
            values = dict(zip(variables, binding, strict=True))  # type: ignore[arg-type]
            subject = show(values.get("subject")) or ""
            message = show(values.get("message")) or check.title
            rows.add(QCRow(check.name, check.severity, subject, message))
    return QCReport(rows=sorted(rows, key=_row_key), checks=checks)


def _row_key(row: QCRow) -> tuple[int, str, str, str]:
    return (SEVERITIES.index(row.severity), row.check, row.subject, row.message)


def run_qc(
    paths: ProjectPaths,
    loaded: Loaded | None = None,
    queries: Graph | None = None,
    checks_dir: Path | None = None,
    store: str = "rdflib",
    opened: GraphStore | None = None,
) -> QCReport:
    """Load the project (without validating it) and run every check of its ``qc/`` folder
    on the embedded store ``store`` (``rdflib`` or ``oxigraph``), or on ``opened``, a store
    holding :func:`qc_graphs` already."""
    loaded = loaded if loaded is not None else load(paths)
    if queries is None:
        queries = catalogue_graph(load_catalogue(paths).values())
    checks = load_checks(checks_dir or qc_dir(paths))
    return run_checks(qc_graphs(loaded, queries), checks, store, opened=opened)


def summary(report: QCReport) -> str:
    counts = Counter(r.severity for r in report.rows)
    verdict = "FAILED" if report.errors else "passed"
    parts = ", ".join(f"{counts.get(s, 0)} {s}" for s in SEVERITIES)
    return f"QC {verdict}: {parts} from {sum(c.severity != 'IGNORE' for c in report.checks)} checks"


def format_report(report: QCReport, min_severity: str = "INFO") -> str:
    """Readable report: rows grouped by check (severity, check, subject, message), then a summary."""
    shown = SEVERITIES[: SEVERITIES.index(min_severity) + 1]
    lines: list[str] = []
    titles = {c.name: c for c in report.checks}
    current = None
    for row in report.rows:
        if row.severity not in shown:
            continue
        if row.check != current:
            current = row.check
            check = titles.get(row.check)
            n = len(report.of(row.check))
            lines.append(f"{row.severity} {row.check}: {check.title if check else row.check} ({n})")
            if check and check.fix and row.severity != "INFO":
                lines.append(f"  fix: {check.fix}")
        lines.append(f"  {row.subject}: {row.message}")
    hidden = sum(1 for r in report.rows if r.severity not in shown)
    if hidden:
        lines.append(f"({hidden} row(s) below {min_severity} not shown)")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def report_tsv(report: QCReport) -> str:
    """The rows as TSV with a header: check, severity, subject, message."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(("check", "severity", "subject", "message"))
    for row in report.rows:
        writer.writerow((row.check, row.severity, row.subject, row.message))
    return out.getvalue()
