"""Command-line commands for benchmarks and the fast build engines."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    """Add the benchmark commands to ``regen-kg``."""
    del cli  # filled in by the benchmark commands
