"""Check what changed: validate and reason only the records edited since the last check.

``regen-kg check`` keeps the asserted graph in an on-disk Oxigraph store (``.cache/regen-kg/check/``)
with the SHACL results of the last check. A later check converts only the record files whose
content key changed, swaps their triples in the store, and re-runs the compiled shapes for the
focus nodes that can see a changed triple: the changed nodes and every node with a path to one of
them. Every other focus node keeps its results. Reasoning closes the changed records together with
the records they share a node with.

Anything this cannot follow record by record (a change to the ontology, shapes, vocabularies,
mappings, the program or the set of source records; an input error; a node minted twice; an edit
reaching very many nodes) makes a full check, which writes the state anew. ``regen-kg build``
always runs the whole pipeline. tests/test_incremental.py checks that, after every edit, a check
gives the results of a full validation.
"""

from __future__ import annotations

import pickle
import shutil
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.graph import ReadOnlyGraphAggregate

from regen_kg.cache import CACHE_FOLDER, UNREADABLE, BuildCache, digest, files_key, program_key
from regen_kg.errors import InconsistencyError, Location, RegenError
from regen_kg.fastshacl import Result, compiled_shapes, result_order, run_checks, validation_report
from regen_kg.fileio import write_atomic
from regen_kg.mappings import load_mappings, to_graph
from regen_kg.ontology import TermIndex, load_ontology
from regen_kg.oxstore import TermConverter, load_triples
from regen_kg.paths import ProjectPaths
from regen_kg.prefixes import REGEN
from regen_kg.records import Converted, Triple, convert_one, record_keys
from regen_kg.schema import load_record
from regen_kg.terms import ExternalTerm, label_external_terms, load_terms
from regen_kg.validate import ValidationReport, load_shapes

#: where a project keeps its check state, relative to its root
STATE_FOLDER = CACHE_FOLDER / "check"
#: the named graph saying which record file mints each node: ``node heldBy "data/studies/x.yaml"``
HELD_GRAPH = ox.NamedNode("urn:regen-kg:check:held")
HELD_BY = ox.NamedNode("urn:regen-kg:check:heldBy")
#: more changed records than this, or more focus nodes to re-check, and a full check is cheaper
MAX_CHANGED = 200
MAX_FOCUS = 20_000


@dataclass
class CheckState:
    """What the last check left: its inputs' key, each record's content key, and its results."""

    context: str
    keys: dict[str, str]
    results: list[Result]
    #: where each focus node of ``results`` was declared
    origins: dict[URIRef, Location]
    #: how many records (and the schema) state each triple about a node no record mints
    #: (shared timepoints, external-term labels): it leaves the store when nobody states it
    shared: Counter[Triple]
    inconsistency: str = ""


@dataclass
class Checked:
    """A check's outcome: the SHACL report, the reasoning verdict, and how much was redone."""

    report: ValidationReport
    inconsistency: str
    changed: list[str]
    incremental: bool
    removed: list[str] = field(default_factory=list)
    refocused: int = 0
    seconds: float = 0.0
    why_full: str = ""

    @property
    def passed(self) -> bool:
        return self.report.conforms and not self.inconsistency


class _Full(Exception):
    """This change cannot be followed record by record: check everything."""


class CheckBusy(RegenError):
    """Another check holds the project's check store."""


class NotIncremental(Exception):
    """Only a full check could check the project now (the reason is the message)."""


def validated(paths: ProjectPaths, cache: BuildCache) -> ValidationReport | None:
    """The SHACL report of the project as it is now, from an incremental check when the state of
    the last check allows one (about a second after editing one record at 10,000 studies, where
    validating everything takes half a minute); None when only a full check could give it (no
    earlier check, other schema inputs, too many changes, another check running).

    The check's state moves on to the current inputs, as ``regen-kg check`` would leave it."""
    if not (paths.root / STATE_FOLDER / "state.pickle").exists():
        return None  # never checked: not worth loading the ontology to find out
    try:
        return check(paths, cache, only_incremental=True).report
    except (NotIncremental, CheckBusy):
        return None


