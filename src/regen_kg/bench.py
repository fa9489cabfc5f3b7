"""Benchmarks: a deterministic synthetic corpus generator and a runner that times every build stage.

``generate`` writes a whole project tree (ontology, shapes, queries, vocabularies and mappings copied
from a template project, plus N synthetic study records shaped like the real ones) so that the
ordinary pipeline runs on it unchanged. ``defects_rate`` seeds SHACL defects of every kind, cycling
through :data:`DEFECT_KINDS`, at a known rate. ``run_benchmark`` times each stage of the fast and
of the reference pipeline and writes Markdown and JSON tables.
"""

from __future__ import annotations

import json
import platform
import random
import resource
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, get_args

import yaml

from regen_kg.paths import ProjectPaths, project_paths
from regen_kg.prefixes import REGEN
from regen_kg.schema import SafetyProfile

# --- the corpus generator ---------------------------------------------------------------------

#: intervention type -> (material classes, route); every concrete intervention kind of the ontology.
INTERVENTION_KINDS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "StemCellEnrichedFatGrafting": (("StemCellEnrichedFatGraft",), "SubcutaneousInjection"),
    "IntradermalMSCInjection": (
        ("BoneMarrowMesenchymalStemCell", "UmbilicalCordMesenchymalStemCell", "MesenchymalStemCell"),
        "IntradermalInjection",
    ),
    "ExpandedADSCInjection": (("CultureExpandedAdiposeDerivedStemCell",), "IntradermalInjection"),
    "SVFInjection": (("StromalVascularFraction",), "IntradermalInjection"),
    "NanofatGrafting": (("Nanofat",), "IntradermalInjection"),
    "ConditionedMediumApplication": (
        ("MSCConditionedMedium", "UmbilicalCordMSCConditionedMedium", "EndothelialPrecursorCellConditionedMedium"),
        "TopicalAfterMicroneedling",
    ),
    "ExosomeApplication": (("AdiposeStemCellExosomes", "StemCellExosomes"), "TopicalAfterMicroneedling"),
    "PRPInjection": (("PlateletRichPlasma",), "IntradermalInjection"),
    "TopicalPRP": (("PlateletRichPlasma",), "TopicalAfterMicroneedling"),
    "PlateletBasedIntervention": (("PlateletRichPlasma",), None),
    "StemCellBasedIntervention": (("AdiposeDerivedStemCell", "MesenchymalStemCell"), None),
    "ConventionalFatGrafting": (("FatGraft",), "SubcutaneousInjection"),
    "DermalFillerTreatment": ((), "IntradermalInjection"),
    "ConventionalTreatment": ((), None),
    "Microneedling": ((), None),
    "RadiofrequencyMicroneedling": ((), None),
}
COMPARATOR_KINDS = ("SalinePlacebo", "PRPInjection", "ConventionalFatGrafting", "DermalFillerTreatment")
OUTCOMES = (
    "DermalThickness",
    "DermalDensity",
    "EpidermalDensity",
    "SkinElasticity",
    "SkinLaxity",
    "Wrinkles",
    "WrinkleDepth",
    "FineLines",
    "SkinHydration",
    "SkinTexture",
    "SkinTone",
    "SkinPigmentation",
    "SkinBrightness",
    "SkinQuality",
    "LiftingEffect",
    "VolumeRetention",
    "DurabilityOfEffect",
    "NaturalnessOfResult",
    "TypeICollagenContent",
    "CollagenSynthesisHistology",
    "ElasticFibres",
    "Elastosis",
    "VascularDensity",
    "DermalCellularity",
    "Inflammation",
    "Fibrosis",
    "DermalArchitecture",
    "PatientSatisfaction",
    "RecoveryTime",
)
METHODS = (
    "SkinBiopsy",
    "ElectronMicroscopy",
    "PatientReport",
    "ClinicalAssessment",
    "InstrumentMeasurement",
    "UltrasoundImaging",
)
DESIGNS = (
    ["RandomizedControlledTrial"],
    ["RandomizedControlledTrial", "SplitFaceStudy"],
    ["NonRandomizedControlledTrial"],
    ["ControlledClinicalTrial"],
    ["PilotStudy"],
    ["SingleArmStudy"],
)
MAGNITUDES = ("significant", "not-significant", "modest", "slight", "visible", "excellent")
#: every safety profile the records accept
SAFETY: tuple[str, ...] = get_args(SafetyProfile)
LIMITATIONS = ("SmallSampleSize", "ShortFollowUp", "SurrogateEndpointsOnly", "HeterogeneousProtocols")
TIMEPOINTS = ((2, "week"), (1, "month"), (3, "month"), (6, "month"), (12, "month"), (1, "year"), (90, "day"))
SURNAMES = ("Rossi", "Kim", "Park", "Silva", "Meyer", "Tanaka", "Nguyen", "Costa", "Novak", "Haddad", "Okafor")

