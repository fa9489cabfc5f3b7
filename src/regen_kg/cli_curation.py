"""Command-line commands for curating new evidence (templates and importers)."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    """Add the curation commands to the ``regen-kg`` command group."""
    del cli  # filled in by the curation commands