def _open(path: Path) -> ox.Store:
    """The on-disk store at ``path``; a clear error if another process holds it."""
    try:
        return ox.Store(str(path))
    except OSError as exc:
        raise CheckBusy(
            f"{path} is in use: another 'regen-kg check' is running on this project. Wait for it to "
            f"finish; if none is running, delete {path.parent} (the next check rebuilds it)."
        ) from exc


def check(paths: ProjectPaths, cache: BuildCache, *, full: bool = False, only_incremental: bool = False) -> Checked:
    """Validate and reason the project, redoing only what changed since the last check.

    Input errors raise ``InputErrors`` as a build does; SHACL violations and inconsistencies are
    returned (``passed`` is False), not raised. With ``only_incremental``, a check that would
    have to check everything raises ``NotIncremental`` instead.
    """
    started = time.perf_counter()
    folder = paths.root / STATE_FOLDER
    ontology = load_ontology(paths)
    terms = TermIndex(ontology)
    shapes = load_shapes(paths)
    schema = _schema(paths, ontology)
    context = _context(paths)
    state = None if full else _read_state(folder, context)
    why = "asked for" if full else "no earlier check of these inputs"
    if state is not None:
        try:
            result = _incremental(paths, cache, folder, state, schema, terms, shapes)
        except _Full as exc:
            why = str(exc)
        else:
            result.seconds = time.perf_counter() - started
            return result
    if only_incremental:
        raise NotIncremental(why)
    result = _full(paths, cache, folder, context, schema, terms, shapes)
    result.why_full = why
    result.seconds = time.perf_counter() - started
    return result


def _context(paths: ProjectPaths) -> str:
    """A key of everything but the records: program, ontology, shapes, vocabularies, mappings."""
    sources = sorted(p.stem for p in (paths.data / "sources").glob("*.yaml"))
    return digest(program_key(), files_key(paths.schema_files()), "\n".join(sources))


def _read_state(folder: Path, context: str) -> CheckState | None:
    if (folder / "dirty").exists() or not (folder / "store").is_dir():
        return None  # a check stopped half-way: the store may not match the state
    try:
        state = pickle.loads((folder / "state.pickle").read_bytes())  # our own file, written below
    except UNREADABLE:
        return None
    return state if isinstance(state, CheckState) and state.context == context else None


