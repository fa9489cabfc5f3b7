"""The README's console examples are what the commands print on the current graph.

README.md shows, under "Five questions, answered", ``regen-kg query`` commands with their output
("Real output of the current graph"). Each example is run again here, on both embedded stores,
and must print exactly the lines shown: an edit to the records, the queries or the output that
changes an answer then has to change the README too.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any

import pytest

from regen_kg.paths import ProjectPaths
from regen_kg.queries import load_catalogue, resolve_external, run_query
from regen_kg.results import render_rows
from regen_kg.store import GraphStore

from .conftest import ROOT

_BLOCK = re.compile(r"```console\n\$ (regen-kg query [^\n]*)\n(.*?)```", re.DOTALL)


@dataclass
class Example:
    """One console example: the query, its parameters, the output format, the ``cut`` and
    ``head`` it is piped through, and the lines shown below it."""

    command: str
    name: str
    values: dict[str, str]
    fmt: str
    fields: list[int] | None
    head: int | None
    shown: list[str]


def _fields(spec: str) -> list[int]:
    """The 1-based field numbers of a ``cut -f`` list such as ``3,5-11``."""
    numbers: list[int] = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        numbers += range(int(first), int(last or first) + 1)
    return numbers


def _example(command: str, output: str) -> Example:
    stages = [shlex.split(stage) for stage in command.split("|")]
    query, filters = stages[0], stages[1:]
    assert query[:2] == ["regen-kg", "query"], command
    name, values, fmt = query[2], {}, "table"
    words = iter(query[3:])
    for word in words:
        if word == "-p":
            key, _, value = next(words).partition("=")
            values[key] = value
        elif word == "--format":
            fmt = next(words)
        else:
            raise AssertionError(f"README example {command!r}: this test does not know {word!r}")
    fields = head = None
    for stage in filters:
        if stage[0] == "cut" and stage[1].startswith("-f"):
            fields = _fields(stage[1][2:])
        elif stage[0] == "head" and stage[1].startswith("-"):
            head = int(stage[1][1:])
        else:
            raise AssertionError(f"README example {command!r}: this test does not know {stage!r}")
    return Example(command, name, values, fmt, fields, head, output.splitlines())


def readme_examples() -> list[Example]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [_example(command, output) for command, output in _BLOCK.findall(text)]


def test_the_readme_has_its_examples() -> None:
    """The five questions give six examples (the third has its summary beside it)."""
    names = [example.name for example in readme_examples()]
    assert names == [
        "studies-by-cell-type",
        "prp-vs-stem-cells",
        "disagreements",
        "contested-questions",
        "unverified-identifiers",
        "claim-support",
    ]


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def store(request: pytest.FixtureRequest, built: Any) -> GraphStore:
    return built.store(request.param)  # type: ignore[no-any-return]


@pytest.mark.parametrize("example", readme_examples(), ids=lambda example: example.name)
def test_a_readme_example_prints_what_the_readme_shows(
    example: Example, store: GraphStore, paths: ProjectPaths
) -> None:
    query = load_catalogue(paths)[example.name]
    _resolved, notes = resolve_external(store, query, example.values)  # printed first, to stderr
    text = render_rows(run_query(store, query, example.values), example.fmt)
    lines = text.splitlines()
    if example.fields is not None:
        lines = ["\t".join(cells[i - 1] for i in example.fields if i <= len(cells)) for cells in
                 (line.split("\t") for line in lines)]  # fmt: skip
    if example.head is not None:
        lines = lines[: example.head]
    assert notes + lines == example.shown, f"README.md: the output of `{example.command}` has changed"
