"""Command-line commands for documentation, quality control, figures and releases."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    """Add the documentation, QC, evidence-map and release commands to ``regen-kg``."""
    del cli  # filled in by the release commands