#: The SHACL defects ``--defects`` seeds, one kind per defective record, in this order.
DEFECT_KINDS = (
    "completed-exceeds-sample",
    "no-condition",
    "no-sample-size",
    "non-positive-timepoint",
    "finding-without-outcome",
    "outcome-without-direction",
    "comparative-direction-without-comparator",
    "comparator-is-intervention",
    "synergy-not-combination",
    "intervention-not-in-arm",
    "one-component-combination",
    "self-component",
    "bad-pmid",
    "bad-doi",
    "bad-pmcid",
    "verified-without-identifiers",
    "unlocated-with-identifier",
    "unlocated-verified",
    "finding-from-unlocated",
    "no-first-author",
    "no-year",
    "missing-text",
    "negative-sample-size",
)

#: What the generated tree copies from the template project.
_COPIED = ("ontology", "shapes", "queries", "data/vocab", "data/mappings", "data/sources")


@dataclass
class Corpus:
    """A generated project tree and the defects seeded in it (record id -> defect kind)."""

    root: Path
    studies: int
    seed: int
    defects: dict[str, str] = field(default_factory=dict)

    @property
    def paths(self) -> ProjectPaths:
        return project_paths(self.root)


def study_record(index: int, rng: random.Random) -> dict[str, Any]:
    """One synthetic study record, valid against the shapes, modelled on ``data/studies/``."""
    rid = f"synth-{index:05d}"
    unlocated = rng.random() < 0.15
    design = list(rng.choice(DESIGNS))
    controlled = design[0] in ("RandomizedControlledTrial", "NonRandomizedControlledTrial", "ControlledClinicalTrial")
    author = rng.choice(SURNAMES)
    year = rng.randint(2005, 2025)
    kinds = list(INTERVENTION_KINDS)
    kind = kinds[index % len(kinds)] if index < len(kinds) else rng.choice(kinds)
    interventions: list[dict[str, Any]] = [_intervention("treatment", kind, rng)]
    experimental = "treatment"
    combo = rng.random() < 0.35 and kind != "Microneedling"
    if combo:
        interventions.append(_intervention("microneedling", "Microneedling", rng))
        interventions.append(
            {
                "id": "combination",
                "type": "CombinationTherapy",
                "label": f"{kind} with microneedling",
                "components": ["treatment", "microneedling"],
            }
        )
        experimental = "combination"
    arms = [{"id": "treated", "role": "experimental", "intervention": experimental, "label": "treated arm"}]
    comparator = None
    if controlled:
        comparator = "control"
        interventions.append(_intervention("control", rng.choice(COMPARATOR_KINDS), rng))
        arms.append({"id": "control", "role": "comparator", "intervention": "control", "label": "control arm"})
    sample = rng.randint(8, 120)
    record: dict[str, Any] = {
        "id": rid,
        "label": f"{author} {year} synthetic {kind} study {index}",
        "design": design,
        "condition": "FacialSkinAging",
        "population": f"{sample} adults with facial skin aging",
        "sample_size": sample,
        "completed": sample - rng.randint(0, min(5, sample)),
        "follow_up": _timepoint(rng),
        "citation": _citation(index, author, year, unlocated, rng),
    }
    if unlocated:
        record["not_reported"] = ["pmid", "doi"]
    record["interventions"] = interventions
    record["arms"] = arms
    statements = []
    for j in range(rng.randint(5, 10) - 1):
        statements.append(_statement(j, experimental, comparator, unlocated, rng))
    if combo and comparator is None:
        statements[0] |= {
            "comparator": ["treatment", "microneedling"],
            "direction": "superior",
            "synergy": True,
            "magnitude": ["beyond-individual-treatments"],
        }
    statements.append(
        _stated(
            {
                "id": "safety",
                "intervention": experimental,
                "outcome": "Safety",
                "safety": rng.choice(SAFETY),
                "text": "No serious adverse events were reported.",
            },
            unlocated,
        )
    )
    record["statements"] = statements
    record["limitations"] = [
        {"type": t, "text": f"synthetic limitation {t}"} for t in rng.sample(LIMITATIONS, rng.randint(1, 2))
    ]
    return record


