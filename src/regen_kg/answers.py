"""Answers of queries kept on disk under the key of the project's inputs, for asking again.

An answer is a function of the graph (itself a function of the inputs, ``querystore.inputs_key``),
the store that evaluated it (Oxigraph writes numbers in canonical form), the query text and the
parameters as given. Asking the same again, in any output format, reads the saved answer; any
edit to an input changes the key, and answers of other inputs are removed when one is saved.
"""

from __future__ import annotations

import pickle
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from regen_kg.cache import CACHE_FOLDER, UNREADABLE, digest
from regen_kg.choices import DEFAULT_JOBS
from regen_kg.fileio import write_atomic
from regen_kg.paths import ProjectPaths
from regen_kg.queries import QueryResult, StoredQuery, check_syntax, resolve_external, run_query
from regen_kg.store import GraphStore

#: Where answers are kept, relative to the project root: a folder per inputs key.
ANSWER_FOLDER = CACHE_FOLDER / "answers"


@dataclass
class Answer:
    """A saved answer and the notes printed when it was computed (external ids resolved)."""

    result: QueryResult
    notes: list[str] = field(default_factory=list)


class SavedAnswers:
    """The answers saved for one state of the inputs (``inputs``: ``querystore.inputs_key``)."""

    def __init__(self, paths: ProjectPaths, inputs: str) -> None:
        self._root = paths.root / ANSWER_FOLDER
        self._inputs = inputs
        self._folder = self._root / inputs

    @staticmethod
    def key(store: str, query: StoredQuery, values: Mapping[str, str]) -> str:
        """The key of one question: the store, the query text, the parameters as given."""
        params = [f"{name}={value}" for name, value in sorted(values.items())]
        return digest(store, query.text, *params)

    def get(self, key: str) -> Answer | None:
        """The answer saved under ``key``, or None (never saved, or unreadable)."""
        try:
            answer = pickle.loads((self._folder / f"{key}.pickle").read_bytes())  # our own file
        except UNREADABLE:
            return None
        return answer if isinstance(answer, Answer) else None

    def put(self, key: str, answer: Answer) -> None:
        """Save ``answer`` (SELECT and ASK answers only: a graph is not kept) and remove the
        answers of other inputs."""
        if answer.result.graph is not None:
            return
        self._folder.mkdir(parents=True, exist_ok=True)
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        write_atomic(self._folder / f"{key}.pickle", data, durable=False)
        for entry in self._root.iterdir():
            if entry.name != self._inputs:
                shutil.rmtree(entry, ignore_errors=True)

    @property
    def folder(self) -> Path:
        return self._folder


def ask(
    paths: ProjectPaths,
    query: StoredQuery,
    values: Mapping[str, str],
    *,
    store: str,
    use_cache: bool = True,
    say: Callable[[str], None] | None = None,
) -> QueryResult:
    """The answer of ``query`` on the project's graph: the one saved for these inputs, else
    computed and saved. Oxigraph answers on the saved graph of the last build of these inputs
    (``querystore.saved_store``); rdflib on a graph built in memory. ``use_cache=False`` builds
    in memory and saves nothing. ``say`` receives the notes on external ids resolved.

    The query's syntax is checked (with the parser of ``store``) before anything is built; a
    saved answer was checked when it was computed."""
    from regen_kg.querystore import inputs_key

    say = say or _silent
    jobs = DEFAULT_JOBS
    if use_cache:
        inputs = inputs_key(paths)
        answers = SavedAnswers(paths, inputs)
        key = answers.key(store, query, values)
        saved = answers.get(key)
        if saved is not None:
            for note in saved.notes:
                say(note)
            return saved.result
    check_syntax(query.text, query.path, parser=_parser(store))  # before building, not after
    from regen_kg import build as pipeline  # imported once an answer must be computed

    if not use_cache:
        return evaluate(pipeline.run(paths, jobs=jobs).store(store), query, values, say)
    from regen_kg.querystore import saved_store

    def make() -> pipeline.Built:
        return pipeline.run_project(paths, jobs=jobs)

    backend: GraphStore = saved_store(paths, make, key=inputs) if store == "oxigraph" else make().store(store)
    notes: list[str] = []

    def keep(note: str) -> None:
        notes.append(note)
        say(note)

    result = evaluate(backend, query, values, keep)
    answers.put(key, Answer(result, notes))
    return result


def evaluate(
    backend: GraphStore, query: StoredQuery, values: Mapping[str, str], say: Callable[[str], None]
) -> QueryResult:
    """Run ``query`` on ``backend``, external ids among ``values`` resolved to ours (said)."""
    resolved, notes = resolve_external(backend, query, values)
    for note in notes:
        say(note)
    return run_query(backend, query, resolved)


def _parser(store: str) -> str:
    """The SPARQL parser to check a query with before it runs on ``store``: the store's own."""
    return "rdflib" if store == "rdflib" else "oxigraph"


def _silent(_note: str) -> None:
    """Notes unheard: the default listener of ``ask``."""
