"""Command-line options shared by several commands, defined once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from regen_kg.choices import DEFAULT_STORE, STORES


def out_option(name: str, default: str, help_text: str, *, folder: bool) -> Callable[[Any], Any]:
    """``--out`` for a folder (``folder=True``) or a single file, passed on as parameter ``name``."""
    kind = click.Path(file_okay=not folder, dir_okay=folder, path_type=Path)
    return click.option("--out", name, type=kind, default=Path(default), show_default=True, help=help_text)


def store_option(default: str = DEFAULT_STORE) -> Callable[[Any], Any]:
    """``--store oxigraph|rdflib``: the embedded store, passed on as parameter ``store``."""
    return click.option(
        "--store",
        "store",
        type=click.Choice(STORES),
        default=default,
        show_default=True,
        help="Embedded store: oxigraph (fast; graph saved between runs) or rdflib (the reference). "
        "Same values; Oxigraph writes numbers in canonical form and integer subtypes as xsd:integer.",
    )


def cache_option() -> Callable[[Any], Any]:
    """``--cache/--no-cache``: reuse what an earlier build computed from unchanged inputs."""
    return click.option(
        "--cache/--no-cache",
        "use_cache",
        default=True,
        show_default=True,
        help="Reuse records and the compiled ontology from .cache/regen-kg when their inputs are unchanged.",
    )
