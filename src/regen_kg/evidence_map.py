"""The evidence map: intervention class x outcome, drawn from the stored ``evidence-map`` query.

One cell per row of ``queries/07-evidence-map.rq``: its size is the number of evidence statements
(findings and claims), its marker the strongest design behind them (evidence rank 1-4), its colour
the direction of the effect they state. The query gives no direction, so a companion query below
groups the statements the same way (most specific ``regen:`` class of the intervention, exact
outcome) and collects their polarities. The figure is written by matplotlib as SVG or PNG with
fixed ids and no dates, so the same graph gives the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regen_kg.errors import InputError, Location
from regen_kg.fileio import write_atomic
from regen_kg.paths import ProjectPaths
from regen_kg.queries import StoredQuery, parse_query_file, run_query

QUERY_NAME = "evidence-map"

#: Polarities of the statements in each cell, grouped exactly as the stored evidence-map query groups.
DIRECTION_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX regen: <https://w3id.org/regen-kg/ontology/>
SELECT ?interventionClass ?outcome (MIN(?polarity) AS ?low) (MAX(?polarity) AS ?high)
WHERE {
  ?statement a regen:EvidenceStatement ;
             regen:intervention ?intervention ;
             regen:outcome ?outcome ;
             regen:direction/regen:polarity ?polarity .
  ?intervention a ?interventionClass .
  FILTER(STRSTARTS(STR(?interventionClass), "https://w3id.org/regen-kg/ontology/"))
  FILTER NOT EXISTS {
    ?intervention a ?narrowerClass .
    ?narrowerClass rdfs:subClassOf ?interventionClass .
    FILTER(?narrowerClass != ?interventionClass)
  }
}
GROUP BY ?interventionClass ?outcome
"""

#: Direction categories: legend text and colour (Okabe-Ito palette, safe for colour-blind readers).
DIRECTIONS: dict[str, tuple[str, str]] = {
    "favourable": ("favourable (improved / better than comparator)", "#009E73"),
    "none": ("no change / no difference", "#BBBBBB"),
    "mixed": ("mixed directions", "#E69F00"),
    "unfavourable": ("unfavourable (worsened / worse than comparator)", "#D55E00"),
    "unstated": ("no direction stated", "#FFFFFF"),
}

#: Evidence rank -> (marker, legend text). Rank 4 is "unverified secondary report".
DESIGNS: dict[int, tuple[str, str]] = {
    1: ("s", "randomized controlled"),
    2: ("D", "non-randomized controlled"),
    3: ("^", "uncontrolled (pilot, single-arm)"),
    4: ("o", "unverified secondary report"),
}


@dataclass(frozen=True)
class Cell:
    """One row of the evidence-map query, with the direction of its statements."""

    intervention_class: str
    intervention_label: str
    outcome: str
    outcome_label: str
    statements: int
    verified_findings: int
    claims: int
    strongest_rank: int
    strongest_level: str
    direction: str


def direction_of(low: int | None, high: int | None) -> str:
    """The category of a cell from the lowest and highest polarity of its statements."""
    if low is None or high is None:
        return "unstated"
    if low != high:
        return "mixed"
    return {1: "favourable", 0: "none", -1: "unfavourable"}.get(low, "mixed")


def evidence_query(paths: ProjectPaths) -> StoredQuery:
    """The stored evidence-map query (``queries/NN-evidence-map.rq``), read on its own."""
    for path in sorted(paths.queries.glob("*.rq")):
        if re.sub(r"^\d+-", "", path.stem) == QUERY_NAME:
            return parse_query_file(path)
    raise InputError(Location(paths.queries), f"no stored query named {QUERY_NAME!r} (a file NN-{QUERY_NAME}.rq)")


QuerySource = StoredQuery | Mapping[str, StoredQuery]


def _the_query(query: QuerySource) -> StoredQuery:
    """The evidence-map query itself, given alone or as part of the catalogue."""
    return query if isinstance(query, StoredQuery) else query[QUERY_NAME]


def evidence_cells(store: Any, query: QuerySource) -> list[Cell]:
    """The cells: the stored query's rows, each with the direction category of its statements.

    ``query`` is the stored evidence-map query (``evidence_query(paths)``) or the whole catalogue.
    """
    result = run_query(store, _the_query(query))
    directions: dict[tuple[str, str], tuple[int | None, int | None]] = {}
    for row in store.query(DIRECTION_QUERY):
        cls, outcome, low, high = row
        directions[(str(cls), str(outcome))] = (int(low), int(high))
    cells = []
    for row, terms in zip(result.rows, result.terms, strict=True):
        key = (str(terms["interventionClass"]), str(terms["outcome"]))
        low, high = directions.get(key, (None, None))
        cells.append(
            Cell(
                intervention_class=row["interventionClass"] or "",
                intervention_label=row["interventionClassLabel"] or row["interventionClass"] or "",
                outcome=row["outcome"] or "",
                outcome_label=row["outcomeLabel"] or row["outcome"] or "",
                statements=int(row["statements"] or 0),
                verified_findings=int(row["verifiedFindings"] or 0),
                claims=int(row["claims"] or 0),
                strongest_rank=int(row["strongestRank"] or 4),
                strongest_level=row["strongestLevel"] or "",
                direction=direction_of(low, high),
            )
        )
    return cells


