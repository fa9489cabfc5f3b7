"""Shared fixtures: the real project built once per test session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from regen_kg import build as pipeline
from regen_kg.paths import ProjectPaths, project_paths
from regen_kg.store import GraphStore

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def paths() -> ProjectPaths:
    return project_paths(ROOT)


@pytest.fixture(scope="session")
def built(paths: ProjectPaths) -> pipeline.Built:
    return pipeline.run(paths)


@pytest.fixture(scope="session")
def store(built: pipeline.Built) -> GraphStore:
    return built.store()


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """``regen-kg serve`` on a free loopback port, with a short query time limit."""
    from .regen_server import regen_server

    with regen_server(ROOT, "--timeout", "2", "--max-rows", "5000") as base:
        yield base


@pytest.fixture()
def project_copy(tmp_path: Path) -> ProjectPaths:
    """A private copy of ontology/, shapes/, data/ and queries/ that a test may break."""
    for name in ("ontology", "shapes", "data", "queries"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, tmp_path / name)
    return project_paths(tmp_path)
