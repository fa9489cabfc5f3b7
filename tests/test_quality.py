"""The code stays ruff- and mypy-clean; the stage modules stay independent of the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

BIN = Path(sys.executable).parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_lint_and_format() -> None:
    lint = run(str(BIN / "ruff"), "check", "src", "tests")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = run(str(BIN / "ruff"), "format", "--check", "src", "tests")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy_strict() -> None:
    out = run(str(BIN / "mypy"))
    assert out.returncode == 0, out.stdout + out.stderr


def test_stage_modules_do_not_import_the_cli() -> None:
    for module in (ROOT / "src" / "regen_kg").glob("*.py"):
        if not module.name.startswith("cli"):
            text = module.read_text()
            assert "regen_kg.cli" not in text and "import click" not in text, module.name