def _intervention(iid: str, kind: str, rng: random.Random) -> dict[str, Any]:
    materials, route = INTERVENTION_KINDS.get(kind, (("SalineSolution",), "IntradermalInjection"))
    item: dict[str, Any] = {"id": iid, "type": kind, "label": f"{kind} ({iid})"}
    if materials:
        mat: dict[str, Any] = {"type": rng.choice(materials)}
        if rng.random() < 0.7:
            mat["origin"] = rng.choice(("autologous", "allogeneic"))
        item["materials"] = [mat]
    if route:
        item["route"] = route
    item["site"] = rng.choice(("FaceSkin", "Dermis"))
    item["schedule"] = f"{rng.randint(1, 6)} sessions {rng.randint(2, 6)} weeks apart"
    return item


def _timepoint(rng: random.Random) -> dict[str, Any]:
    value, unit = rng.choice(TIMEPOINTS)
    return {"value": value, "unit": unit}


def _citation(index: int, author: str, year: int, unlocated: bool, rng: random.Random) -> dict[str, Any]:
    if unlocated:
        return {
            "kind": "unlocated",
            "status": "not-found",
            "first_author": author,
            "year": year,
            "cited_by": "source-review",
            "note": "Synthetic citation known only through the review.",
        }
    pmid = str(10_000_000 + index)
    return {
        "kind": "primary",
        "status": "verified",
        "first_author": author,
        "authors": f"{author} A, Other B",
        "year": year,
        "title": f"A synthetic study number {index}",
        "journal": f"J Synth Dermatol. {year};{rng.randint(1, 40)}:{rng.randint(1, 900)}",
        "pmid": pmid,
        "pmcid": f"PMC{rng.randint(1_000_000, 9_999_999)}",
        "doi": f"10.5555/synth.{index}",
        "verified_at": "synthetic record (benchmark corpus)",
    }


def _stated(statement: dict[str, Any], unlocated: bool) -> dict[str, Any]:
    if unlocated:
        return {"kind": "claim", "stated_in": "source-review"} | statement
    return {"kind": "finding"} | statement


def _statement(
    j: int, intervention: str, comparator: str | None, unlocated: bool, rng: random.Random
) -> dict[str, Any]:
    st: dict[str, Any] = {"id": f"s{j + 1}", "intervention": intervention}
    if comparator is not None and rng.random() < 0.7:
        st["comparator"] = comparator
        st["direction"] = rng.choice(("superior", "superior", "no-difference", "inferior"))
        if rng.random() < 0.4:
            st["comparison"] = rng.choice(("PRPVersusStemCellTherapy", "StemCellTherapyVersusConventionalTreatment"))
    else:
        st["direction"] = rng.choice(("improved", "improved", "no-change", "worsened"))
    st["outcome"] = rng.choice(OUTCOMES)
    st["magnitude"] = rng.sample(MAGNITUDES, rng.randint(0, 2))
    st["timepoints"] = [_timepoint(rng) for _ in range(rng.randint(0, 2))]
    if rng.random() < 0.8:
        st["method"] = rng.choice(METHODS)
    st["text"] = f"Synthetic statement {j + 1}: {st['outcome']} {st['direction']}."
    return _stated(st, unlocated)


