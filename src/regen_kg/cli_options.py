"""Command-line options shared by several commands, defined once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click


def out_option(name: str, default: str, help_text: str, *, folder: bool) -> Callable[[Any], Any]:
    """``--out`` for a folder (``folder=True``) or a single file, passed on as parameter ``name``."""
    kind = click.Path(file_okay=not folder, dir_okay=folder, path_type=Path)
    return click.option("--out", name, type=kind, default=Path(default), show_default=True, help=help_text)