def _area(statements: int) -> float:
    return 70.0 + 110.0 * statements


def draw(cells: list[Cell], fmt: str = "svg") -> bytes:
    """The figure as SVG or PNG bytes; identical cells give identical bytes."""
    if fmt not in ("svg", "png"):
        raise ValueError(f"the evidence map is written as svg or png, not {fmt!r}")
    import matplotlib as mpl
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    interventions = sorted({c.intervention_label for c in cells}, key=str.lower)
    outcomes = sorted({c.outcome_label for c in cells}, key=str.lower)
    x_of = {label: i for i, label in enumerate(outcomes)}
    y_of = {label: i for i, label in enumerate(reversed(interventions))}
    with mpl.rc_context(
        {"svg.hashsalt": "regen-kg-evidence-map", "svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9}
    ):
        width = max(8.0, 2.8 + 0.36 * len(outcomes))
        height = max(4.5, 3.6 + 0.42 * len(interventions))
        fig = Figure(figsize=(width, height), dpi=100)
        ax = fig.add_subplot()
        for rank, (marker, _text) in sorted(DESIGNS.items()):
            group = [c for c in cells if c.strongest_rank == rank]
            if not group:
                continue
            ax.scatter(
                [x_of[c.outcome_label] for c in group],
                [y_of[c.intervention_label] for c in group],
                s=[_area(c.statements) for c in group],
                c=[DIRECTIONS[c.direction][1] for c in group],
                marker=marker,
                edgecolors="#222222",
                linewidths=0.8,
                zorder=3,
                gid=f"cells-rank-{rank}",
            )
        for c in cells:
            if c.statements > 1:
                ax.annotate(
                    str(c.statements),
                    (x_of[c.outcome_label], y_of[c.intervention_label]),
                    xytext=(7, 5),
                    textcoords="offset points",
                    fontsize=7,
                    color="#333333",
                )
        ax.set_xticks(range(len(outcomes)), outcomes, rotation=60, ha="right", rotation_mode="anchor")
        ax.set_yticks(range(len(interventions)), list(reversed(interventions)))
        ax.set_xlim(-0.7, len(outcomes) - 0.3)
        ax.set_ylim(-0.7, len(interventions) - 0.3)
        ax.grid(True, color="#E5E5E5", linewidth=0.6, zorder=0)
        ax.set_axisbelow(True)
        ax.set_xlabel("outcome")
        ax.set_ylabel("intervention (most specific class)")
        statements = sum(c.statements for c in cells)
        ax.set_title(
            f"Evidence map: {statements} statements in {len(cells)} cells "
            f"({sum(c.verified_findings for c in cells)} verified findings, {sum(c.claims for c in cells)} claims)",
            loc="left",
        )
        direction_handles = [
            Line2D([], [], marker="o", linestyle="", markersize=8, markerfacecolor=colour, markeredgecolor="#222222")
            for _label, colour in DIRECTIONS.values()
        ]
        design_handles = [
            Line2D([], [], marker=marker, linestyle="", markersize=8, markerfacecolor="#FFFFFF", markeredgecolor="#222")
            for marker, _label in DESIGNS.values()
        ]
        counts = sorted({1, max((c.statements for c in cells), default=1)})
        size_handles = [
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markersize=_area(n) ** 0.5,
                markerfacecolor="#FFFFFF",
                markeredgecolor="#222",
            )
            for n in counts
        ]
        first = ax.legend(
            direction_handles,
            [label for label, _colour in DIRECTIONS.values()],
            title="colour: direction",
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            frameon=False,
            fontsize=8,
        )
        ax.add_artist(first)
        second = ax.legend(
            design_handles,
            [label for _marker, label in DESIGNS.values()],
            title="marker: strongest design",
            loc="center left",
            bbox_to_anchor=(1.01, 0.45),
            frameon=False,
            fontsize=8,
        )
        ax.add_artist(second)
        third = ax.legend(
            size_handles,
            [f"{n} statement{'s' if n > 1 else ''}" for n in counts],
            title="size: statements",
            loc="lower left",
            bbox_to_anchor=(1.01, 0.0),
            frameon=False,
            fontsize=8,
            labelspacing=1.2,
        )
        buffer = io.BytesIO()
        metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(
            buffer,
            format=fmt,
            metadata=metadata,
            bbox_inches="tight",
            bbox_extra_artists=[first, second, third],
            pad_inches=0.2,
        )
    return buffer.getvalue()


def evidence_map(store: Any, query: QuerySource, fmt: str = "svg") -> bytes:
    """The evidence map of the graph in ``store`` (it must hold the inferences)."""
    return draw(evidence_cells(store, query), fmt)


def format_for(path: Path) -> str:
    """``svg`` or ``png`` from a file name."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("svg", "png"):
        raise ValueError(f"{path}: the evidence map is written as .svg or .png")
    return suffix


def write_evidence_map(store: Any, query: QuerySource, out: Path) -> list[Cell]:
    """Draw the map into ``out`` (.svg or .png, written atomically); return its cells."""
    fmt = format_for(out)
    cells = evidence_cells(store, query)
    write_atomic(out, draw(cells, fmt))
    return cells