def _write_state(folder: Path, state: CheckState) -> None:
    write_atomic(folder / "state.pickle", pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    (folder / "dirty").unlink(missing_ok=True)


def _relative(paths: ProjectPaths, files: Sequence[Path]) -> list[str]:
    """The names of ``files`` relative to the project root, as the state keeps them (one string
    slice each: ``Path.relative_to`` costs 35 ms for 10,000 files)."""
    root = paths.root.as_posix().rstrip("/") + "/"
    names = []
    for path in files:
        text = path.as_posix()
        names.append(text[len(root) :] if text.startswith(root) else path.relative_to(paths.root).as_posix())
    return names


def _split(one: Converted, external: dict[URIRef, ExternalTerm]) -> tuple[list[Triple], list[Triple]]:
    """A record's triples about nodes it mints, and the others with the labels of the external
    terms it uses (those another record may state too)."""
    return _split_triples(one.triples, set(one.minted), external)


def _split_triples(
    triples: list[Triple], minted: set[URIRef], external: dict[URIRef, ExternalTerm]
) -> tuple[list[Triple], list[Triple]]:
    own = [t for t in triples if t[0] in minted]
    others = [t for t in triples if t[0] not in minted]
    labels = label_external_terms(cast(Any, [triples]), external)
    return own, others + cast(list[Triple], list(labels))


# --- a full check -----------------------------------------------------------------------------


def _full(
    paths: ProjectPaths,
    cache: BuildCache,
    folder: Path,
    context: str,
    schema: Graph,
    terms: TermIndex,
    shapes: Graph,
) -> Checked:
    from regen_kg.build import infer, load
    from regen_kg.forked import ChildFailed, Forked, can_fork

    loaded = load(paths, cache, jobs=2)  # raises InputErrors, as a build does

    def reasoning() -> str:
        from regen_kg.fastreason import compile_tbox

        try:
            infer(loaded, cache=cache)
        except InconsistencyError as exc:
            return str(exc)
        finally:  # the TBox later checks close changed records with, compiled now and kept
            compile_tbox(schema, cache=cache)
        return ""

    # reasoning beside the validation, in a child forked before the store opens its threads
    child = Forked(reasoning) if can_fork() else None
    files = paths.record_files()
    names = _relative(paths, files)
    keys = record_keys(files, terms)  # the ontology as read, before external labels are added
    external = load_terms(paths.external_terms)
    shared: Counter[Triple] = Counter()
    shared.update(cast(Iterable[Triple], label_external_terms(schema, external)))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dirty").touch()
    fresh = folder / "store.new"  # made beside the old store, then swapped in
    shutil.rmtree(fresh, ignore_errors=True)
    store = _open(fresh)
    for graph in loaded.parts_of_asserted:
        load_triples(store, graph, bulk=True)  # a new store, read by no one yet
    convert = TermConverter()
    held: list[ox.Quad] = []
    minted_anywhere: set[URIRef] = set()
    for name, part, minted in zip(names, loaded.parts, loaded.minted, strict=True):
        _own, others = _split_triples(part, set(minted), external)
        shared.update(others)
        holder = ox.Literal(name)
        held += [ox.Quad(convert(iri), HELD_BY, holder, HELD_GRAPH) for iri in minted]
        minted_anywhere.update(minted)
    store.bulk_extend(held)  # one call: each makes files of its own
    del held
    store.optimize()  # bulk-loaded files compacted: the queries below read them faster
    view = ReadOnlyGraphAggregate(list(loaded.parts_of_asserted))
    results = run_checks(compiled_shapes(shapes), store, view)
    store.flush()
    del store
    shutil.rmtree(folder / "store", ignore_errors=True)
    fresh.rename(folder / "store")
    origins = dict(loaded.origins)
    try:
        inconsistency = child.result() if child is not None else reasoning()
    except ChildFailed:  # run it here, so that an error is raised as itself
        inconsistency = reasoning()
    kept = {r.focus: origins[r.focus] for r in results if r.focus in origins}
    by_name = {name: keys[path] for name, path in zip(names, files, strict=True)}
    if any(s in minted_anywhere for s, _p, _o in shared):
        # a record states something about a node another record mints: removing that record's
        # nodes would take the other's triples along, so no check of this project is incremental
        (folder / "state.pickle").unlink(missing_ok=True)
    else:
        _write_state(folder, CheckState(context, by_name, results, kept, shared, inconsistency))
    return Checked(validation_report(results, shapes, origins), inconsistency, names, incremental=False)


# --- an incremental check ---------------------------------------------------------------------


def _incremental(
    paths: ProjectPaths,
    cache: BuildCache,
    folder: Path,
    state: CheckState,
    schema: Graph,
    terms: TermIndex,
    shapes: Graph,
) -> Checked:
    files = paths.record_files()
    names = _relative(paths, files)
    by_key = record_keys(files, terms)
    keys = {name: by_key[f] for name, f in zip(names, files, strict=True)}
    by_name = dict(zip(names, files, strict=True))
    changed = sorted(n for n, k in keys.items() if state.keys.get(n) != k)
    removed = sorted(set(state.keys) - set(keys))
    if not changed and not removed:
        report = validation_report(state.results, shapes, state.origins)
        return Checked(report, state.inconsistency, [], incremental=True)
    if len(changed) + len(removed) > MAX_CHANGED:
        raise _Full(f"{len(changed) + len(removed)} records changed")

    sources = {p.stem for p in files if p.parent.name == "sources"}
    new: dict[str, Converted] = {}
    for name in changed:
        try:
            record, raw = load_record(by_name[name])
        except Exception as exc:  # the full check reports it as a build would
            raise _Full("an input error") from exc
        one = convert_one(by_name[name], record, raw, terms, sources)
        if one.errors:
            raise _Full("an input error")
        new[name] = one
    before = [state.keys[n] for n in [*changed, *removed] if n in state.keys]
    old = cache.get_many("record", before)
    if len(old) != len(before):
        raise _Full("the build cache no longer holds the earlier version of a changed record")
    external = load_terms(paths.external_terms)
    try:
        split_new = {name: _split(one, external) for name, one in new.items()}
    except Exception as exc:
        raise _Full("an unknown external term") from exc
    split_old = [_split(one, external) for one in old.values()]

    schema_terms = {s for s in schema.subjects() if isinstance(s, URIRef)}
    for name, (own, _others) in split_new.items():
        if any(s in schema_terms or str(s).startswith(REGEN) for s, _p, _o in own):
            raise _Full(f"{name} states something about an ontology term")

    store = _open(folder / "store")
    (folder / "dirty").touch()  # until the new state is written, the store is not trusted
    minted_by: dict[URIRef, str] = {}
    for name, one in new.items():
        minted = one.minted
        if set(_holders(store, minted)) - {name, *removed, *changed}:
            raise _Full(f"{name} mints a node another record mints")
        for iri in minted:
            if minted_by.setdefault(iri, name) != name:
                raise _Full(f"{name} mints a node {minted_by[iri]} mints")

    # what leaves and what enters the store
    shared = Counter(state.shared)
    for _own, others in split_old:
        shared.subtract(others)
    for _own, others in split_new.values():
        shared.update(others)
    gone_shared = {t for t in state.shared if shared[t] <= 0}
    new_shared = {t for t, n in shared.items() if n > 0 and t not in state.shared}
    shared = +shared  # drop the zero counts
    if _holders(store, {s for s, _p, _o in new_shared}):
        raise _Full("a record states something about a node another record mints")
    old_nodes = _minted_by(store, [*changed, *removed])
    touched = set(old_nodes) | {s for s, _p, _o in gone_shared | new_shared}
    for one in new.values():
        touched |= set(one.minted)
    affected = _reaching(store, touched)

    convert = TermConverter()
    default = ox.DefaultGraph()
    for node in old_nodes:
        subject = convert(node)
        for quad in list(store.quads_for_pattern(subject, None, None, default)):
            store.remove(quad)
        for quad in list(store.quads_for_pattern(subject, HELD_BY, None, HELD_GRAPH)):
            store.remove(quad)
    for s, p, o in gone_shared:
        store.remove(ox.Quad(convert(s), convert(p), convert(o), default))
    added: list[Triple] = [t for own, _others in split_new.values() for t in own] + sorted(new_shared)
    store.extend(ox.Quad(convert(s), convert(p), convert(o), default) for s, p, o in added)
    for name, one in new.items():
        held = ox.Literal(name)
        store.extend(ox.Quad(convert(iri), HELD_BY, held, HELD_GRAPH) for iri in one.minted)
    affected |= _reaching(store, touched)
    if len(affected) > MAX_FOCUS:
        raise _Full(f"the edit reaches {len(affected)} nodes")

    # the records' own terms (numbers in their lexical form) for every affected node
    holders = sorted(set(_holders(store, affected)) - set(new))
    found = cache.get_many("record", [keys[n] for n in holders if n in keys])
    data = Graph()
    origins = dict(state.origins)
    holding: list[Any] = [*new.values(), *(found.get(keys.get(n, "")) for n in holders)]
    for held in holding:
        if not isinstance(held, Converted):
            raise _Full("the build cache no longer holds a record next to the change")
        for triple in held.triples:
            data.add(triple)
        origins.update({iri: where for iri, where, _minted in held.nodes})
    data += schema
    fresh = run_checks(compiled_shapes(shapes), store, data, only=affected)
    results = [r for r in state.results if r.focus not in affected] + fresh
    results.sort(key=result_order)
    report = validation_report(results, shapes, origins)
    inconsistency = _reason(paths, cache, state, store, schema, new, keys)
    store.flush()
    del store
    cache.put_many("record", {keys[n]: one for n, one in new.items()}, set(keys.values()))
    kept = {r.focus: origins[r.focus] for r in results if r.focus in origins}
    _write_state(folder, CheckState(state.context, keys, results, kept, shared, inconsistency))
    return Checked(report, inconsistency, changed, incremental=True, removed=removed, refocused=len(affected))


def _rows(store: ox.Store, sparql: str) -> list[Any]:
    answer = store.query(sparql)
    assert isinstance(answer, ox.QuerySolutions)
    return list(answer)


def _values(var: str, nodes: Iterable[Any]) -> str:
    return f"VALUES ?{var} {{ " + " ".join(f"<{n}>" for n in sorted({str(n) for n in nodes})) + " }"


def _minted_by(store: ox.Store, names: Sequence[str]) -> list[URIRef]:
    """The nodes the record files ``names`` minted, as the store has them now."""
    found: list[URIRef] = []
    for name in names:
        for quad in store.quads_for_pattern(None, HELD_BY, ox.Literal(name), HELD_GRAPH):
            if isinstance(quad.subject, ox.NamedNode):
                found.append(URIRef(quad.subject.value))
    return found


def _holders(store: ox.Store, nodes: Iterable[URIRef]) -> list[str]:
    """The record files minting any of ``nodes``."""
    names: set[str] = set()
    for node in nodes:
        for quad in store.quads_for_pattern(ox.NamedNode(str(node)), HELD_BY, None, HELD_GRAPH):
            names.add(cast(ox.Literal, quad.object).value)
    return sorted(names)


def _reaching(store: ox.Store, nodes: set[URIRef]) -> set[URIRef]:
    """``nodes`` and every node with a path (of any length, by any property) to one of them: the
    focus nodes whose shapes can read a triple about ``nodes``."""
    seen = set(nodes)
    frontier = set(nodes)
    while frontier and len(seen) <= MAX_FOCUS:
        rows = _rows(store, f"SELECT DISTINCT ?x WHERE {{ {_values('n', frontier)} ?x ?p ?n }}")
        frontier = {URIRef(row["x"].value) for row in rows if isinstance(row["x"], ox.NamedNode)} - seen
        seen |= frontier
    return seen


def _reason(
    paths: ProjectPaths,
    cache: BuildCache,
    state: CheckState,
    store: ox.Store,
    schema: Graph,
    new: dict[str, Converted],
    keys: dict[str, str],
) -> str:
    """The inconsistency (empty if none) found by closing the changed records with their neighbours:
    the records minting a node they mention, and the records mentioning a node they mint."""
    from regen_kg.fastreason import UnsupportedTBox, reason_parts

    if state.inconsistency:  # another record's inconsistency may remain: reason everything
        return _reason_all(paths, cache)
    mentioned = {n for one in new.values() for t in one.triples for n in (t[0], t[2]) if isinstance(n, URIRef)}
    minted = {iri for one in new.values() for iri in one.minted}
    near = set(_holders(store, mentioned - minted))
    if minted:
        rows = _rows(store, f"SELECT DISTINCT ?s WHERE {{ {_values('n', minted)} ?s ?p ?n }}")
        near |= set(_holders(store, (URIRef(r["s"].value) for r in rows if isinstance(r["s"], ox.NamedNode))))
    near -= set(new)
    found = cache.get_many("record", [keys[n] for n in near if n in keys])
    parts: list[list[Triple]] = []
    part_keys: list[str] = []
    for name in sorted(near):
        one = found.get(keys.get(name, ""))
        if not isinstance(one, Converted):
            return _reason_all(paths, cache)
        parts.append(one.triples)
        part_keys.append(keys[name])
    for name, one in new.items():
        parts.append(one.triples)
        part_keys.append(keys[name])
    try:
        reason_parts(schema, parts, part_keys, cache=cache)
    except InconsistencyError as exc:
        return str(exc)
    except UnsupportedTBox:
        return _reason_all(paths, cache)
    return ""


def _schema(paths: ProjectPaths, ontology: Graph) -> Graph:
    """The schema a check validates against and closes changed records with: the ontology as
    read (without external-term labels), and the mappings."""
    from regen_kg.fastreason import schema_graph

    return schema_graph(ontology, to_graph(load_mappings(paths.data / "mappings")))


def _reason_all(paths: ProjectPaths, cache: BuildCache) -> str:
    from regen_kg.build import infer, load

    try:
        infer(load(paths, cache), cache=cache)
    except InconsistencyError as exc:
        return str(exc)
    return ""


__all__ = ["STATE_FOLDER", "CheckBusy", "CheckState", "Checked", "NotIncremental", "check", "validated"]