def apply_defect(record: dict[str, Any], kind: str) -> None:
    """Seed one SHACL defect of ``kind`` into ``record`` (the record still converts to triples)."""
    statements = record["statements"]
    first = statements[0]
    cit = record["citation"]
    if kind == "completed-exceeds-sample":
        record["completed"] = record["sample_size"] + 5
    elif kind == "no-condition":
        del record["condition"]
    elif kind == "no-sample-size":
        del record["sample_size"]
        record.pop("completed", None)
    elif kind == "non-positive-timepoint":
        first["timepoints"] = [{"value": 0, "unit": "day"}]
    elif kind == "finding-without-outcome":
        first.pop("outcome")
    elif kind == "outcome-without-direction":
        first.pop("direction")
        first.pop("comparator", None)
        first.pop("synergy", None)
    elif kind == "comparative-direction-without-comparator":
        first["direction"] = "superior"
        first.pop("comparator", None)
        first.pop("synergy", None)
    elif kind == "comparator-is-intervention":
        first["comparator"] = first["intervention"]
        first["direction"] = "no-difference"
        first.pop("synergy", None)
    elif kind == "synergy-not-combination":
        record["interventions"].append({"id": "other", "type": "SalinePlacebo", "label": "other"})
        record["arms"].append({"id": "other", "role": "comparator", "intervention": "other", "label": "other arm"})
        first |= {"intervention": "treatment", "comparator": "other", "direction": "superior", "synergy": True}
    elif kind == "intervention-not-in-arm":
        record["interventions"].append({"id": "unused", "type": "Microneedling", "label": "an unused microneedling"})
        first["intervention"] = "unused"
        first.pop("comparator", None)
        first.pop("synergy", None)
        first["direction"] = "improved"
    elif kind in ("one-component-combination", "self-component"):
        record["interventions"].append(
            {"id": "solo", "type": "CombinationTherapy", "label": "a combination", "components": ["treatment"]}
        )
        if kind == "self-component":
            record["interventions"][-1]["components"] = ["treatment", "solo"]
    elif kind == "bad-pmid":
        _make_primary(record)
        record["citation"]["pmid"] = "0123"
    elif kind == "bad-doi":
        _make_primary(record)
        record["citation"]["doi"] = "doi:10.1/x"
    elif kind == "bad-pmcid":
        _make_primary(record)
        record["citation"]["pmcid"] = "12345"
    elif kind == "verified-without-identifiers":
        _make_primary(record)
        for key in ("pmid", "doi", "pmcid"):
            record["citation"].pop(key, None)
    elif kind in ("unlocated-with-identifier", "unlocated-verified", "finding-from-unlocated"):
        _make_unlocated(record)
        if kind == "unlocated-with-identifier":
            record["citation"]["pmid"] = "12345678"
        elif kind == "unlocated-verified":
            record["citation"]["status"] = "verified"
        else:
            for st in record["statements"]:
                st["kind"] = "finding"
                st.pop("stated_in", None)
    elif kind == "no-first-author":
        _make_primary(record)
        record["citation"].pop("first_author")
    elif kind == "no-year":
        _make_primary(record)
        record["citation"].pop("year")
    elif kind == "missing-text":
        first.pop("text")
    elif kind == "negative-sample-size":
        record["sample_size"] = -3
        record.pop("completed", None)
    else:
        raise ValueError(f"unknown defect kind {kind!r}")
    del cit  # the citation may have been replaced above


def _make_primary(record: dict[str, Any]) -> None:
    if record["citation"]["kind"] == "primary":
        return
    index = int(record["id"].rsplit("-", 1)[-1])
    record["citation"] = _citation(index, "Defect", 2020, False, random.Random(index))
    record.pop("not_reported", None)
    for st in record["statements"]:
        st["kind"] = "finding"
        st.pop("stated_in", None)


def _make_unlocated(record: dict[str, Any]) -> None:
    if record["citation"]["kind"] == "unlocated":
        return
    record["citation"] = _citation(0, "Defect", 2020, True, random.Random(0))
    record["not_reported"] = ["pmid", "doi"]
    for st in record["statements"]:
        st["kind"] = "claim"
        st["stated_in"] = "source-review"


def generate(
    n_studies: int,
    seed: int = 1,
    defects_rate: float = 0.0,
    *,
    out: Path,
    template: ProjectPaths | None = None,
) -> Corpus:
    """Write a project tree with ``n_studies`` synthetic study records under ``out``.

    The same ``(n_studies, seed, defects_rate)`` always gives the same files. Each record is
    defective with probability ``defects_rate``; defective records take the kinds of
    :data:`DEFECT_KINDS` in turn, so every kind appears once enough records are defective.
    """
    template = template or project_paths()
    out = Path(out)
    for name in _COPIED:
        source = template.root / name
        target = out / name
        if target.exists():
            shutil.rmtree(target)
        if source.exists():
            shutil.copytree(source, target)
    studies = out / "data" / "studies"
    if studies.exists():
        shutil.rmtree(studies)
    studies.mkdir(parents=True)
    rng = random.Random(seed)
    corpus = Corpus(root=out.resolve(), studies=n_studies, seed=seed)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    for index in range(n_studies):
        record = study_record(index, random.Random(rng.getrandbits(64)))
        if defects_rate > 0 and rng.random() < defects_rate:
            kind = DEFECT_KINDS[len(corpus.defects) % len(DEFECT_KINDS)]
            apply_defect(record, kind)
            corpus.defects[record["id"]] = kind
        text = yaml.dump(record, Dumper=dumper, sort_keys=False, allow_unicode=True, width=120)
        (studies / f"{record['id']}.yaml").write_text(text, encoding="utf-8")
    manifest = {"studies": n_studies, "seed": seed, "defects_rate": defects_rate, "defects": corpus.defects}
    (out / "corpus.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return corpus


# --- the benchmark runner ---------------------------------------------------------------------


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


@contextmanager
def _timer(into: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    into[name] = time.perf_counter() - start


def _median_ms(fn: Callable[[], object], runs: int = 5, budget: float = 2.0) -> float:
    """Median of ``runs`` timed runs after a warm-up; a query slower than ``budget`` s is timed once."""
    start = time.perf_counter()
    fn()  # warm-up
    first = time.perf_counter() - start
    if first > budget:
        return first * 1000
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def bench_size(n: int, *, seed: int = 1, reference: bool = True, work: Path) -> dict[str, Any]:
    """Time every stage on a generated corpus of ``n`` studies: fast engines, and the reference."""
    from regen_kg import build as pipeline
    from regen_kg.catalogue import catalogue_graph
    from regen_kg.fastshacl import validate_fast
    from regen_kg.memstore import plain_copy
    from regen_kg.oxstore import OxigraphStore
    from regen_kg.qc import run_qc
    from regen_kg.queries import load_catalogue, run_query
    from regen_kg.reason import reason
    from regen_kg.validate import load_shapes, validate_graph

    corpus = generate(n, seed, out=work / f"corpus-{n}")
    paths = corpus.paths
    fast: dict[str, float] = {}
    ref: dict[str, float] = {}
    with _timer(fast, "parse records"):
        loaded = pipeline.load(paths)
    shapes = load_shapes(paths)
    with _timer(fast, "validate"):
        report = validate_fast(loaded.asserted, shapes, loaded.origins)
    with _timer(fast, "reason"):
        inferred = pipeline.infer(loaded)
    built = pipeline.Built(loaded=loaded, report=report, inferred=inferred)
    graphs = built.graphs(inferred=True)
    with _timer(fast, "load into store"):
        store = OxigraphStore()
        store.load(graphs)
    import pyoxigraph as ox

    for fmt, rdf_format in (("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES)):
        with _timer(fast, f"serialize {fmt} (Oxigraph writer, for comparison)"):
            for name in graphs:
                store.raw.dump(format=rdf_format, from_graph=ox.NamedNode(str(name)))
    with _timer(fast, "serialize nq (Oxigraph writer, for comparison)"):
        store.raw.dump(format=ox.RdfFormat.N_QUADS)
    with _timer(fast, "render every build output"):
        pipeline.render(built, paths)
    with _timer(fast, "QC checks (Oxigraph)"):
        run_qc(paths, loaded=loaded, queries=catalogue_graph(load_catalogue(paths).values()), store="oxigraph")
    builds, build_peak, write_floor = _build_times(paths, work / f"dist-{n}")
    catalogue = load_catalogue(paths)
    fast_queries = {name: _median_ms(partial(run_query, store, q)) for name, q in catalogue.items()}
    floors = {FLOOR_WRITE: write_floor}
    floors |= {name: _median_ms(partial(store.query, sparql)) / 1000 for name, sparql in FLOOR_QUERIES.items()}
    row: dict[str, Any] = {
        "studies": n,
        "asserted triples": len(loaded.asserted),
        "inferred triples": len(inferred),
        "fast": fast,
        "fast queries ms": fast_queries,
        "fast total s": sum(fast.values()),
        "cold build s": builds[COLD_BUILD],
        "builds s": builds,
        "floors s": floors,
        "peak RSS MB (cold build, largest process)": build_peak,
        "peak RSS MB (fast)": peak_rss_mb(),
    }
    if reference:
        ref["parse records"] = fast["parse records"]
        asserted = plain_copy(loaded.asserted)  # the reference engines on rdflib's default store
        with _timer(ref, "validate"):
            validate_graph(asserted, shapes, loaded.origins)
        with _timer(ref, "reason"):
            reason(asserted)
        with _timer(ref, "render every build output"):
            _reference_render(built)
        memory = built.store("memory")
        ref_queries = {
            name: _median_ms(partial(run_query, memory, q), runs=3, budget=1.0) for name, q in catalogue.items()
        }
        row |= {"reference": ref, "reference queries ms": ref_queries, "reference total s": sum(ref.values())}
        row["speed-up"] = row["reference total s"] / row["fast total s"]
        row["speed-up (cold build)"] = row["reference total s"] / row["cold build s"]
    row["peak RSS MB (benchmark process)"] = peak_rss_mb()
    return row


def _reference_render(built: Any) -> None:
    """The main serializations with rdflib's canonical writers and pyld (the reference writers)."""
    from rdflib import Graph

    from regen_kg import export
    from regen_kg.context import build_context

    context = build_context(built.loaded.ontology)
    asserted = built.graphs(inferred=False)
    full = built.graphs(inferred=True, queries=True)
    union = Graph()
    for graph in asserted.values():
        for triple in graph:
            union.add(triple)
    export.reference_turtle(union)
    export.reference_jsonld(union, context)
    export.reference_ntriples(union + built.inferred)
    export.reference_trig(full)
    export.reference_nquads(full)


#: what :func:`_fresh_build` runs in a new interpreter: ``build()`` timed once the modules are
#: imported (as the reference stages are), then the peak RSS of that process and of its children.
#: The process's own peak is read from /proc (VmHWM, in kB) where there is one: on Linux its
#: ``ru_maxrss`` still counts the benchmark process it was started from, which is far bigger.
_BUILD_SCRIPT = """
import json, resource, sys, time
from pathlib import Path
from regen_kg.build import build
from regen_kg.cache import project_cache
from regen_kg.paths import project_paths
paths = project_paths(Path(sys.argv[1]))
cache = project_cache(paths.root) if sys.argv[3] == "cache" else None
start = time.perf_counter()
build(paths, Path(sys.argv[2]), cache=cache)
seconds = time.perf_counter() - start
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    with open("/proc/self/status") as status:
        own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    pass
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "rss": [own, children]}))
"""


@dataclass
class BuildRun:
    """One ``build()`` in a fresh interpreter: its time and the peak RSS of its largest process (MB)."""

    seconds: float
    peak_mb: float


def _fresh_build(paths: ProjectPaths, out: Path, *, cache: bool) -> BuildRun:
    """Run a build in a new Python process, so that nothing compiled or cached in memory by an
    earlier stage of the benchmark makes it look faster than a user's ``regen-kg build``."""
    import subprocess

    mode = "cache" if cache else "no-cache"
    done = subprocess.run(
        [sys.executable, "-c", _BUILD_SCRIPT, str(paths.root), str(out), mode],
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return BuildRun(figures["seconds"], max(figures["rss"]) / scale)


def _command_wall(paths: ProjectPaths, *args: str) -> float:
    """Wall time of ``regen-kg ARGS`` as a user runs it: start-up to exit."""
    import subprocess

    start = time.perf_counter()
    subprocess.run([_installed_command(), "--root", str(paths.root), *args], check=True, capture_output=True)
    return time.perf_counter() - start


def _installed_command() -> str:
    script = Path(sys.executable).with_name("regen-kg")  # the installed command, beside this Python
    found = str(script) if script.exists() else shutil.which("regen-kg")
    if found is None:
        raise RuntimeError("the regen-kg command is not installed beside this Python; run `make run` first")
    return found


def _wait_until_answered(url: str, server: Any) -> None:
    """Poll ``url`` until it answers with success; an error if the server process stops first."""
    import urllib.request

    while True:
        if server.poll() is not None:
            raise RuntimeError(f"regen-kg serve stopped (exit {server.returncode}) before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=600) as answer:
                answer.read()
            return
        except OSError:
            time.sleep(0.1)


def _serve_start(paths: ProjectPaths) -> tuple[float, float, float]:
    """Seconds from starting ``regen-kg serve`` until its home page answers and until its evidence
    map is drawn (the server answers while it is drawn), and the server's peak RSS (MB, from
    /proc; 0 where there is none) by then."""
    import socket
    import subprocess

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = [_installed_command(), "--root", str(paths.root), "serve", "--port", str(port)]
    start = time.perf_counter()
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_answered(f"http://127.0.0.1:{port}/", server)
        seconds = time.perf_counter() - start
        _wait_until_answered(f"http://127.0.0.1:{port}/evidence-map.svg", server)  # 503 while drawn
        drawn = time.perf_counter() - start
        peak = 0.0
        status = Path(f"/proc/{server.pid}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) / 1024
        return seconds, drawn, peak
    finally:
        server.terminate()
        server.wait(30)


def _build_times(paths: ProjectPaths, out: Path) -> tuple[dict[str, float], float, float]:
    """A cold build (no cache); the build command, cold; a build filling the cache; a rebuild
    after editing one study record (each in a fresh process, every file written); then the
    check command, first and after an edit; the query command, first (the saved graph written
    afresh), after an edit (patched), on unchanged inputs and asked again; the server's start
    after an edit and with unchanged inputs. Returns the times (and the server's peak RSS in MB under
    SERVE_*_RSS), the peak RSS of the cold build's largest process, and the time to write the
    cold build's files again with nothing computed (:func:`_write_floor`)."""
    shutil.rmtree(paths.root / ".cache", ignore_errors=True)
    cold = _fresh_build(paths, out, cache=False)
    write_floor = _write_floor(out, out.with_name(f"{out.name}-floor"))
    times = {COLD_BUILD: cold.seconds, COLD_WALL: _command_wall(paths, "build", "--out", str(out), "--no-cache")}
    times["build filling the cache"] = _fresh_build(paths, out, cache=True).seconds
    record = sorted((paths.data / "studies").glob("*.yaml"))[0]
    text = record.read_text(encoding="utf-8")
    try:
        record.write_text(text.replace("label: ", "label: edited ", 1), encoding="utf-8")
        times[REBUILD] = _fresh_build(paths, out, cache=True).seconds
        record.write_text(text, encoding="utf-8")
        times[CHECK_FIRST] = _command_wall(paths, "check")
        record.write_text(text.replace("label: ", "label: edited again ", 1), encoding="utf-8")
        times[CHECK_EDIT] = _command_wall(paths, "check")
    finally:
        record.write_text(text, encoding="utf-8")
        shutil.rmtree(out, ignore_errors=True)
    ask = ("--store", "oxigraph", "--format", "csv")
    times[QUERY_FIRST] = _command_wall(paths, "query", "improved-outcome", *ask)
    try:
        record.write_text(text.replace("label: ", "label: queried ", 1), encoding="utf-8")
        times[QUERY_EDIT] = _command_wall(paths, "query", "improved-outcome", *ask)
        times[QUERY_OTHER] = _command_wall(paths, "query", "safety", *ask)
        times[QUERY_AGAIN] = _command_wall(paths, "query", "safety", *ask)
        record.write_text(text.replace("label: ", "label: served ", 1), encoding="utf-8")
        times[SERVE_EDIT], times[SERVE_EDIT_MAP], times[SERVE_EDIT_RSS] = _serve_start(paths)
        times[SERVE_SAVED], _drawn, times[SERVE_SAVED_RSS] = _serve_start(paths)
    finally:
        record.write_text(text, encoding="utf-8")
    return times, cold.peak_mb, write_floor


def _write_floor(built: Path, folder: Path, runs: int = 3) -> float:
    """Seconds to write the files of the build in ``built`` into ``folder`` as a build writes
    them (``write_atomic``: hashed for SHA256SUMS, synced, renamed into place) with nothing left
    to compute: the least any build that writes every file can take on this machine. The median
    of ``runs`` runs."""
    from regen_kg.fileio import write_atomic

    files = {p.name: p.read_bytes() for p in sorted(built.iterdir()) if p.is_file()}
    times = []
    try:
        for _ in range(runs):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            start = time.perf_counter()
            for name, data in files.items():
                write_atomic(folder / name, data)
            times.append(time.perf_counter() - start)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return statistics.median(times)


COLD_BUILD = "regen-kg build, cold (fresh process, no cache, every file written)"
COLD_WALL = "regen-kg build --no-cache: wall time of the command, start-up to exit"
REBUILD = "rebuild after editing one study record (cache, every file written)"
CHECK_FIRST = "regen-kg check, first run (validates and reasons everything; makes its store): wall time"
CHECK_EDIT = "regen-kg check after editing one study record (validates and reasons what changed): wall time"
QUERY_FIRST = (
    "regen-kg query improved-outcome --store oxigraph, first (builds, writes the saved graph afresh): wall time"
)
QUERY_EDIT = (
    "regen-kg query improved-outcome --store oxigraph after editing one study record"
    " (builds, patches the saved graph): wall time"
)
QUERY_OTHER = "regen-kg query safety --store oxigraph, inputs unchanged (evaluated on the saved graph): wall time"
QUERY_AGAIN = "regen-kg query safety --store oxigraph, asked again (the saved answer): wall time"
SERVE_EDIT = (
    "regen-kg serve after editing one study record (builds, patches the saved graph): until the home page answers"
)
SERVE_EDIT_MAP = (
    "regen-kg serve after editing one study record: until its evidence map, drawn in the background, answers"
)
SERVE_SAVED = "regen-kg serve, inputs unchanged (opens the saved graph): until the home page answers"
SERVE_EDIT_RSS = "peak RSS MB of regen-kg serve after an edit"
SERVE_SAVED_RSS = "peak RSS MB of regen-kg serve, inputs unchanged"


FLOOR_WRITE = "floor: write the cold build's files again, nothing computed (hash, sync, rename)"
#: the least a query reading every evidence statement costs on Oxigraph: counting them, and
#: listing each with its outcome (stored queries join several more patterns per statement)
FLOOR_QUERIES = {
    "floor: Oxigraph counts the evidence statements (p50)": (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{REGEN.EvidenceStatement}> }}"
    ),
    "floor: Oxigraph lists each evidence statement's outcome (p50)": (
        f"SELECT ?s ?o WHERE {{ ?s a <{REGEN.EvidenceStatement}> ; <{REGEN.outcome}> ?o }}"
    ),
}


def markdown(rows: list[dict[str, Any]]) -> str:
    """The benchmark rows as a Markdown table: one line per stage, one column per corpus size."""
    sizes = [r["studies"] for r in rows]
    head = "| stage | " + " | ".join(f"{n} studies fast / reference" for n in sizes) + " |\n"
    head += "|---|" + "---|" * len(sizes) + "\n"
    stages = list(dict.fromkeys(k for r in rows for k in r["fast"]))
    lines = []
    for stage in stages:
        cells = []
        for r in rows:
            f = r["fast"].get(stage)
            x = r.get("reference", {}).get(stage)
            cells.append(f"{f:.3f} s" + (f" / {x:.3f} s" if x is not None else ""))
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    for step in dict.fromkeys(k for r in rows for k in r.get("builds s", {})):
        unit = " MB" if "RSS MB" in step else " s"
        cells = [f"{r['builds s'][step]:.3f}{unit}" if step in r.get("builds s", {}) else "" for r in rows]
        lines.append(f"| {step} | " + " | ".join(cells) + " |")
    for floor in dict.fromkeys(k for r in rows for k in r.get("floors s", {})):
        cells = [_floor_cell(r["floors s"][floor]) if floor in r.get("floors s", {}) else "" for r in rows]
        lines.append(f"| {floor} | " + " | ".join(cells) + " |")
    keys = (
        "fast total s",
        "cold build s",
        "reference total s",
        "speed-up",
        "speed-up (cold build)",
        "peak RSS MB (cold build, largest process)",
        "peak RSS MB (benchmark process)",
        "asserted triples",
        "inferred triples",
    )
    for key in keys:
        cells = [f"{r[key]:.2f}" if isinstance(r.get(key), float) else str(r.get(key, "")) for r in rows]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    queries = list(dict.fromkeys(k for r in rows for k in r["fast queries ms"]))
    for q in queries:
        cells = []
        for r in rows:
            f = r["fast queries ms"][q]
            x = r.get("reference queries ms", {}).get(q)
            cells.append(f"{f:.1f} ms" + (f" / {x:.1f} ms" if x is not None else ""))
        lines.append(f"| query {q} (p50) | " + " | ".join(cells) + " |")
    return head + "\n".join(lines) + "\n"


def _floor_cell(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.3f} s"


def run_benchmark(
    sizes: list[int], *, reference: bool = True, reference_limit: int = 1000, out: Path, work: Path, seed: int = 1
) -> list[dict[str, Any]]:
    """Benchmark each size (the reference only up to ``reference_limit`` studies); write tables to ``out``."""
    rows = []
    for n in sizes:
        rows.append(bench_size(n, seed=seed, reference=reference and n <= reference_limit, work=work))
    out.mkdir(parents=True, exist_ok=True)
    meta = {"python": sys.version.split()[0], "machine": platform.machine(), "seed": seed}
    (out / "bench.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n", encoding="utf-8")
    (out / "bench.md").write_text(markdown(rows), encoding="utf-8")
    return rows
